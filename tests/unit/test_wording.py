"""The French copy: typography checked at load, plurals, labels per phase, plain words for
volunteers, buttons that fit a phone, and the walk's stated duration."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bench.walk_duration import measure
from bot import texts
from dialogues.content.markup import typography_problems
from dialogues.content.script import DEFAULT_SCRIPT, load_script
from dialogues.core.errors import ContentError
from tests.fakes import FakeStore
from tests.helpers import Chat, Clock, create_alliance, make_app, seen

SCRIPT = load_script()
RAW = yaml.safe_load(DEFAULT_SCRIPT.read_text(encoding="utf-8"))
PHONE_ROW = 36  # characters of button labels that fit one row of a phone's keyboard


def broken(tmp_path: Path, key: str, text: str) -> Path:
    data = yaml.safe_load(DEFAULT_SCRIPT.read_text(encoding="utf-8"))
    data["messages"][key] = text
    path = tmp_path / "script.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# --- typography, checked when the script loads -----------------------------------------------


def test_the_script_and_the_channels_texts_keep_french_typography():
    load_script()
    texts.check()
    assert "\u00a0:" in SCRIPT.messages["deadlines.show"]
    assert "«\u00a0{alliance}\u00a0»" in SCRIPT.messages["join.joined"]


@pytest.mark.parametrize("text, problem", [
    ("Quel est le nom ?", "no-break space belongs before « ? »"),
    ("Votre réponse : engagé", "no-break space belongs before « : »"),
    ("C’est parti!", "no-break space belongs before « ! »"),
    ("La charte « {title}\u00a0»", "no-break space belongs after «"),
    ("La charte «\u00a0{title} »", "no-break space belongs before « » »"),
    ("Phase\u00a0: mi-parcours\u00a0: en cours", "two « : » in one sentence"),
])
def test_a_message_that_breaks_typography_fails_at_load_naming_its_key(tmp_path, text, problem):
    with pytest.raises(ContentError) as failure:
        load_script(broken(tmp_path, "walk.jump", text))
    assert "messages.walk.jump" in str(failure.value) and problem in str(failure.value)


@pytest.mark.parametrize("text", [
    "À 14:30, le <code>15/01/2027 14:30</code>",
    "Le lien\u00a0: https://t.me/charte_bot",
    "?",
    "Convergences\u00a0: 1 · Divergences\u00a0: 2",
    "Début\u00a0: {start}.\nFin\u00a0: {end}",
    "{count:|# levier|# leviers}",
])
def test_times_urls_symbols_and_lists_are_not_typography_problems(text):
    assert typography_problems(text) == []


# --- plurals ---------------------------------------------------------------------------------


def test_counts_are_singular_for_one_and_plural_above():
    s = SCRIPT
    done_one = seen(s.say("walk.done", phase="lancement", answered=1, total=21))
    done_many = seen(s.say("walk.done", phase="lancement", answered=18, total=21))
    assert "1 levier a une réponse, sur 21" in done_one
    assert "18 leviers ont une réponse, sur 21" in done_many
    assert "en cours : 1 levier sur 21" in seen(s.say("report.status.in_progress", count=1,
                                                       total=21))
    assert "en cours : 2 leviers sur 21" in seen(s.say("report.status.in_progress", count=2,
                                                        total=21))
    assert "1 ligne de plus" in seen(s.say("summary.more", count=1))
    assert s.button("gaps", count=1) == "Répondre au levier restant"
    assert s.button("gaps", count=3) == "Répondre aux 3 leviers restants"
    counts = seen(s.say("summary.counts", convergence=1, divergence=0, too_few=20))
    assert counts == "🟢 Convergences : 1 · 🔴 Divergences : 0 · ⚪ Trop peu de réponses : 20"


def test_a_format_other_than_a_plural_fails_at_load(tmp_path):
    with pytest.raises(ContentError) as failure:
        load_script(broken(tmp_path, "walk.jump", "Direction {title:>20}."))
    assert "messages.walk.jump" in str(failure.value)


# --- plain words for volunteers ----------------------------------------------------------------


def every_text() -> dict[str, str]:
    found = {f"messages.{k}": v for k, v in SCRIPT.messages.items()}
    found.update({f"buttons.{k}": v for k, v in SCRIPT.buttons.items()})
    for sequence in SCRIPT.sequences.values():
        for step in sequence:
            found.update({f"steps.{step.id}.ask.{p}": v for p, v in step.ask.items()})
            found[f"steps.{step.id}.hint"] = step.hint
    return found


@pytest.mark.parametrize("jargon", [
    "date médiane", "JSON", "organisations placées", "le bot", "la coordination",
    "sur ce point", "au titre de", "mais plus répondre",
])
def test_no_jargon_and_no_broken_construction(jargon):
    found = [key for key, text in every_text().items() if jargon.lower() in text.lower()]
    assert found == []


def test_no_raw_lever_id_is_shown():
    from dialogues.content.bundle import load_content

    ids = [lever.id for lever in load_content().charter.levers if "-" in lever.id]
    found = [(key, i) for key, text in every_text().items() for i in ids if i in text]
    assert found == []


def test_phase_names_inside_sentences_are_in_lower_case():
    assert [p.name for p in SCRIPT.phases.values()] == ["lancement", "mi-parcours",
                                                        "fin de l’action"]
    assert [p.during for p in SCRIPT.phases.values()] == ["au lancement", "à mi-parcours",
                                                          "en fin d’action"]


def test_a_person_is_coordinateur_rice():
    assert SCRIPT.roles["coordinator"] == "coordinateur·rice"


def test_the_conditions_question_reads_well_after_any_level():
    ask = SCRIPT.sequences["conditions"][1].ask["lancement"]
    assert "pourrait-elle s’engager" in ask  # after « Je ne sais pas » or « À découvrir » too


def test_each_phase_labels_texts_after_its_own_question():
    conditions = SCRIPT.sequences["conditions"][1]
    assert conditions.label == {"lancement": "Conditions", "mi-parcours": "Ce qui a changé",
                                "fin": "Appris et à transmettre"}


def test_at_the_end_the_answer_to_qu_avez_vous_appris_is_not_labelled_conditions():
    clock = Clock()
    alice = Chat(make_app(FakeStore(), clock), "alice")
    create_alliance(alice)
    clock.advance(days=400)  # past the end
    alice.cmd("charte")
    assert "Qu’avez-vous appris" not in alice.text
    alice.press("Ancré")
    assert "Qu’avez-vous appris sur ce levier" in alice.text
    alice.say("Qu’il faut se voir souvent")
    recap = alice.cmd("mes_reponses")
    assert "Appris et à transmettre : Qu’il faut se voir souvent" in recap
    assert "Conditions :" not in recap
    alice.cmd("synthese")
    alice.press("📝 Principes")
    assert "Appris et à transmettre : Qu’il faut se voir souvent" in alice.text


# --- buttons fit a phone ---------------------------------------------------------------------


def keyboards() -> list[tuple[tuple[str, ...], ...]]:
    """The keyboards of a session that goes through every screen with buttons."""
    clock = Clock()
    app = make_app(FakeStore(), clock)
    alice, bob = Chat(app, "alice"), Chat(app, "bob")
    seen_rows: list = []

    def keep(chat: Chat) -> None:
        for message in chat.last:
            seen_rows.append(tuple(tuple(b.label for b in row) for row in message.buttons))

    alice.cmd("nouvelle")
    alice.say("Alliance au nom assez long pour déborder")
    alice.say("Association des habitants du quartier")
    keep(alice)
    alice.press("Association")
    alice.say("15/01/2027")
    alice.say("15/12/2027")
    keep(alice)
    alice.press("Garder cette date")
    keep(alice)
    alice.press("Oui, créer")
    code = seen(alice.text).split("/rejoindre ")[1].split(")")[0].strip()
    bob.cmd("rejoindre", code)
    keep(bob)
    bob.press("Une autre organisation")
    bob.say("Mairie")
    keep(bob)
    bob.press("Collectivité")
    for chat in (alice, bob):
        chat.cmd("charte")
        keep(chat)
        for _ in range(21):
            chat.press("Je ne sais pas" if chat is bob else "Engagé")
            keep(chat)
            while "Passer" in " ".join(b.label for b in chat.buttons) and \
                    "1 ·" not in " ".join(b.label for b in chat.buttons):
                chat.press("Passer")
        keep(chat)
    alice.cmd("levier", "dialoguer")
    alice.say("ancré")  # « Remplacer ? »
    keep(alice)
    alice.press("Oui")
    alice.say("un nouveau texte")  # « Remplacer ou ajouter ? »
    keep(alice)
    for command in ("synthese", "echeances", "membres", "inviter", "reglages", "alliances",
                    "oubli"):
        alice.cmd(command)
        keep(alice)
    alice.cmd("membres")
    alice.press("Gérer")
    keep(alice)
    clock.advance(days=200)
    alice.cmd("charte")  # mid-course: « Inchangé »
    keep(alice)
    return seen_rows


def test_every_keyboard_fits_a_phone():
    rows = [row for keyboard in keyboards() for row in keyboard]
    assert any("Inchangé" in " ".join(row) for row in rows)
    assert any(label.startswith("Effacer") for row in rows for label in row)
    too_wide = [row for row in rows if sum(len(label) for label in row) > PHONE_ROW]
    assert too_wide == []


# --- the walk's duration ---------------------------------------------------------------------


def test_the_duration_the_walk_states_is_the_measured_one():
    clock = [Clock().now]
    app = make_app(FakeStore(), lambda: clock[0])  # type: ignore[arg-type]
    buttons, written, again = measure(app, clock)
    started = SCRIPT.messages["walk.started"]
    stated = re.search(r"environ (\d+) minutes avec les boutons seuls, (\d+) si vous écrivez",
                       seen(started))
    assert stated is not None
    assert (int(stated.group(1)), int(stated.group(2))) == (buttons.stated, written.stated)
    stated_again = re.search(r"environ (\d+) minutes si rien n’a changé",
                             seen(SCRIPT.messages["walk.started_again"]))
    assert stated_again is not None and int(stated_again.group(1)) == again.stated
