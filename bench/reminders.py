"""10,000 alliances of 5 members, every member's mid-course reminder due in the same minute.

Issue: rebuilding the schedule at startup takes under 2 s and under 300 MB; the 50,000
messages go out at the configured pace with zero 429 answers from an emulator that enforces
Telegram's limits.

1. Seed a SQLite file (raw SQL, bench.seed's conventions): 10,000 alliances × 5 members, each
   member a Telegram person with a numeric id and 8 reminder rows (the bot's usual plan: the
   mid-course and end reminders, 6 nudges; launch nudges already sent), the mid-course one due
   in the same minute for all 50,000; launch answers (3 members of 5 finished).
2. Startup, in fresh processes: what the bot does before it knows what is due: import,
   `build_app()` (content files, open + migrate-check the store), the ReminderDispatcher, the
   first `next_due()` and `due()` (one batch). There is no schedule to rebuild in memory: the
   database is the schedule, and APScheduler holds one repeating job. Wall time and peak
   RSS (ru_maxrss) in one process, Python's peak allocations (tracemalloc) in another.
3. Sending: the real `ReminderDispatcher.run_due()` with a real `telegram.Bot` pointed at the
   fake Bot API (tests/e2e/fake_bot_api.py) in a child process with `enforce_limits=True`
   (30 messages/s overall, 1/s per private chat). `--messages N` member reminders are due
   (whole alliances); the rest are moved a day later. Telegram's pace makes 50,000 take ~28
   minutes, so `--time-scale K` runs everything K times faster with the same ratios: the
   fake's rate-limit clock, the sender's pace (CHARTE_SEND_RATE × K) and the bot's clock
   (which decides « late »). A 429's retry_after is slept in real seconds (K times too long).

    python -m bench reminders                          # 3,000 reminders, real time (~2.3 min)
    python -m bench reminders --messages 50000 --time-scale 8   # all 50,000 (~5 min)
    python -m bench reminders --messages 500 --latency-ms 50    # Telegram 50 ms away
    python -m bench reminders --database postgresql --processes 2   # a network's setup
    python -m bench.reminders --help

`--database postgresql` seeds a throwaway local PostgreSQL server (storage/pg_server.py, in
bench/results/, durable settings) with COPY instead of the SQLite file. `--processes N` sends
with N bot processes at once on that one database, each with its own name for its claims
(FOR UPDATE SKIP LOCKED: they never take the same reminder) and N times less of the pace
(Telegram's limit is the bot's, not the process's: CHARTE_SEND_RATE is per process). No
reminder may reach a member twice.

On a 2-core machine the bot's process tops out near 200-240 messages/s (Python: PTB and httpx
per request, the row mapping of `prepare`; it prints its CPU use): a time scale above ~8
measures that, not the pace. The seeded file goes to bench/results/ and is deleted after the
run (`--keep` keeps it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
TOKEN = "123456:BENCH-reminders-token"
FIRST_CHAT = 500_000_001  # Telegram ids of the seeded people: FIRST_CHAT, FIRST_CHAT + 1, ...
DEFAULT_ALLIANCES = 10_000
MEMBERS = 5
DEFAULT_MESSAGES = 3_000
DEFAULT_RATE = 25.0  # CHARTE_SEND_RATE's default
TARGET_STARTUP_S = 2.0
TARGET_STARTUP_MB = 300
FINISHED_LAUNCH = (21, 21, 21, 7, 0)  # launch answers of each alliance's 5 members, in order
REEVALUATE = "Réévaluer"  # the reminder's button
LATE = "en retard"
WHO = "Pour la coordination"
MINUTE = timedelta(minutes=1)


# --- seeding --------------------------------------------------------------------------------


def seed(url: str, alliances: int, due_minute: datetime) -> dict[str, int]:
    """Alliances whose mid-course point is `due_minute`; every member's reminder due in it."""
    from bench.seed import CHARTER_VERSION, DEFAULT_LEVER_IDS, _PostgresLoader, _SqliteLoader
    from dialogues.core.domain import ORG_KINDS
    from storage import open_store
    from storage.times import to_text

    n = alliances * MEMBERS
    start, end = due_minute - timedelta(days=180), due_minute + timedelta(days=180)
    t = {k: to_text(v) for k, v in {"start": start, "mid": due_minute, "end": end}.items()}
    # Due times spread over the minute, member by member, as a real mid-course date would not.
    due = [to_text(due_minute + timedelta(seconds=60 * k / n)) for k in range(n)]
    nudge = {d: to_text(due_minute + timedelta(days=d)) for d in (3, 7)}
    end_nudge = {d: to_text(end + timedelta(days=d)) for d in (3, 7)}
    launch_nudge = {d: to_text(start + timedelta(days=d)) for d in (3, 7)}
    joined = to_text(start + timedelta(hours=1))
    with open_store(url) as store, store.raw_transaction() as conn:
        load = _PostgresLoader(conn) if store.dialect == "postgresql" else _SqliteLoader(conn)
        load.rows("alliances", ("id", "name", "start_at", "end_at", "mid_at", "invite_code",
                                "timezone", "created_at"),
                  ((a, f"Alliance {a}", t["start"], t["end"], t["mid"], f"REM-{a}",
                    "Europe/Paris", t["start"]) for a in range(1, alliances + 1)))
        # Member m (1-based) is in alliance (m-1)//5 + 1, with its own organisation and person.
        load.rows("organisations", ("id", "alliance_id", "name", "kind"),
                  ((m, (m - 1) // MEMBERS + 1, f"Organisation {m}", ORG_KINDS[m % len(ORG_KINDS)])
                   for m in range(1, n + 1)))
        load.rows("people", ("id", "channel", "external_id", "display_name", "created_at"),
                  ((m, "telegram", str(FIRST_CHAT + m - 1), f"Personne {m}", t["start"])
                   for m in range(1, n + 1)))
        load.rows("members", ("id", "alliance_id", "organisation_id", "person_id", "role",
                              "joined_at"),
                  ((m, (m - 1) // MEMBERS + 1, m, m,
                    "coordinator" if (m - 1) % MEMBERS == 0 else "partner", joined)
                   for m in range(1, n + 1)))
        rows: list[tuple[Any, ...]] = []
        for m in range(1, n + 1):
            a = (m - 1) // MEMBERS + 1
            rows += [
                (a, m, "phase", "mi-parcours", 0, due[m - 1], None),
                (a, m, "phase", "fin", 0, t["end"], None),
                (a, m, "nudge", "lancement", 1, launch_nudge[3], launch_nudge[3]),
                (a, m, "nudge", "lancement", 2, launch_nudge[7], launch_nudge[7]),
                (a, m, "nudge", "mi-parcours", 1, nudge[3], None),
                (a, m, "nudge", "mi-parcours", 2, nudge[7], None),
                (a, m, "nudge", "fin", 1, end_nudge[3], None),
                (a, m, "nudge", "fin", 2, end_nudge[7], None),
            ]
        load.rows("reminders", ("alliance_id", "member_id", "kind", "phase", "seq", "due_at",
                                "sent_at"), rows)
        indexes = load.drop_indexes("answers")
        answered = to_text(start + timedelta(days=2))
        load.rows("answers", ("alliance_id", "organisation_id", "member_id", "phase", "lever_id",
                              "position", "charter_version", "answered_at"),
                  (((m - 1) // MEMBERS + 1, m, m, "lancement", lever, 3, CHARTER_VERSION,
                    answered)
                   for m in range(1, n + 1)
                   for lever in DEFAULT_LEVER_IDS[:FINISHED_LAUNCH[(m - 1) % MEMBERS]]))
        for sql in indexes:
            load.execute(sql)
        load.finish()
        counts = {}
        for table in ("alliances", "members", "reminders", "answers"):
            row = conn.execute(f"SELECT count(*) AS n FROM {table}").fetchone()
            counts[table] = int(row["n"] if isinstance(row, dict) else row[0])
    return counts


def postpone_after(url: str, alliances: int, later: timedelta) -> int:
    """Keep the mid-course reminders of the first `alliances` due; move the others later."""
    from storage import open_store

    with open_store(url) as store, store.raw_transaction() as conn:
        if store.dialect == "postgresql":
            cursor = conn.execute(
                "UPDATE reminders SET due_at = due_at + %s WHERE kind = 'phase'"
                " AND phase = 'mi-parcours' AND alliance_id > %s", (later, alliances))
            return int(cursor.rowcount)
        moved = 0
        rows = conn.execute(
            "SELECT id, due_at FROM reminders WHERE kind = 'phase' AND phase = 'mi-parcours'"
            " AND alliance_id > ?", (alliances,)).fetchall()
        for rid, due in rows:
            when = datetime.fromisoformat(due) + later
            conn.execute("UPDATE reminders SET due_at = ? WHERE id = ?",
                         (when.isoformat(timespec="microseconds"), rid))
            moved += 1
    return moved


# --- startup, in a fresh process ------------------------------------------------------------


def startup_probe(url: str, trace: bool) -> dict[str, Any]:
    """What `charte-bot run` does before its first look for due reminders (no network)."""
    def rss_mb() -> float:
        """Peak resident memory of this process so far. Not ru_maxrss: Linux carries the
        parent's peak over fork and exec, and the parent has just seeded the database."""
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    if trace:
        import tracemalloc

        tracemalloc.start()
    rss_before = rss_mb()
    timings: dict[str, float] = {}
    started = mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timings[name] = now - mark
        mark = now

    from telegram.ext import ExtBot

    from bot.compose import build_app
    from bot.dispatcher import ReminderDispatcher
    from bot.notifier import Sender
    from bot.throttle import SendBudget
    lap("imports")
    rss_imports = rss_mb()
    os.environ["CHARTE_DATABASE_URL"] = url
    app = build_app()
    lap("build_app")
    ReminderDispatcher(app.reminders, app.retention,
                       ExtBot(TOKEN, base_url="http://127.0.0.1:9/bot",
                              rate_limiter=SendBudget(DEFAULT_RATE)),
                       Sender(bulk=True))
    lap("dispatcher")
    next_due = app.reminders.next_due()
    lap("next_due")
    batch = app.reminders.due()
    lap("due")
    result: dict[str, Any] = {
        "seconds": timings, "total": time.perf_counter() - started,
        "rss_start_mb": rss_before, "rss_imports_mb": rss_imports, "rss_peak_mb": rss_mb(),
        "batch": len(batch), "next_due": next_due.isoformat() if next_due else None,
    }
    if trace:
        import tracemalloc

        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    app.store.close()
    return result


def run_probes_together(url: str, processes: int) -> list[float]:
    """`processes` fresh processes starting at once on the one database (a restart of every
    process of a network's setup): each one's time to its first due-reminders query."""
    args = [sys.executable, "-m", "bench.reminders", "--startup-probe", url]
    children = [subprocess.Popen(args, stdout=subprocess.PIPE, text=True,
                                 cwd=Path(__file__).resolve().parent.parent)
                for _ in range(processes)]
    totals = []
    for child in children:
        out, _ = child.communicate(timeout=120)
        totals.append(json.loads(out.strip().splitlines()[-1])["total"])
    return totals


def run_probe(url: str, trace: bool) -> dict[str, Any]:
    args = [sys.executable, "-m", "bench.reminders", "--startup-probe", url]
    if trace:
        args.append("--trace")
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parent.parent)
    if done.returncode != 0:
        raise RuntimeError(f"startup probe failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process"] = time.perf_counter() - started  # interpreter start to exit
    return result


# --- the fake Bot API, in a child process ---------------------------------------------------


async def serve_fake(scale: float, chats: int, latency: float) -> None:
    """FakeBotApi enforcing Telegram's limits on a clock `scale` times faster, answering each
    sendMessage `latency` (emulated) seconds late, as a distant Telegram would; on stdin
    "report" prints what it received as one JSON line, then exits."""
    from tests.e2e.fake_bot_api import FakeBotApi

    class TimedFake(FakeBotApi):
        """Notes when each message was accepted."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.sent_at: list[float] = []

        async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
            if latency > 0:
                await asyncio.sleep(latency / scale)
            result = await super()._send_message(params)
            self.sent_at.append(time.monotonic())
            return result

    origin = time.monotonic()
    fake = TimedFake(TOKEN, enforce_limits=True,
                     clock=lambda: origin + (time.monotonic() - origin) * scale)
    for k in range(chats):
        fake.user(FIRST_CHAT + k, f"Personne {k + 1}")
    url = await fake.start()
    print(f"FAKE_BOT_API_URL={url}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)
    reminders: Counter[int] = Counter()
    who: Counter[int] = Counter()
    late = 0
    for k in range(chats):
        for message in fake.messages(FIRST_CHAT + k):
            if any(REEVALUATE in label for label, _ in message.buttons):
                reminders[FIRST_CHAT + k] += 1
            if WHO in message.content:
                who[FIRST_CHAT + k] += 1
            late += LATE in message.content
    report = {
        "sent": len(fake.sent_at),
        "first": fake.sent_at[0] if fake.sent_at else None,
        "last": fake.sent_at[-1] if fake.sent_at else None,
        "rate_limit_hits": fake.rate_limit_hits,
        "errors": dict(Counter(f"{e.method} {e.status}" for e in fake.errors)),
        "chats_with_reminder": len(reminders),
        "reminders_per_chat": dict(Counter(reminders.values())),
        "reminder_chats": sorted(reminders),
        "who_per_chat": dict(Counter(who.values())),
        "late_messages": late,
        "requests": len(fake.requests),
    }
    print(json.dumps(report), flush=True)
    await fake.stop()


class FakeProcess:
    def __init__(self, scale: float, chats: int, latency: float) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.reminders", "--serve-fake", "--time-scale", str(scale),
             "--chats", str(chats), "--latency-ms", str(1000 * latency)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            cwd=Path(__file__).resolve().parent.parent)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("FAKE_BOT_API_URL="):
            self.proc.kill()
            raise RuntimeError(f"the fake Bot API did not start: {line!r}")
        self.url = line.strip().split("=", 1)[1]

    def report(self) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("report\n")
        self.proc.stdin.flush()
        report = json.loads(self.proc.stdout.readline())
        self.proc.wait(timeout=60)
        return report

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# --- sending --------------------------------------------------------------------------------


class Timer:
    """Total time and calls of a wrapped function (sync or async)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def wrap_sync(self, fn: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1
        return timed

    def wrap_async(self, fn: Any) -> Any:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1
        return timed

    def per_call_ms(self) -> float:
        return 1000 * self.seconds / self.calls if self.calls else 0.0


async def send_due(db_url: str, url: str, rate: float, scale: float,
                   name: str = "bench-sender", go: Any = None) -> dict[str, Any]:
    """The real dispatcher, sending every due reminder to the fake; times its parts.

    `name`: this process's name for its claims; `go`: awaited once everything is set up (the
    processes of a --processes run start sending together)."""
    import logging

    from telegram.ext import ExtBot
    from telegram.request import HTTPXRequest

    import bot.notifier as notifier
    from bot.compose import build_app
    from bot.dispatcher import ReminderDispatcher
    from bot.notifier import Sender
    from bot.throttle import SendBudget

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    real_origin, wall_origin = time.monotonic(), datetime.now(UTC)

    def emulated_now() -> datetime:  # the bot's clock runs `scale` times faster too
        return wall_origin + timedelta(seconds=(time.monotonic() - real_origin) * scale)

    os.environ["CHARTE_DATABASE_URL"] = db_url
    app = build_app(clock=emulated_now, instance=name)
    bot = ExtBot(TOKEN, base_url=f"{url}/bot", request=HTTPXRequest(connection_pool_size=8),
                 rate_limiter=SendBudget(rate * scale))
    await bot.initialize()
    claim, prepare, confirm, http = Timer(), Timer(), Timer(), Timer()
    app.reminders.claim_next = claim.wrap_sync(app.reminders.claim_next)  # type: ignore
    app.reminders.prepare = prepare.wrap_sync(app.reminders.prepare)  # type: ignore
    app.reminders.confirm = confirm.wrap_sync(app.reminders.confirm)  # type: ignore
    original_deliver = notifier._deliver
    notifier._deliver = http.wrap_async(original_deliver)
    try:
        dispatcher = ReminderDispatcher(app.reminders, app.retention, bot, Sender(bulk=True))
        if go is not None:
            await go()
            real_origin = time.monotonic()  # the emulated clock starts with the sending
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        sent = await dispatcher.run_due()
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu_s = (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)
    finally:
        notifier._deliver = original_deliver
        await bot.shutdown()
    with app.store.unit_of_work() as uow:
        left = len(uow.due_reminders(emulated_now(), 10))
    app.store.close()
    return {"name": name, "sent": sent, "elapsed": elapsed,
            "claim_ms": claim.per_call_ms(), "confirm_ms": confirm.per_call_ms(),
            "prepare_ms": prepare.per_call_ms(),
            "prepare_calls": prepare.calls, "prepare_s": prepare.seconds,
            "http_ms": http.per_call_ms(), "http_calls": http.calls, "http_s": http.seconds,
            "still_due": left, "cpu_s": cpu_s}


def sender_child(db_url: str, fake_url: str, rate: float, scale: float, name: str) -> None:
    """One bot process of a --processes run: ready, then sends on "go" (stdin)."""
    async def go() -> None:
        print("READY", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)

    result = asyncio.run(send_due(db_url, fake_url, rate, scale, name, go))
    print(json.dumps(result), flush=True)


def send_in_processes(db_url: str, fake_url: str, rate: float, scale: float,
                      processes: int) -> dict[str, Any]:
    """`processes` bot processes sending at once; each has its share of the pace."""
    children = [subprocess.Popen(
        [sys.executable, "-m", "bench.reminders", "--send", db_url, "--fake-url", fake_url,
         "--rate", str(rate / processes), "--time-scale", str(scale),
         "--name", f"bench-sender-{k + 1}"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parent.parent) for k in range(processes)]
    try:
        for child in children:
            assert child.stdout is not None
            line = child.stdout.readline()
            if line.strip() != "READY":
                raise RuntimeError(f"a sender did not start: {line!r}")
        for child in children:  # together
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        results = []
        for child in children:
            assert child.stdout is not None
            results.append(json.loads(child.stdout.readline()))
            child.wait(timeout=60)
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    total = {key: sum(r[key] for r in results)
             for key in ("sent", "prepare_calls", "prepare_s", "http_calls", "http_s", "cpu_s")}
    calls = max(total["prepare_calls"], 1)
    return {**total, "elapsed": max(r["elapsed"] for r in results),
            "claim_ms": sum(r["claim_ms"] for r in results) / len(results),
            "confirm_ms": sum(r["confirm_ms"] for r in results) / len(results),
            "prepare_ms": 1000 * total["prepare_s"] / calls,
            "http_ms": 1000 * total["http_s"] / max(total["http_calls"], 1),
            "still_due": still_due(db_url), "per_process": {r["name"]: r["sent"] for r in results}}


def still_due(db_url: str) -> int:
    """Reminders due (emulated time is at most a day ahead) and not confirmed sent, once every
    process is done."""
    from storage import open_store

    with open_store(db_url) as store, store.unit_of_work() as uow:
        return len(uow.due_reminders(datetime.now(UTC) + timedelta(hours=12), 10))


# --- report ---------------------------------------------------------------------------------


def machine() -> str:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}")


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report_startup(timing: dict[str, Any], traced: dict[str, Any]) -> None:
    parts = ", ".join(f"{k} {1000 * v:.0f} ms" for k, v in timing["seconds"].items())
    total = timing["total"]
    peak, imported = timing["rss_peak_mb"], timing["rss_imports_mb"]
    print(f"startup: {1000 * total:.0f} ms [{verdict(total < TARGET_STARTUP_S)}: target "
          f"{TARGET_STARTUP_S:.0f} s] ({parts})")
    print(f"  whole process, interpreter start to exit: {1000 * timing['process']:.0f} ms; "
          f"first due() batch: {timing['batch']} ids; next_due {timing['next_due']}")
    print(f"  peak RSS {peak:.0f} MB [{verdict(peak < TARGET_STARTUP_MB)}: target "
          f"{TARGET_STARTUP_MB} MB] (interpreter alone {timing['rss_start_mb']:.0f} MB, "
          f"after imports {imported:.0f} MB, so +{peak - imported:.0f} MB for build_app + "
          f"queries); Python allocations, peak (tracemalloc, separate "
          f"run): {traced['traced_peak_mb']:.0f} MB")


def report_sending(expected: int, coordinators: int, rate: float, scale: float,
                   run: dict[str, Any], fake: dict[str, Any], per_member_ok: bool) -> None:
    from bot.dispatcher import IN_FLIGHT  # not at the top: the startup probe imports this file

    elapsed = run["elapsed"]
    sent_messages = fake["sent"]
    span = (fake["last"] - fake["first"]) if fake["first"] is not None else 0.0
    real_rate = sent_messages / elapsed if elapsed else 0.0
    steady = (sent_messages - 1) / span if span > 0 else 0.0
    print(f"sending: {run['sent']:,} reminders delivered of {expected:,} due "
          f"({coordinators:,} coordinators), {sent_messages:,} messages accepted by the fake")
    print(f"  pace asked: {rate:g} msg/s × time scale {scale:g} = {rate * scale:g} msg/s real; "
          f"the fake allows 30 msg/s × {scale:g} = {30 * scale:g} msg/s real, "
          f"1 msg/s per chat × {scale:g}")
    print(f"  elapsed {elapsed:.1f} s real = {elapsed * scale:.0f} s emulated; achieved "
          f"{real_rate:.1f} msg/s real = {real_rate / scale:.1f} msg/s emulated "
          f"(first to last message: {steady:.1f} msg/s real = {steady / scale:.1f} emulated)")
    print(f"  429 answers from the emulator: {fake['rate_limit_hits']} "
          f"[{verdict(fake['rate_limit_hits'] == 0)}: target 0]; errors: "
          f"{fake['errors'] or 'none'}")
    print(f"  reminders per member chat: {fake['reminders_per_chat']} over "
          f"{fake['chats_with_reminder']:,} chats; exactly one each, only the due ones: "
          f"{verdict(per_member_ok)}; coordinator summaries per chat: {fake['who_per_chat']}")
    print(f"  messages saying « late » (due > 15 min before, in emulated time): "
          f"{fake['late_messages']:,}; still due after the run: {run['still_due']}")
    budget = 1000 / (rate * scale)
    if "per_process" in run:
        print(f"  reminders sent by each process: {run['per_process']}")
    print(f"  where the time goes, per reminder: claim {run['claim_ms']:.2f} ms, prepare "
          f"(re-read and re-check) {run['prepare_ms']:.2f} ms × {run['prepare_calls']:,}, "
          f"confirm {run['confirm_ms']:.2f} ms (each a transaction); HTTP send "
          f"{run['http_ms']:.2f} ms × {run['http_calls']:,} (up to {IN_FLIGHT} at once); the "
          f"pace allows {budget:.2f} ms per message")
    print(f"  the bot's processes used {run['cpu_s']:.1f} s of CPU in {elapsed:.1f} s "
          f"({100 * run['cpu_s'] / elapsed:.0f}% of one core: near 100% per process means "
          f"Python is the limit, not the pace)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alliances", type=int, default=DEFAULT_ALLIANCES)
    parser.add_argument("--messages", type=int, default=DEFAULT_MESSAGES,
                        help="member reminders to send (whole alliances of 5; default "
                             f"{DEFAULT_MESSAGES:,}; {DEFAULT_ALLIANCES * MEMBERS:,} for all)")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="run the emulated clocks and the pace K times faster (default 1)")
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE,
                        help="CHARTE_SEND_RATE, messages/s (default 25)")
    parser.add_argument("--latency-ms", type=float, default=0.0,
                        help="the fake answers each message this late (emulated ms; default 0,"
                             " loopback): Telegram is tens of ms away from a real server")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite",
                        help="sqlite (a file in bench/results/) or postgresql (a throwaway "
                             "local server in bench/results/)")
    parser.add_argument("--processes", type=int, default=1,
                        help="bot processes sending at once on the one database (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the seeded file")
    parser.add_argument("--send", metavar="DB_URL", help=argparse.SUPPRESS)
    parser.add_argument("--fake-url", help=argparse.SUPPRESS)
    parser.add_argument("--name", default="bench-sender", help=argparse.SUPPRESS)
    parser.add_argument("--startup-probe", metavar="DB", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--chats", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(list(argv) if argv is not None else None)

    if args.startup_probe:
        print(json.dumps(startup_probe(args.startup_probe, args.trace)))
        return 0
    if args.send:
        sender_child(args.send, args.fake_url, args.rate, args.time_scale, args.name)
        return 0
    if args.serve_fake:
        asyncio.run(serve_fake(args.time_scale, args.chats, args.latency_ms / 1000))
        return 0

    print(f"machine: {machine()}")
    print(f"command: python -m bench.reminders {' '.join(sys.argv[1:] if argv is None else argv)}"
          .rstrip())
    members = args.alliances * MEMBERS
    due_alliances = min(args.alliances, -(-args.messages // MEMBERS))
    RESULTS.mkdir(parents=True, exist_ok=True)
    db = RESULTS / f"reminders-{os.getpid()}.db"
    server = None
    fake: FakeProcess | None = None
    try:
        if args.database == "postgresql":
            from storage import pg_server

            server = pg_server.start(parent=RESULTS)
            server.create_database("reminders")
            url = server.url("reminders")
            print(f"database: a local PostgreSQL server (durable settings), {url}")
        else:
            url = f"sqlite:///{db}"
        # The minute before now: everything is due when sending starts, and not yet late.
        due_minute = datetime.now(UTC).replace(second=0, microsecond=0) - MINUTE
        started = time.perf_counter()
        counts = seed(url, args.alliances, due_minute)
        size = f" ({db.stat().st_size / 2**20:.0f} MB file)" if server is None else ""
        print(f"seeded in {time.perf_counter() - started:.1f} s: "
              + ", ".join(f"{v:,} {k}" for k, v in counts.items())
              + f"; {members:,} mid-course reminders due in the minute {due_minute:%H:%M} UTC"
              + size)
        report_startup(run_probe(url, trace=False), run_probe(url, trace=True))
        if args.processes > 1:
            together = run_probes_together(url, args.processes)
            print(f"  {args.processes} processes starting at once: "
                  + ", ".join(f"{1000 * t:.0f} ms" for t in together)
                  + f" [{verdict(max(together) < TARGET_STARTUP_S)}: target "
                    f"{TARGET_STARTUP_S:.0f} s each]")

        moved = postpone_after(url, due_alliances, timedelta(days=1))
        expected = members - moved
        fake = FakeProcess(args.time_scale, members, args.latency_ms / 1000)
        if args.processes > 1:
            print(f"sending with {args.processes} processes, each at "
                  f"{args.rate / args.processes:g} msg/s")
            run = send_in_processes(url, fake.url, args.rate, args.time_scale, args.processes)
        else:
            run = asyncio.run(send_due(url, fake.url, args.rate, args.time_scale))
        received = fake.report()
        fake = None
        due_chats = list(range(FIRST_CHAT, FIRST_CHAT + expected))
        per_member_ok = (received["reminder_chats"] == due_chats
                         and received["reminders_per_chat"] == {"1": expected})
        report_sending(expected, due_alliances, args.rate, args.time_scale, run, received,
                       per_member_ok)
        ok = per_member_ok and received["rate_limit_hits"] == 0 and run["still_due"] == 0
        return 0 if ok else 1
    finally:
        if fake is not None:
            fake.kill()
        if server is not None:
            server.stop()
        if not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    raise SystemExit(main())
