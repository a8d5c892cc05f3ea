"""The properties of tests/unit/test_properties.py against the real SQLite store, on files.

Fewer examples than with the in-memory fake: every event is a real transaction (BEGIN
IMMEDIATE … COMMIT, with an fsync). What is checked after each event is read back from the
database file itself.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings

from storage import SqliteStore, open_store
from tests.unit.test_properties import (
    SCENARIOS,
    AnswerRow,
    MemberRow,
    Snapshot,
    World,
    run_scenario,
)


def sqlite_snapshot(store: SqliteStore) -> Snapshot:
    with store.raw_transaction() as conn:
        answers = conn.execute(
            "SELECT id, alliance_id, organisation_id, member_id, phase, lever_id, position,"
            " comment, contribution, expectation, charter_version FROM answers ORDER BY id"
        ).fetchall()
        sessions = conn.execute("SELECT person_id, state FROM sessions").fetchall()
        walks = conn.execute("SELECT member_id, state FROM walks").fetchall()
        members = conn.execute(
            "SELECT id, person_id, alliance_id, organisation_id FROM members").fetchall()
        people = conn.execute("SELECT id, external_id FROM people").fetchall()
    return Snapshot(
        answers=tuple(AnswerRow(*row) for row in answers),
        sessions={row[0]: json.loads(row[1]) for row in sessions},
        walks={row[0]: json.loads(row[1]) for row in walks},
        members={row[0]: MemberRow(row[1], row[2], row[3]) for row in members},
        people={row[1]: row[0] for row in people},
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=SCENARIOS)
def test_random_event_sequences_on_sqlite(tmp_path_factory, scenario):
    n_people, warm, steps = scenario
    path = tmp_path_factory.mktemp("properties") / "charte.db"
    with open_store(f"sqlite:///{path}") as store:
        world = World(store, lambda: sqlite_snapshot(store), n_people)
        run_scenario(world, warm, steps)
        before_reopen = world.snapshot()
    # Everything the person was told is stored is still there once the file is reopened.
    with open_store(f"sqlite:///{path}") as reopened:
        assert sqlite_snapshot(reopened) == before_reopen
