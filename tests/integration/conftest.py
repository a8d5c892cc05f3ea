"""Fixtures for the tests that run against both stores (see tests/backends.py); the
session's PostgreSQL server (`pg_databases`) is in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends import KINDS, Backend, PostgresDatabases, SqliteBackend


@pytest.fixture(params=KINDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A new, migrated-on-open database of each kind."""
    if request.param == "sqlite":
        yield SqliteBackend(tmp_path / "charte.db")
        return
    databases: PostgresDatabases = request.getfixturevalue("pg_databases")
    with databases.fresh() as fresh:
        yield fresh


@pytest.fixture(params=KINDS)
def empty_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A database of each kind with no schema yet (for the migration tests)."""
    if request.param == "sqlite":
        yield SqliteBackend(tmp_path / "charte.db")
        return
    databases: PostgresDatabases = request.getfixturevalue("pg_databases")
    with databases.fresh(migrated=False) as fresh:
        yield fresh
