"""Members, roles and personal data, on both real databases: each refusal, and erasure."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime

import pytest

from bot.compose import build_app
from dialogues.core.events import Command
from tests.backends import Backend
from tests.helpers import Chat, Clock, create_alliance, seen
from tests.integration.console_proc import command, env_for

SECRET_NAME = "Zoé Sécrète-Unique"
SECRET_ID = "998877665544"


@pytest.fixture
def world(backend: Backend):
    db = backend
    store = backend.open()
    clock = Clock(datetime(2027, 1, 10, 9, 0, tzinfo=UTC))
    app = build_app(store=store, clock=clock, timezone="Europe/Paris")
    alice = Chat(app, "alice")
    code = create_alliance(alice)
    bob = Chat(app, "bob")
    bob.cmd("rejoindre", code)
    bob.press("Une autre organisation")
    bob.say("Mairie B")
    bob.press("Collectivité")
    zoe = Chat(app, SECRET_ID)
    zoe.ref = type(zoe.ref)("test", SECRET_ID, SECRET_NAME)
    zoe.cmd("rejoindre", code)
    zoe.press("Mairie B")
    yield app, db, clock, alice, bob, zoe
    store.close()


def answer_first_levers(chat: Chat, count: int = 3) -> None:
    chat.cmd("charte")
    for _ in range(count):
        chat.press("Engagé")
        chat.say("une condition de notre organisation")


def test_members_list_with_roles_and_progress(world):
    app, db, clock, alice, bob, zoe = world
    answer_first_levers(bob, 2)
    text = alice.cmd("membres")
    assert "Asso A" in text and "alice — coordinateur·rice — 0/21" in text
    assert "bob — partenaire — 2/21" in text and f"{SECRET_NAME} — partenaire" in text
    assert any("Gérer : bob" in seen(b.label) for b in alice.buttons)
    bob.cmd("membres")
    assert not bob.buttons, "a partner gets the list, not the management buttons"


def test_a_partner_cannot_manage_and_forged_buttons_do_nothing(world):
    app, db, clock, alice, bob, zoe = world
    alice.cmd("membres")
    manage_zoe = next(b for b in alice.buttons if SECRET_NAME in b.label)
    target = manage_zoe.data.split(":")[2]
    me_bob = bob_member_id(db)
    for data in (manage_zoe.data, f"m:{me_bob}:{target}:remove:1", f"m:{me_bob}:{target}:hand:0",
                 f"m:{me_bob}:{target}:co:0", "m:1:2:remove:1"):
        assert "plus valable" in bob.press_data(data)
    assert roles(db) == {"alice": "coordinator", "bob": "partner", SECRET_NAME: "partner"}


def test_remove_a_member_with_confirmation(world):
    app, db, clock, alice, bob, zoe = world
    answer_first_levers(bob, 2)
    level_button = next(b for b in bob.buttons if "Engagé" in b.label)  # lever 3, still valid
    alice.cmd("membres")
    alice.press("Gérer : bob")
    alice.press("Retirer de l’alliance")
    assert "Retirer bob (Mairie B)" in alice.text
    assert roles(db)["bob"] == "partner", "nothing happens before the confirmation"
    alice.press("Oui, confirmer")
    assert "bob ne fait plus partie" in alice.text
    assert "bob" not in roles(db)
    assert "aucune alliance" in bob.cmd("charte")
    text = bob.press_data(level_button.data)
    assert "plus valable" in text and "/nouvelle" in text, "removed: the button is stale"
    rows = export_rows(db)
    assert [r["organisation"] for r in rows] == ["Mairie B", "Mairie B"]
    assert all(r["member"] == "" for r in rows), "the organisation keeps its answers, nameless"


def test_hand_over_and_the_last_coordinator_cannot_leave(world):
    app, db, clock, alice, bob, zoe = world
    alice.cmd("quitter")
    alice.press("Oui, quitter")
    assert "le·la seul·e coordinateur·rice" in alice.text
    assert roles(db)["alice"] == "coordinator"
    alice.cmd("membres")
    alice.press("Gérer : bob")
    alice.press("Lui passer mon rôle")
    alice.press("Oui, confirmer")
    assert roles(db) == {"alice": "partner", "bob": "coordinator", SECRET_NAME: "partner"}
    assert "Seul·e un·e coordinateur·rice" in alice.cmd("reglages")
    alice.cmd("quitter")
    alice.press("Oui, quitter")
    assert "Vous avez quitté" in alice.text
    assert "alice" not in roles(db)


def test_add_a_second_coordinator(world):
    app, db, clock, alice, bob, zoe = world
    alice.cmd("membres")
    alice.press("Gérer : bob")
    alice.press("Partager mon rôle")
    assert roles(db) == {"alice": "coordinator", "bob": "coordinator", SECRET_NAME: "partner"}
    alice.cmd("quitter")
    alice.press("Oui, quitter")
    assert "Vous avez quitté" in alice.text


def test_my_data_is_a_json_document_of_everything(world):
    app, db, clock, alice, bob, zoe = world
    answer_first_levers(zoe, 2)
    zoe.cmd("mes_donnees")
    document = zoe.last[0].attachment
    assert document is not None and document.filename.endswith(".json")
    data = json.loads(document.data)
    assert data["person"]["name"] == SECRET_NAME and data["person"]["id"] == SECRET_ID
    (membership,) = data["memberships"]
    assert membership["organisation"]["name"] == "Mairie B"
    assert [a["lever_id"] for a in membership["answers"]][:2] == ["respect-confiance"] * 2
    assert membership["reminders"], "reminders are personal data too"


def every_text_in(db: Backend) -> str:
    """Every value of every table, and the raw bytes of the database's files (SQLite: the file
    and its journal; PostgreSQL: every table, index and TOAST file, after a CHECKPOINT)."""
    return db.every_row() + db.file_bytes().decode("utf-8", "replace")


@pytest.mark.parametrize("choice, answers_left", [("Effacer, garder les réponses", 4),
                                                   ("Tout effacer", 0)])
def test_erasure_leaves_no_trace(world, choice, answers_left):
    app, db, clock, alice, bob, zoe = world
    answer_first_levers(zoe, 2)
    assert SECRET_NAME in every_text_in(db) and SECRET_ID in every_text_in(db)
    zoe.cmd("oubli")
    assert "définitif" in zoe.text
    zoe.press(choice)
    assert "je ne garde plus" in zoe.text
    trace = every_text_in(db)
    assert SECRET_NAME not in trace and SECRET_ID not in trace
    assert SECRET_NAME.encode() not in db.file_bytes()
    kept = db.query("SELECT COUNT(*) FROM answers WHERE organisation_id = "
                    "(SELECT id FROM organisations WHERE name = 'Mairie B')")[0][0]
    assert kept == answers_left
    # The organisation stays in the summary; its answers only if they were kept.
    summary = alice.cmd("synthese")
    if answers_left:
        assert "Mairie B : en cours (2/21)" in summary
    else:
        assert "Mairie B : pas commencé" in summary


def test_erasure_needs_the_confirmation_button(world):
    app, db, clock, alice, bob, zoe = world
    assert "plus valable" in zoe.press_data("o:all")
    zoe.cmd("oubli")
    zoe.press("Annuler")
    assert SECRET_NAME in every_text_in(db)


def test_erasing_the_last_coordinator_hands_the_role_on(world):
    app, db, clock, alice, bob, zoe = world
    alice.cmd("oubli")
    alice.press("Effacer, garder les réponses")
    assert roles(db) == {"bob": "coordinator", SECRET_NAME: "partner"}


def test_archive_after_the_end_makes_the_alliance_read_only(world):
    app, db, clock, alice, bob, zoe = world
    assert "phase de fin" in alice.cmd("archiver")
    clock.now = datetime(2027, 12, 20, 9, 0, tzinfo=UTC)
    assert "Seul·e un·e coordinateur·rice" in bob.cmd("archiver")
    alice.cmd("archiver")
    alice.press("Oui, archiver")
    assert "archivée" in alice.text
    assert "archivée" in bob.cmd("charte")
    assert "archivée" in bob.say("engagé")
    assert "Synthèse" in bob.cmd("synthese")
    pending = db.query("SELECT COUNT(*) FROM reminders WHERE sent_at IS NULL"
                       " AND cancelled_at IS NULL")[0][0]
    assert pending == 0


def test_retention_warns_then_deletes(world):
    app, db, clock, alice, bob, zoe = world
    answer_first_levers(bob, 1)
    clock.now = datetime(2029, 11, 20, 9, 0, tzinfo=UTC)  # 15/12/2029 is 24 months after the end
    notices = app.retention.run()
    assert [n.chat for n in notices] == ["alice"]
    assert "samedi 15 décembre 2029" in notices[0].message.text
    assert app.retention.run() == [], "warned once"
    clock.now = datetime(2029, 12, 16, 9, 0, tzinfo=UTC)
    app.retention.run()
    assert db.count("alliances") == 0
    assert db.count("answers") == 0


def test_stats_has_counts_and_no_personal_data(world):
    app, db, clock, alice, bob, zoe = world
    answer_first_levers(zoe, 2)
    app.service.handle(zoe.ref, Command("aide"))
    result = subprocess.run(command("stats"), env=env_for(db.url), capture_output=True, text=True,
                            encoding="utf-8", timeout=60, check=True)
    shown = result.stdout.replace("\u00a0", " ")
    assert "Alliances actives : 1" in shown and "Membres : 3" in shown
    assert SECRET_NAME not in result.stdout and SECRET_ID not in result.stdout
    as_json = subprocess.run(command("stats", "--json"), env=env_for(db.url), capture_output=True,
                             text=True, encoding="utf-8", timeout=60, check=True)
    assert json.loads(as_json.stdout)["answers_by_phase"] == {"lancement": 4}


# --- helpers --------------------------------------------------------------------------------


def roles(db: Backend) -> dict[str, str]:
    return dict(db.query(
        "SELECT p.display_name, m.role FROM members m JOIN people p ON p.id = m.person_id"
        " WHERE m.left_at IS NULL"))


def bob_member_id(db: Backend) -> int:
    ((member_id,),) = db.query("SELECT m.id FROM members m JOIN people p ON p.id = m.person_id"
                               " WHERE p.display_name = 'bob'")
    return member_id


def export_rows(db: Backend) -> list[dict]:
    result = subprocess.run(command("export", "--format", "json"), env=env_for(db.url),
                            capture_output=True, text=True, encoding="utf-8", timeout=60,
                            check=True)
    return json.loads(result.stdout)["answers"]


def test_lone_surrogates_in_names_and_answers_are_dropped_not_fatal(world):
    """JSON can carry a lone surrogate (« \\ud800 »); no UTF-8 database can store one."""
    app, db, clock, alice, bob, zoe = world
    odd = Chat(app, "odd")
    odd.ref = type(odd.ref)("test", "odd", "Eve\ud800 Martin")
    code = db.query("SELECT invite_code FROM alliances")[0][0]
    odd.cmd("rejoindre", code)
    assert "Bienvenue" in odd.press("Mairie B")
    odd.cmd("charte")
    assert "✓ Engagé" in odd.say("engagé\ud800")
    assert "✓ Noté." in odd.say("0\ud800")
    names = [row[0] for row in db.query("SELECT display_name FROM people")]
    assert "Eve Martin" in names
    assert ("0",) in db.query("SELECT comment FROM answers WHERE comment IS NOT NULL")
