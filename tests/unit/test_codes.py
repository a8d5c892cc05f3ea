"""Invitation codes: Crockford base32 in groups of four, read loosely; old codes still work."""

from __future__ import annotations

import re

import pytest

from dialogues.core import codes
from tests.fakes import FakeStore
from tests.helpers import Chat, create_alliance, make_app

NEW = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$")


def test_a_new_code_has_100_bits_in_five_groups_of_four_that_fit_a_deep_link():
    made = {codes.new_code() for _ in range(200)}
    assert len(made) == 200
    for code in made:
        assert NEW.match(code), code
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", code)  # Telegram's start parameter
    assert codes.LENGTH * 5 >= 96  # 5 bits a character


@pytest.mark.parametrize("typed", [
    "7K3M-Q9TX-AB12-CDEF-GHJK",
    "7k3m-q9tx-ab12-cdef-ghjk",
    "7k3m q9tx ab12 cdef ghjk",
    "  7K3MQ9TXAB12CDEFGHJK ",
    "7k3m–q9tx–ab12–cdef–ghjk",  # dashes a phone keyboard makes
    "7K3M-Q9TX-ABl2-CDEF-GHJK",  # l read as 1
    "7K3M-Q9TX-AB1Z-CDEF-GHJK".replace("1", "I"),  # I read as 1
])
def test_a_typed_code_is_read_whatever_the_case_spaces_dashes_and_look_alikes(typed):
    wanted = "7K3M-Q9TX-AB12-CDEF-GHJK" if "Z" not in typed else "7K3M-Q9TX-AB1Z-CDEF-GHJK"
    assert codes.canonical(typed) == wanted
    assert wanted in codes.candidates(typed)
    assert codes.looks_like_code(typed)


def test_o_is_read_as_zero():
    assert codes.canonical("OOOO-1111-2222-3333-4444") == "0000-1111-2222-3333-4444"


def test_a_code_made_before_is_looked_up_exactly_as_stored():
    old = "aB3_xY9-kLmN0pQrStUvWz"  # 22 URL-safe characters, case-sensitive
    assert codes.candidates(old)[0] == old
    assert codes.looks_like_code(old)


@pytest.mark.parametrize("text", ["engagé", "je ne sais pas", "gouvernance", "1234",
                                  "Nous sommes engagés depuis le début", "passer passer passer",
                                  "https://example.org/abc"])
def test_ordinary_answers_do_not_look_like_codes(text):
    assert not codes.looks_like_code(text)


# --- through the service ------------------------------------------------------------------


@pytest.fixture
def app():
    return make_app(FakeStore())


def test_a_lower_case_code_pasted_alone_joins(app):
    code = create_alliance(Chat(app, "alice"), "Alliance du Port", "Asso A")
    assert NEW.match(code)
    bob = Chat(app, "bob")
    shown = bob.say(code.lower().replace("-", " "))
    assert "Vous rejoignez l’alliance" in shown and "Alliance du Port" in shown
    assert "Asso A" in [b.label for b in bob.buttons]


def test_after_a_wrong_code_pasting_the_right_one_joins(app):
    code = create_alliance(Chat(app, "alice"), "Alliance du Port", "Asso A")
    bob = Chat(app, "bob")
    assert "pas valable" in bob.cmd("rejoindre", "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    assert "Vous rejoignez l’alliance" in bob.say(code.lower())


def test_the_code_typed_after_rejoindre_alone_joins(app):
    code = create_alliance(Chat(app, "alice"), "Alliance du Port", "Asso A")
    bob = Chat(app, "bob")
    assert "code d’invitation" in bob.cmd("rejoindre")
    assert "Vous rejoignez l’alliance" in bob.say(code.lower())


def test_a_code_pasted_during_the_walk_that_opens_nothing_shows_the_question_again(app):
    alice = Chat(app, "alice")
    create_alliance(alice)
    alice.cmd("charte")
    shown = alice.say("ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    assert "pas valable" in shown and "Levier 1/21" in shown
