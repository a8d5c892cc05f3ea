"""Who gets in, on both real databases: invitations, the tiers de confiance (a member of no
organisation), pending newcomers, the notifications a job sends (also after a restart), wrong
codes, and the schema step that brought them (a version-5 database migrated)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.compose import build_app
from bot.render_text import plain
from storage import ConstraintViolation
from storage.connection import connect
from storage.migrations import STEPS, migrate
from storage.postgres import PostgresDialect
from storage.sqlite import SqliteDialect
from tests.backends import Backend, SqliteBackend
from tests.helpers import Chat, Clock, create_alliance

T0 = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=3)


def people(uow, *names: str) -> list[int]:
    return [uow.get_or_create_person("telegram", f"id-{n}", n).id for n in names]


def an_alliance(uow, code: str = "CODE-A"):
    alliance = uow.add_alliance("Élan", T0, T0 + timedelta(days=300), T0 + timedelta(days=150),
                                code, "Europe/Paris", T0)
    org = uow.add_organisation(alliance.id, "Asso A", "association")
    return alliance, org


def test_a_tiers_belongs_to_no_organisation_and_only_a_tiers(backend: Backend) -> None:
    with backend.open() as store, store.unit_of_work() as uow:
        alliance, org = an_alliance(uow)
        alice, tess, bob = people(uow, "alice", "tess", "bob")
        uow.add_member(alliance.id, org.id, alice, "coordinator", T0)
        tiers = uow.add_member(alliance.id, None, tess, "tiers", T0)
        assert (tiers.role, tiers.organisation_id) == ("tiers", None)
        with pytest.raises(ConstraintViolation):
            uow.add_member(alliance.id, None, bob, "partner", T0)
        with pytest.raises(ConstraintViolation):
            uow.add_member(alliance.id, org.id, bob, "tiers", T0)
        with pytest.raises(ConstraintViolation):
            uow.set_role(tiers.id, "coordinator")
    assert backend.query("SELECT role, organisation_id FROM members ORDER BY id") == [
        ("coordinator", 1), ("tiers", None)]


def test_pending_newcomers_are_accepted_or_dropped_with_what_they_brought(
        backend: Backend) -> None:
    with backend.open() as store, store.unit_of_work() as uow:
        alliance, org = an_alliance(uow)
        alice, bob, carol = people(uow, "alice", "bob", "carol")
        uow.add_member(alliance.id, org.id, alice, "coordinator", T0)
        made_up = uow.add_organisation(alliance.id, "Evil Corp", "entreprise")
        waiting = uow.add_member(alliance.id, made_up.id, bob, "partner", T0, pending=True)
        other = uow.add_member(alliance.id, org.id, carol, "partner", T0, pending=True)
        assert waiting.pending_since == T0
        uow.add_arrival(alliance.id, alice, waiting.id, T0, WINDOW)
        uow.plan_reminder(alliance.id, waiting.id, "phase", "fin", 0, T0)
        assert uow.organisation_founder(made_up.id) == waiting.id
        assert uow.organisation_founder(org.id) == 1
        uow.accept_member(other.id)
        uow.drop_member(waiting.id)
        assert uow.get_member(waiting.id) is None
        assert [o.name for o in uow.organisations(alliance.id)] == ["Asso A"]
        uow.drop_organisation_if_empty(org.id)  # members in it: kept
        assert [o.name for o in uow.organisations(alliance.id)] == ["Asso A"]
        assert uow.get_member(other.id).pending_since is None
    assert backend.query("SELECT kind, member_id FROM notifications") == [("arrival", None)]
    assert backend.count("reminders") == 0


def test_arrivals_share_a_batch_until_it_is_sent(backend: Backend) -> None:
    with backend.open() as store:
        with store.unit_of_work() as uow:
            alliance, org = an_alliance(uow)
            alice, carol, bob, dan = people(uow, "alice", "carol", "bob", "dan")
            b = uow.add_member(alliance.id, org.id, bob, "partner", T0)
            d = uow.add_member(alliance.id, org.id, dan, "partner", T0)
            first = uow.add_arrival(alliance.id, alice, b.id, T0, WINDOW)
            second = uow.add_arrival(alliance.id, alice, d.id, T0 + timedelta(minutes=2), WINDOW)
            for_carol = uow.add_arrival(alliance.id, carol, b.id, T0, WINDOW)
            assert first == second == for_carol == T0 + WINDOW
            assert uow.due_notifications(T0 + WINDOW - timedelta(seconds=1), 10) == []
            due = uow.due_notifications(T0 + WINDOW, 10)
            assert len(due) == 3
            mine = uow.get_notification(due[0])
            assert mine is not None and mine.batch is not None
            claimed = uow.claim_batch(mine.batch, T0 + WINDOW)
            assert [n.member_id for n in claimed] == [b.id, d.id]
            assert uow.claim_batch(mine.batch, T0 + WINDOW) == [], "never twice"
        with store.unit_of_work() as uow:
            assert len(uow.due_notifications(T0 + WINDOW, 10)) == 1  # carol's, still to send
            later = uow.add_arrival(alliance.id, alice, b.id, T0 + timedelta(minutes=9), WINDOW)
            assert later == T0 + timedelta(minutes=12), "the sent batch is closed: a new one"


def test_wrong_codes_are_counted_for_an_hour(backend: Backend) -> None:
    window = timedelta(hours=1)
    with backend.open() as store, store.unit_of_work() as uow:
        eve, frank = people(uow, "eve", "frank")
        for minutes in (0, 30, 70):
            uow.add_code_failure(eve, T0 + timedelta(minutes=minutes), window)
        uow.add_code_failure(frank, T0, window)
        assert uow.code_failures(eve, T0 + timedelta(minutes=70) - window) == [
            T0 + timedelta(minutes=30), T0 + timedelta(minutes=70)]
    assert backend.count("code_failures") == 3, "the failure of 0 min was forgotten at 70"


def test_erasure_and_retention_leave_no_notification_or_wrong_code(backend: Backend) -> None:
    with backend.open() as store:
        with store.unit_of_work() as uow:
            alliance, org = an_alliance(uow)
            alice, bob = people(uow, "alice", "bob")
            uow.add_member(alliance.id, org.id, alice, "coordinator", T0)
            member = uow.add_member(alliance.id, org.id, bob, "partner", T0)
            uow.add_arrival(alliance.id, alice, member.id, T0, WINDOW)
            uow.add_notification(alliance.id, bob, "accepted", member.id, T0)
            uow.add_code_failure(bob, T0, timedelta(hours=1))
            uow.replace_invitation(alliance.id, "tiers", "TIERS-A", T0)
        with store.unit_of_work() as uow:
            uow.erase_person(bob, False, T0)
            assert uow.person_data(bob) == {}
        assert backend.query("SELECT kind, person_id FROM notifications") == [("arrival", alice)]
        assert backend.count("code_failures") == 0
        with store.unit_of_work() as uow:
            uow.delete_alliance(alliance.id)
    for table in ("notifications", "invitations", "members", "alliances"):
        assert backend.count(table) == 0, table


def test_the_right_of_access_lists_notifications_and_wrong_codes(backend: Backend) -> None:
    with backend.open() as store, store.unit_of_work() as uow:
        alliance, org = an_alliance(uow)
        (tess,) = people(uow, "tess")
        uow.add_member(alliance.id, None, tess, "tiers", T0, pending=True)
        uow.add_code_failure(tess, T0, timedelta(hours=1))
        data = uow.person_data(tess)
    (membership,) = data["memberships"]
    assert (membership["role"], membership["organisation"]) == ("tiers", None)
    assert membership["pending_since"] is not None
    assert len(data["wrong_invitation_codes"]) == 1


# --- through the service, and across a restart ----------------------------------------------


def test_a_join_told_to_the_coordination_is_sent_once_across_a_restart(backend: Backend):
    clock = Clock(T0)
    store = backend.open()
    app = build_app(store=store, clock=clock, timezone="Europe/Paris")
    alice, bob = Chat(app, "alice"), Chat(app, "bob")
    code = create_alliance(alice)
    alice.cmd("reglages")
    alice.press("Valider les nouveaux membres")
    bob.cmd("rejoindre", code)
    bob.press("Asso A")
    assert "attend la confirmation" in bob.cmd("synthese")
    store.close()  # the bot stops before the arrival is told

    clock.advance(minutes=4)
    store = backend.open()
    app = build_app(store=store, clock=clock, timezone="Europe/Paris")
    sent = [n for i in app.notifications.due() if (n := app.notifications.prepare(i))]
    assert [n.chat for n in sent] == ["alice"]
    assert ("bob — pour l’organisation Asso A — ⏳ attend votre confirmation"
            in plain(sent[0].message.text))
    alice = Chat(app, "alice")
    accept = next(b.data for row in sent[0].message.buttons for b in row if "Accepter" in b.label)
    store.close()

    store = backend.open()  # and again, before the coordinator answers
    app = build_app(store=store, clock=clock, timezone="Europe/Paris")
    assert app.notifications.due() == []
    alice, bob = Chat(app, "alice"), Chat(app, "bob")
    alice.press_data(accept)
    assert "bob est accepté·e" in alice.text
    told = [n for i in app.notifications.due() if (n := app.notifications.prepare(i))]
    assert [n.chat for n in told] == ["bob"]
    assert "Qui a répondu" in bob.cmd("synthese")
    store.close()
    assert backend.query("SELECT kind FROM notifications") == [("arrival",)]


def test_an_expired_code_is_refused_in_the_joining_transaction(backend: Backend):
    """The code was open when the form started, and ended before the organisation was
    chosen: the join is refused, and nothing is written."""
    clock = Clock(T0)
    with backend.open() as store:
        app = build_app(store=store, clock=clock, timezone="Europe/Paris")
        alice, bob = Chat(app, "alice"), Chat(app, "bob")
        code = create_alliance(alice)
        alice.cmd("inviter")
        alice.press("Limiter l’invitation des partenaires")
        alice.say("12/01/2027 18:00")
        bob.cmd("rejoindre", code)
        clock.now = datetime(2027, 1, 12, 17, 0, tzinfo=UTC)  # 18:00 in Paris
        assert "pas valable" in bob.press("Asso A")
    assert backend.count("members") == 1
    assert backend.query("SELECT uses FROM invitations") == [(0,)]


# --- the schema step ------------------------------------------------------------------------


def test_a_version_5_database_is_migrated_with_its_members_and_codes(
        empty_backend: Backend) -> None:
    if isinstance(empty_backend, SqliteBackend):
        db = SqliteDialect(connect(empty_backend.path))
    else:
        db = PostgresDialect(empty_backend.url)
    try:
        migrate(db, STEPS[:5])
        db.begin()
        for sql in (
            "INSERT INTO people (channel, external_id, display_name, created_at)"
            " VALUES ('telegram', '1', 'Alice', '2027-01-10T09:00:00+00:00')",
            "INSERT INTO alliances (name, start_at, end_at, mid_at, invite_code, timezone,"
            " created_at) VALUES ('Élan', '2027-01-10T09:00:00+00:00',"
            " '2027-12-10T09:00:00+00:00', '2027-06-10T09:00:00+00:00', 'OLD-CODE',"
            " 'Europe/Paris', '2027-01-10T09:00:00+00:00')",
            "INSERT INTO organisations (alliance_id, name, kind)"
            " VALUES (1, 'Asso A', 'association')",
            "INSERT INTO members (alliance_id, organisation_id, person_id, role, joined_at,"
            " nudges_off) VALUES (1, 1, 1, 'coordinator', '2027-01-10T09:00:00+00:00', 1)",
            "INSERT INTO answers (alliance_id, organisation_id, member_id, phase, lever_id,"
            " position, answered_at) VALUES (1, 1, 1, 'lancement', 'dialoguer', 3,"
            " '2027-01-11T09:00:00+00:00')",
            "INSERT INTO walks (member_id, state, updated_at)"
            " VALUES (1, '{}', '2027-01-11T09:00:00+00:00')",
        ):
            db.execute(sql)
        db.commit()
    finally:
        db.close()
    with empty_backend.open() as store:
        with store.unit_of_work() as uow:
            alliance = uow.find_by_code("OLD-CODE")
            assert alliance is not None and alliance.approval is False
            (member,) = uow.members(alliance.id)
            assert (member.organisation_id, member.nudges_off, member.pending_since) == (
                1, True, None)
            assert list(uow.latest_answers(member.id, "lancement")) == ["dialoguer"]
            (tess,) = people(uow, "tess")
            uow.add_member(alliance.id, None, tess, "tiers", T0)
        if isinstance(empty_backend, SqliteBackend):  # back on after the rebuild
            with store.raw_transaction() as conn:
                assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert empty_backend.query("SELECT kind, code, uses FROM invitations") == [
        ("partner", "OLD-CODE", 0)]
