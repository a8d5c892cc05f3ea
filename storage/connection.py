"""Opening one SQLite connection with the settings the bot's durability promise needs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage.errors import StorageError
from storage.url import MEMORY

BUSY_TIMEOUT_MS = 5000

# WAL + synchronous=FULL: every COMMIT fsyncs the WAL, so a confirmed answer survives a
# power loss or OS crash, not only a killed process (NORMAL would only promise the latter).
PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous = FULL",
    # Erased personal data is overwritten on disk, not just unlinked from the b-tree.
    "PRAGMA secure_delete = ON",
)


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL on for files."""
    if path != MEMORY:
        assert isinstance(path, Path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageError(f"cannot create the folder {path.parent}: {error}") from error
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as error:
        raise StorageError(f"cannot open the database {path}: {error}") from error
    try:
        conn.row_factory = sqlite3.Row
        for pragma in PRAGMAS:
            conn.execute(pragma)
        if path != MEMORY:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StorageError(f"the database {path} refused WAL mode (got {mode!r})")
    except sqlite3.DatabaseError as error:
        conn.close()
        raise StorageError(f"cannot use the database {path}: {error}") from error
    except BaseException:
        conn.close()
        raise
    return conn
