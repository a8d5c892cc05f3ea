"""Errors the storage adapters raise on purpose; all are CharteError subclasses."""

from __future__ import annotations

from dialogues.core.errors import CharteError


class StorageError(CharteError):
    """The database cannot be opened or used."""


class DatabaseUrlError(StorageError):
    """The database URL is not one this adapter understands."""


class SchemaVersionError(StorageError):
    """The database's schema is newer than this code, or a migration failed its checks."""


class DatabaseBusy(StorageError):
    """Another process held the write lock longer than the busy timeout."""


class ConstraintViolation(StorageError):
    """A write broke a constraint (missing parent row, bad value, append-only rule)."""

    def __init__(self, message: str, constraint: str) -> None:
        super().__init__(message)
        # The driver's name for the failure: SQLite's error name (SQLITE_CONSTRAINT_FOREIGNKEY)
        # or psycopg's error class (ForeignKeyViolation).
        self.constraint = constraint


class Duplicate(ConstraintViolation):
    """A UNIQUE rule was broken: invite code, person twice in an alliance, org name…"""

