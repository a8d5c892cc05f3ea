"""A throwaway local PostgreSQL server, for tests and benchmarks (the bot never uses it).

    server = start()                      # initdb + pg_ctl start in a new temporary folder
    server.create_database("charte")
    open_store(server.url("charte"))      # postgresql://postgres@/charte?host=<socket dir>
    server.stop()                         # stops it and removes the folder

The server listens on a unix socket in its own folder only (`listen_addresses = ''`), trusts
local connections, and runs with the C locale. The binaries are looked up on PATH, then in
/usr/lib/postgresql/<version>/bin (Debian, Ubuntu), newest first. initdb refuses to run as
root, so when this process is root the server runs as the `postgres` system user
(`runuser -u postgres`), in folders handed to that user; otherwise it runs as the current user.
"""

from __future__ import annotations

import atexit
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEARCHED = "PATH, /usr/lib/postgresql/*/bin"
SUPERUSER = "postgres"  # the role initdb creates; local connections are trusted
SERVICE_USER = "postgres"  # the system user the server runs as when this process is root

# For tests: nothing is flushed to disk (a crash loses the server, which is thrown away).
FAST = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def find_bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl (and postgres), or None."""
    candidates: list[Path] = []
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path.parent.name)) or (0,)

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for folder in candidates:
        if all((folder / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


class ServerError(RuntimeError):
    """The local server could not be set up; the message has the tool's output."""


@dataclass
class LocalServer:
    root: Path  # temporary folder: data/, socket/, server.log
    bin_dir: Path
    run_as: str | None  # system user the server runs as (when we are root), else None
    stopped: bool = field(default=False)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@/{dbname}?host={self.socket_dir}"

    def connect(self, dbname: str = "postgres", **options: Any) -> Any:
        """A psycopg connection as the superuser, autocommit unless told otherwise."""
        import psycopg

        options.setdefault("autocommit", True)
        return psycopg.connect(self.url(dbname), **options)

    def create_database(self, name: str, template: str | None = None) -> None:
        """A new database, empty or a copy of `template` (which must have no connection)."""
        with self.connect() as conn:
            copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{copy}')

    def drop_database(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def pg_ctl(self, *args: str) -> None:
        _run(self, [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), *args])

    def stop(self) -> None:
        """Stop the server and delete its folder; stopping twice is harmless."""
        if self.stopped:
            return
        self.stopped = True
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self.pg_ctl("-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start(
    bin_dir: Path | None = None,
    parent: Path | None = None,
    settings: dict[str, str] | None = None,
) -> LocalServer:
    """initdb and start a server in a new folder under `parent` (default: the temp folder).

    `settings` are postgresql.conf lines, e.g. FAST for tests; durable defaults otherwise.
    """
    bin_dir = bin_dir or find_bin_dir()
    if bin_dir is None:
        raise ServerError(f"no PostgreSQL server binaries (initdb, pg_ctl) in {SEARCHED}")
    run_as = SERVICE_USER if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="charte-pg-", dir=parent))
    server = LocalServer(root, bin_dir, run_as)
    try:
        (root / "socket").mkdir()
        if run_as is not None:
            try:
                account = pwd.getpwnam(run_as)
            except KeyError:
                raise ServerError(
                    f"running as root, and initdb refuses root: the system user {run_as!r} "
                    "is needed to run the server (it comes with the postgresql package)"
                ) from None
            for path in (root, root / "socket"):
                os.chown(path, account.pw_uid, account.pw_gid)
        _run(server, [str(bin_dir / "initdb"), "-D", str(server.data_dir), "-U", SUPERUSER,
                      "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"])
        lines = {
            "listen_addresses": "''",
            "unix_socket_directories": f"'{server.socket_dir}'",
            "max_connections": "40",
            **(settings or {}),
        }
        with (server.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# charte-bot throwaway server\n")
            conf.writelines(f"{key} = {value}\n" for key, value in lines.items())
        server.pg_ctl("-l", str(server.log_file), "-w", "-t", "60", "start")
    except BaseException:
        server.stop()
        raise
    atexit.register(server.stop)  # in case the caller never gets to stop it
    return server


def _run(server: LocalServer, command: list[str]) -> None:
    tool = Path(command[0]).name
    if server.run_as is not None:
        command = ["runuser", "-u", server.run_as, "--", *command]
    done = subprocess.run(command, cwd=server.root, capture_output=True, text=True,
                          timeout=120, check=False)
    if done.returncode != 0:
        log = ""
        if server.log_file.exists():
            log = "\nserver log:\n" + server.log_file.read_text(errors="replace")[-2000:]
        raise ServerError(f"{tool} failed ({done.returncode}): {done.stdout}{done.stderr}{log}")
