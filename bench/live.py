"""The live benchmarks' harness: bot processes, the fake Bot API, people reading their screen.

Everything here drives a bot from the outside, as Telegram would: a bot process (the real
`charte-bot run`, or bench/null_bot.py) talks HTTP to the fake Bot API
(tests/e2e/fake_bot_api.py) on 127.0.0.1, and simulated people push updates into the fake and
read what the bot showed them. A person finds a button by its label (« Engagé », « Passer »)
and knows a question from its text and buttons; nothing depends on callback_data formats, on
the bot's modules or on how it handles updates (one at a time or not). Nothing reaches the real
Telegram: the bot's TELEGRAM_API_URL is the fake's address.

Not a benchmark itself (bench/__main__.py skips it).
"""

from __future__ import annotations

import asyncio
import bisect
import gc
import math
import os
import re
import resource
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.e2e.bot_process import bot_env, command
from tests.e2e.fake_bot_api import (
    MESSAGE_METHODS,
    CallRecord,
    FakeBotApi,
    FakeUser,
    SentMessage,
)

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-live-token"
STEP_TIMEOUT = 120.0  # seconds a person waits for one answer before giving up

# What a person reads on the screen (dialogues/script.yaml's wording).
LEVELS = ("À découvrir", "En réflexion", "Engagé", "Ancré", "Je ne sais pas")
TYPED_LEVELS = ("engagé", "2", "jsp", "ancré", "1", "je ne sais pas", "En réflexion")
SKIP = "Passer"
DONE = "🎉"
NULL_BUTTON = "Suivant"  # bench/null_bot.py's only button


Until = Callable[[Sequence[SentMessage]], SentMessage | None]  # what a person waits for


# --- bot processes ----------------------------------------------------------------------------


def clock_ticks() -> int:
    return os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process so far (all its threads), from /proc."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / clock_ticks()


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class BotUnderTest:
    """A bot process started with `argv` and `env`; output to files in `workdir`."""

    def __init__(self, name: str, argv: Sequence[str], env: dict[str, str], workdir: Path,
                 cwd: Path | None = None) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = env
        self.workdir = workdir
        self.cwd = cwd or workdir
        self.proc: subprocess.Popen[bytes] | None = None
        workdir.mkdir(parents=True, exist_ok=True)
        self.out = workdir / f"{name}.out"
        self.err = workdir / f"{name}.err"

    @classmethod
    def charte(cls, workdir: Path, api_url: str, db: Path, **extra: str) -> BotUnderTest:
        """The real `charte-bot run` on the SQLite file `db` (a clean environment, no .env), with
        the production pacing: the end-to-end tests' shorter chat interval does not apply."""
        cwd = workdir / "cwd"
        cwd.mkdir(parents=True, exist_ok=True)
        env = bot_env(db, api_url, TOKEN, **extra)
        env.pop("CHARTE_CHAT_INTERVAL", None)
        env.update({k: v for k, v in extra.items() if k == "CHARTE_CHAT_INTERVAL"})
        return cls("charte-bot", command("run"), env, workdir, cwd)

    @classmethod
    def null(cls, workdir: Path, api_url: str) -> BotUnderTest:
        """bench/null_bot.py: python-telegram-bot doing nothing but answer its button."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "CHARTE_"))}
        env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api_url,
                    "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"})
        return cls("null-bot", [sys.executable, "-m", "bench.null_bot"], env, workdir)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def cpu(self) -> float:
        return process_cpu(self.pid)

    async def start(self, fake: FakeBotApi, timeout: float = 60) -> float:
        """Start; return the seconds until the bot first asked for updates."""
        mark = len(fake.requests)  # requests are kept on arrival, the call log on answer
        started = time.perf_counter()
        with self.out.open("ab") as out, self.err.open("ab") as err:
            self.proc = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env,
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=err)

        def polling() -> bool:
            if not self.alive:
                raise RuntimeError(f"{self.name} exited at startup:\n{self.tail()}")
            return any(r.method == "getUpdates" for r in fake.requests[mark:])

        await fake.wait_for(polling, timeout=timeout)
        return time.perf_counter() - started

    async def stop(self) -> None:
        await asyncio.to_thread(self._stop)

    def _stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=20)

    def tail(self, lines: int = 30) -> str:
        text = ""
        for path in (self.out, self.err):
            if path.exists():
                text += path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


# --- what a person sees -----------------------------------------------------------------------


def labels(message: SentMessage) -> list[str]:
    return [text for text, data in message.buttons if data is not None]


def has_button(message: SentMessage, fragment: str) -> bool:
    return any(fragment in label for label in labels(message))


def is_position_question(message: SentMessage) -> bool:
    """« Où en est votre organisation… » with the scale's buttons."""
    return has_button(message, LEVELS[0])


def is_text_question(message: SentMessage) -> bool:
    """A question asking for a text, with « Passer »."""
    return not is_position_question(message) and has_button(message, SKIP)


def is_walk_end(message: SentMessage) -> bool:
    return DONE in message.content


def next_walk_screen(shown: Sequence[SentMessage]) -> SentMessage | None:
    """The newest question of the walk, or its end, among what changed on the screen."""
    for message in reversed(shown):
        if is_position_question(message) or is_text_question(message) or is_walk_end(message):
            return message
    return None


def showing(fragment: str, with_buttons: bool = False
            ) -> Callable[[Sequence[SentMessage]], SentMessage | None]:
    """The newest changed message containing `fragment` (and having buttons, if asked)."""
    def find(shown: Sequence[SentMessage]) -> SentMessage | None:
        for message in reversed(shown):
            if fragment in message.content and (not with_buttons or labels(message)):
                return message
        return None
    return find


def button_shown(fragment: str) -> Callable[[Sequence[SentMessage]], SentMessage | None]:
    """The newest changed message with a button whose label contains `fragment`."""
    def find(shown: Sequence[SentMessage]) -> SentMessage | None:
        for message in reversed(shown):
            if has_button(message, fragment):
                return message
        return None
    return find


@dataclass
class Step:
    """One action of a person and the answer that let them go on."""

    chat: int
    kind: str  # "button", "typed" or "command"
    what: str  # the label pressed or the text typed
    started: float  # the fake's clock when the update was queued
    answered: float | None = None  # when the answer was shown (None: no answer in time)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.answered is not None

    @property
    def latency(self) -> float:
        assert self.answered is not None
        return self.answered - self.started


class Person:
    """Someone in a private chat with the bot, who reads the screen before acting."""

    def __init__(self, fake: FakeBotApi, user_id: int, first_name: str,
                 last_name: str | None = None, timeout: float = STEP_TIMEOUT) -> None:
        self.fake = fake
        self.user: FakeUser = fake.user(user_id, first_name, last_name=last_name)
        self.timeout = timeout
        self.screen: SentMessage | None = None  # what the person is looking at
        self.steps: list[Step] = []

    @property
    def id(self) -> int:
        return self.user.id

    def _last_id(self) -> int:
        last = self.fake.last_message(self.user)
        return last.message_id if last is not None else 0

    async def act(self, kind: str, what: str, action: Callable[[], object],
                  until: Until,
                  pressed: SentMessage | None = None, record: bool = True) -> Step:
        """Do `action`; wait until the screen shows what `until` looks for (a new message, or
        the pressed one edited)."""
        mark = self._last_id()
        edits = pressed.edits if pressed is not None else 0
        fake = self.fake

        def changed() -> SentMessage | None:
            shown = [m for m in fake.messages(self.user) if m.message_id > mark]
            if pressed is not None and pressed.edits > edits:
                shown.insert(0, pressed)
            return until(shown)

        step = Step(self.id, kind, what, fake.clock())
        action()
        try:
            answer: SentMessage = await fake.wait_for(changed, timeout=self.timeout)
        except TimeoutError as err:
            step.error = str(err)
        else:
            step.answered = answer.shown_at if answer.shown_at is not None else fake.clock()
            self.screen = answer
        if record:
            self.steps.append(step)
        return step

    async def command(self, name: str, payload: str | None = None,
                      until: Until = next_walk_screen,
                      record: bool = True) -> Step:
        text = f"{name} {payload}" if payload else name
        return await self.act("command", text,
                              lambda: self.fake.send_command(self.user, name, payload), until,
                              record=record)

    async def say(self, text: str,
                  until: Until = next_walk_screen,
                  kind: str = "typed", record: bool = True) -> Step:
        return await self.act(kind, text, lambda: self.fake.send_text(self.user, text), until,
                              record=record)

    async def press(self, label: str,
                    until: Until = next_walk_screen,
                    message: SentMessage | None = None, record: bool = True) -> Step:
        """Press the button whose label contains `label` on `message` (default: the screen)."""
        message = message or self.screen
        if message is None:
            raise RuntimeError(f"person {self.id} has nothing on screen to press")
        for text, data in message.buttons:
            if label in text and data is not None:
                return await self.act(
                    "button", text, lambda d=data: self.fake.press(self.user, message, d),
                    until, pressed=message, record=record)
        raise RuntimeError(f"no button {label!r} on the screen of {self.id}: {labels(message)}")

    async def expect(self, step: Step, what: str) -> SentMessage:
        """The screen after a setup step, or an error naming what was expected."""
        if not step.ok or self.screen is None:
            raise RuntimeError(f"person {self.id}: no {what} after {step.what!r}: {step.error}")
        return self.screen


# --- setting up through the bot ----------------------------------------------------------------

INVITE = re.compile(r"/rejoindre\s+([A-Za-z0-9_-]+)")


def in_days(days: int) -> str:
    """A date typed as a person would (15/01/2027), `days` from today."""
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%d/%m/%Y")


async def create_alliance(person: Person, name: str, organisation: str,
                          kind: str = "Association", start: str | None = None,
                          end: str | None = None) -> str:
    """/nouvelle, answered like a person reading the questions; returns the invitation code.
    By default the action starts in a month and lasts a year: the launch phase."""
    start = start or in_days(30)
    end = end or in_days(395)
    await person.expect(await person.command("/nouvelle", until=showing("nom de l’alliance"),
                                             record=False), "alliance name question")
    await person.expect(await person.say(name, until=showing("(2/6)"), record=False), "(2/6)")
    await person.expect(await person.say(organisation, until=button_shown(kind), record=False),
                        "organisation kinds")
    await person.expect(await person.press(kind, until=showing("(4/6)"), record=False), "(4/6)")
    await person.expect(await person.say(start, until=showing("(5/6)"), record=False), "(5/6)")
    await person.expect(await person.say(end, until=button_shown("Garder cette date"),
                                         record=False), "mid-course proposal")
    await person.expect(await person.press("Garder cette date", until=button_shown("Oui, créer"),
                                           record=False), "the summary before creating")
    created = await person.expect(
        await person.press("Oui, créer", until=showing("est créée"), record=False),
        "« est créée »")
    found = INVITE.search(created.content)
    if found is None:
        raise RuntimeError(f"no invitation code in {created.content!r}")
    return found.group(1)


async def join(person: Person, code: str, organisation: str, kind: str = "Collectivité") -> None:
    """/rejoindre CODE; pick `organisation` if listed, else add it."""
    screen = await person.expect(
        await person.command("/rejoindre", code, until=button_shown("Une autre organisation"),
                             record=False), "organisation list")
    if any(label == organisation for label in labels(screen)):
        step = await person.press(organisation, until=showing("Bienvenue"), record=False)
    else:
        await person.expect(await person.press("Une autre organisation",
                                               until=showing("nom de votre organisation"),
                                               record=False), "organisation name question")
        await person.expect(await person.say(organisation, until=button_shown(kind),
                                             record=False), "organisation kinds")
        step = await person.press(kind, until=showing("Bienvenue"), record=False)
    await person.expect(step, "« Bienvenue »")


async def open_walk(person: Person, record: bool = False) -> SentMessage:
    """/charte until the first question shows."""
    return await person.expect(await person.command("/charte", record=record), "first question")


# --- walking ---------------------------------------------------------------------------------


@dataclass
class WalkPlan:
    """How a person answers: `typed` types levels and texts instead of pressing; `texts` is
    how often (every n-th lever, 0: never) a text question gets a typed text instead of
    « Passer » when pressing buttons; `think` is the seconds spent reading before each answer
    (0: as fast as the answers come)."""

    typed: bool = False
    texts: int = 0
    seed: int = 0
    think: float = 0.0


async def walk(person: Person, steps: int, plan: WalkPlan,
               keep_going: Callable[[], bool] = lambda: True) -> int:
    """Answer up to `steps` questions as they come; returns how many were answered."""
    done = 0
    lever = 0
    while done < steps and keep_going():
        screen = person.screen
        if screen is None or is_walk_end(screen):
            break
        header = re.search(r"Levier (\d+)/", screen.content)
        lever = int(header.group(1)) if header else lever + 1
        pick = (lever * 7 + person.id + plan.seed) % len(LEVELS)
        if plan.think > 0:
            await asyncio.sleep(plan.think)
        if is_position_question(screen):
            if plan.typed:
                step = await person.say(TYPED_LEVELS[pick % len(TYPED_LEVELS)])
            else:
                step = await person.press(LEVELS[pick])
        elif is_text_question(screen):
            if plan.typed or (plan.texts and lever % plan.texts == 0):
                step = await person.say(f"Si le budget et l’agenda suivent (levier {lever}).",
                                        kind="typed")
            else:
                step = await person.press(SKIP)
        else:
            raise RuntimeError(f"person {person.id} does not know what to do with "
                               f"{screen.content[:120]!r} {labels(screen)}")
        if not step.ok:
            break
        done += 1
    return done


async def press_null(person: Person, times: int) -> int:
    """Press bench/null_bot.py's button `times` times, each once its answer shows."""
    for k in range(times):
        step = await person.press(NULL_BUTTON, until=button_shown(NULL_BUTTON))
        if not step.ok:
            return k
    return times


# --- figures ---------------------------------------------------------------------------------


async def settle(fake: FakeBotApi, quiet: float = 0.5, limit: float = 10.0) -> None:
    """Return once the bot has made no call (getUpdates aside) for `quiet` seconds, so that
    work a bot does after the answer a person waits for (a recap, a late callback answer) is
    inside a measured window; at most `limit` seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        count = sum(1 for r in fake.requests if r.method != "getUpdates")
        await asyncio.sleep(quiet)
        if sum(1 for r in fake.requests if r.method != "getUpdates") == count:
            return


def pct(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of `values`; nan when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{1000 * seconds:.0f} ms"


class LoopStalls:
    """When this process's event loop (the fake Bot API and the simulated people) was held up.

    The fake stamps a request when it gets to it: after a stall here, requests the bot spaced
    out are counted as if they came together, and Telegram's overall limit may answer 429
    because of the measuring side. The stalls are recorded (start, length) on the fake's
    clock, with the garbage collector's full collections (generation 2) among them."""

    def __init__(self, clock: Callable[[], float], threshold: float = 0.05,
                 tick: float = 0.01) -> None:
        self.clock, self.threshold, self.tick = clock, threshold, tick
        self.stalls: list[tuple[float, float]] = []
        self.full_collections: list[float] = []  # seconds each took
        self._collecting = 0.0
        self._task: asyncio.Task[None] | None = None

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._collecting = time.perf_counter()
        else:
            self.full_collections.append(time.perf_counter() - self._collecting)

    def __enter__(self) -> LoopStalls:
        gc.callbacks.append(self._on_gc)
        self._task = asyncio.get_running_loop().create_task(self._watch())
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._on_gc)
        if self._task is not None:
            self._task.cancel()

    async def _watch(self) -> None:
        while True:
            before = self.clock()
            await asyncio.sleep(self.tick)
            late = self.clock() - before - self.tick
            if late > self.threshold:
                self.stalls.append((before, late))

    def explains(self, at: float, after: float = 1.0) -> bool:
        """Whether a refusal at `at` came during a stall or within `after` seconds of one."""
        return any(start <= at <= start + late + after for start, late in self.stalls)

    def summary(self, refused_at: Sequence[float]) -> dict[str, Any]:
        return {"stalls": len(self.stalls),
                "longest_stall_ms": 1000 * max((late for _, late in self.stalls), default=0),
                "full_gc": len(self.full_collections),
                "longest_full_gc_ms": 1000 * max(self.full_collections, default=0),
                "refused_after_stall": sum(1 for at in refused_at if self.explains(at))}


def latency_summary(steps: Iterable[Step]) -> dict[str, Any]:
    done = [s.latency for s in steps if s.ok]
    missing = sum(1 for s in steps if not s.ok)
    return {"n": len(done), "unanswered": missing,
            "p50_ms": 1000 * pct(done, 50), "p95_ms": 1000 * pct(done, 95),
            "max_ms": 1000 * max(done) if done else math.nan,
            "mean_ms": 1000 * sum(done) / len(done) if done else math.nan}


def calls_in(log: Sequence[CallRecord], start: float, end: float,
             exclude: Iterable[str] = ("getUpdates",)) -> list[CallRecord]:
    """The calls that arrived in [start, end], without `exclude`."""
    skipped = set(exclude)
    return [c for c in log if start <= c.at <= end and c.method not in skipped]


@dataclass
class StepCalls:
    """Calls attributed to the steps of one kind: by method, and what they made."""

    steps: int = 0
    by_method: Counter[str] = field(default_factory=Counter)
    new_messages: int = 0  # accepted calls that create a message (send*, copy*, forward*)
    refused_429: int = 0

    @property
    def calls(self) -> int:
        return sum(self.by_method.values())

    def per_step(self, value: float) -> float:
        return value / self.steps if self.steps else math.nan


def attribute(log: Sequence[CallRecord], steps: Sequence[Step]) -> dict[str, StepCalls]:
    """Each call in a person's chat goes to that person's latest step started before it.

    Steps of one person follow each other (a person waits for the answer before acting
    again), so the calls between two of their steps answer the first. Calls without a chat
    (getUpdates, settings) are not attributed.
    """
    by_chat: dict[int, list[Step]] = defaultdict(list)
    for step in sorted(steps, key=lambda s: s.started):
        by_chat[step.chat].append(step)
    starts = {chat: [s.started for s in chat_steps] for chat, chat_steps in by_chat.items()}
    result: dict[str, StepCalls] = defaultdict(StepCalls)
    for step in steps:
        result[step.kind].steps += 1
    for call in log:
        if call.chat_id not in by_chat or call.method == "getUpdates":
            continue
        k = bisect.bisect_right(starts[call.chat_id], call.at) - 1
        if k < 0:
            continue
        kind = by_chat[call.chat_id][k].kind
        result[kind].by_method[call.method] += 1
        if call.method in MESSAGE_METHODS and call.ok:
            result[kind].new_messages += 1
        if call.status == 429:
            result[kind].refused_429 += 1
    return dict(result)


def max_in_window(times: Sequence[float], window: float) -> int:
    """The most of `times` (sorted) within any `window` seconds."""
    best = 0
    first = 0
    for last, t in enumerate(times):
        while t - times[first] >= window:
            first += 1
        best = max(best, last - first + 1)
    return best


def machine() -> str:
    """The machine, and how busy it is: other processes show up in latencies."""
    from bench.reminders import machine as describe

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{describe()}; load average {load} at the start"
