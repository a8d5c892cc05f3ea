"""One database of each kind for a test, and plain access to it from outside the store.

The integration tests run against both stores: SQLite on a file in the test's folder, and
PostgreSQL in a fresh database of a real local server (storage.pg_server) that the test
session starts once. `query` and `execute` use a separate plain connection, so what they see
is what the database holds, not what the store believes.
"""

from __future__ import annotations

import itertools
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from storage import DatabaseStore, open_store
from storage.pg_server import LocalServer
from storage.postgres import postgres_sql

KINDS = ("sqlite", "postgresql")


class Backend(ABC):
    name: str
    url: str
    integrity_error: type[Exception]  # what the driver raises when a trigger refuses

    def open(self) -> DatabaseStore:
        return open_store(self.url)

    @abstractmethod
    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows as tuples; `?` placeholders on both."""

    @abstractmethod
    def execute(self, sql: str) -> None:
        """One statement in autocommit, outside any store."""

    @abstractmethod
    def tables(self) -> list[str]: ...

    def count(self, table: str) -> int:
        return int(self.query(f"SELECT count(*) FROM {table}")[0][0])

    def every_row(self) -> str:
        """Every value of every table, as text."""
        return "\n".join(
            " ".join(str(value) for value in row)
            for table in self.tables()
            for row in self.query(f"SELECT * FROM {table}")  # noqa: S608 - catalogue names
        )

    @abstractmethod
    def file_bytes(self) -> bytes:
        """What the database's files hold on disk (SQLite: file and WAL; PostgreSQL: every
        table, index and TOAST file of this database, after a CHECKPOINT)."""

    def close(self) -> None:  # noqa: B027 - only PostgreSQL holds a connection
        pass


class SqliteBackend(Backend):
    name = "sqlite"
    integrity_error = sqlite3.IntegrityError

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"  # path is absolute: four slashes in all

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(self.path)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def execute(self, sql: str) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            conn.execute(sql)
        finally:
            conn.close()

    def tables(self) -> list[str]:
        return [name for (name,) in self.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]

    def file_bytes(self) -> bytes:
        found = b""
        for path in (self.path, self.path.with_name(self.path.name + "-wal")):
            if path.exists():
                found += path.read_bytes()
        return found


class PostgresBackend(Backend):
    name = "postgresql"

    def __init__(self, server: LocalServer, dbname: str) -> None:
        import psycopg

        self.server = server
        self.dbname = dbname
        self.url = server.url(dbname)
        self.integrity_error = psycopg.errors.IntegrityError
        self._conn: Any = None

    def _connection(self) -> Any:
        if self._conn is None:
            self._conn = self.server.connect(self.dbname)
            self._conn.execute("SET TIME ZONE 'UTC'")
        return self._conn

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if not params:
            return self._connection().execute(sql).fetchall()
        return self._connection().execute(postgres_sql(sql), params).fetchall()

    def execute(self, sql: str) -> None:
        self._connection().execute(sql)

    def tables(self) -> list[str]:
        return [name for (name,) in self.query(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]

    def file_bytes(self) -> bytes:
        self.execute("CHECKPOINT")  # dirty pages reach the files
        data_dir = Path(self.query("SELECT current_setting('data_directory')")[0][0])
        paths = self.query(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class AS c"
            " JOIN pg_namespace AS n ON n.oid = c.relnamespace"
            " WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind IN ('r', 'i', 't')")
        found = b""
        for (relative,) in paths:
            for path in sorted(data_dir.glob(f"{relative}*")):  # segments, fsm, vm
                found += path.read_bytes()
        return found

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class PostgresDatabases:
    """The session's server and a migrated template every test database is copied from."""

    TEMPLATE = "charte_template"

    def __init__(self, server: LocalServer) -> None:
        self.server = server
        self._numbers = itertools.count(1)
        server.create_database(self.TEMPLATE)
        open_store(server.url(self.TEMPLATE)).close()  # migrated once

    @contextmanager
    def fresh(self, migrated: bool = True) -> Iterator[PostgresBackend]:
        """A new database (a copy of the migrated template, or empty), dropped afterwards."""
        name = f"test_{next(self._numbers)}"
        self.server.create_database(name, self.TEMPLATE if migrated else None)
        backend = PostgresBackend(self.server, name)
        try:
            yield backend
        finally:
            backend.close()
            self.server.drop_database(name)
