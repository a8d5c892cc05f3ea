"""SQLite adapter implementing dialogues.ports; the only package that talks SQL."""

from storage.errors import (
    ConstraintViolation,
    DatabaseBusy,
    DatabaseUrlError,
    Duplicate,
    SchemaVersionError,
    StorageError,
)
from storage.migrations import CURRENT_VERSION, LEGACY_CHARTER_VERSION
from storage.sqlite import SqliteStore, open_store
from storage.unit_of_work import SqliteUnitOfWork

__all__ = [
    "CURRENT_VERSION",
    "LEGACY_CHARTER_VERSION",
    "ConstraintViolation",
    "DatabaseBusy",
    "DatabaseUrlError",
    "Duplicate",
    "SchemaVersionError",
    "SqliteStore",
    "SqliteUnitOfWork",
    "StorageError",
    "open_store",
]
