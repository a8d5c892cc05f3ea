"""The SQLite store: one connection, one lock, units of work over it."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Self

from storage.connection import connect
from storage.errors import DatabaseUrlError
from storage.migrations import migrate
from storage.transaction import Transaction
from storage.unit_of_work import SqliteUnitOfWork
from storage.url import ENV_VAR, database_path, resolve_url


class SqliteStore:
    """Satisfies dialogues.ports.Store; safe to share between threads (one `with` at a time)."""

    def __init__(self, conn: sqlite3.Connection, path: Path | str) -> None:
        self.path = path  # absolute Path, or ":memory:"
        self._conn = conn
        self._lock = threading.RLock()
        self._closed = False

    def unit_of_work(self) -> SqliteUnitOfWork:
        return SqliteUnitOfWork(self._conn, self._lock)

    @contextmanager
    def raw_transaction(self) -> Iterator[sqlite3.Connection]:
        """The bare connection inside BEGIN IMMEDIATE…COMMIT, for bulk tools (bench/seed.py).

        No validation happens here: whoever writes must respect the schema's conventions
        (UTC ISO 8601 text datetimes, JSON states, append-only answers).
        """
        with Transaction(self._conn, self._lock):
            yield self._conn

    def checkpoint(self) -> None:
        """Fold the WAL into the main file and truncate it (after an erasure: no old copies)."""
        with self._lock:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Wait for any open unit of work, then close; closing twice is harmless."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            with suppress(sqlite3.Error):
                self._conn.execute("PRAGMA optimize")
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_store(url: str | None = None) -> SqliteStore:
    """Open (creating and migrating if needed) the database named by a sqlite URL.

    `url` None means $CHARTE_DATABASE_URL, else `sqlite:///data/charte.db` under the current
    directory. See storage.url for the accepted forms.
    """
    try:
        path = database_path(resolve_url(url))
    except DatabaseUrlError as error:
        if url is None:  # say where the bad value came from
            raise DatabaseUrlError(f"{ENV_VAR}: {error}") from error
        raise
    conn = connect(path)
    try:
        migrate(conn)
    except BaseException:
        conn.close()
        raise
    return SqliteStore(conn, path)
