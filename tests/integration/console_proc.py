"""Drive the real `charte-bot console` process through its standard input and output."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("charte-bot")


def command(*args: str) -> list[str]:
    if SCRIPT.exists():
        return [str(SCRIPT), *args]
    return [sys.executable, "-m", "bot.cli", *args]


def env_for(database: Path | str) -> dict[str, str]:
    """The environment of a child using `database`: a SQLite file path, or a database URL."""
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["CHARTE_DATABASE_URL"] = database if isinstance(database, str) else f"sqlite:///{database}"
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Console:
    def __init__(self, db_path: Path, user: str) -> None:
        self.proc = subprocess.Popen(
            command("console", "--user", user),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env_for(db_path),
            text=True,
            encoding="utf-8",
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def expect(self, text: str, timeout: float = 20) -> str:
        """Read output until `text` appears; returns everything read meanwhile."""
        deadline = time.monotonic() + timeout
        chunk: list[str] = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            chunk.append(line)
            self.seen.append(line)
            if text in line:
                return "".join(chunk)
        raise AssertionError(f"{text!r} not seen; last output:\n{''.join(self.seen[-40:])}")

    def close(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        return self.proc.wait(timeout=20)

    def kill(self) -> None:
        self.proc.kill()  # SIGKILL: no cleanup, no flush, no commit
        self.proc.wait(timeout=20)
