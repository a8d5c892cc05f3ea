"""The transaction every repository method runs in: one connection, one lock, one `with`."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from storage.dialect import Cursor, Dialect, Row


class Transaction:
    """`with tx:` holds the store's lock and runs one database transaction.

    The transaction takes the database's write lock at its start (SQLite: BEGIN IMMEDIATE;
    PostgreSQL: an advisory lock), so units of work never interleave, in this process or
    another. `exclusive=False` (PostgreSQL only): no database-wide lock, for units of work
    whose writes are single-row claims made safe by row locks (storage/claims.py).

    Every statement must run inside the `with` (reads too): a call outside raises
    RuntimeError, so nothing is ever written in autocommit by accident. The lock is
    re-entrant only to detect nesting, which is refused. The `with` belongs to the thread
    that entered it; another thread calling in waits for it to end, then gets RuntimeError.
    """

    def __init__(self, db: Dialect, lock: threading.RLock, exclusive: bool = True) -> None:
        self._db = db
        self._lock = lock
        self._exclusive = exclusive
        self._active = False

    def __enter__(self) -> Self:
        self._lock.acquire()
        try:
            if self._active or self._db.in_transaction():
                raise RuntimeError("a unit of work is already open on this store (nested `with`)")
            self._db.begin(self._exclusive)
        except BaseException:
            self._lock.release()
            raise
        self._active = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._active = False
            if exc_type is None:
                self._db.commit()
            else:
                self._db.rollback()
        finally:
            self._db.rollback()  # a failed COMMIT leaves nothing open
            self._lock.release()

    # --- helpers for repositories ----------------------------------------------------------

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        with self._lock:
            if not self._active:
                raise RuntimeError(
                    "storage used outside a unit of work; use `with store.unit_of_work() as uow:`"
                )
            return self._db.execute(sql, params)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._lock:
            return self._execute(sql, params).fetchall()

    def _rows_of_each(self, statements: Sequence[tuple[str, Sequence[Any]]]
                      ) -> list[list[Row]]:
        """Reads that do not depend on each other, sent together where the database allows
        (PostgreSQL: one round trip); the rows of each."""
        with self._lock:
            if not self._active:
                raise RuntimeError(
                    "storage used outside a unit of work; use `with store.unit_of_work() as uow:`"
                )
            return [cursor.fetchall() for cursor in self._db.execute_many(statements)]

    def _rows_then_write(self, read: tuple[str, Sequence[Any]], write: tuple[str, Sequence[Any]]
                         ) -> tuple[list[Row], int]:
        """A read, then a write that does not depend on it, sent together where the database
        allows (PostgreSQL: one round trip): the rows read and the rows written."""
        with self._lock:
            if not self._active:
                raise RuntimeError(
                    "storage used outside a unit of work; use `with store.unit_of_work() as uow:`"
                )
            found, written = self._db.execute_then_write(read, write)
            return found.fetchall(), written.rowcount

    def _row(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        with self._lock:
            row: Row | None = self._execute(sql, params).fetchone()
            return row

    def _insert(self, sql: str, params: Sequence[Any]) -> int:
        with self._lock:
            if not self._active:
                raise RuntimeError(
                    "storage used outside a unit of work; use `with store.unit_of_work() as uow:`"
                )
            return self._db.insert(sql, tuple(params))

    def _time(self, value: datetime) -> Any:
        """A datetime parameter as the database stores it (naive: ValueError)."""
        return self._db.time(value)

    def _now(self) -> Any:
        return self._db.time(datetime.now(UTC))
