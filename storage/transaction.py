"""The transaction every repository method runs in: one connection, one lock, one `with`."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any, Self

from storage.errors import DatabaseBusy, StorageError, translate


class Transaction:
    """`with tx:` holds the store's lock and runs `BEGIN IMMEDIATE` … `COMMIT`/`ROLLBACK`.

    Every statement must run inside the `with` (reads too): a call outside raises
    RuntimeError, so nothing is ever written in autocommit by accident. The lock is
    re-entrant only to detect nesting, which is refused. The `with` belongs to the thread
    that entered it; another thread calling in waits for it to end, then gets RuntimeError.
    """

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock) -> None:
        self._conn = conn
        self._lock = lock
        self._active = False

    def __enter__(self) -> Self:
        self._lock.acquire()
        try:
            self._begin()
        except BaseException:
            self._lock.release()
            raise
        self._active = True
        return self

    def _begin(self) -> None:
        try:
            nested = self._active or self._conn.in_transaction
        except sqlite3.ProgrammingError as error:
            raise StorageError("the store is closed") from error
        if nested:
            raise RuntimeError("a unit of work is already open on this store (nested `with`)")
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise DatabaseBusy("the database stayed locked by another process") from error
            raise StorageError(f"cannot start a transaction: {error}") from error

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._active = False
            if exc_type is None:
                try:
                    self._conn.execute("COMMIT")
                except sqlite3.Error as error:
                    message = f"the transaction could not be committed: {error}"
                    raise StorageError(message) from error
            elif self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        finally:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            self._lock.release()

    # --- helpers for repositories ----------------------------------------------------------

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            if not self._active:
                raise RuntimeError(
                    "storage used outside a unit of work; use `with store.unit_of_work() as uow:`"
                )
            try:
                return self._conn.execute(sql, params)
            except sqlite3.IntegrityError as error:
                raise translate(error) from error

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._execute(sql, params).fetchall()

    def _row(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._execute(sql, params).fetchone()
            return row

    def _insert(self, sql: str, params: Iterable[Any]) -> int:
        cursor = self._execute(sql, tuple(params))
        assert cursor.lastrowid is not None
        return cursor.lastrowid
