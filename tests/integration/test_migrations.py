"""Schema versions: a real version-1 SQLite file is migrated on open; both databases run the
same steps, one transaction each, and end with the same schema."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dialogues.core.domain import NewAnswer
from dialogues.core.errors import CharteError
from storage import CURRENT_VERSION, LEGACY_CHARTER_VERSION, SchemaVersionError, open_store
from storage.connection import connect
from storage.dialect import Dialect
from storage.migrations import STEPS, migrate
from storage.postgres import PostgresDialect
from storage.sqlite import SqliteDialect
from tests.backends import Backend, PostgresDatabases, SqliteBackend

# What charte-bot 0.1 wrote: answers had only a comment, no charter version.
V1_SCHEMA = """
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (channel, external_id)
);
CREATE TABLE alliances (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    start_at TEXT NOT NULL,
    end_at TEXT NOT NULL,
    mid_at TEXT NOT NULL,
    invite_code TEXT NOT NULL UNIQUE,
    timezone TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    alliance_id INTEGER NOT NULL REFERENCES alliances (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    UNIQUE (alliance_id, name COLLATE NOCASE),
    UNIQUE (id, alliance_id)
);
CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    alliance_id INTEGER NOT NULL REFERENCES alliances (id),
    organisation_id INTEGER NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people (id),
    role TEXT NOT NULL,
    joined_at TEXT NOT NULL,
    UNIQUE (alliance_id, person_id),
    UNIQUE (id, organisation_id, alliance_id),
    FOREIGN KEY (organisation_id, alliance_id) REFERENCES organisations (id, alliance_id)
);
CREATE INDEX members_by_person ON members (person_id, joined_at);
CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    alliance_id INTEGER NOT NULL,
    organisation_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    phase TEXT NOT NULL CHECK (phase IN ('lancement', 'mi-parcours', 'fin')),
    lever_id TEXT NOT NULL,
    position INTEGER CHECK (position BETWEEN 1 AND 4),
    comment TEXT,
    answered_at TEXT NOT NULL,
    FOREIGN KEY (member_id, organisation_id, alliance_id)
        REFERENCES members (id, organisation_id, alliance_id)
);
CREATE INDEX answers_by_member_phase ON answers (member_id, phase);
CREATE TABLE sessions (
    person_id INTEGER PRIMARY KEY REFERENCES people (id),
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE walks (
    member_id INTEGER PRIMARY KEY REFERENCES members (id),
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""

V1_DATA = """
INSERT INTO people VALUES (1, 'telegram', '42', 'Camille', '2024-01-08T09:00:00.000000+00:00');
INSERT INTO alliances VALUES (1, 'Élan', '2024-01-08T00:00:00.000000+00:00',
    '2025-01-08T00:00:00.000000+00:00', '2024-07-08T00:00:00.000000+00:00', 'CODE',
    'Europe/Paris', '2024-01-08T09:00:00.000000+00:00');
INSERT INTO organisations VALUES (1, 1, 'Croix-Rouge', 'association');
INSERT INTO members VALUES (1, 1, 1, 1, 'coordinator', '2024-01-08T09:00:00.000000+00:00');
INSERT INTO answers VALUES (1, 1, 1, 1, 'lancement', 'dialoguer', 2, 'Au début',
    '2024-01-09T10:00:00.000000+00:00');
INSERT INTO answers VALUES (2, 1, 1, 1, 'lancement', 'dialoguer', 3, 'Ça va mieux',
    '2024-01-10T10:00:00.000000+00:00');
INSERT INTO answers VALUES (3, 1, 1, 1, 'lancement', 'partager', NULL, NULL,
    '2024-01-10T10:05:00.000000+00:00');
INSERT INTO walks VALUES (1, '{"index": 2, "phase": "lancement"}',
    '2024-01-10T10:05:00.000000+00:00');
"""


def write_v1(path: Path, data: str = V1_DATA) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for script in (V1_SCHEMA, data):
            for statement in script.split(";"):
                if statement.strip():
                    conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
    finally:
        conn.close()


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def schema(path: Path) -> list[tuple[object, ...]]:
    """Every table, index and trigger, with whitespace-insensitive SQL (statistics aside)."""
    return [
        (kind, name, " ".join(str(sql).split()))
        for kind, name, sql in query(
            path,
            "SELECT type, name, sql FROM sqlite_master"
            " WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite%' ORDER BY name",
        )
    ]


def test_a_new_file_is_at_the_current_version(tmp_path: Path) -> None:
    open_store(f"sqlite:///{tmp_path}/new.db").close()
    assert CURRENT_VERSION == 9
    assert query(tmp_path / "new.db", "PRAGMA user_version") == [(CURRENT_VERSION,)]


def test_a_version_1_file_is_migrated_and_keeps_its_answers(tmp_path: Path) -> None:
    old = tmp_path / "v1.db"
    write_v1(old)
    with open_store(f"sqlite:///{old}") as store, store.unit_of_work() as uow:
        latest = uow.latest_answers(1, "lancement")
        history = uow.answer_history(1, "lancement", "dialoguer")
        walk = uow.load_walk(1)
        added = uow.add_answer(
            NewAnswer(1, 1, 1, "mi-parcours", "dialoguer", 4, "Bien", "Un local", "Du temps",
                      "2021-11-30", datetime(2024, 7, 9, tzinfo=UTC))
        )  # fmt: skip
    assert query(old, "PRAGMA user_version") == [(CURRENT_VERSION,)]
    # Answers from before step 8 are not marked « Inchangé ».
    assert query(old, "SELECT DISTINCT unchanged FROM answers") == [(0,)]
    assert not any(a.unchanged for a in latest.values())
    assert [(a.id, a.position, a.comment) for a in history] == [
        (1, 2, "Au début"),
        (2, 3, "Ça va mieux"),
    ]
    assert {lever: a.id for lever, a in latest.items()} == {"dialoguer": 2, "partager": 3}
    for answer in latest.values():
        assert answer.charter_version == LEGACY_CHARTER_VERSION == "inconnue"
        assert (answer.contribution, answer.expectation) == (None, None)
    assert latest["dialoguer"].answered_at == datetime(2024, 1, 10, 10, tzinfo=UTC)
    assert walk == {"index": 2, "phase": "lancement"}
    assert query(
        old, "SELECT id, comment, contribution, expectation, charter_version FROM answers"
    ) == [
        (1, "Au début", None, None, "inconnue"),
        (2, "Ça va mieux", None, None, "inconnue"),
        (3, None, None, None, "inconnue"),
        (added.id, "Bien", "Un local", "Du temps", "2021-11-30"),
    ]
    # The migrated file is exactly what a new file looks like (indexes and triggers included).
    open_store(f"sqlite:///{tmp_path}/new.db").close()
    assert schema(old) == schema(tmp_path / "new.db")
    names = {name for _kind, name, _sql in schema(old)}
    assert {"answers_latest", "answers_no_update", "answers_no_delete"} <= names
    assert "answers_by_member_phase" not in names


def test_a_migration_that_fails_its_checks_changes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    # An answer of a member that does not exist (foreign keys were off when it was written).
    write_v1(
        broken,
        V1_DATA + "INSERT INTO answers VALUES (4, 1, 1, 77, 'fin', 'outils', 1, NULL, "
        "'2024-02-01T00:00:00.000000+00:00')",
    )
    with pytest.raises(SchemaVersionError, match="missing parent"):
        open_store(f"sqlite:///{broken}")
    assert query(broken, "PRAGMA user_version") == [(1,)]
    columns = [row[1] for row in query(broken, "PRAGMA table_info(answers)")]
    assert "charter_version" not in columns
    assert query(broken, "SELECT count(*) FROM answers") == [(4,)]


def test_a_file_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    future = tmp_path / "future.db"
    conn = sqlite3.connect(future)
    conn.execute("CREATE TABLE something_new (id INTEGER PRIMARY KEY)")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(SchemaVersionError) as caught:
        open_store(f"sqlite:///{future}")
    assert isinstance(caught.value, CharteError)
    assert "version 99" in str(caught.value) and f"up to {CURRENT_VERSION}" in str(caught.value)
    assert query(future, "PRAGMA user_version") == [(99,)]
    assert query(future, "SELECT name FROM sqlite_master") == [("something_new",)]


# --- both databases ---------------------------------------------------------------------------


def dialect_of(backend: Backend) -> Dialect:
    if isinstance(backend, SqliteBackend):
        return SqliteDialect(connect(backend.path))
    return PostgresDialect(backend.url)


def versions(backend: Backend) -> list[int]:
    """The steps the database records as applied."""
    if backend.name == "sqlite":
        (version,) = backend.query("PRAGMA user_version")[0]
        return list(range(1, version + 1))
    return [v for (v,) in backend.query("SELECT version FROM schema_version ORDER BY version")]


def test_a_new_database_of_either_kind_runs_every_step(empty_backend: Backend) -> None:
    empty_backend.open().close()
    assert versions(empty_backend) == list(range(1, CURRENT_VERSION + 1))
    empty_backend.open().close()  # nothing left to do the second time
    assert versions(empty_backend) == list(range(1, CURRENT_VERSION + 1))


def test_each_step_commits_on_its_own(empty_backend: Backend) -> None:
    """A failing step is undone whole; the steps before it stay applied and recorded."""
    broken = (
        "CREATE TABLE extra (id {id}, note {text})",
        "INSERT INTO extra (note) VALUES ('half done')",
        "SELECT no_such_column FROM extra",
    )
    db = dialect_of(empty_backend)
    try:
        assert migrate(db, STEPS[:3]) == 0
        with pytest.raises(Exception, match="no_such_column"):
            migrate(db, (*STEPS, broken))
    finally:
        db.close()
    assert versions(empty_backend) == list(range(1, CURRENT_VERSION + 1))
    assert "extra" not in empty_backend.tables()
    assert "reminders" in empty_backend.tables()  # from step 4, applied before the failure


def test_a_database_newer_than_the_code_is_refused(empty_backend: Backend) -> None:
    db = dialect_of(empty_backend)
    try:
        migrate(db, (*STEPS, ("CREATE TABLE something_new (id {id})",)))
    finally:
        db.close()
    with pytest.raises(SchemaVersionError, match=f"version {CURRENT_VERSION + 1}"):
        empty_backend.open()
    assert "something_new" in empty_backend.tables()


def sqlite_shape(path: Path) -> dict[str, object]:
    conn = sqlite3.connect(path)
    try:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {
            "columns": {t: [row[1] for row in conn.execute(f"PRAGMA table_info({t})")]
                        for t in tables},
            "indexes": {name for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")},
            "triggers": {name for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'")},
        }
    finally:
        conn.close()


def postgres_shape(backend: Backend) -> dict[str, object]:
    tables = [t for t in backend.tables() if t != "schema_version"]  # PRAGMA user_version's
    return {
        "columns": {t: [c for (c,) in backend.query(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position", (t,))]
            for t in tables},
        "indexes": {name for (name,) in backend.query(
            "SELECT indexname FROM pg_indexes AS i WHERE schemaname = 'public' AND NOT EXISTS"
            " (SELECT 1 FROM pg_constraint AS c WHERE c.conname = i.indexname)")},
        "triggers": {name for (name,) in backend.query(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")},
    }


def test_sqlite_and_postgresql_get_the_same_schema(
    tmp_path: Path, pg_databases: PostgresDatabases
) -> None:
    open_store(f"sqlite:///{tmp_path}/new.db").close()
    lite = sqlite_shape(tmp_path / "new.db")
    with pg_databases.fresh(migrated=False) as pg:
        pg.open().close()
        post = postgres_shape(pg)
    assert post["columns"] == lite["columns"]
    # SQLite's case-insensitive UNIQUE rule is inline; PostgreSQL needs an index on lower(name).
    assert post["indexes"] == lite["indexes"] | {"organisations_name_nocase"}
    # TRUNCATE exists on PostgreSQL only, and is refused there too.
    assert post["triggers"] == lite["triggers"] | {"answers_no_truncate"}
