"""The SQLite dialect and store: one file, WAL, `synchronous=FULL`, `secure_delete`."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from storage.connection import connect
from storage.dialect import Cursor, Dialect
from storage.errors import (
    ConstraintViolation,
    DatabaseBusy,
    Duplicate,
    SchemaVersionError,
    StorageError,
)
from storage.migrations import migrate
from storage.store import DatabaseStore
from storage.times import to_text


def translate(error: sqlite3.IntegrityError) -> ConstraintViolation:
    """Wrap an IntegrityError; SQLite's message names the table and columns, never values."""
    name = getattr(error, "sqlite_errorname", "SQLITE_CONSTRAINT")
    if name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"):
        return Duplicate(f"already exists: {error}", name)
    return ConstraintViolation(f"constraint failed: {error}", name)


class SqliteDialect(Dialect):
    name = "sqlite"
    ddl_words = {"id": "INTEGER PRIMARY KEY", "bigint": "INTEGER", "text": "TEXT", "time": "TEXT"}

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def begin(self, exclusive: bool = True) -> None:
        # One writer at a time is all SQLite has: every unit of work takes the write lock.
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.ProgrammingError as error:
            raise StorageError("the store is closed") from error
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise DatabaseBusy("the database stayed locked by another process") from error
            raise StorageError(f"cannot start a transaction: {error}") from error

    def commit(self) -> None:
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as error:
            raise StorageError(f"the transaction could not be committed: {error}") from error

    def rollback(self) -> None:
        if self.in_transaction():
            self._conn.execute("ROLLBACK")

    def in_transaction(self) -> bool:
        try:
            return self._conn.in_transaction
        except sqlite3.ProgrammingError as error:
            raise StorageError("the store is closed") from error

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        try:
            return self._conn.execute(sql, params)
        except sqlite3.IntegrityError as error:
            raise translate(error) from error

    def insert(self, sql: str, params: Sequence[Any]) -> int:
        cursor = self.execute(sql, params)
        assert isinstance(cursor, sqlite3.Cursor) and cursor.lastrowid is not None
        return cursor.lastrowid

    def time(self, value: datetime) -> str:
        return to_text(value)

    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def set_schema_version(self, version: int) -> None:
        self._conn.execute(f"PRAGMA user_version = {int(version)}")

    def read_schema_version(self) -> int:
        return self.schema_version()

    def check_foreign_keys(self, version: int) -> None:
        broken = self._conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise SchemaVersionError(
                f"migration to version {version} left {len(broken)} rows with a missing "
                f"parent (first: table {broken[0][0]}, rowid {broken[0][1]})"
            )

    def relax_foreign_keys(self) -> bool:
        """SQLite switches foreign keys only outside a transaction: end it first."""
        self.rollback()
        self._conn.execute("PRAGMA foreign_keys = OFF")
        return True

    def enforce_foreign_keys(self) -> None:
        self.rollback()
        self._conn.execute("PRAGMA foreign_keys = ON")

    @property
    def connection(self) -> sqlite3.Connection:
        return self._conn

    def after_erasure(self) -> None:
        """Fold the WAL into the main file and truncate it: with `secure_delete` on, the
        erased rows' pages were overwritten, and the WAL held the last copies."""
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with suppress(sqlite3.Error):
            self._conn.execute("PRAGMA optimize")
        self._conn.close()


class SqliteStore(DatabaseStore):
    """The embedded default: one SQLite file (or memory)."""

    def __init__(self, conn: sqlite3.Connection, path: Path | str) -> None:
        super().__init__(SqliteDialect(conn))
        self.path = path  # absolute Path, or ":memory:"


def open_sqlite(path: Path | str) -> SqliteStore:
    """Open (creating and migrating if needed) one SQLite file."""
    conn = connect(path)
    try:
        migrate(SqliteDialect(conn))
    except BaseException:
        conn.close()
        raise
    return SqliteStore(conn, path)
