"""Database URLs.

SQLite: `sqlite:///relative.db`, `sqlite:////absolute.db`, `sqlite:///:memory:`.
PostgreSQL: `postgresql://user:password@host:port/dbname` (or `postgres://`), with libpq's
query parameters, e.g. `postgresql://charte@/charte?host=/var/run/postgresql` for a unix socket.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from storage.errors import DatabaseUrlError

ENV_VAR = "CHARTE_DATABASE_URL"
DEFAULT_PATH = Path("data") / "charte.db"  # relative to the current working directory
MEMORY = ":memory:"
_PREFIX = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def resolve_url(url: str | None = None) -> str:
    """The URL to use: the argument, else $CHARTE_DATABASE_URL, else data/charte.db."""
    if url is None:
        url = os.environ.get(ENV_VAR) or None
    if url is None:
        return _PREFIX + str(Path.cwd() / DEFAULT_PATH)
    return url


def is_postgres(url: str) -> bool:
    return url.startswith(POSTGRES_SCHEMES)


def database_path(url: str) -> Path | str:
    """Absolute file path of a sqlite URL, or MEMORY (SQLAlchemy's slash convention).

    Three slashes then a relative path (relative to the current directory), four slashes
    for an absolute path. Error messages name the scheme only: a URL may hold a password.
    """
    if url in ("sqlite://", _PREFIX + MEMORY):
        return MEMORY
    if not url.startswith(_PREFIX):
        scheme = re.match(r"[A-Za-z][A-Za-z0-9+.-]{0,30}(?=:)", url)
        shown = f"scheme {scheme.group(0)!r}" if scheme else "this value"
        raise DatabaseUrlError(
            f"unsupported database URL ({shown}); expected sqlite:///relative/path.db, "
            f"sqlite:////absolute/path.db or postgresql://user@host/dbname"
        )
    rest = url[len(_PREFIX) :]
    if not rest or rest.endswith("/"):
        raise DatabaseUrlError("the sqlite database URL names no file; expected sqlite:///x.db")
    if "?" in rest or "#" in rest:
        raise DatabaseUrlError("query parameters are not supported in the sqlite database URL")
    path = Path(rest)
    return path if path.is_absolute() else Path.cwd() / path
