"""The real `charte-bot run` process against the fake Bot API, and the people who talk to it.

The bot's standard output and error go to files (never a pipe that could fill up and block the
bot), so a test can read everything it printed, even after a `kill -9`.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.e2e.fake_bot_api import FakeBotApi, FakeUser, SentMessage

SCRIPT = Path(sys.executable).with_name("charte-bot")

# A fake token shaped like a real one; the tests check that it never shows in the output.
TOKEN = "123456:TEST-token-abc"


def command(*args: str) -> list[str]:
    """`charte-bot ARGS`: the console script next to this Python, else `python -m bot.cli`."""
    if SCRIPT.exists():
        return [str(SCRIPT), *args]
    return [sys.executable, "-m", "bot.cli", *args]


# `charte-bot run` whose clock (bot.compose._now, the clock of every service) is real time
# plus a number of seconds read from a file at each tick: see BotClock.
SHIFTED_RUN = """\
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bot.compose
from bot.cli import main

shift_file = Path(sys.argv.pop(1))


def shifted_now():
    return datetime.now(UTC) + timedelta(seconds=float(shift_file.read_text()))


bot.compose._now = shifted_now
raise SystemExit(main())
"""


class BotClock:
    """The bot's time, as a test moves it: real time plus a shift, only ever forward.

    The bot reads the shift at every tick, so a test can make a date it types fall due a few
    seconds later, or jump over a stop of the bot, without waiting. Only the application's
    clock moves; the scheduler still ticks in real time, as it would in production.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.shift = 0.0
        self._write()

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.shift)

    def advance(self, delta: timedelta) -> None:
        assert delta >= timedelta(0), "the bot's clock only moves forward"
        self.shift += delta.total_seconds()
        self._write()

    def _write(self) -> None:
        temporary = self.path.with_suffix(".new")
        temporary.write_text(repr(self.shift), encoding="utf-8")
        temporary.replace(self.path)  # atomic: the bot never reads a half-written file


def bot_env(db_path: Path, api_url: str | None = None, token: str | None = TOKEN,
            **extra: str) -> dict[str, str]:
    """The environment of a bot process: only what the test decides (no .env, no real token)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "CHARTE_"))}
    env.update({
        "CHARTE_DATABASE_URL": f"sqlite:///{db_path}",
        "CHARTE_TIMEZONE": "Europe/Paris",
        "CHARTE_LOG_LEVEL": "INFO",
        # Telegram's one message a second per chat would make each test wait at every lever;
        # the fake does not enforce it unless a test asks (then this is set back to 1).
        "CHARTE_CHAT_INTERVAL": "0.02",
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
                 db_path: Path | None = None, clock: BotClock | None = None,
                 args: tuple[str, ...] = ("run",), **env: str) -> None:
        self.workdir = workdir
        self.clock = clock
        self.args = args  # e.g. ("run", "--webhook", URL, "--port", N)
        self.api_url = api_url
        self.token = token
        self.env = env
        self.db_path = db_path or workdir / "charte.db"
        self.proc: subprocess.Popen[bytes] | None = None
        self.runs = 0
        # An empty working folder; the settings above win over any .env (never overridden).
        self.cwd = workdir / "cwd"
        self.cwd.mkdir(parents=True, exist_ok=True)

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        assert not self.alive, "the bot is already running"
        self.runs += 1
        out = (self.workdir / f"bot-{self.runs}.out").open("wb")
        err = (self.workdir / f"bot-{self.runs}.err").open("wb")
        args = command(*self.args) if self.clock is None else [
            sys.executable, "-c", SHIFTED_RUN, str(self.clock.path), *self.args]
        with out, err:
            self.proc = subprocess.Popen(
                args, cwd=self.cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                env=bot_env(self.db_path, self.api_url, self.token, **self.env),
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

    @property
    def run_output(self) -> str:
        """What the current (or last) run wrote on standard error: its logs."""
        path = self.workdir / f"bot-{self.runs}.err"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

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


# --- people on Telegram -------------------------------------------------------------------


def seen(text: str) -> str:
    """Text as a test compares it: no-break spaces (French typography) as plain spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")

WAIT = 15.0  # seconds for one reply; generous for a loaded CI machine, never reached when green


@dataclass
class Reply:
    """What one person saw after one action: the pressed message edited, then new messages."""

    edited: SentMessage | None
    messages: list[SentMessage]

    @property
    def shown(self) -> list[SentMessage]:
        return ([self.edited] if self.edited is not None else []) + self.messages

    @property
    def text(self) -> str:
        """What the person reads; no-break spaces read as spaces (the script's typography is
        checked where it is loaded)."""
        return seen("\n".join(m.content for m in self.shown))

    @property
    def last(self) -> SentMessage:
        assert self.shown, "the bot showed nothing"
        return self.shown[-1]

    def __contains__(self, fragment: str) -> bool:
        return fragment in self.text


class Person:
    """A Telegram user talking to the bot in a private chat."""

    def __init__(self, world: World, user: FakeUser) -> None:
        self.world = world
        self.server = world.server
        self.user = user
        self.last: Reply = Reply(None, [])

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.user.first_name, self.user.last_name) if p)

    @property
    def chat(self) -> list[SentMessage]:
        return self.server.messages(self.user)

    def _mark(self) -> int:
        last = self.server.last_message(self.user)
        return last.message_id if last else 0

    async def _after(self, action: Callable[[], object], pressed: SentMessage | None = None,
                     timeout: float = WAIT) -> Reply:
        """Do `action`, wait until the bot has handled it, return what this person saw."""
        mark = self._mark()
        edits = pressed.edits if pressed is not None else 0
        action()
        await self.world.barrier(timeout, [self.user])
        new = [m for m in self.chat if m.message_id > mark]
        edited = pressed if pressed is not None and pressed.edits > edits else None
        self.last = Reply(edited, new)
        return self.last

    async def say(self, text: str, timeout: float = WAIT) -> Reply:
        return await self._after(lambda: self.server.send_text(self.user, text), timeout=timeout)

    async def command(self, command: str, payload: str | None = None) -> Reply:
        return await self._after(lambda: self.server.send_command(self.user, command, payload))

    async def send(self, kind: str, **options: object) -> Reply:
        """A sticker, photo, voice or document."""
        method = getattr(self.server, f"send_{kind}")
        return await self._after(lambda: method(self.user, **options))

    async def edit(self, message_id: int, text: str) -> Reply:
        return await self._after(lambda: self.server.edit_text(self.user, message_id, text))

    def current(self) -> SentMessage:
        """The latest message with buttons: the question the person is looking at."""
        for message in reversed(self.chat):
            if message.buttons:
                return message
        raise AssertionError(f"{self.name} has no message with buttons")

    def button(self, label: str, message: SentMessage | None = None) -> tuple[SentMessage, str]:
        """(message, callback data) of the button whose label contains `label`."""
        message = message or self.current()
        for text, data in message.buttons:
            if label in text and data is not None:
                return message, data
        raise AssertionError(f"no button {label!r} in {message.buttons}")

    async def press(self, label: str, message: SentMessage | None = None) -> Reply:
        message, data = self.button(label, message)
        return await self.press_data(data, message)

    async def press_data(self, data: str, message: SentMessage | None = None) -> Reply:
        """Press `data` on `message` (default: the current one), even if it has no such button."""
        message = message or self.current()
        return await self._after(
            lambda: self.server.press(self.user, message, data, force=True), pressed=message)


class World:
    """The fake Bot API, the bot process, and the people the test makes."""

    def __init__(self, server: FakeBotApi, bot: BotProcess) -> None:
        self.server = server
        self.bot = bot
        self._ids = itertools.count(1001)
        # Someone in a group with the bot: the barrier presses a button there (see barrier).
        self.probe = server.user(999, "Sonde")
        self.group = server.group(-100999, "Groupe des partenaires")
        self._anchor: SentMessage | None = None
        self._users: list[FakeUser] = []

    def person(self, first_name: str, last_name: str | None = None) -> Person:
        user = self.server.user(next(self._ids), first_name, last_name=last_name)
        self._users.append(user)
        return Person(self, user)

    async def barrier(self, timeout: float = WAIT, users: list[FakeUser] | None = None) -> None:
        """Return once the bot has handled every update these people sent so far (default:
        everyone's).

        The bot handles each person's updates one at a time, in order (other people's at the
        same time). Each person presses a button of a bot message in a group: the bot answers
        that callback query in the person's turn and does nothing else (it works in private
        chats only). Once it is answered, whatever the person did before has been handled, and
        its answers sent. No message is sent for the barrier itself, so it costs nothing
        against the bot's rate limit of about 30 messages a second.
        """
        try:
            if self._anchor is None:
                self.server.send_command(self.probe, "/aide@charte_test_bot", chat=self.group)
                self._anchor = await self.server.wait_for_message(
                    self.group, contains="message privé", timeout=timeout)
            anchor = self._anchor
            people = users if users is not None else [self.probe, *self._users]
            queries = [self.server.press(user, anchor, "barrier", force=True) for user in people]
            await self.server.wait_for(
                lambda: all(q in self.server.answered_callbacks for q in queries),
                timeout=timeout)
        except TimeoutError as err:
            raise AssertionError(f"the bot did not answer: {err}\n{self.bot.tail()}") from None

    async def start_bot(self, timeout: float = 30) -> None:
        """Start the bot; return once it polls for updates."""
        mark = len(self.server.requests)
        self.bot.start()

        def polling() -> bool:
            if not self.bot.alive:
                raise AssertionError(f"the bot exited at startup:\n{self.bot.tail()}")
            return any(r.method == "getUpdates" for r in self.server.requests[mark:])

        await self.server.wait_for(polling, timeout=timeout)

    async def kill_bot(self) -> None:
        """kill -9, once the bot has handled and confirmed every update it was sent.

        An update handled but not yet confirmed (by the next getUpdates offset) when the
        process dies is fetched again by the next process: Telegram's at-least-once delivery.
        The tests kill after the confirmation, so that a replay cannot hide a lost answer.
        """
        await self.barrier()
        await self.server.wait_for(lambda: not self.server.pending_updates)
        await asyncio.to_thread(self.bot.kill)

    async def stop_bot(self) -> int | None:
        return await asyncio.to_thread(self.bot.stop)

    @property
    def clock(self) -> BotClock:
        """The bot's shifted clock (a bot started with `clock=BotClock(...)`)."""
        assert self.bot.clock is not None, "this bot runs on the real clock"
        return self.bot.clock

    def logged(self, *fragments: str) -> int:
        """How many lines the current run of the bot logged with all these fragments."""
        return sum(all(f in line for f in fragments)
                   for line in self.bot.run_output.splitlines())

    async def wait_for_log(self, *fragments: str, count: int = 1,
                           timeout: float = WAIT) -> None:
        """Return once the current run has logged `count` lines with all these fragments."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (found := self.logged(*fragments)) < count:
            if not self.bot.alive:
                raise AssertionError(f"the bot exited:\n{self.bot.tail()}")
            if loop.time() > deadline:
                raise AssertionError(f"{found} lines with {fragments} logged in {timeout} s, "
                                     f"not {count}:\n{self.bot.tail()}")
            await asyncio.sleep(0.05)  # a log file has nothing to wait on: look again soon

    async def reminders_checked(self, runs: int = 2, timeout: float = WAIT) -> None:
        """Return once the current run of the bot has looked for due reminders `runs` times
        (every CHARTE_REMINDER_POLL_SECONDS) and sent what it found: after a restart, whatever
        was due has been sent by then. Needs CHARTE_LOG_LEVEL=DEBUG (bot/dispatcher.py)."""
        await self.wait_for_log("looked for due reminders", count=runs, timeout=timeout)

    async def settled(self) -> None:
        """End of a test: the bot is alive and answering, every button press was answered,
        and the token never showed in what it printed."""
        await self.barrier()
        assert self.bot.alive, self.bot.tail()
        assert self.server.unanswered_callbacks() == []
        assert_no_token(self.bot.output, self.bot.token)


def assert_no_token(output: str, token: str) -> None:
    secret = token.partition(":")[2]
    assert token not in output and secret not in output, "the bot token was printed"


# --- the usual first steps ----------------------------------------------------------------

INVITE = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)")


async def create_alliance(person: Person, name: str, organisation: str,
                          kind: str = "Association", start: str = "15/01/2027",
                          end: str = "15 décembre 2027") -> str:
    """/nouvelle with buttons and typed dates; returns the invitation code."""
    assert "nom de l’alliance" in await person.command("/nouvelle")
    assert "(2/6)" in await person.say(name)
    assert "(3/6)" in await person.say(organisation)
    assert "(4/6)" in await person.press(kind)
    assert "(5/6)" in await person.say(start)
    assert "Garder cette date" in await person.say(end)
    assert "Je récapitule" in await person.press("Garder cette date")
    reply = await person.press("Oui, créer")
    assert "est créée" in reply, reply.text
    link = INVITE.search(reply.text)
    assert link is not None, reply.text
    return link.group(2)


async def join(person: Person, code: str, organisation: str, kind: str = "Collectivité",
               deep_link: bool = False) -> Reply:
    """Join with the code: pick `organisation` if listed, else create it."""
    if deep_link:
        reply = await person.command("/start", code)
    else:
        reply = await person.command("/rejoindre", code)
    if any(organisation == label for label, _ in reply.last.buttons):
        reply = await person.press(organisation)
    else:
        assert "nom de votre organisation" in await person.press("Une autre organisation")
        assert "Votre organisation est" in await person.say(organisation)
        reply = await person.press(kind)
    assert "Bienvenue" in reply, reply.text
    return reply


async def invite_tiers(coordinator: Person) -> str:
    """The coordination creates the tiers de confiance's invitation; returns its code."""
    await coordinator.command("/inviter")
    reply = await coordinator.press("Inviter un tiers de confiance")
    assert "Invitation du tiers de confiance créée" in reply, reply.text
    codes = [found[1] for found in INVITE.findall(reply.text)]
    assert len(codes) == 2, reply.text  # the partners' link, then the tiers de confiance's
    return codes[1]


@asynccontextmanager
async def running_world(server: FakeBotApi, bot: BotProcess) -> AsyncIterator[World]:
    """A world whose bot runs for the block (a module's `world` fixture), stopped after."""
    here = World(server, bot)
    try:
        await here.start_bot()
        yield here
    finally:
        await here.stop_bot()
