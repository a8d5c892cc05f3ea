"""Revisiting quickly: « Inchangé » at mid-course, the levers left behind, /annuler, the intro."""

from __future__ import annotations

import pytest

from tests.fakes import FakeStore
from tests.helpers import Chat, Clock, create_alliance, make_app


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def alice(store, clock) -> Chat:
    chat = Chat(make_app(store, clock), "alice")
    create_alliance(chat)
    return chat


def launch_answers(alice: Chat, levers: int = 3) -> None:
    """Answer the first `levers` levers at the launch: Engagé with a condition."""
    alice.cmd("charte")
    for n in range(1, levers + 1):
        alice.press("Engagé")
        alice.say(f"condition {n}")


def at_mid_course(alice: Chat, clock: Clock) -> str:
    clock.advance(days=200)  # past the mid-course date
    return alice.cmd("charte")


def test_the_first_question_comes_after_the_levels_the_duration_and_pause(alice):
    shown = alice.cmd("charte")
    assert len(alice.last) == 1  # one message: the intro, then lever 1
    for level in ("1 · À découvrir :", "2 · En réflexion :", "3 · Engagé :", "4 · Ancré :"):
        assert level in shown
    assert "minutes" in shown and "pause" in shown and "/charte" in shown
    assert shown.index("4 · Ancré") < shown.index("Levier 1/21")


def test_inchange_keeps_the_position_and_texts_in_one_tap(store, clock, alice):
    launch_answers(alice)
    shown = at_mid_course(alice, clock)
    assert "Votre réponse au lancement : Engagé" in shown
    assert "Conditions : condition 1" in shown  # what « Inchangé » keeps
    assert "= Inchangé (Engagé)" in [b.label for b in alice.buttons]
    alice.press("Inchangé")
    last = store.data.answers[-1]
    assert (last.phase, last.lever_id, last.position, last.comment) == (
        "mi-parcours", "respect-confiance", 3, "condition 1")
    assert len(alice.last) == 1 and not alice.last[0].edit  # one new message, next lever
    assert "✓ 1. Respect et confiance : Engagé (inchangé)" in alice.text
    assert "Levier 2/21" in alice.text


def test_inchange_is_marked_in_the_store_and_in_the_spreadsheet(store, clock, alice):
    import io

    from openpyxl import load_workbook

    launch_answers(alice, 1)
    at_mid_course(alice, clock)
    alice.press("Inchangé")
    assert {(a.phase, a.unchanged) for a in store.data.answers} == {
        ("lancement", False), ("mi-parcours", True)}
    alice.cmd("export")
    book = load_workbook(io.BytesIO(alice.last[1].attachment.data))
    header, *rows = list(book["Réponses"].iter_rows(values_only=True))
    column = header.index("Inchangé")
    assert {(r[4], r[column]) for r in rows} == {("Lancement", None), ("Mi-parcours", "oui")}


@pytest.mark.parametrize("typed", ["pareil", "idem", "inchangé", "comme avant",
                                   "pas de changement"])
def test_typed_words_for_unchanged_keep_the_earlier_answer(store, clock, alice, typed):
    launch_answers(alice, 1)
    at_mid_course(alice, clock)
    alice.say(typed)
    last = store.data.answers[-1]
    assert (last.phase, last.position, last.comment) == ("mi-parcours", 3, "condition 1")
    assert "Levier 2/21" in alice.text


def test_pareil_at_the_launch_is_never_stored(store, alice):
    alice.cmd("charte")
    assert "pas compris" in alice.say("pareil")
    assert not store.data.answers


def test_no_inchange_button_where_there_was_no_earlier_answer(clock, alice):
    launch_answers(alice, 1)
    at_mid_course(alice, clock)
    alice.press("Inchangé")
    assert "Levier 2/21" in alice.text
    assert not any("Inchangé" in b.label for b in alice.buttons)


def test_the_end_names_the_levers_left_and_visits_only_those(store, alice):
    alice.cmd("charte")
    for n in range(1, 22):
        if n in (4, 9, 12):
            alice.press("Passer")
            continue
        alice.press("Ancré")
        alice.press("Passer")
        if "Qu’attend" in alice.text:
            alice.press("Passer")
    assert "18 leviers ont une réponse, sur 21" in alice.text
    assert "Sans réponse pour l’instant : 4. Complémentarité, 9. Partager, 12. Évaluer." \
        in alice.text
    shown = alice.press("Répondre aux 3 leviers restants")
    assert "Les 3 leviers restants, un par un" in shown and "Levier 4/21" in shown
    alice.press("Engagé")
    alice.press("Passer")
    assert "Levier 9/21" in alice.text
    alice.press("Engagé")
    alice.press("Passer")
    assert "Levier 12/21" in alice.text
    alice.press("En réflexion")
    alice.press("Passer")
    assert "21 leviers ont une réponse, sur 21" in alice.text
    assert "Répondre" not in " ".join(b.label for b in alice.buttons)
    assert len(store.data.answers) == 21


def test_one_lever_left_is_said_in_the_singular(alice):
    alice.cmd("charte")
    alice.press("Passer")
    for _ in range(20):
        alice.press("Ancré")
        alice.press("Passer")
        if "Qu’attend" in alice.text:
            alice.press("Passer")
    assert "20 leviers ont une réponse, sur 21" in alice.text
    assert "Répondre au levier restant" in [b.label for b in alice.buttons]
    assert "Le levier restant :" in alice.press("Répondre au levier restant")


def test_after_a_jump_the_walk_comes_back_to_where_it_was(alice):
    alice.cmd("charte")
    alice.press("Engagé")
    alice.press("Passer")  # now at lever 2
    assert "Levier 2/21" in alice.text
    assert "Levier 20/21" in alice.cmd("levier", "gouvernance")
    alice.press("Ancré")
    alice.say("un animateur")
    alice.say("des décisions")
    assert "Levier 2/21" in alice.text  # back where the jump left off
    alice.press("Engagé")
    alice.press("Passer")
    assert "Levier 3/21" in alice.text  # and on in order


def test_annuler_during_the_walk_shows_the_question_again(alice):
    alice.cmd("charte")
    alice.press("Engagé")
    shown = alice.cmd("annuler")
    assert "Rien à annuler" in shown and "À quelles conditions" in shown
    assert len(alice.last) == 1 and alice.buttons


def test_annuler_a_pending_replacement_shows_the_question_again(store, alice):
    alice.cmd("charte")
    alice.press("Engagé")
    alice.cmd("levier", "respect-confiance")
    assert "Remplacer" in alice.say("ancré")
    shown = alice.cmd("annuler")
    assert "C’est annulé" in shown and "Levier 1/21" in shown
    assert [a.position for a in store.data.answers] == [3]
