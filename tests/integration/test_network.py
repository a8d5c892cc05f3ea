"""Several processes on one database (issue 13), on SQLite and on PostgreSQL: claims of the
rows a job sends, update ids handled once and in order, job leases, the observatory's
storage (comparison consent, suggestions), and the health read."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from dialogues.core.domain import Member
from storage import CURRENT_VERSION, DatabaseStore, DatabaseUnitOfWork
from tests.backends import Backend, PostgresDatabases

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
TTL = timedelta(minutes=10)


@pytest.fixture
def store(backend: Backend) -> Iterator[DatabaseStore]:
    with backend.open() as opened:
        yield opened


def members(uow: DatabaseUnitOfWork, count: int) -> list[Member]:
    alliance = uow.add_alliance("Élan", T0, T0 + timedelta(days=365), T0, "CODE", "Europe/Paris",
                                T0)
    org = uow.add_organisation(alliance.id, "Asso", "association")
    found = []
    for n in range(count):
        person = uow.get_or_create_person("telegram", str(1000 + n), f"P{n}")
        found.append(uow.add_member(alliance.id, org.id, person.id, "partner", T0))
    return found


def plan(store: DatabaseStore, count: int, due: datetime = T0) -> list[int]:
    """`count` members, each with a phase reminder due at `due` (in member order)."""
    with store.unit_of_work() as uow:
        found = members(uow, count)
        for m in found:
            uow.plan_reminder(m.alliance_id, m.id, "phase", "mi-parcours", 0, due)
        return [r.id for m in found for r in uow.reminders_of(m.id)]


def claim(store: DatabaseStore, holder: str, now: datetime = T0) -> int | None:
    with store.unit_of_work(exclusive=False) as uow:
        return uow.claim_due_reminder(now, holder, now + TTL)


def reminder(store: DatabaseStore, reminder_id: int):
    with store.unit_of_work() as uow:
        found = uow.get_reminder(reminder_id)
        assert found is not None
        return found


# --- claims ---------------------------------------------------------------------------------


def test_due_reminders_are_claimed_oldest_first_and_once(backend: Backend,
                                                          store: DatabaseStore) -> None:
    ids = plan(store, 3)
    assert claim(store, "a") == ids[0]
    assert claim(store, "b") == ids[1]
    assert claim(store, "a") == ids[2]
    assert claim(store, "b") is None  # every one is held
    held = reminder(store, ids[1])
    assert (held.claimed_by, held.claim_expires_at, held.sent_at, held.attempts) == (
        "b", T0 + TTL, None, 0)
    assert backend.query("SELECT count(*) FROM reminders WHERE claimed_by IS NOT NULL")[0][0] == 3


def test_a_confirmed_reminder_is_never_claimed_again(store: DatabaseStore) -> None:
    (rid,) = plan(store, 1)
    assert claim(store, "a") == rid
    with store.unit_of_work(exclusive=False) as uow:
        uow.start_reminder(rid)
        assert uow.confirm_reminder(rid, T0 + timedelta(seconds=1))
        assert not uow.confirm_reminder(rid, T0 + timedelta(seconds=2))  # once
    assert reminder(store, rid).sent_at == T0 + timedelta(seconds=1)
    assert claim(store, "b", T0 + timedelta(days=1)) is None


def test_a_claim_never_confirmed_expires_then_counts_its_attempt(store: DatabaseStore) -> None:
    (rid,) = plan(store, 1)
    assert claim(store, "a") == rid
    with store.unit_of_work(exclusive=False) as uow:
        uow.start_reminder(rid)  # then process "a" dies while sending
    assert claim(store, "b", T0 + TTL - timedelta(seconds=1)) is None
    assert claim(store, "b", T0 + TTL) == rid
    taken = reminder(store, rid)
    assert (taken.claimed_by, taken.attempts, taken.sent_at) == ("b", 1, None)


def test_a_restarted_holder_releases_its_claims_at_once(store: DatabaseStore) -> None:
    ids = plan(store, 2)
    assert claim(store, "a") == ids[0]
    assert claim(store, "b") == ids[1]
    later = T0 + timedelta(seconds=5)
    with store.unit_of_work(exclusive=False) as uow:
        assert uow.release_reminders("a", later) == 1  # "a" restarted: only its own claims
    assert claim(store, "a", later) == ids[0]
    assert claim(store, "c", later) is None  # "b" still holds its own


def test_a_postponed_reminder_is_unclaimed_and_moved(store: DatabaseStore) -> None:
    (rid,) = plan(store, 1)
    assert claim(store, "a") == rid
    morning = T0 + timedelta(hours=10)
    with store.unit_of_work(exclusive=False) as uow:
        r = uow.get_reminder(rid)
        uow.plan_reminder(r.alliance_id, r.member_id, r.kind, r.phase, r.seq, morning)
        uow.unclaim_reminder(rid)
    assert claim(store, "b", morning - timedelta(seconds=1)) is None
    assert claim(store, "b", morning) == rid
    assert reminder(store, rid).attempts == 0


def test_postgresql_two_processes_claiming_at_once_skip_each_others_rows(
        pg_databases: PostgresDatabases) -> None:
    with pg_databases.fresh() as backend, backend.open() as first, backend.open() as second:
        ids = plan(first, 2)
        held = first.unit_of_work(exclusive=False)
        with held as uow:  # first claims and keeps its transaction open
            assert uow.claim_due_reminder(T0, "a", T0 + TTL) == ids[0]
            got: list[int | None] = []
            other = threading.Thread(target=lambda: got.append(claim(second, "b")))
            other.start()
            other.join(timeout=10)
            assert not other.is_alive(), "the second claim waited for the first transaction"
            assert got == [ids[1]]  # the locked row was skipped, not waited for
        assert claim(first, "c") is None


def test_postgresql_claims_do_not_wait_for_the_database_wide_lock(
        pg_databases: PostgresDatabases) -> None:
    with pg_databases.fresh() as backend, backend.open() as first, backend.open() as second:
        (rid,) = plan(first, 1)
        with first.unit_of_work():  # an event's unit of work, holding the database-wide lock
            got: list[int | None] = []
            other = threading.Thread(target=lambda: got.append(claim(second, "b")))
            other.start()
            other.join(timeout=10)
            assert not other.is_alive()
            assert got == [rid]


# --- updates handled once, in order --------------------------------------------------------


def record(store: DatabaseStore, update_id: int, person: str, now: datetime = T0) -> str:
    with store.unit_of_work() as uow:
        return uow.record_update("telegram", person, update_id, now, now - timedelta(days=2))


def test_an_update_is_new_once_then_seen(store: DatabaseStore) -> None:
    alice = "1"
    assert record(store, 10, alice) == "new"
    assert record(store, 10, alice) == "seen"
    assert record(store, 11, alice) == "new"


def test_an_update_older_than_one_handled_for_the_same_person_is_late(
        store: DatabaseStore) -> None:
    alice, bob = "1", "2"
    assert record(store, 20, alice) == "new"
    assert record(store, 19, bob) == "new"  # someone else's: no order between people
    assert record(store, 18, alice) == "late"
    assert record(store, 18, alice) == "late"  # never applied, however often it comes


def test_update_ids_are_forgotten_after_they_are_kept(backend: Backend,
                                                       store: DatabaseStore) -> None:
    alice = "1"
    assert record(store, 500, alice) == "new"
    # A week later Telegram may start again from any id, lower ones included.
    week = T0 + timedelta(days=8)
    assert record(store, 7, alice, week) == "new"
    assert record(store, 500, alice, week) == "new"
    with store.unit_of_work() as uow:
        assert uow.forget_updates(week - timedelta(days=2)) == 0
        assert uow.forget_updates(week) == 2
    assert backend.count("handled_updates") == 0


def test_erasure_forgets_the_persons_update_ids_and_suggestions(backend: Backend,
                                                                  store: DatabaseStore) -> None:
    with store.unit_of_work() as uow:
        (m,) = members(uow, 1)
        uow.add_suggestion(m.person_id, "dialoguer", "Plus court, s’il vous plaît", "v1", T0)
        external_id = uow.get_person(m.person_id).external_id
    assert record(store, 1, external_id) == "new"
    with store.unit_of_work() as uow:
        assert uow.person_data(m.person_id)["suggestions"] == [{
            "lever_id": "dialoguer", "text": "Plus court, s’il vous plaît",
            "charter_version": "v1", "created_at": "2027-03-01T09:00:00.000000+00:00"}]
        uow.erase_person(m.person_id, False, T0)
    store.checkpoint()
    assert backend.count("handled_updates") == 0
    assert backend.count("suggestions") == 0
    assert "s’il vous plaît".encode() not in backend.file_bytes()


# --- the reads of one event, each in one query ---------------------------------------------


def test_a_person_their_session_and_the_update_are_read_and_recorded_at_once(
        backend: Backend, store: DatabaseStore) -> None:
    from dialogues.core.ports import UpdateMark

    def mark(update_id: int) -> UpdateMark:
        return UpdateMark(update_id, T0, T0 - timedelta(days=2))

    with store.unit_of_work() as uow:
        person, session, status = uow.person_with_session("telegram", "42", "Alice", mark(7))
        assert (session, status) == (None, "new")  # a new person: the update counts too
        assert person == uow.get_or_create_person("telegram", "42", "")
        uow.save_session(person.id, {"member_id": 7})
    with store.unit_of_work() as uow:
        again, session, status = uow.person_with_session("telegram", "42", "Alice Martin",
                                                         mark(8))
        assert (again.id, again.display_name, session, status) == (
            person.id, "Alice Martin", {"member_id": 7}, "new")
        assert uow.get_person(person.id).display_name == "Alice Martin"
        assert uow.person_with_session("telegram", "42", "", mark(8))[2] == "seen"
        assert uow.person_with_session("telegram", "42", "", mark(6))[2] == "late"
        assert uow.person_with_session("telegram", "42", "")[2] == "new"  # no update id
    assert backend.query("SELECT update_id FROM handled_updates ORDER BY update_id") == [
        (7,), (8,)]


def test_a_membership_is_read_with_its_alliance_organisation_and_walk(
        store: DatabaseStore) -> None:
    from tests.integration.test_storage import new_answer

    with store.unit_of_work() as uow:
        (m,) = members(uow, 1)
        assert uow.membership_view(m.id).walk is None
        assert uow.membership_view(m.id).answers == {}
        uow.save_walk(m.id, {"phase": "lancement", "index": 3})
        uow.set_comparison(m.alliance_id, True)
        first = uow.add_answer(new_answer(m, "dialoguer", position=1))
        later = uow.add_answer(new_answer(m, "dialoguer", position=2))
        other = uow.add_answer(new_answer(m, "partager", phase="mi-parcours", position=4))
    with store.unit_of_work() as uow:
        view = uow.membership_view(m.id)
        assert view is not None and uow.membership_view(m.id + 1000) is None
        assert view.member == uow.get_member(m.id)
        assert view.alliance == uow.get_alliance(m.alliance_id) and view.alliance.comparison
        assert view.organisation == uow.get_organisation(m.organisation_id)
        assert view.walk == {"phase": "lancement", "index": 3}
        by_phase = view.answers
        assert {p: {lever: a.id for lever, a in found.items()}
                for p, found in by_phase.items()} == {"lancement": {"dialoguer": later.id},
                                                       "mi-parcours": {"partager": other.id}}
        assert by_phase["lancement"] == uow.latest_answers(m.id, "lancement")
    assert first.id < later.id


# --- leases ---------------------------------------------------------------------------------


def lease(store: DatabaseStore, holder: str, now: datetime) -> bool:
    with store.unit_of_work() as uow:
        return uow.take_lease("retention", holder, now, now + timedelta(hours=7))


def test_a_lease_is_held_by_one_process_until_it_expires(store: DatabaseStore) -> None:
    assert lease(store, "a", T0)
    assert not lease(store, "b", T0 + timedelta(hours=1))
    assert lease(store, "a", T0 + timedelta(hours=6))  # renewed
    assert not lease(store, "b", T0 + timedelta(hours=12))
    assert lease(store, "b", T0 + timedelta(hours=13))  # "a" stopped renewing
    assert not lease(store, "a", T0 + timedelta(hours=14))


# --- the observatory ------------------------------------------------------------------------


def test_suggestions_are_listed_without_who_wrote_them(store: DatabaseStore) -> None:
    with store.unit_of_work() as uow:
        (m,) = members(uow, 1)
        uow.add_suggestion(m.person_id, None, "Un glossaire ?", "v1", T0 + timedelta(hours=1))
        uow.add_suggestion(m.person_id, "gouvernance", "Définir « partagée »", "v1", T0)
    with store.unit_of_work() as uow:
        found = uow.suggestions()
    assert [(s.lever_id, s.text, s.created_at) for s in found] == [
        ("gouvernance", "Définir « partagée »", T0),
        (None, "Un glossaire ?", T0 + timedelta(hours=1))]


def test_network_answers_of_the_alliances_that_agreed(store: DatabaseStore) -> None:
    from tests.integration.test_storage import make_member, new_answer

    with store.unit_of_work() as uow:
        agreed = make_member(uow, code="A1")
        other = make_member(uow, code="B2", alliance="Autre")
        uow.set_comparison(agreed.alliance_id, True)
        first = uow.add_answer(new_answer(agreed, position=1))
        latest = uow.add_answer(new_answer(agreed, position=2))
        theirs = uow.add_answer(new_answer(other, position=4))
    with store.unit_of_work() as uow:
        assert uow.get_alliance(agreed.alliance_id).comparison
        assert not uow.get_alliance(other.alliance_id).comparison
        assert [a.id for a in uow.network_answers(comparing_only=True)] == [latest.id]
        assert [a.id for a in uow.network_answers()] == [latest.id, theirs.id]
    assert first.id < latest.id


def test_the_health_read_gives_the_schema_version(store: DatabaseStore) -> None:
    assert store.schema_version() == CURRENT_VERSION


def test_postgresql_a_lock_held_past_lock_timeout_is_database_busy_and_nothing_is_lost(
        pg_databases: PostgresDatabases, monkeypatch: pytest.MonkeyPatch) -> None:
    import storage.postgres
    from storage import DatabaseBusy

    monkeypatch.setattr(storage.postgres, "LOCK_TIMEOUT_MS", 200)
    with pg_databases.fresh() as backend, backend.open() as first, backend.open() as second:
        with first.unit_of_work() as uow:  # holds the database-wide lock
            uow.get_or_create_person("telegram", "1", "Alice")
            with pytest.raises(DatabaseBusy), second.unit_of_work() as other:
                other.get_or_create_person("telegram", "2", "Bob")
        with second.unit_of_work() as other:  # the lock is free again: the store still works
            other.get_or_create_person("telegram", "2", "Bob")
        assert backend.query("SELECT external_id FROM people ORDER BY id") == [("1",), ("2",)]


# --- through the service ---------------------------------------------------------------------


def test_the_retention_job_runs_in_one_process_at_a_time(backend: Backend) -> None:
    from bot.compose import build_app
    from tests.helpers import Chat, Clock, create_alliance

    with backend.open() as store:
        clock = Clock(datetime(2027, 1, 10, 9, 0, tzinfo=UTC))
        first = build_app(store=store, clock=clock, timezone="Europe/Paris", instance="a:1")
        second = build_app(store=store, clock=clock, timezone="Europe/Paris", instance="b:2")
        create_alliance(Chat(first, "alice"), name="Alliance Une")  # ends 15/12/2027
        create_alliance(Chat(first, "bob"), name="Alliance Deux")
        with store.unit_of_work() as uow:
            later = next(a for a in uow.all_alliances() if a.name == "Alliance Deux")
            uow.update_dates(later.id, later.start_at, later.mid_at,
                             datetime(2028, 6, 1, tzinfo=UTC))  # deleted from 01/06/2030
        clock.now = datetime(2029, 12, 16, 9, 0, tzinfo=UTC)  # « Une » is past its 24 months
        assert second.retention.run() == []
        assert [name for (name,) in backend.query("SELECT name FROM alliances")] == [
            "Alliance Deux"]
        clock.now = datetime(2030, 6, 2, 9, 0, tzinfo=UTC)
        with store.unit_of_work() as uow:  # the lease of "b:2" is renewed until 16:00
            assert uow.take_lease("retention", "b:2", clock.now, clock.now.replace(hour=16))
        clock.advance(hours=1)
        assert first.retention.run() == []  # « Deux » is due, but the other process runs it
        assert backend.count("alliances") == 1
        clock.advance(hours=6)  # its holder stopped renewing the lease
        first.retention.run()
        assert backend.count("alliances") == 0
        assert backend.query("SELECT holder FROM job_leases") == [("a:1",)]


def test_an_update_handled_twice_is_applied_once_and_erasure_forgets_the_ids(
        backend: Backend) -> None:
    from bot.compose import build_app
    from dialogues.app.service import PersonRef
    from dialogues.core.events import Command, Press, Text
    from tests.helpers import Clock

    with backend.open() as store:
        app = build_app(store=store, clock=Clock(), timezone="Europe/Paris")
        zoe = PersonRef("telegram", "5566778899", "Zoé")
        assert app.service.handle(zoe, Command("nouvelle", ""), None, 101).outgoing
        asked = app.service.handle(zoe, Text("Alliance Z"), None, 102)
        assert "(2/6)" in asked.outgoing[0].text
        again = app.service.handle(zoe, Text("Alliance Z"), None, 102)  # Telegram resent it
        assert (again.outgoing, again.skipped) == ((), "seen")
        late = app.service.handle(zoe, Text("Asso Z"), None, 100)  # older than one handled
        assert (late.outgoing, late.skipped) == ((), "late")
        assert "(3/6)" in app.service.handle(zoe, Text("Asso Z"), None, 103).outgoing[0].text
        assert backend.count("handled_updates") == 3
        question = app.service.handle(zoe, Command("oubli", ""), None, 104).outgoing[-1]
        everything = next(b for row in question.buttons for b in row if "Tout effacer" in b.label)
        app.service.handle(zoe, Press(everything.data), None, 105)
    assert backend.count("people") == 0
    assert backend.count("handled_updates") == 0
    assert "5566778899" not in backend.every_row()
