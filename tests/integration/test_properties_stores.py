"""The properties of tests/unit/test_properties.py against the real stores: SQLite on files,
PostgreSQL in fresh databases of a real server.

Fewer examples than with the in-memory fake: every event is a real transaction (SQLite:
BEGIN IMMEDIATE … COMMIT, with an fsync). What is checked after each event is read back from
the database itself.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings

from storage import DatabaseStore, open_store
from tests.backends import PostgresDatabases
from tests.unit.test_properties import (
    SCENARIOS,
    AnswerRow,
    MemberRow,
    Snapshot,
    World,
    run_scenario,
)


def _tuples(found: list[Any]) -> list[tuple[Any, ...]]:
    """sqlite3.Row or psycopg's dict rows, as tuples in column order."""
    return [tuple(row.values()) if isinstance(row, dict) else tuple(row) for row in found]


def snapshot(store: DatabaseStore) -> Snapshot:
    with store.raw_transaction() as conn:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return _tuples(conn.execute(sql).fetchall())

        answers = rows(
            "SELECT id, alliance_id, organisation_id, member_id, phase, lever_id, position,"
            " comment, contribution, expectation, charter_version FROM answers ORDER BY id"
        )
        sessions = rows("SELECT person_id, state FROM sessions")
        walks = rows("SELECT member_id, state FROM walks")
        members = rows("SELECT id, person_id, alliance_id, organisation_id FROM members")
        people = rows("SELECT id, external_id FROM people")
    return Snapshot(
        answers=tuple(AnswerRow(*row) for row in answers),
        sessions={row[0]: json.loads(row[1]) for row in sessions},
        walks={row[0]: json.loads(row[1]) for row in walks},
        members={row[0]: MemberRow(row[1], row[2], row[3]) for row in members},
        people={row[1]: row[0] for row in people},
    )


def check_scenario(url: str, scenario: tuple[Any, ...]) -> None:
    n_people, warm, steps = scenario
    with open_store(url) as store:
        world = World(store, lambda: snapshot(store), n_people)
        run_scenario(world, warm, steps)
        before_reopen = world.snapshot()
    # Everything the person was told is stored is still there once the database is reopened.
    with open_store(url) as reopened:
        assert snapshot(reopened) == before_reopen


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=SCENARIOS)
def test_random_event_sequences_on_sqlite(tmp_path_factory, scenario):
    path = tmp_path_factory.mktemp("properties") / "charte.db"
    check_scenario(f"sqlite:///{path}", scenario)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=SCENARIOS)
def test_random_event_sequences_on_postgresql(pg_databases: PostgresDatabases, scenario):
    with pg_databases.fresh() as database:
        check_scenario(database.url, scenario)
