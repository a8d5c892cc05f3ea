"""The observatory: figures across alliances (pure), the comparison in /synthese with the
coordination's consent (/reglages), and /suggestion, through the service with the fake."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bot.compose import load_content
from dialogues.core.domain import Answer
from dialogues.observatory.compute import MIN_ALLIANCES, observe
from dialogues.observatory.report import COLUMNS, ObservatoryReport, to_csv
from tests.fakes import FakeStore
from tests.helpers import Chat, create_alliance, make_app

CONTENT = load_content()
CHARTER = CONTENT.charter
FIRST, SECOND = CHARTER.levers[0], CHARTER.levers[1]
T0 = datetime(2027, 1, 10, tzinfo=UTC)
_ids = itertools.count(1)


def answer(alliance: int, organisation: int, lever: str, position: int | None,
           phase: str = "lancement", member: int | None = None) -> Answer:
    n = next(_ids)
    return Answer(alliance_id=alliance, organisation_id=organisation,
                  member_id=member if member is not None else organisation, phase=phase,
                  lever_id=lever, position=position, comment=None, contribution=None,
                  expectation=None, charter_version="v", answered_at=T0 + timedelta(minutes=n),
                  id=n)


def figures(answers, lever=FIRST, phase="lancement"):
    return next(f for f in observe(CHARTER, answers) if (f.lever, f.phase) == (lever, phase))


def network(alliances: int) -> list[Answer]:
    """Alliances of two organisations: the first at 1 and 4 (a divergence), the others at 3
    and 3; each alliance also has a third organisation that does not know."""
    found = []
    for a in range(alliances):
        first, second = (1, 4) if a == 0 else (3, 3)
        found += [answer(a, 10 * a + 1, FIRST.id, first), answer(a, 10 * a + 2, FIRST.id, second),
                  answer(a, 10 * a + 3, FIRST.id, None)]
    return found


def test_figures_from_five_alliances_are_shown():
    f = figures(network(MIN_ALLIANCES))
    assert (f.alliances, f.organisations) == (5, 15)
    assert {level: s.value for level, s in f.shares.items()} == {
        1: pytest.approx(1 / 15), 2: 0.0, 3: pytest.approx(8 / 15), 4: pytest.approx(1 / 15)}
    assert f.unknown.value == pytest.approx(5 / 15)  # « je ne sais pas »: one org in three
    assert f.mean.value == pytest.approx((1 + 4 + 3 * 8) / 10)
    assert f.divergence.value == pytest.approx(1 / 5)  # a divergence in one alliance of five
    assert f.change is None  # the first phase has nothing to change from


def test_below_five_alliances_no_figure_is_given():
    f = figures(network(MIN_ALLIANCES - 1))
    assert f.alliances == 4
    assert [s.value for s in (*f.shares.values(), f.unknown, f.mean, f.divergence)] == [None] * 7
    rows = ObservatoryReport(CHARTER, CONTENT.script).records(network(4))
    first = rows[0]
    assert (first["lever_number"], first["phase"]) == (1, "lancement")
    assert {first[c] for c in COLUMNS[4:13]} == {"moins de 5 alliances"}


def test_divergence_counts_only_alliances_where_two_organisations_placed_themselves():
    answers = network(5)
    answers += [answer(9, 91, FIRST.id, 2)]  # a sixth alliance, one organisation placed
    f = figures(answers)
    assert (f.alliances, f.divergence.alliances, f.divergence.value) == (6, 5, pytest.approx(0.2))


def test_an_organisation_speaks_with_one_voice_its_latest_answer():
    answers = network(5)
    answers.append(answer(0, 1, FIRST.id, 3, member=99))  # org 1's other member, later: 3
    f = figures(answers)
    assert f.divergence.value == 0.0  # alliance 0 is now at 3 and 4: no divergence
    assert f.organisations == 15


def test_the_evolution_between_phases_from_organisations_in_both():
    answers = []
    for a in range(5):
        answers += [answer(a, 10 * a + 1, SECOND.id, 2), answer(a, 10 * a + 2, SECOND.id, 3),
                    answer(a, 10 * a + 1, SECOND.id, 3, "mi-parcours"),
                    answer(a, 10 * a + 2, SECOND.id, 3, "mi-parcours"),
                    answer(a, 10 * a + 3, SECOND.id, 4, "mi-parcours")]  # new: no change
    f = figures(answers, SECOND, "mi-parcours")
    assert f.change is not None and f.up is not None and f.down is not None
    assert (f.change.value, f.up.value, f.down.value) == (0.5, 0.5, 0.0)
    assert figures(answers, SECOND, "lancement").change is None


def test_the_csv_names_no_alliance_and_no_organisation():
    answers = network(6)
    csv_text = to_csv(ObservatoryReport(CHARTER, CONTENT.script).records(answers), COLUMNS)
    header, first = csv_text.splitlines()[:2]
    assert header.split(",") == list(COLUMNS)
    assert first == ("1,respect-confiance,Respect et confiance,lancement,6,18,5.6,0.0,55.6,5.6,"
                     "33.3,2.92,16.7,,,")


# --- in the conversation ---------------------------------------------------------------------


@pytest.fixture
def app_and_store():
    store = FakeStore()
    return make_app(store), store


def shown(chat: Chat) -> str:
    """What the person read, with plain spaces (French texts use non-breaking ones)."""
    return chat.text.replace("\u00a0", " ")


def answered(chat: Chat, position_label: str, levers: int = 3) -> None:
    chat.cmd("charte")
    for _ in range(levers):
        chat.press(position_label)
        chat.say("passer")


def alliance_with(app, name: str, label: str, compare: bool) -> Chat:
    coordinator = Chat(app, name)
    create_alliance(coordinator, name=f"Alliance {name}", org=f"Asso {name}")
    answered(coordinator, label)
    if compare:
        coordinator.cmd("reglages")
        assert "Comparaison avec les autres alliances : non" in shown(coordinator)
        coordinator.press("Comparer avec les autres alliances")
        assert "Comparaison avec les autres alliances : oui" in shown(coordinator)
    return coordinator


def test_other_alliances_in_synthese_only_with_consent_and_five_alliances(app_and_store):
    app, store = app_and_store
    ours = alliance_with(app, "nous", "Ancré", compare=False)
    ours.cmd("synthese")
    assert "Autres alliances" not in [b.label for b in ours.buttons]

    for n in range(4):
        alliance_with(app, f"a{n}", "En réflexion", compare=True)
    alliance_with(app, "sans", "À découvrir", compare=False)  # never counted: no consent
    ours.cmd("reglages")
    ours.press("Comparer avec les autres alliances")
    ours.cmd("synthese")
    ours.press("Autres alliances")
    assert "1. Respect et confiance — ici : 4,0 · ailleurs : moins de 5 alliances" in shown(ours)

    alliance_with(app, "a4", "En réflexion", compare=True)  # the fifth other alliance
    ours.cmd("synthese")
    ours.press("Autres alliances")
    assert ("1. Respect et confiance — ici : 4,0 · ailleurs : 2,0 (5 alliances) ;"
            " « je ne sais pas » 0 % ; divergence : moins de 5 alliances") in shown(ours)
    assert "4. Complémentarité — ici : — · ailleurs : moins de 5 alliances" in shown(ours)
    assert "Alliance a1" not in ours.text and "Asso a1" not in ours.text


def test_only_the_coordination_switches_the_comparison(app_and_store):
    app, store = app_and_store
    alice, bob = Chat(app, "alice"), Chat(app, "bob")
    code = create_alliance(alice)
    bob.cmd("rejoindre", code)
    bob.press("Une autre organisation")
    bob.say("Mairie B")
    bob.press("Collectivité")
    bob.cmd("reglages")
    assert "Seul·e un·e coordinateur·rice" in shown(bob)
    alice.cmd("reglages")
    switch = next(b for b in alice.buttons if "Comparer" in b.label)
    assert "plus valable" in bob.press_data(switch.data)  # forged: not his button
    (alliance,) = store.data.alliances.values()
    assert not alliance.comparison
    alice.press_data(switch.data)
    (alliance,) = store.data.alliances.values()
    assert alliance.comparison


def test_a_suggestion_about_the_whole_charter_or_one_lever(app_and_store):
    app, store = app_and_store
    alice = Chat(app, "alice")
    create_alliance(alice)
    alice.cmd("suggestion")
    assert "Elle porte sur toute la charte" in shown(alice)
    assert "Merci" in alice.say("Un glossaire des mots techniques ?")
    alice.cmd("charte")
    alice.press("Engagé")  # now on lever 1's conditions, still lever 1
    alice.cmd("suggestion")
    alice.press("Sur le levier 1")
    assert "Elle porte sur le levier 1. Respect et confiance" in shown(alice)
    alice.say("« Mutuellement » est de trop")
    alice.cmd("suggestion", "gouvernance")
    assert "levier 20. Animation et gouvernance" in shown(alice)
    alice.cmd("suggestion", "zzz")
    assert "Je ne trouve pas le levier « zzz »" in shown(alice)
    alice.cmd("annuler")
    assert [(s.lever_id, s.text) for s in (x for _p, x in store.data.suggestions)] == [
        (None, "Un glossaire des mots techniques ?"),
        ("respect-confiance", "« Mutuellement » est de trop")]
    rows = ObservatoryReport(CHARTER, CONTENT.script).suggestion_records(
        s for _p, s in store.data.suggestions)
    assert [(r["lever"], r["text"]) for r in rows] == [
        ("toute la charte", "Un glossaire des mots techniques ?"),
        ("Respect et confiance", "« Mutuellement » est de trop")]
    assert all("alice" not in str(r.values()) for r in rows)


def test_a_suggestion_needs_an_alliance(app_and_store):
    app, store = app_and_store
    stranger = Chat(app, "zoe")
    stranger.cmd("suggestion")
    assert shown(stranger) == CONTENT.script.say("no_alliance").replace("\u00a0", " ")
    stranger.say("Mon idée")
    assert store.data.suggestions == []
