"""Fixtures shared by the integration and end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage.pg_server import FAST, SEARCHED, find_bin_dir, start
from tests.backends import PostgresDatabases


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PostgresDatabases]:
    """One real PostgreSQL server for the whole session, in a temporary folder."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip(f"PostgreSQL tests skipped: no server binaries (initdb, pg_ctl) in {SEARCHED}")
    server = start(bin_dir, settings=FAST)
    try:
        yield PostgresDatabases(server)
    finally:
        server.stop()
