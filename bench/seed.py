"""Fill a database fast with realistic answers, for benchmarks (SQLite or PostgreSQL)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import repeat
from pathlib import Path
from typing import Any

from dialogues.core.domain import ORG_KINDS, PHASES
from storage import DatabaseStore, open_store
from storage.postgres import postgres_sql
from storage.times import to_text
from storage.url import is_postgres

# The 21 lever ids of charter.yaml (version 2021-11-30), in charter order.
DEFAULT_LEVER_IDS = (
    "respect-confiance",
    "odd-cadre-commun",
    "objectifs-partages",
    "complementarite",
    "decloisonnement",
    "territoires",
    "interet-general",
    "dialoguer",
    "partager",
    "experimenter",
    "capitaliser",
    "evaluer",
    "innover",
    "mutualiser",
    "donnees",
    "outils",
    "competences",
    "recherche",
    "valorisation",
    "gouvernance",
    "cadre-legislatif",
)
CHARTER_VERSION = "2021-11-30"
MEMBERS_PER_ALLIANCE = 20
ORGANISATIONS_PER_ALLIANCE = 4
PHASE_WEIGHTS = (5, 3, 2)  # more answers at launch than at the end
POSITION_CHOICES = (1, 2, 3, 4, None)
POSITION_WEIGHTS = (2, 4, 5, 3, 1)
START = datetime(2024, 1, 8, tzinfo=UTC)
COMMENTS = (
    "On se parle tous les mois, ça avance.",
    "Pas encore abordé entre partenaires.",
    "La collectivité porte le sujet, l’association suit.",
    "À revoir à mi-parcours.",
)


@dataclass(frozen=True, slots=True)
class SeedInfo:
    """Ids a benchmark needs: the seeded population and one member mid-walk."""

    n_answers: int
    alliance_ids: tuple[int, ...]
    member_ids: tuple[int, ...]
    lever_ids: tuple[str, ...]
    charter_version: str
    walk_member_id: int  # has a saved walk in walk_phase, levers before walk_index answered
    walk_person_id: int  # has a saved session pointing at walk_member_id
    walk_alliance_id: int
    walk_organisation_id: int
    walk_phase: str
    walk_index: int


def seed_answers(
    store_or_path: DatabaseStore | str | Path,
    n_answers: int,
    *,
    members: int = 1000,
    seed: int = 0,
    lever_ids: Sequence[str] = DEFAULT_LEVER_IDS,
    walk_state: Mapping[str, Any] | None = None,
) -> SeedInfo:
    """Add `members` members in alliances of 20 and `n_answers` answers, in one transaction.

    `store_or_path` is an open store, a `sqlite:` or `postgresql:` URL or a SQLite file path.
    The walk member's saved walk is `walk_state`, or by default a
    dialogues.state.WalkState-shaped dict at (mi-parcours, index 10). Works on a non-empty
    database (ids continue after existing ones).
    """
    if isinstance(store_or_path, DatabaseStore):
        return _seed(store_or_path, n_answers, members, seed, tuple(lever_ids), walk_state)
    text = str(store_or_path)
    if text.startswith("sqlite:") or is_postgres(text):
        url = text
    else:
        url = "sqlite:///" + str(Path(text).absolute())
    with open_store(url) as store:
        return _seed(store, n_answers, members, seed, tuple(lever_ids), walk_state)


def _seed(
    store: DatabaseStore,
    n_answers: int,
    n_members: int,
    seed: int,
    lever_ids: tuple[str, ...],
    walk_state: Mapping[str, Any] | None,
) -> SeedInfo:
    if n_members < 1 or not lever_ids:
        raise ValueError("seeding needs at least one member and one lever")
    rng = random.Random(seed)
    walk_phase, walk_index = PHASES[1], min(10, len(lever_ids))
    with store.raw_transaction() as conn:
        load = _PostgresLoader(conn) if store.dialect == "postgresql" else _SqliteLoader(conn)
        first = {
            table: load.next_id(table)
            for table in ("alliances", "organisations", "people", "members")
        }
        n_alliances = max(1, -(-n_members // MEMBERS_PER_ALLIANCE))
        alliance_ids = tuple(range(first["alliances"], first["alliances"] + n_alliances))
        load.rows(
            "alliances",
            ("id", "name", "start_at", "end_at", "mid_at", "invite_code", "timezone",
             "created_at"),
            (
                (
                    a,
                    f"Alliance {a}",
                    to_text(START),
                    to_text(START + timedelta(days=365)),
                    to_text(START + timedelta(days=182)),
                    f"BENCH-{a}-{seed}",
                    "Europe/Paris",
                    to_text(START),
                )
                for a in alliance_ids
            ),
        )
        orgs = {
            a: tuple(
                first["organisations"] + i * ORGANISATIONS_PER_ALLIANCE + k
                for k in range(ORGANISATIONS_PER_ALLIANCE)
            )
            for i, a in enumerate(alliance_ids)
        }
        load.rows(
            "organisations",
            ("id", "alliance_id", "name", "kind"),
            (
                (o, a, f"Organisation {o}", ORG_KINDS[k % len(ORG_KINDS)])
                for a in alliance_ids
                for k, o in enumerate(orgs[a])
            ),
        )
        # The last tenth of members are people already in an earlier alliance (coordinators of
        # several projects); everyone else is a new person.
        members: list[tuple[int, int, int, int, str, str]] = []
        people: list[int] = []
        taken: set[tuple[int, int]] = set()
        repeat_from = n_members - n_members // 10
        for i in range(n_members):
            alliance = alliance_ids[i // MEMBERS_PER_ALLIANCE]
            person = first["people"] + i - repeat_from
            if i < repeat_from or (person, alliance) in taken:
                person = first["people"] + len(people)
                people.append(person)
            taken.add((person, alliance))
            organisation = orgs[alliance][i % ORGANISATIONS_PER_ALLIANCE]
            role = "coordinator" if i % MEMBERS_PER_ALLIANCE == 0 else "partner"
            joined = to_text(START + timedelta(minutes=i))
            members.append((first["members"] + i, alliance, organisation, person, role, joined))
        load.rows(
            "people",
            ("id", "channel", "external_id", "display_name", "created_at"),
            ((p, "bench", f"{seed}-{p}", f"Personne {p}", to_text(START)) for p in people),
        )
        load.rows(
            "members",
            ("id", "alliance_id", "organisation_id", "person_id", "role", "joined_at"),
            members,
        )
        walk = members[len(members) // 2]
        # Rebuilding the answers indexes once after the load is faster than keeping them up
        # to date row by row; the transaction makes it invisible to readers.
        indexes = load.drop_indexes("answers")
        load.rows(
            "answers",
            ("alliance_id", "organisation_id", "member_id", "phase", "lever_id", "position",
             "comment", "contribution", "expectation", "charter_version", "answered_at"),
            _answers(rng, n_answers, members, lever_ids, walk[0], walk_phase, walk_index),
        )
        for sql in indexes:
            load.execute(sql)
        state = dict(walk_state) if walk_state is not None else _walk_state(walk_phase, walk_index)
        load.execute(
            "INSERT INTO walks (member_id, state, updated_at) VALUES (?, ?, ?)",
            (walk[0], _json(state), to_text(START)),
        )
        load.execute(
            "INSERT INTO sessions (person_id, state, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (person_id) DO UPDATE SET state = excluded.state",
            (walk[3], _json({"form": None, "member_id": walk[0]}), to_text(START)),
        )
        load.finish()
    return SeedInfo(
        n_answers=n_answers,
        alliance_ids=alliance_ids,
        member_ids=tuple(m[0] for m in members),
        lever_ids=lever_ids,
        charter_version=CHARTER_VERSION,
        walk_member_id=walk[0],
        walk_person_id=walk[3],
        walk_alliance_id=walk[1],
        walk_organisation_id=walk[2],
        walk_phase=walk_phase,
        walk_index=walk_index,
    )


def _answers(
    rng: random.Random,
    n: int,
    members: list[tuple[int, int, int, int, str, str]],
    lever_ids: tuple[str, ...],
    walk_member: int,
    walk_phase: str,
    walk_index: int,
) -> Iterator[tuple[Any, ...]]:
    """Answers spread over members, phases and levers, one second apart, oldest first.

    Built column by column (rng.choices, comprehensions, zip) because a Python loop per row
    would cost more than SQLite's insert.
    """
    picked = rng.choices(members, k=n)
    phases = rng.choices(PHASES, weights=PHASE_WEIGHTS, k=n)
    levers = rng.choices(lever_ids, k=n)
    # The walk member has finished launch and is part-way through walk_phase.
    allowed = set(lever_ids[:walk_index])
    for k in [k for k, m in enumerate(picked) if m[0] == walk_member]:
        if not (phases[k] == PHASES[0] or (phases[k] == walk_phase and levers[k] in allowed)):
            phases[k] = PHASES[0]
    silent: tuple[None, ...] = (None,) * 4
    days = [(START + timedelta(days=d)).strftime("%Y-%m-%dT") for d in range(n // 86400 + 1)]
    clock = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000000+00:00" for s in range(86400)]
    return zip(
        [m[1] for m in picked],
        [m[2] for m in picked],
        [m[0] for m in picked],
        phases,
        levers,
        rng.choices(POSITION_CHOICES, weights=POSITION_WEIGHTS, k=n),
        rng.choices((*COMMENTS, *silent), k=n),
        rng.choices((*COMMENTS, *silent * 6), k=n),
        rng.choices((*COMMENTS, *silent * 9), k=n),
        repeat(CHARTER_VERSION, n),
        [days[k // 86400] + clock[k % 86400] for k in range(n)],
        strict=True,
    )


def _walk_state(phase: str, index: int) -> dict[str, Any]:
    return {
        "draft": None,
        "index": index,
        "paused": False,
        "pending": None,
        "phase": phase,
        "step": 0,
    }


def _json(state: Mapping[str, Any]) -> str:
    return json.dumps(dict(state), ensure_ascii=False, sort_keys=True, allow_nan=False)


class _SqliteLoader:
    """Bulk writes on a sqlite3 connection: executemany."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def next_id(self, table: str) -> int:
        return int(self.conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
                   .fetchone()[0])

    def rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        marks = ", ".join("?" * len(columns))
        self.conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def drop_indexes(self, table: str) -> list[str]:
        """Drop the table's indexes (not those of its constraints); their CREATE statements."""
        found = self.conn.execute(
            "SELECT name, sql FROM sqlite_master"
            " WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,)).fetchall()
        for name, _sql in found:
            self.conn.execute(f'DROP INDEX "{name}"')
        return [sql for _name, sql in found]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(sql, params)

    def finish(self) -> None:
        pass


class _PostgresLoader:
    """Bulk writes on a psycopg connection: COPY, then the identity sequences moved past the
    ids written explicitly, and fresh planner statistics."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.tables: set[str] = set()

    def next_id(self, table: str) -> int:
        row = self.conn.execute(f"SELECT coalesce(max(id), 0) + 1 AS n FROM {table}").fetchone()
        return int(row["n"])

    def rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        self.tables.add(table)
        with self.conn.cursor() as cursor, cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)

    def drop_indexes(self, table: str) -> list[str]:
        found = self.conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes AS i"
            " WHERE i.schemaname = current_schema() AND i.tablename = %s"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conname = i.indexname)",
            (table,)).fetchall()
        for row in found:
            self.conn.execute(f'DROP INDEX "{row["indexname"]}"')
        return [row["indexdef"] for row in found]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(postgres_sql(sql), params)

    def finish(self) -> None:
        for table in sorted(self.tables):
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
        self.conn.execute(f"ANALYZE {', '.join(sorted(self.tables))}")
