"""The séance and the contrat de confiance on both real databases: retained texts and
validations are append-only, carry the charter version, survive restarts, and go with the
alliance at the end of its retention."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime

import pytest

from bot.compose import build_app
from dialogues.core.events import Press
from tests.backends import Backend
from tests.helpers import Clock, Person, alliance_with_a_tiers, button, card_of
from tests.integration.console_proc import command, env_for

VERSION = "2021-11-30"


@pytest.fixture
def world(backend: Backend):
    store = backend.open()
    clock = Clock(datetime(2027, 1, 10, 9, 0, tzinfo=UTC))
    app = build_app(store=store, clock=clock, timezone="Europe/Paris")
    people = alliance_with_a_tiers(app, store, clock)
    yield (backend, store, clock, app, *people)
    store.close()


def retain(tina: Person, text: str) -> None:
    tina.group_press(card_of(tina.last), "Retenir")
    tina.group_reply(text)


def test_retained_texts_are_versions_and_the_database_refuses_to_change_them(world):
    db, store, clock, app, alice, bob, carla, tina = world
    tina.group_command("seance")
    retain(tina, "Se parler chaque mois.")
    retain(tina, "Se parler chaque mois, et plus souvent au début.")
    assert db.query("SELECT lever_id, text, charter_version FROM agreements ORDER BY id") == [
        ("dialoguer", "Se parler chaque mois.", VERSION),
        ("dialoguer", "Se parler chaque mois, et plus souvent au début.", VERSION)]
    alice.cmd("accord")
    alice.press("Nous validons")
    assert db.count("agreement_validations") == 1
    for sql in ("UPDATE agreements SET text = 'autre chose'", "DELETE FROM agreements",
                "UPDATE agreement_validations SET covers = 1",
                "DELETE FROM agreement_validations"):
        with pytest.raises(db.integrity_error, match="append-only"):
            db.execute(sql)
    assert db.count("agreements") == 2 and db.count("agreement_validations") == 1


def test_the_seance_and_the_contrat_survive_a_restart(world):
    db, store, clock, app, alice, bob, carla, tina = world
    tina.group_command("seance")
    retain(tina, "Se parler chaque mois.")
    bob.group_press(card_of(tina.last), "D'accord")
    paused = card_of(tina.last)
    tina.group_press(paused, "Pause")
    bob.cmd("accord")
    bob.press("Nous validons")
    store.close()

    again = db.open()
    try:
        app = build_app(store=again, clock=clock, timezone="Europe/Paris")
        tina2, bob2 = Person(app, "tina"), Person(app, "bob")
        # The paused card's « Reprendre » still works: the séance's turn was stored.
        resumed = tina2.group_press(card_of(tina.last), "Reprendre")
        assert "Se parler chaque mois." in resumed and "D’accord : 1" in resumed
        text = bob2.cmd("accord")
        assert "Se parler chaque mois." in text and "✅ Mairie du Port : validé le" in text
        assert "en pause" not in text and "(en cours)" in text
    finally:
        again.close()


def test_the_json_export_has_the_agreements_with_their_validations(world):
    db, store, clock, app, alice, bob, carla, tina = world
    tina.group_command("seance")
    retain(tina, "Se parler chaque mois.")
    tina.group_press(card_of(tina.last), "Suivant")
    retain(tina, "Une voix par partenaire.")
    alice.cmd("accord")
    alice.press("Nous validons")
    result = subprocess.run(command("export", "--format", "json"), env=env_for(db.url),
                            capture_output=True, text=True, encoding="utf-8", timeout=60,
                            check=True)
    document = json.loads(result.stdout)
    assert len(document["answers"]) == 6  # three organisations, two levers
    assert [(a["lever_id"], a["phase"], a["text"], a["author"], a["charter_version"],
             [v["organisation"] for v in a["validations"]]) for a in document["agreements"]] == [
        ("dialoguer", "lancement", "Se parler chaque mois.", "Tina Martin", VERSION,
         ["Asso du Port"]),
        ("gouvernance", "lancement", "Une voix par partenaire.", "Tina Martin", VERSION,
         ["Asso du Port"])]
    csv_out = subprocess.run(command("export"), env=env_for(db.url), capture_output=True,
                             text=True, encoding="utf-8", timeout=60, check=True).stdout
    assert csv_out.splitlines()[0] == (
        "alliance,organisation,member,role,phase,lever_id,family,position,position_label,"
        "comment,contribution,expectation,charter_version,answered_at")


def test_my_data_has_my_retained_texts_votes_and_validations(world):
    db, store, clock, app, alice, bob, carla, tina = world
    tina.group_command("seance")
    retain(tina, "Se parler chaque mois.")
    alice.group_press(card_of(tina.last), "À retravailler")
    alice.cmd("accord")
    alice.press("Nous validons")
    alice.cmd("mes_donnees")
    (membership,) = json.loads(alice.last[0].attachment.data)["memberships"]
    assert [v["vote"] for v in membership["votes"]] == ["rework"]
    assert [v["phase"] for v in membership["validations"]] == ["lancement"]
    tina.cmd("mes_donnees")
    (membership,) = json.loads(tina.last[0].attachment.data)["memberships"]
    assert [r["text"] for r in membership["retained_texts"]] == ["Se parler chaque mois."]


def test_the_end_of_retention_deletes_the_seances_and_the_contrat(world):
    db, store, clock, app, alice, bob, carla, tina = world
    tina.group_command("seance")
    retain(tina, "Se parler chaque mois.")
    bob.group_press(card_of(tina.last), "D'accord")
    bob.cmd("accord")
    bob.press("Nous validons")
    clock.now = datetime(2029, 12, 16, 9, 0, tzinfo=UTC)
    app.retention.run()
    app.retention.run()
    for table in ("alliances", "seances", "agreements", "agreement_votes",
                  "agreement_validations"):
        assert db.count(table) == 0, table


def test_a_private_seance_on_a_real_database(world):
    db, store, clock, app, alice, bob, carla, tina = world
    alice.cmd("seance")
    alice.in_chat(Press(button(card_of(alice.last), "Retenir").data, 42, 321))
    alice.say("Ce que nous retenons.")
    assert alice.last[0].edit_message == 321
    assert db.query("SELECT text, member_id IS NOT NULL FROM agreements") == [
        ("Ce que nous retenons.", True)]
    assert db.query("SELECT chat_id, card_message_id, writing FROM seances") == [
        (None, 321, "[]")]
