"""The real `charte-bot run` process, started against the fake Bot API, for end-to-end tests.

Its standard output and error go to files (never a pipe that could fill up and block the bot),
so a test can read everything the bot printed, even after a `kill -9`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("charte-bot")
ROOT = Path(__file__).resolve().parents[2]

# A fake token shaped like a real one; the tests check that it never shows in the output.
TOKEN = "123456:TEST-token-abc"


def command(*args: str) -> list[str]:
    """`charte-bot ARGS`: the console script next to this Python, else `python -m bot.cli`."""
    if SCRIPT.exists():
        return [str(SCRIPT), *args]
    return [sys.executable, "-m", "bot.cli", *args]


def bot_env(db_path: Path, api_url: str | None = None, token: str | None = TOKEN,
            **extra: str) -> dict[str, str]:
    """The environment of a bot process: only what the test decides (no .env, no real token)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "CHARTE_"))}
    env.update({
        "CHARTE_DATABASE_URL": f"sqlite:///{db_path}",
        "CHARTE_TIMEZONE": "Europe/Paris",
        "CHARTE_LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    if token is not None:
        env["TELEGRAM_BOT_TOKEN"] = token
    if api_url is not None:
        env["TELEGRAM_API_URL"] = api_url
    env.update(extra)
    return env


class BotProcess:
    """One `charte-bot run` at a time; `start()` again after `kill()` restarts it."""

    def __init__(self, workdir: Path, api_url: str, token: str = TOKEN,
                 db_path: Path | None = None) -> None:
        self.workdir = workdir
        self.api_url = api_url
        self.token = token
        self.db_path = db_path or workdir / "charte.db"
        self.proc: subprocess.Popen[bytes] | None = None
        self.runs = 0
        # The process runs in an empty folder so that no .env of the developer is read.
        self.cwd = workdir / "cwd"
        self.cwd.mkdir(parents=True, exist_ok=True)

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        assert not self.alive, "the bot is already running"
        self.runs += 1
        out = (self.workdir / f"bot-{self.runs}.out").open("wb")
        err = (self.workdir / f"bot-{self.runs}.err").open("wb")
        with out, err:
            self.proc = subprocess.Popen(
                command("run"), cwd=self.cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                env=bot_env(self.db_path, self.api_url, self.token),
            )

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush, no last commit."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=20)

    def stop(self) -> int | None:
        """SIGTERM (what a service manager sends), then SIGKILL if it does not stop."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)
        return self.proc.returncode

    # --- what it printed ------------------------------------------------------------------

    @property
    def output(self) -> str:
        """Everything every run of the bot wrote on stdout and stderr so far."""
        parts = []
        for run in range(1, self.runs + 1):
            for stream in ("out", "err"):
                path = self.workdir / f"bot-{run}.{stream}"
                if path.exists():
                    parts.append(path.read_text(encoding="utf-8", errors="replace"))
        return "".join(parts)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output.splitlines()[-lines:])


def run_cli(db_path: Path, *args: str, token: str | None = None, api_url: str | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `charte-bot ARGS` to the end (export, or a `run` that must fail at startup)."""
    return subprocess.run(
        command(*args), env=bot_env(db_path, api_url, token), cwd=db_path.parent,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8",
        timeout=timeout,
    )
