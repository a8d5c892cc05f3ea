"""A store over one connection: units of work, one at a time, for either database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self

from storage.dialect import Dialect
from storage.errors import DatabaseUrlError
from storage.transaction import Transaction
from storage.unit_of_work import DatabaseUnitOfWork
from storage.url import ENV_VAR, database_path, is_postgres, resolve_url


class DatabaseStore:
    """Satisfies dialogues.ports.Store; safe to share between threads (one `with` at a time)."""

    def __init__(self, db: Dialect) -> None:
        self._db = db
        self._lock = threading.RLock()
        self._closed = False

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql"."""
        return self._db.name

    def unit_of_work(self, exclusive: bool = True) -> DatabaseUnitOfWork:
        """`exclusive=False` for the jobs' claims: see storage.transaction.Transaction."""
        return DatabaseUnitOfWork(self._db, self._lock, exclusive)

    def schema_version(self) -> int:
        """How many schema steps the database has (a read that also proves it answers)."""
        with Transaction(self._db, self._lock, exclusive=False):
            return self._db.read_schema_version()

    @contextmanager
    def raw_transaction(self) -> Iterator[Any]:
        """The driver's connection inside one transaction, for bulk tools (bench/seed.py).

        No validation happens here: whoever writes must respect the schema's conventions
        (UTC datetimes, JSON states, append-only answers) and the dialect's placeholders.
        """
        with Transaction(self._db, self._lock):
            yield self._db.connection

    def checkpoint(self) -> None:
        """After an erasure (committed): no copy of the erased rows left where the database
        can remove it (SQLite: the WAL; PostgreSQL: dead row versions, see storage/postgres)."""
        with self._lock:
            self._db.after_erasure()

    def close(self) -> None:
        """Wait for any open unit of work, then close; closing twice is harmless."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_store(url: str | None = None) -> DatabaseStore:
    """Open (creating and migrating if needed) the database a URL names.

    `url` None means $CHARTE_DATABASE_URL, else `sqlite:///data/charte.db` under the current
    directory. `sqlite:` URLs give a SqliteStore, `postgresql:` (or `postgres:`) ones a
    PostgresStore; see storage.url for the accepted forms.
    """
    resolved = resolve_url(url)
    try:
        if is_postgres(resolved):
            from storage.postgres import check_url, open_postgres

            check_url(resolved)
            return open_postgres(resolved)
        path = database_path(resolved)
    except DatabaseUrlError as error:
        if url is None:  # say where the bad value came from
            raise DatabaseUrlError(f"{ENV_VAR}: {error}") from error
        raise
    from storage.sqlite import open_sqlite

    return open_sqlite(path)
