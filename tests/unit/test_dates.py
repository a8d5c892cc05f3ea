"""Dates typed by people (dateparser, French settings) and dates shown in full."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from dialogues.content.bundle import load_content
from dialogues.content.dates import Mismatch, long_date, midpoint, parse_date
from tests.fakes import FakeStore
from tests.helpers import Chat, create_alliance, make_app

WORDS = load_content().script.dates
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 4, 21, 0, tzinfo=UTC)  # Friday 4 December 2026, 22:00 in Paris


def read(text: str) -> datetime | Mismatch | None:
    return parse_date(text, "Europe/Paris", NOW, WORDS)


@pytest.mark.parametrize("typed, wanted", [
    ("15/01/2027", datetime(2027, 1, 15)),
    ("2027-01-15", datetime(2027, 1, 15)),
    ("15 janvier 2027", datetime(2027, 1, 15)),
    ("15 janv. 2027", datetime(2027, 1, 15)),
    ("12 janvier", datetime(2027, 1, 12)),  # no year: the next 12 January
    ("3 décembre", datetime(2027, 12, 3)),  # already past this year: next year
    ("mardi 12 janvier", datetime(2027, 1, 12)),
    ("12/01/27", datetime(2027, 1, 12)),  # two-digit year
    ("le 1er juillet 2027", datetime(2027, 7, 1)),
    ("mardi", datetime(2026, 12, 8)),  # a weekday alone: the next one
    ("vendredi", datetime(2026, 12, 11)),  # today is a Friday: the next Friday
    ("vendredi 4 décembre", datetime(2026, 12, 4)),  # today, which is a Friday
    ("15/01/2027 14:30", datetime(2027, 1, 15, 14, 30)),
    ("15/01/2027 14h30", datetime(2027, 1, 15, 14, 30)),
    ("3 février 2027 à 10 h", datetime(2027, 2, 3, 10, 0)),
    ("12 mars à 9h", datetime(2027, 3, 12, 9, 0)),
])
def test_dates_people_type_are_read(typed, wanted):
    assert read(typed) == wanted.replace(tzinfo=PARIS)


@pytest.mark.parametrize("typed", ["demain", "mars 2027", "12", "32/01/2027", "29/02/2027",
                                   "bonjour", "", "15/01/2027 25:00", "janvier"])
def test_what_is_not_a_date_is_refused(typed):
    assert read(typed) is None


def test_a_weekday_that_does_not_match_the_date_is_pointed_out():
    found = read("lundi 12 janvier 2027")
    assert isinstance(found, Mismatch) and found.weekday == 1  # a Tuesday


def test_dates_are_shown_in_full():
    assert long_date(datetime(2027, 1, 12, 9, 0, tzinfo=PARIS), WORDS) \
        == "mardi 12 janvier 2027 à 9\u00a0h"
    assert long_date(datetime(2027, 1, 12, 14, 30, tzinfo=PARIS), WORDS) \
        == "mardi 12 janvier 2027 à 14\u00a0h 30"
    assert long_date(datetime(2027, 7, 1, tzinfo=PARIS), WORDS) == "jeudi 1er juillet 2027"
    assert long_date(datetime(2027, 7, 1, 7, 0, tzinfo=UTC), WORDS, "Europe/Paris") \
        == "jeudi 1er juillet 2027 à 9\u00a0h"


def test_the_default_mid_point_is_the_middle_day_at_the_reminders_time():
    start, end = datetime(2027, 1, 15, tzinfo=PARIS), datetime(2027, 12, 15, tzinfo=PARIS)
    assert midpoint(start, end, time(9, 0), "Europe/Paris") \
        == datetime(2027, 7, 1, 9, 0, tzinfo=PARIS)


def test_creating_an_alliance_with_dates_without_a_year_confirms_them_in_full():
    store = FakeStore()
    alice = Chat(make_app(store), "alice")  # the test clock: Sunday 10 January 2027
    alice.cmd("nouvelle")
    alice.say("Alliance du Port")
    alice.say("Asso A")
    alice.press("Association")
    assert "Début : le mardi 12 janvier 2027." in alice.say("12 janvier")
    assert "Fin : le jeudi 16 décembre 2027." in alice.say("jeudi 16 décembre")
    assert "le mercredi 30 juin 2027 à 9 h, au milieu de l’action" in alice.text
    shown = alice.press("Garder cette date")
    assert "début : le mardi 12 janvier 2027" in shown
    assert "point d’étape : le mercredi 30 juin 2027 à 9 h" in shown
    assert "fin : le jeudi 16 décembre 2027" in shown and not store.data.alliances
    alice.press("Oui, créer")
    (alliance,) = store.data.alliances.values()
    assert alliance.mid_at == datetime(2027, 6, 30, 9, 0, tzinfo=PARIS)


def test_changing_the_dates_before_creating_asks_them_again():
    store = FakeStore()
    alice = Chat(make_app(store), "alice")
    alice.cmd("nouvelle")
    alice.say("Alliance du Port")
    alice.say("Asso A")
    alice.press("Association")
    alice.say("12 janvier")
    alice.say("16/12/2027")
    alice.press("Garder cette date")
    assert "Quand l’action commence" in alice.press("Changer les dates")
    assert not store.data.alliances


def test_in_the_terminal_opening_a_phase_says_that_no_reminder_goes_out_there():
    app = make_app(FakeStore())
    alice = Chat(app, "alice", channel="console")
    create_alliance(alice)
    alice.cmd("echeances")
    asked = alice.press("Lancer le point d’étape maintenant")
    assert "le point d’étape passe du" in asked
    assert "Dans le terminal, je n’envoie aucun rappel" in asked
    assert "recevra aussitôt un rappel" not in asked
