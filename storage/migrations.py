"""Numbered schema steps; `PRAGMA user_version` is the number of steps applied.

A new file runs every step from 1, so a fresh schema and a migrated one are the same by
construction. Never edit a released step: append a new one. Steps run inside one
`BEGIN IMMEDIATE` transaction with foreign keys on; a step that must rebuild a table
would need foreign keys switched off outside the transaction first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from storage.errors import SchemaVersionError

# Answers recorded before version 2 did not say which charter text they answered.
LEGACY_CHARTER_VERSION = "inconnue"


def _literal(text: str) -> str:
    """An SQL string literal (DDL cannot take bound parameters)."""
    return "'" + text.replace("'", "''") + "'"


# Version 1 (frozen: files in the wild have exactly this shape): answers had a single
# free-text `comment`, no charter version, and a plain (member_id, phase) index.
V1 = (
    """CREATE TABLE people (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        external_id TEXT NOT NULL,
        display_name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (channel, external_id)
    )""",
    """CREATE TABLE alliances (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        start_at TEXT NOT NULL,
        end_at TEXT NOT NULL,
        mid_at TEXT NOT NULL,
        invite_code TEXT NOT NULL UNIQUE,
        timezone TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE organisations (
        id INTEGER PRIMARY KEY,
        alliance_id INTEGER NOT NULL REFERENCES alliances (id),
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        UNIQUE (alliance_id, name COLLATE NOCASE),
        UNIQUE (id, alliance_id)
    )""",
    """CREATE TABLE members (
        id INTEGER PRIMARY KEY,
        alliance_id INTEGER NOT NULL REFERENCES alliances (id),
        organisation_id INTEGER NOT NULL,
        person_id INTEGER NOT NULL REFERENCES people (id),
        role TEXT NOT NULL,
        joined_at TEXT NOT NULL,
        UNIQUE (alliance_id, person_id),
        UNIQUE (id, organisation_id, alliance_id),
        FOREIGN KEY (organisation_id, alliance_id) REFERENCES organisations (id, alliance_id)
    )""",
    "CREATE INDEX members_by_person ON members (person_id, joined_at)",
    """CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        alliance_id INTEGER NOT NULL,
        organisation_id INTEGER NOT NULL,
        member_id INTEGER NOT NULL,
        phase TEXT NOT NULL CHECK (phase IN ('lancement', 'mi-parcours', 'fin')),
        lever_id TEXT NOT NULL,
        position INTEGER CHECK (position BETWEEN 1 AND 4),
        comment TEXT,
        answered_at TEXT NOT NULL,
        FOREIGN KEY (member_id, organisation_id, alliance_id)
            REFERENCES members (id, organisation_id, alliance_id)
    )""",
    "CREATE INDEX answers_by_member_phase ON answers (member_id, phase)",
    """CREATE TABLE sessions (
        person_id INTEGER PRIMARY KEY REFERENCES people (id),
        state TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE walks (
        member_id INTEGER PRIMARY KEY REFERENCES members (id),
        state TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
)

# Version 2: answers gain contribution, expectation and charter_version (existing rows get
# LEGACY_CHARTER_VERSION through the column default, so no row is rewritten); the latest
# answer per (member, phase, lever) is found from a covering index; triggers make answers
# append-only.
V2 = (
    "ALTER TABLE answers ADD COLUMN contribution TEXT",
    "ALTER TABLE answers ADD COLUMN expectation TEXT",
    "ALTER TABLE answers ADD COLUMN charter_version TEXT NOT NULL"
    f" DEFAULT {_literal(LEGACY_CHARTER_VERSION)}",
    "DROP INDEX answers_by_member_phase",
    "CREATE INDEX answers_latest ON answers (member_id, phase, lever_id, id)",
    """CREATE TRIGGER answers_no_update BEFORE UPDATE ON answers
    BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END""",
    """CREATE TRIGGER answers_no_delete BEFORE DELETE ON answers
    BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END""",
)

# Version 3: alliance settings: anonymous summaries, and a linked Telegram group.
V3 = (
    "ALTER TABLE alliances ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0"
    " CHECK (anonymous IN (0, 1))",
    "ALTER TABLE alliances ADD COLUMN group_chat_id INTEGER",
)

# Version 4: reminders (the database, not the scheduler, is the truth) and, per member,
# whether nudges are wanted and whether Telegram can still reach them.
V4 = (
    """CREATE TABLE reminders (
        id INTEGER PRIMARY KEY,
        alliance_id INTEGER NOT NULL REFERENCES alliances (id),
        member_id INTEGER NOT NULL REFERENCES members (id),
        kind TEXT NOT NULL CHECK (kind IN ('phase', 'nudge')),
        phase TEXT NOT NULL CHECK (phase IN ('lancement', 'mi-parcours', 'fin')),
        seq INTEGER NOT NULL DEFAULT 0,
        due_at TEXT NOT NULL,
        sent_at TEXT,
        cancelled_at TEXT,
        UNIQUE (member_id, kind, phase, seq)
    )""",
    "CREATE INDEX reminders_pending ON reminders (due_at) WHERE sent_at IS NULL"
    " AND cancelled_at IS NULL",
    "ALTER TABLE members ADD COLUMN nudges_off INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE members ADD COLUMN unreachable_at TEXT",
)

# Version 5: people come and go. A member who leaves keeps their organisation's answers but is
# detached from the person (left_at); alliances can be archived, then deleted after a
# retention period. Answers stay append-only except for a listed erasure (a person's right
# to erasure, or an alliance past its retention): the trigger checks `deletions` first.
V5 = (
    "ALTER TABLE members ADD COLUMN left_at TEXT",
    "ALTER TABLE alliances ADD COLUMN archived_at TEXT",
    "ALTER TABLE alliances ADD COLUMN retention_warned_at TEXT",
    """CREATE TABLE deletions (
        kind TEXT NOT NULL CHECK (kind IN ('member', 'alliance')),
        ref INTEGER NOT NULL,
        PRIMARY KEY (kind, ref)
    )""",
    "DROP TRIGGER answers_no_delete",
    """CREATE TRIGGER answers_no_delete BEFORE DELETE ON answers
    WHEN NOT EXISTS (SELECT 1 FROM deletions WHERE (kind = 'member' AND ref = OLD.member_id)
                     OR (kind = 'alliance' AND ref = OLD.alliance_id))
    BEGIN SELECT RAISE(ABORT, 'answers are append-only'); END""",
)

Step = Callable[[sqlite3.Connection], None]


def _script(statements: tuple[str, ...]) -> Step:
    def run(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return run


# Step n (1-based) brings a file from version n-1 to version n.
STEPS: tuple[Step, ...] = (
    _script(V1), _script(V2), _script(V3), _script(V4), _script(V5),
)
CURRENT_VERSION = len(STEPS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, steps: tuple[Step, ...] = STEPS) -> int:
    """Apply the missing steps in one transaction; return the version found before."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = schema_version(conn)
        if found > len(steps):
            raise SchemaVersionError(
                f"the database file has schema version {found} but this program only knows "
                f"versions up to {len(steps)}; upgrade charte-bot before opening it"
            )
        for number in range(found + 1, len(steps) + 1):
            steps[number - 1](conn)
            conn.execute(f"PRAGMA user_version = {number}")
        if found < len(steps) and found > 0:
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise SchemaVersionError(
                    f"migration from version {found} left {len(broken)} rows with a missing "
                    f"parent (first: table {broken[0][0]}, rowid {broken[0][1]})"
                )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return found
