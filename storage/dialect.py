"""What differs between SQLite and PostgreSQL, behind one small interface.

Repositories (storage/alliances.py, answers.py…) write each query once, with `?` placeholders
and plain SQL both databases understand, and run it through the store's Dialect. The dialect
owns the connection and is the only code that knows:

- placeholders: `?` (SQLite) or `%s` (PostgreSQL; translated once per query text);
- the id of an inserted row: `cursor.lastrowid` or `RETURNING id`;
- rows: sqlite3.Row or psycopg's dict rows (both read as `row["column"]`; repositories never
  index rows by position);
- datetimes: UTC ISO 8601 text or timestamptz (`time()` makes the parameter, rows.py reads
  either back);
- transactions: `BEGIN IMMEDIATE` (the file's write lock) or `BEGIN` plus a database-wide
  advisory lock, so units of work are serialised across processes on both; a unit of work
  that only claims rows (`exclusive=False`) goes without the advisory lock on PostgreSQL and
  relies on row locks (`skip_locked`);
- a failed constraint: SQLite undoes the statement and keeps the transaction; PostgreSQL
  writes run inside a savepoint so they behave the same. Errors become storage.errors classes;
- the schema's bookkeeping (`PRAGMA user_version` or a `schema_version` table) and the few
  DDL words that differ (`ddl_words`, used by storage/migrations.py);
- after an erasure: WAL checkpoint (SQLite, with `secure_delete` on) or VACUUM (PostgreSQL).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Protocol

# A result row: sqlite3.Row or a dict, read by column name.
Row = Mapping[str, Any]


class Cursor(Protocol):
    """The part of a DB-API cursor repositories use (both drivers' cursors have it)."""

    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Dialect(ABC):
    """One open connection to one database, and how to talk to it."""

    name: ClassVar[str]  # "sqlite" or "postgresql"
    # Words substituted into the DDL of storage/migrations.py: {id}, {bigint}, {text}, {time}.
    ddl_words: ClassVar[Mapping[str, str]]
    # Ends a SELECT whose rows are about to be claimed: other transactions skip them
    # (PostgreSQL's FOR UPDATE SKIP LOCKED; SQLite has one writer at a time, so nothing).
    skip_locked: ClassVar[str] = ""

    # --- transactions ----------------------------------------------------------------------

    @abstractmethod
    def begin(self, exclusive: bool = True) -> None:
        """Start a transaction holding the database's write lock (DatabaseBusy if it stays
        taken); StorageError if the store is closed. `exclusive=False`: where the database
        allows it, without the database-wide lock (row locks only)."""

    @abstractmethod
    def commit(self) -> None:
        """StorageError if the commit fails."""

    @abstractmethod
    def rollback(self) -> None:
        """Roll back if a transaction is open; harmless otherwise."""

    @abstractmethod
    def in_transaction(self) -> bool:
        """StorageError if the store is closed."""

    # --- statements ------------------------------------------------------------------------

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        """Run one statement written with `?` placeholders; a broken constraint raises
        Duplicate or ConstraintViolation and leaves the transaction usable."""

    def execute_many(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[Cursor]:
        """Reads that do not depend on each other; a dialect may send them together
        (PostgreSQL: one round trip). One after the other, by default."""
        return [self.execute(sql, params) for sql, params in statements]

    def execute_then_write(self, read: tuple[str, Sequence[Any]],
                           write: tuple[str, Sequence[Any]]) -> tuple[Cursor, Cursor]:
        """A read, then a write that does not depend on it; a dialect may send both together
        (PostgreSQL: one round trip). The write behaves as `execute` does."""
        return self.execute(*read), self.execute(*write)

    @abstractmethod
    def insert(self, sql: str, params: Sequence[Any]) -> int:
        """Run one INSERT into a table with an `id` column; the new row's id."""

    @abstractmethod
    def time(self, value: datetime) -> Any:
        """A datetime as this database stores it; naive datetimes raise ValueError."""

    # --- schema ----------------------------------------------------------------------------

    @abstractmethod
    def schema_version(self) -> int:
        """How many migration steps were applied (inside the migration's transaction)."""

    @abstractmethod
    def read_schema_version(self) -> int:
        """The same, read only (inside any transaction): for health checks."""

    @abstractmethod
    def set_schema_version(self, version: int) -> None: ...

    def check_foreign_keys(self, version: int) -> None:  # noqa: B027 - optional hook
        """After a step on an existing database: SchemaVersionError if a row lost its parent.

        Only SQLite needs it (its foreign keys can have been off when old rows were written).
        """

    def relax_foreign_keys(self) -> bool:
        """For a step that rebuilds a table: end the open transaction and switch foreign keys
        off until `enforce_foreign_keys`; False (nothing done) where that is not needed."""
        return False

    def enforce_foreign_keys(self) -> None:  # noqa: B027 - optional hook
        """Switch foreign keys back on after `relax_foreign_keys` (outside a transaction)."""

    # --- the rest --------------------------------------------------------------------------

    @property
    @abstractmethod
    def connection(self) -> Any:
        """The driver's connection, for bulk tools (bench/seed.py) and tests."""

    @abstractmethod
    def after_erasure(self) -> None:
        """Outside any transaction: leave no copy of erased rows where the database can."""

    @abstractmethod
    def close(self) -> None: ...
