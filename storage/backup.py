"""`charte-bot backup PATH`: a consistent copy of the SQLite database while the bot runs.

SQLite's online backup API (`sqlite3.Connection.backup`) copies every page inside one read
transaction: in WAL mode the bot keeps writing meanwhile (into the WAL), and the copy is the
database exactly as it was when the copy began. The copy is written next to PATH under a
temporary name, switched to a single file (journal_mode DELETE: no -wal beside it), checked
(`PRAGMA integrity_check`), then renamed to PATH: PATH is never a half-written file.

PostgreSQL has its own tool for this: pg_dump (see README).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

from storage.errors import StorageError


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    schema_version: int
    alliances: int
    answers: int
    size: int  # bytes


def backup_sqlite(source: Path, target: Path) -> BackupReport:
    """Copy the database file `source` to `target` (which must not exist yet)."""
    if not source.is_file():
        raise StorageError(f"no database at {source}")
    if target.exists():
        raise StorageError(f"{target} already exists: choose a new name for each backup")
    if not target.parent.is_dir():
        raise StorageError(f"the folder {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.partial")
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
            src.execute("PRAGMA busy_timeout = 5000")
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
            (check,) = dst.execute("PRAGMA integrity_check").fetchone()
            if check != "ok":
                raise StorageError(f"the copy failed its integrity check: {check}")
            version = int(dst.execute("PRAGMA user_version").fetchone()[0])
            alliances = int(dst.execute("SELECT count(*) FROM alliances").fetchone()[0])
            answers = int(dst.execute("SELECT count(*) FROM answers").fetchone()[0])
        os.replace(partial, target)
    except sqlite3.Error as error:
        raise StorageError(f"the backup failed: {error}") from error
    finally:
        with suppress(FileNotFoundError):
            partial.unlink()
    return BackupReport(target, version, alliances, answers, target.stat().st_size)
