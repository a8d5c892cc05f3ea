"""Errors the SQLite adapter raises on purpose; all are CharteError subclasses."""

from __future__ import annotations

import sqlite3

from dialogues.core.errors import CharteError


class StorageError(CharteError):
    """The database cannot be opened or used."""


class DatabaseUrlError(StorageError):
    """The database URL is not one this adapter understands."""


class SchemaVersionError(StorageError):
    """The file's schema is newer than this code, or a migration failed its checks."""


class DatabaseBusy(StorageError):
    """Another process held the write lock longer than the busy timeout."""


class ConstraintViolation(StorageError):
    """A write broke a constraint (missing parent row, bad value, append-only rule)."""

    def __init__(self, message: str, constraint: str) -> None:
        super().__init__(message)
        self.constraint = constraint  # SQLite's error name, e.g. SQLITE_CONSTRAINT_FOREIGNKEY


class Duplicate(ConstraintViolation):
    """A UNIQUE rule was broken: invite code, person twice in an alliance, org name…"""


def translate(error: sqlite3.IntegrityError) -> ConstraintViolation:
    """Wrap an IntegrityError; SQLite's message names the table and columns, never values."""
    name = getattr(error, "sqlite_errorname", "SQLITE_CONSTRAINT")
    if name in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"):
        return Duplicate(f"already exists: {error}", name)
    return ConstraintViolation(f"constraint failed: {error}", name)
