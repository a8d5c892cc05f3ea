"""Both stores against real databases (a SQLite file, a PostgreSQL server): what the database
holds after each call. Tests named for one database only are about that database's own
settings."""

from __future__ import annotations

import math
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bench.seed import seed_answers
from dialogues.core.domain import Member, NewAnswer
from dialogues.core.errors import CharteError, NotFound
from storage import (
    ConstraintViolation,
    DatabaseStore,
    DatabaseUnitOfWork,
    DatabaseUrlError,
    Duplicate,
    StorageError,
    open_store,
)
from storage.url import ENV_VAR
from tests.backends import Backend, PostgresDatabases

REPO = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")
T0 = datetime(2025, 3, 30, 1, 30, tzinfo=PARIS)  # the night clocks go forward


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"  # path is absolute: four slashes in all


def raw(path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Read the file with a separate plain connection."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def count(path: Path, table: str) -> int:
    return int(raw(path, f"SELECT count(*) FROM {table}")[0][0])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "charte.db"


@pytest.fixture
def store(backend: Backend) -> Iterator[DatabaseStore]:
    with backend.open() as opened:
        yield opened


def make_member(
    uow: DatabaseUnitOfWork, code: str = "CODE1", name: str = "Camille", alliance: str = "Élan"
) -> Member:
    a = uow.add_alliance(
        alliance, T0, T0 + timedelta(days=365), T0 + timedelta(days=180), code, "Europe/Paris", T0
    )
    org = uow.add_organisation(a.id, f"Asso {code}", "association")
    person = uow.get_or_create_person("telegram", f"id-{code}-{name}", name)
    return uow.add_member(a.id, org.id, person.id, "coordinator", T0)


def new_answer(member: Member, lever: str = "dialoguer", **changes: object) -> NewAnswer:
    answer = NewAnswer(
        alliance_id=member.alliance_id,
        organisation_id=member.organisation_id,
        member_id=member.id,
        phase="lancement",
        lever_id=lever,
        position=3,
        comment="On se parle chaque mois.",
        contribution=None,
        expectation=None,
        charter_version="2021-11-30",
        answered_at=T0,
    )
    return replace(answer, **changes)  # type: ignore[arg-type]


# --- URLs and opening ---------------------------------------------------------------------


def test_absolute_url_creates_parent_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "charte.db"
    with open_store(url_of(path)) as store:
        assert store.path == path
    assert path.is_file()


def test_relative_url_is_relative_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///sub/x.db") as store:
        assert store.path == tmp_path / "sub" / "x.db"
    assert (tmp_path / "sub" / "x.db").is_file()


def test_no_url_uses_the_environment_then_data_charte_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(ENV_VAR, url_of(tmp_path / "env.db"))
    open_store().close()
    assert (tmp_path / "env.db").is_file()
    assert not (tmp_path / "data").exists()
    monkeypatch.delenv(ENV_VAR)
    open_store().close()
    assert (tmp_path / "data" / "charte.db").is_file()


@pytest.mark.parametrize(
    "url, says",
    [
        ("mysql://root:s3cret@localhost", "unsupported database URL (scheme 'mysql')"),
        # libpq would echo the URL, password included
        ("postgresql://bob:s3cret@db/charte?nonsense=1", "postgresql database URL is malformed"),
        ("sqlite:/s3cret.db", "unsupported database URL (scheme 'sqlite')"),
        ("s3cret", "unsupported database URL (this value)"),
        ("sqlite:///", "names no file"),
        ("sqlite:///data/?key=s3cret", "query parameters are not supported"),
    ],
)
def test_bad_urls_fail_clearly_without_echoing_secrets(url: str, says: str,
                                                        tmp_path: Path) -> None:
    with pytest.raises(DatabaseUrlError) as caught:
        open_store(url)
    assert isinstance(caught.value, CharteError)
    assert "s3cret" not in str(caught.value)
    assert says in str(caught.value)


def test_a_bad_environment_url_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "mysql://bob:s3cret@db/charte")
    with pytest.raises(DatabaseUrlError, match=ENV_VAR) as caught:
        open_store()
    assert "s3cret" not in str(caught.value)


def test_memory_url_works() -> None:
    with open_store("sqlite:///:memory:") as store, store.unit_of_work() as uow:
        member = make_member(uow)
        uow.add_answer(new_answer(member))
        assert list(uow.latest_answers(member.id, "lancement")) == ["dialoguer"]


def test_a_file_that_is_not_a_database_fails_clearly(db: Path) -> None:
    db.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="cannot use the database"):
        open_store(url_of(db))


# --- connection settings ------------------------------------------------------------------


def test_sqlite_wal_full_sync_and_foreign_keys_are_on(db: Path) -> None:
    store = open_store(url_of(db))
    assert raw(db, "PRAGMA journal_mode") == [("wal",)]
    with store, store.raw_transaction() as conn:
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


# --- alliances, organisations, people, members --------------------------------------------


def test_alliance_round_trip_keeps_aware_datetimes_equal(
    backend: Backend, store: DatabaseStore
) -> None:
    with store.unit_of_work() as uow:
        made = uow.add_alliance(
            "Élan Solidaire",
            T0,
            T0 + timedelta(days=365),
            T0 + timedelta(days=180, microseconds=7),
            "ABC123",
            "Europe/Paris",
            T0 - timedelta(hours=1),
        )
    with store.unit_of_work() as uow:
        got = uow.get_alliance(made.id)
    assert got == made
    assert got is not None
    assert got.start_at == T0 and got.start_at.tzinfo is not None
    assert got.mid_at == T0 + timedelta(days=180, microseconds=7)
    assert (got.name, got.invite_code, got.timezone) == ("Élan Solidaire", "ABC123", "Europe/Paris")
    stored = backend.query("SELECT start_at, created_at FROM alliances")
    if backend.name == "sqlite":  # UTC text, so that text order is time order
        assert stored == [("2025-03-30T00:30:00.000000+00:00", "2025-03-29T23:30:00.000000+00:00")]
    else:  # timestamptz
        assert stored == [(datetime(2025, 3, 30, 0, 30, tzinfo=UTC),
                           datetime(2025, 3, 29, 23, 30, tzinfo=UTC))]


def test_naive_datetimes_are_refused_and_nothing_is_written(
    backend: Backend, store: DatabaseStore
) -> None:
    naive = datetime(2025, 1, 1, 9, 0)
    with store.unit_of_work() as uow, pytest.raises(ValueError, match="naive"):
        uow.add_alliance("A", naive, T0, T0, "X", "Europe/Paris", T0)
    with store.unit_of_work() as uow:
        member = make_member(uow)
        with pytest.raises(ValueError, match="naive"):
            uow.add_answer(new_answer(member, answered_at=naive))
    assert backend.count("alliances") == 1
    assert backend.count("answers") == 0


def test_find_alliances_by_code_and_by_name(backend: Backend, store: DatabaseStore) -> None:
    with store.unit_of_work() as uow:
        first = make_member(uow, "C1", alliance="Élan Solidaire")
        make_member(uow, "C2", alliance="Autre projet")
        third = make_member(uow, "C3", alliance="élan solidaire")
    with store.unit_of_work() as uow:
        found = uow.find_by_code("C2")
        assert found is not None and found.name == "Autre projet"
        assert uow.find_by_code("c2") is None
        assert uow.find_by_code("nope") is None
        by_name = [a.id for a in uow.find_by_name("ÉLAN SOLIDAIRE")]
        assert by_name == [first.alliance_id, third.alliance_id]
        assert uow.find_by_name("Élan") == []
        assert [a.name for a in uow.all_alliances()] == [
            "Élan Solidaire",
            "Autre projet",
            "élan solidaire",
        ]
        assert uow.get_alliance(999) is None


def test_replace_invite_code(backend: Backend, store: DatabaseStore) -> None:
    with store.unit_of_work() as uow:
        member = make_member(uow, "OLD")
        uow.replace_invite_code(member.alliance_id, "NEW")
    with store.unit_of_work() as uow:
        assert uow.find_by_code("OLD") is None
        found = uow.find_by_code("NEW")
        assert found is not None and found.id == member.alliance_id
        with pytest.raises(NotFound):
            uow.replace_invite_code(999, "X")
    assert backend.query("SELECT invite_code FROM alliances") == [("NEW",)]


def test_duplicate_invite_code_is_a_charte_error(backend: Backend, store: DatabaseStore) -> None:
    with store.unit_of_work() as uow:
        make_member(uow, "SAME")
        with pytest.raises(Duplicate) as caught:
            uow.add_alliance("Deux", T0, T0, T0, "SAME", "Europe/Paris", T0)
        assert isinstance(caught.value, CharteError)
        assert "invite_code" in str(caught.value)
        other = make_member(uow, "OTHER")
        with pytest.raises(Duplicate):
            uow.replace_invite_code(other.alliance_id, "SAME")
    # The failed statements were undone; the rest of the unit of work was committed.
    assert backend.query("SELECT invite_code FROM alliances ORDER BY id") == [("SAME",), ("OTHER",)]


def test_organisations(backend: Backend, store: DatabaseStore) -> None:
    with store.unit_of_work() as uow:
        member = make_member(uow)
        a = member.alliance_id
        b = uow.add_organisation(a, "Croix-Rouge", "association")
        c = uow.add_organisation(a, "Mairie de Lyon", "collectivite")
        with pytest.raises(Duplicate):
            uow.add_organisation(a, "croix-rouge", "association")
        with pytest.raises(Duplicate):
            uow.add_organisation(a, "ASSO CODE1", "association")
        e = uow.add_organisation(a, "Éveil", "fondation")
        with pytest.raises(Duplicate):
            uow.add_organisation(a, "éveil", "fondation")  # beyond ASCII too
        with pytest.raises(ValueError, match="kind"):
            uow.add_organisation(a, "Banque", "banque")
        with pytest.raises(ConstraintViolation):
            uow.add_organisation(999, "Nulle part", "autre")
        assert uow.get_organisation(b.id) == b
        assert uow.get_organisation(999) is None
        assert [o.name for o in uow.organisations(a)] == [
            "Asso CODE1",
            "Croix-Rouge",
            "Mairie de Lyon",
            "Éveil",
        ]
        other = make_member(uow, "C2")
        uow.add_organisation(other.alliance_id, "Croix-Rouge", "association")  # other alliance
    assert (c.kind, e.kind) == ("collectivite", "fondation")
    assert backend.count("organisations") == 6


def test_people_are_unique_per_channel_and_keep_their_latest_name(
    backend: Backend, store: DatabaseStore
) -> None:
    with store.unit_of_work() as uow:
        first = uow.get_or_create_person("telegram", "42", "Camille")
        again = uow.get_or_create_person("telegram", "42", "Camille")
        renamed = uow.get_or_create_person("telegram", "42", "Camille D.")
        unnamed = uow.get_or_create_person("telegram", "42", "")
        console = uow.get_or_create_person("console", "42", "Camille")
        assert first.id == again.id == renamed.id == unnamed.id != console.id
        assert renamed.display_name == unnamed.display_name == "Camille D."
        assert uow.get_person(first.id) == renamed
        assert uow.get_person(999) is None
    assert backend.query("SELECT channel, external_id, display_name FROM people ORDER BY id") == [
        ("telegram", "42", "Camille D."),
        ("console", "42", "Camille"),
    ]


def test_members(backend: Backend, store: DatabaseStore) -> None:
    with store.unit_of_work() as uow:
        first = make_member(uow, "A1")
        person = uow.get_person(first.person_id)
        assert person is not None
        a2 = uow.add_alliance("Deux", T0, T0, T0, "A2", "Europe/Paris", T0)
        org2 = uow.add_organisation(a2.id, "Entreprise", "entreprise")
        earlier = uow.add_member(a2.id, org2.id, person.id, "partner", T0 - timedelta(days=3))
        assert earlier.role == "partner" and earlier.joined_at == T0 - timedelta(days=3)
        assert uow.get_member(first.id) == first
        assert uow.get_member(999) is None
        assert uow.members(a2.id) == [earlier]
        assert uow.members_of_person(person.id) == [earlier, first]
        with pytest.raises(Duplicate):
            uow.add_member(a2.id, org2.id, person.id, "coordinator", T0)
        with pytest.raises(ConstraintViolation):  # organisation of another alliance
            uow.add_member(a2.id, first.organisation_id, person.id, "partner", T0)
        with pytest.raises(ValueError, match="role"):
            uow.add_member(a2.id, org2.id, person.id, "boss", T0)
    assert backend.count("members") == 2


# --- dialogue states ----------------------------------------------------------------------


def test_sessions_and_walks_round_trip_as_fresh_dicts(
    backend: Backend, store: DatabaseStore
) -> None:
    with store.unit_of_work() as uow:
        member = make_member(uow)
        assert uow.load_session(member.person_id) is None
        assert uow.load_walk(member.id) is None
        uow.save_session(member.person_id, {"member_id": member.id, "form": None})
        uow.save_walk(member.id, {"phase": "lancement", "index": 3, "draft": "Élan « oui »"})
        uow.save_walk(member.id, {"phase": "lancement", "index": 4, "draft": "Élan « oui »"})
    with store.unit_of_work() as uow:
        walk = uow.load_walk(member.id)
        assert walk == {"draft": "Élan « oui »", "index": 4, "phase": "lancement"}
        assert walk is not None
        walk["index"] = 99
        assert uow.load_walk(member.id) == {
            "draft": "Élan « oui »",
            "index": 4,
            "phase": "lancement",
        }
        assert uow.load_session(member.person_id) == {"form": None, "member_id": member.id}
    assert backend.query("SELECT state FROM walks") == [
        ('{"draft": "Élan « oui »", "index": 4, "phase": "lancement"}',)
    ]
    assert backend.count("sessions") == 1


def test_states_that_are_not_json_fail_loudly(backend: Backend, store: DatabaseStore) -> None:
    with store.unit_of_work() as uow:
        member = make_member(uow)
        with pytest.raises(TypeError):
            uow.save_walk(member.id, {"when": T0})
        with pytest.raises(ValueError):
            uow.save_session(member.person_id, {"x": math.nan})
        with pytest.raises(ConstraintViolation):
            uow.save_session(999, {"x": 1})  # no such person
    assert backend.count("walks") == 0
    assert backend.count("sessions") == 0


# --- answers ------------------------------------------------------------------------------


def test_answers_are_append_only_and_the_latest_counts(
    backend: Backend, store: DatabaseStore
) -> None:
    with store.unit_of_work() as uow:
        member = make_member(uow)
    added = []
    for i, position in enumerate((1, None, 4)):
        with store.unit_of_work() as uow:
            added.append(
                uow.add_answer(
                    new_answer(
                        member,
                        position=position,
                        comment=f"essai {i}",
                        contribution="du temps" if i == 2 else None,
                        expectation="de l’écoute" if i == 2 else None,
                        answered_at=T0 + timedelta(minutes=i),
                    )
                )
            )
    with store.unit_of_work() as uow:
        latest = uow.latest_answers(member.id, "lancement")
        history = uow.answer_history(member.id, "lancement", "dialoguer")
    assert latest == {"dialoguer": added[2]}
    assert latest["dialoguer"].position == 4
    assert latest["dialoguer"].contribution == "du temps"
    assert latest["dialoguer"].expectation == "de l’écoute"
    assert history == added
    assert [a.position for a in history] == [1, None, 4]
    assert [a.answered_at for a in history] == [T0 + timedelta(minutes=i) for i in range(3)]
    assert backend.query("SELECT id, position, comment FROM answers ORDER BY id") == [
        (added[0].id, 1, "essai 0"),
        (added[1].id, None, "essai 1"),
        (added[2].id, 4, "essai 2"),
    ]


def test_the_database_refuses_updates_and_deletes_of_answers(
    backend: Backend, store: DatabaseStore
) -> None:
    with store.unit_of_work() as uow:
        uow.add_answer(new_answer(make_member(uow)))
    refused = ["UPDATE answers SET position = 1", "DELETE FROM answers"]
    if backend.name == "postgresql":
        refused.append("TRUNCATE answers")  # skips row triggers: refused by its own
    for sql in refused:
        with pytest.raises(backend.integrity_error, match="append-only"):
            backend.execute(sql)
    # The listed erasure path (storage/members.py) only opens for listed members.
    with store.unit_of_work() as uow:
        other = make_member(uow, "C2", name="Dominique")
        uow.add_answer(new_answer(other))
    with pytest.raises(backend.integrity_error, match="append-only"):
        backend.execute(f"DELETE FROM answers WHERE member_id <> {other.id}")
    backend.execute(f"INSERT INTO deletions (kind, ref) VALUES ('member', {other.id})")
    backend.execute(f"DELETE FROM answers WHERE member_id = {other.id}")
    assert backend.query("SELECT position FROM answers") == [(3,)]


def test_latest_answers_keep_phases_and_levers_apart(store: DatabaseStore) -> None:
    with store.unit_of_work() as uow:
        member = make_member(uow)
        other = make_member(uow, "C2", name="Dominique")
        a = uow.add_answer(new_answer(member, "dialoguer", position=1))
        b = uow.add_answer(new_answer(member, "partager", position=2))
        c = uow.add_answer(new_answer(member, "dialoguer", phase="mi-parcours", position=3))
        uow.add_answer(new_answer(other, "dialoguer", position=4))
        assert uow.latest_answers(member.id, "lancement") == {"dialoguer": a, "partager": b}
        assert uow.latest_answers(member.id, "mi-parcours") == {"dialoguer": c}
        assert uow.latest_answers(member.id, "fin") == {}
        assert uow.answer_history(member.id, "fin", "dialoguer") == []


def test_bad_answers_are_refused(backend: Backend, store: DatabaseStore) -> None:
    with store.unit_of_work() as uow:
        member = make_member(uow)
        other = make_member(uow, "C2")
        for bad in (
            {"phase": "milieu"},
            {"position": 0},
            {"position": 5},
            {"position": True},
            {"lever_id": ""},
            {"charter_version": ""},
        ):
            with pytest.raises(ValueError):
                uow.add_answer(new_answer(member, **bad))
        with pytest.raises(ConstraintViolation):  # member of another organisation
            uow.add_answer(new_answer(member, organisation_id=other.organisation_id))
        with pytest.raises(ConstraintViolation):
            uow.add_answer(new_answer(member, member_id=999))
    assert backend.count("answers") == 0


def test_export_rows_give_the_latest_answer_per_member_phase_and_lever(
    store: DatabaseStore,
) -> None:
    with store.unit_of_work() as uow:
        zoe = make_member(uow, "A1", name="Zoé", alliance="Zèbre")
        yann = make_member(uow, "A2", name="Yann", alliance="Abeille")
        org = uow.add_organisation(zoe.alliance_id, "Agence", "entreprise")
        person = uow.get_or_create_person("telegram", "xavier", "Xavier")
        xavier = uow.add_member(zoe.alliance_id, org.id, person.id, "partner", T0)
        for phase in ("fin", "lancement", "mi-parcours"):
            for lever in ("partager", "dialoguer"):
                for position in (1, 2):
                    uow.add_answer(
                        new_answer(zoe, lever, phase=phase, position=position, comment=phase)
                    )
        uow.add_answer(new_answer(xavier, "dialoguer", position=None, comment="je ne sais pas"))
        uow.add_answer(new_answer(yann, "outils", position=1))
        uow.add_answer(new_answer(yann, "outils", position=3, expectation="plus d’outils"))
    with store.unit_of_work() as uow:
        everything = uow.export_rows()
        zebra = uow.export_rows(zoe.alliance_id)
        nothing = uow.export_rows(999)
    assert [(r.alliance, r.organisation, r.member, r.phase, r.lever_id) for r in zebra] == [
        ("Zèbre", "Asso A1", "Zoé", "lancement", "dialoguer"),
        ("Zèbre", "Asso A1", "Zoé", "lancement", "partager"),
        ("Zèbre", "Asso A1", "Zoé", "mi-parcours", "dialoguer"),
        ("Zèbre", "Asso A1", "Zoé", "mi-parcours", "partager"),
        ("Zèbre", "Asso A1", "Zoé", "fin", "dialoguer"),
        ("Zèbre", "Asso A1", "Zoé", "fin", "partager"),
        ("Zèbre", "Agence", "Xavier", "lancement", "dialoguer"),
    ]
    assert all(r.position == 2 and r.comment == r.phase for r in zebra[:6])
    assert (zebra[6].position, zebra[6].comment, zebra[6].role) == (
        None,
        "je ne sais pas",
        "partner",
    )
    assert zebra[0].role == "coordinator"
    assert zebra[0].charter_version == "2021-11-30" and zebra[0].answered_at == T0
    assert len(everything) == 8
    yann_row = everything[7]
    assert everything == [*zebra, yann_row]
    assert (yann_row.alliance, yann_row.member, yann_row.position) == ("Abeille", "Yann", 3)
    assert yann_row.expectation == "plus d’outils"
    assert nothing == []


# --- transactions -------------------------------------------------------------------------


def test_an_exception_inside_with_leaves_nothing(backend: Backend, store: DatabaseStore) -> None:
    with pytest.raises(RuntimeError, match="boom"), store.unit_of_work() as uow:
        member = make_member(uow)
        uow.add_answer(new_answer(member))
        uow.save_walk(member.id, {"phase": "lancement"})
        raise RuntimeError("boom")
    for table in ("alliances", "organisations", "people", "members", "answers", "walks"):
        assert backend.count(table) == 0, table


def test_a_committed_unit_of_work_survives_closing_and_reopening(backend: Backend) -> None:
    with backend.open() as store, store.unit_of_work() as uow:
        member = make_member(uow)
        answer = uow.add_answer(new_answer(member))
    with backend.open() as store, store.unit_of_work() as uow:
        assert uow.get_member(member.id) == member
        assert uow.latest_answers(member.id, "lancement") == {"dialoguer": answer}


def test_storage_is_only_used_inside_with(backend: Backend, store: DatabaseStore) -> None:
    uow = store.unit_of_work()
    with pytest.raises(RuntimeError, match="outside a unit of work"):
        uow.get_or_create_person("telegram", "1", "A")
    with uow:
        make_member(uow)
    with pytest.raises(RuntimeError, match="outside a unit of work"):
        uow.all_alliances()
    with uow:  # a unit of work may be entered again, one `with` at a time
        make_member(uow, "C2")
    assert backend.count("alliances") == 2


def test_nested_units_of_work_are_refused(backend: Backend, store: DatabaseStore) -> None:
    with store.unit_of_work() as uow:
        make_member(uow)
        with pytest.raises(RuntimeError, match="nested"), store.unit_of_work():
            pass
        make_member(uow, "C2")
    assert backend.count("alliances") == 2


def test_a_closed_store_refuses_work(store: DatabaseStore) -> None:
    store.close()
    store.close()
    with pytest.raises(StorageError, match="closed"), store.unit_of_work():
        pass


def test_threads_share_one_store(backend: Backend, store: DatabaseStore) -> None:
    with store.unit_of_work() as uow:
        member = make_member(uow)
    errors: list[BaseException] = []

    def answer_many(thread: int) -> None:
        try:
            for i in range(50):
                with store.unit_of_work() as uow:
                    uow.add_answer(new_answer(member, f"levier-{thread}", position=i % 4 + 1))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=answer_many, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert backend.count("answers") == 200
    assert backend.query(
        "SELECT lever_id, count(*) FROM answers GROUP BY lever_id ORDER BY lever_id"
    ) == [
        (f"levier-{t}", 50) for t in range(4)
    ]


def test_two_stores_on_one_database_take_turns(backend: Backend) -> None:
    """Two processes' stores: a unit of work waits for the other's to end, then sees it."""
    with backend.open() as first, backend.open() as second:
        started, seen = threading.Event(), []

        def read_from_second() -> None:
            started.wait()
            with second.unit_of_work() as uow:  # waits for the first's lock
                seen.append(len(uow.all_alliances()))

        reader = threading.Thread(target=read_from_second)
        reader.start()
        with first.unit_of_work() as uow:
            make_member(uow)
            started.set()
            reader.join(timeout=0.3)  # gives the reader time to run ahead, were it not held
            assert seen == [], "the second store read while the first held the lock"
        reader.join()
    assert seen == [1]


def test_postgresql_connection_dropped_by_the_server_is_replaced(
    pg_databases: PostgresDatabases,
) -> None:
    with pg_databases.fresh() as backend, backend.open() as store:
        with store.unit_of_work() as uow:
            make_member(uow)
        backend.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                      " WHERE datname = current_database() AND pid <> pg_backend_pid()")
        with store.unit_of_work() as uow:
            assert len(uow.all_alliances()) == 1


def test_postgresql_server_that_cannot_be_reached_fails_clearly(tmp_path: Path) -> None:
    url = f"postgresql://bob:s3cret@/charte?host={tmp_path / 'nowhere'}"
    with pytest.raises(StorageError, match="cannot connect") as caught:
        open_store(url)
    assert "s3cret" not in str(caught.value)


CHILD = """
import sys
from dataclasses import replace
from datetime import UTC, datetime
from dialogues.core.domain import NewAnswer
from storage import open_store

url, member_id, org_id, alliance_id = sys.argv[1], *map(int, sys.argv[2:5])
store = open_store(url)
for i in range(1_000_000):
    with store.unit_of_work() as uow:
        uow.add_answer(NewAnswer(alliance_id, org_id, member_id, "lancement", f"l{i % 21}",
                                 i % 4 + 1, f"answer {i}", None, None, "v", datetime.now(UTC)))
    print(i, flush=True)
"""


def test_kill_9_loses_no_answer_whose_commit_was_reported(backend: Backend) -> None:
    with backend.open() as store, store.unit_of_work() as uow:
        member = make_member(uow)
    args = [str(member.id), str(member.organisation_id), str(member.alliance_id)]
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, backend.url, *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stderr is not None
    printed: list[int] = []
    try:
        while len(printed) < 300:
            line = child.stdout.readline()
            assert line, f"the child stopped early: {child.stderr.read()}"
            printed.append(int(line))
    finally:
        child.kill()  # SIGKILL: no cleanup, no final commit
        child.wait()
    printed += [int(line) for line in child.stdout.read().split()]  # were printed before the kill
    child.stdout.close()
    child.stderr.close()
    assert printed == list(range(len(printed)))
    stored = {int(str(c).split()[1]) for (c,) in backend.query("SELECT comment FROM answers")}
    assert set(printed) <= stored
    if backend.name == "sqlite":
        assert backend.query("PRAGMA integrity_check") == [("ok",)]
    with backend.open() as store, store.unit_of_work() as uow:
        assert len(uow.latest_answers(member.id, "lancement")) == 21


# --- the benchmark seed -------------------------------------------------------------------


def test_seed_fills_a_consistent_database(backend: Backend) -> None:
    info = seed_answers(backend.url, 20_000, members=45, seed=3)
    assert backend.count("answers") == 20_000
    assert backend.count("members") == 45
    assert len(info.alliance_ids) == 3 and len(info.member_ids) == 45
    assert backend.count("people") == 41  # the last tenth are already in another alliance
    if backend.name == "sqlite":  # PostgreSQL checked the foreign keys while loading
        assert backend.query("PRAGMA foreign_key_check") == []
        indexes = "SELECT name FROM sqlite_master WHERE type = 'index' AND name = ?"
    else:
        indexes = "SELECT indexname FROM pg_indexes WHERE indexname = ?"
    assert backend.query(indexes, ("answers_latest",))
    with backend.open() as store, store.unit_of_work() as uow:
        walk = uow.load_walk(info.walk_member_id)
        assert walk is not None and walk["phase"] == info.walk_phase == "mi-parcours"
        assert walk["index"] == info.walk_index
        session = uow.load_session(info.walk_person_id)
        assert session == {"form": None, "member_id": info.walk_member_id}
        answered = uow.latest_answers(info.walk_member_id, info.walk_phase)
        assert sorted(answered) == sorted(info.lever_ids[: info.walk_index])
        assert uow.latest_answers(info.walk_member_id, "fin") == {}
        member = uow.get_member(info.walk_member_id)
        assert member is not None and member.alliance_id == info.walk_alliance_id
        assert len(uow.latest_answers(info.member_ids[0], "lancement")) == 21
        assert len(uow.export_rows(info.alliance_ids[0])) > 0
    again = seed_answers(backend.url, 1_000, members=45, seed=4)  # adds to the first seed
    assert set(again.member_ids).isdisjoint(info.member_ids)
    assert backend.count("answers") == 21_000
    last_person = backend.query("SELECT max(id) FROM people")[0][0]
    with backend.open() as store, store.unit_of_work() as uow:  # new ids follow the seeded ones
        person = uow.get_or_create_person("telegram", "new", "Nouvelle")
        assert person.id == last_person + 1
        added = uow.add_alliance("Après", T0, T0, T0, "AFTER", "Europe/Paris", T0)
        assert added.id == max(again.alliance_ids) + 1
