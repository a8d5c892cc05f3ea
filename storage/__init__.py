"""Storage adapters implementing dialogues.ports (SQLite, PostgreSQL); the only package that
talks SQL."""

from storage.errors import (
    ConstraintViolation,
    DatabaseBusy,
    DatabaseUrlError,
    Duplicate,
    SchemaVersionError,
    StorageError,
)
from storage.migrations import CURRENT_VERSION, LEGACY_CHARTER_VERSION
from storage.sqlite import SqliteStore
from storage.store import DatabaseStore, open_store
from storage.unit_of_work import DatabaseUnitOfWork

__all__ = [
    "CURRENT_VERSION",
    "LEGACY_CHARTER_VERSION",
    "ConstraintViolation",
    "DatabaseBusy",
    "DatabaseStore",
    "DatabaseUnitOfWork",
    "DatabaseUrlError",
    "Duplicate",
    "SchemaVersionError",
    "SqliteStore",
    "StorageError",
    "open_store",
]
