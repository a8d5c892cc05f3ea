"""Replies during a reminder wave: people walk the charter while thousands of reminders go out.

Issue 9 (speed): while a wave of reminders is sent, a person's answer still shows within a
second (p95 < 1 s), Telegram never answers 429, the wave keeps at least 20 messages/s and no
private chat gets more than one message a second.

1. Seed a SQLite file with bench/reminders.py's seeding: 10,000 alliances × 5 members (50,000
   people with Telegram ids; more alliances when the wave and the walkers need more people),
   every member's mid-course reminder due in the minute before now.
   `--messages N` of them stay due (whole alliances of 5, from the first); the others are moved
   a day later. The people of the last alliances, whose reminders were moved, are the
   `--walkers` (default 50): partners and coordinators of alliances at mid-course.
2. The fake Bot API (in this process, on 127.0.0.1) enforces Telegram's limits: 30 messages/s
   overall, 1/s per private chat with a burst of `--burst` (default 3), 20/min per group;
   edits are free unless `--count-edits`.
3. The real `charte-bot run` starts on that file (CHARTE_SEND_RATE and the other settings at
   their defaults): the whole wave is due. At once, every walker, who has never written to the
   bot, picks their alliance in /alliances, presses « Parcourir la charte », then answers
   question after question with buttons (a level of the scale, « Passer » for texts), as fast
   as the answers come (`--think S` to read first), until the wave has gone out or their
   charter is done. (The bot looks for due reminders once at startup, then every poll
   interval: the wave starts with the walkers.)

Reported: the latency of each step started while the wave went out (first to last reminder
accepted), from the press queued in the fake to the next question shown in the fake,
p50/p95/max; 429 answers (on reminders, on replies); the wave's pace (accepted reminders per
second, first to last); the most messages one private chat got within any second (the fake
lets a burst of 3 through, the target is 1), and over any 60 seconds.

    python -m bench reply_wave                      # 3,000 reminders, real time (2-7 min)
    python -m bench reply_wave --messages 50000     # the whole wave (35 min at 25/s)
    python -m bench reply_wave --walkers 10 --messages 1000 --think 2
    python -m bench.reply_wave --help

There is no time scale: the pace is the bot's own (CHARTE_SEND_RATE, capped at 30 by the bot,
and python-telegram-bot's in-process limiter of 30 requests/s), which cannot be sped up from
outside, so the wave runs in real time. The last line is the figures as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.live import (
    TOKEN,
    BotUnderTest,
    LoopStalls,
    Person,
    WalkPlan,
    button_shown,
    latency_summary,
    machine,
    max_in_window,
    ms,
    own_cpu,
    walk,
)
from bench.reminders import FIRST_CHAT, MEMBERS, postpone_after, seed
from tests.e2e.fake_bot_api import FakeBotApi

ALLIANCES = 10_000  # at least: more when the wave and the walkers need more people
DEFAULT_MESSAGES = 3_000
DEFAULT_WALKERS = 50
WALK_QUESTIONS = 49
# What the fake has logged so far is set aside from the garbage collector every 30 s: else its
# full collections, over a log that grows to hundreds of megabytes, hold this process up for
# 0.1-0.4 s, and requests the bot spaced out are stamped together (measured: 5 of 5 429 answers
# in a 50,000 wave came during or just after such a pause).
FREEZE_EVERY = 30.0
QUIET = 45.0  # seconds without a reminder after which the wave is over (the bot polls every 30)
TARGET_P95 = 1.0
TARGET_RATE = 20.0


def alliances_for(args: argparse.Namespace) -> int:
    """10,000 alliances, or more: the wave's alliances, then the walkers' (never due)."""
    return max(ALLIANCES, -(-args.messages // MEMBERS) + -(-args.walkers // MEMBERS))


def chat_of(member: int) -> int:
    return FIRST_CHAT + member - 1


async def run(args: argparse.Namespace, db: Path, tmp: Path) -> dict[str, Any]:
    members = alliances_for(args) * MEMBERS
    due_alliances = -(-args.messages // MEMBERS)
    wave = {chat_of(m) for m in range(1, due_alliances * MEMBERS + 1)}
    walker_members = range(members - args.walkers + 1, members + 1)
    fake = FakeBotApi(TOKEN, enforce_limits=True, private_burst=args.burst,
                      count_edits=args.count_edits)
    for m in range(1, members + 1):
        fake.user(chat_of(m), f"Personne {m}")
    gc.freeze()  # the 50,000 people the fake knows stay as they are
    await fake.start()
    bot = BotUnderTest.charte(tmp / "bot", fake.url, db)
    result: dict[str, Any] = {"expected": len(wave), "due_alliances": due_alliances}
    stopping = math.inf
    try:
        started = fake.clock()
        result["startup_s"] = await bot.start(fake)
        cpu0, own0 = bot.cpu(), own_cpu()
        walkers = [Person(fake, chat_of(m), f"Personne {m}", timeout=args.timeout)
                   for m in walker_members]
        walker_chats = {p.id for p in walkers}

        reached: set[int] = set()  # wave chats that got their reminder
        read = 0

        def wave_progress() -> int:
            nonlocal read
            for call in fake.call_log[read:]:
                if call.ok and call.chat_id in wave and call.method == "sendMessage":
                    reached.add(call.chat_id)
            read = len(fake.call_log)
            return len(reached)

        state = {"done": False}

        async def watch_wave() -> None:
            seen, last_change, frozen = 0, fake.clock(), fake.clock()
            while True:
                count, now = wave_progress(), fake.clock()
                if now - frozen > FREEZE_EVERY:
                    gc.freeze()
                    frozen = now
                if count != seen:
                    seen, last_change = count, now
                if count >= len(wave) or now - last_change > QUIET or not bot.alive:
                    state["done"] = True
                    return
                await asyncio.sleep(0.5)

        async def walker(person: Person) -> None:
            # A seeded member has never written to the bot: like anyone in several alliances,
            # they pick theirs in /alliances, then « Parcourir la charte ».
            await person.expect(await person.command("/alliances",
                                                     until=button_shown("Alliance")),
                                "the list of alliances")
            await person.expect(await person.press("Alliance", until=button_shown("charte")),
                                "the alliance chosen")
            await person.expect(await person.press("charte"), "the first question")
            await walk(person, WALK_QUESTIONS, WalkPlan(think=args.think),
                       keep_going=lambda: not state["done"])

        with LoopStalls(fake.clock) as stalls:
            watcher = asyncio.create_task(watch_wave())
            outcomes = await asyncio.gather(*(walker(p) for p in walkers),
                                            return_exceptions=True)
            walkers_done = fake.clock()
            await watcher
        ended = fake.clock()
        wave_started = min((c.done for c in fake.call_log
                            if c.ok and c.chat_id in wave and c.method == "sendMessage"),
                           default=math.nan)
        cpu, own = bot.cpu() - cpu0, own_cpu() - own0
        stopping = fake.clock()  # PTB's last getUpdates at shutdown ends the long poll: 409
        result.update({
            "alive": bot.alive,
            "walker_errors": [repr(o) for o in outcomes if isinstance(o, BaseException)],
            "wave_started_after_s": wave_started - started,
            "walk_seconds": walkers_done - started,
            "elapsed_s": ended - started,
            "bot_cpu_s": cpu, "driver_cpu_s": own,
        })
    finally:
        await bot.stop()
        await fake.stop()

    steps = [s for p in walkers for s in p.steps]
    reminders = sorted(c.done for c in fake.call_log
                       if c.ok and c.chat_id in wave and c.method == "sendMessage")
    wave_end = reminders[-1] if reminders else math.nan
    during = [s for s in steps if reminders and reminders[0] <= s.started <= wave_end]
    buttons = [s for s in during if s.kind == "button"]
    commands = [s for s in steps if s.kind == "command"]
    first_questions = [p.steps[2] for p in walkers if len(p.steps) > 2]
    outside = [s for s in steps if s not in during]
    log = fake.call_log
    reminder_chats = Counter(c.chat_id for c in log
                             if c.ok and c.chat_id in wave and c.method == "sendMessage")
    span = reminders[-1] - reminders[0] if len(reminders) > 1 else math.nan
    refused = [c for c in log if c.status == 429]
    per_chat: dict[int, list[float]] = defaultdict(list)
    for c in log:
        if c.ok and c.counted and c.chat_id is not None and c.chat_id > 0:
            per_chat[c.chat_id].append(c.done)
    in_1s = {chat: max_in_window(sorted(times), 1.0) for chat, times in per_chat.items()}
    in_60s = {chat: max_in_window(sorted(times), 60.0) for chat, times in per_chat.items()}
    result.update({
        "steps": len(buttons), "walkers_finished": sum(
            1 for p in walkers if p.screen is not None and "🎉" in p.screen.content),
        "latency_buttons": latency_summary(buttons),
        "latency_commands": latency_summary(commands),
        "latency_first_question": latency_summary(first_questions),
        "latency_all": latency_summary(steps),
        "latency_outside_wave": latency_summary(outside),
        "reminders_accepted": len(reminders),
        "reminder_chats": len(reminder_chats),
        "reminders_more_than_once": sum(1 for n in reminder_chats.values() if n > 1),
        "wave_rate": (len(reminders) - 1) / span if span and span > 0 else math.nan,
        "wave_seconds": span,
        "refused_429": len(refused),
        "refused_429_wave": sum(1 for c in refused if c.chat_id in wave),
        "refused_429_walkers": sum(1 for c in refused if c.chat_id in walker_chats),
        "refused_429_by_method": dict(Counter(c.method for c in refused)),
        "driver": stalls.summary([c.at for c in refused]),
        "errors": dict(Counter(f"{c.method} {c.status}" for c in log
                               if c.status not in (200, 429) and c.done < stopping)),
        "max_per_chat_1s": max(in_1s.values(), default=0),
        "chats_over_1_in_1s": sum(1 for n in in_1s.values() if n > 1),
        "walker_chats_over_1_in_1s": sum(1 for chat, n in in_1s.items()
                                         if n > 1 and chat in walker_chats),
        "max_per_chat_60s_rate": max(in_60s.values(), default=0) / 60,
        "walker_replies_per_step": sum(
            1 for c in log if c.ok and c.counted and c.chat_id in walker_chats)
        / max(1, len(steps)),
        "calls_by_method": dict(Counter(c.method for c in log if c.method != "getUpdates")),
    })
    return result


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(r: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    b = r["latency_buttons"]
    print(f"wave: {r['expected']:,} reminders due at startup ({r['due_alliances']:,} alliances "
          f"of 5); {args.walkers} people walking meanwhile (buttons, think {args.think:g} s); "
          f"fake: 30 msg/s, 1/s per private chat, burst {args.burst}, edits "
          f"{'counted' if args.count_edits else 'free'}")
    o = r["latency_outside_wave"]
    print(f"  bot started in {r['startup_s']:.2f} s; walkers started at once; first reminder "
          f"accepted {r['wave_started_after_s']:.1f} s after the start; walkers stopped "
          f"{r['walk_seconds']:.1f} s after the start; whole run {r['elapsed_s']:.1f} s")
    print(f"  reply latency, button steps started while the wave went out ({b['n']} answered, "
          f"{b['unanswered']} unanswered within {args.timeout:g} s): p50 "
          f"{ms(b['p50_ms'] / 1000)}, p95 {ms(b['p95_ms'] / 1000)} "
          f"[{verdict(b['p95_ms'] < 1000 * TARGET_P95)}: p95 < 1 s], "
          f"max {ms(b['max_ms'] / 1000)}; steps outside the wave: {o['n']} "
          f"(p50 {ms(o['p50_ms'] / 1000)})")
    c, f = r["latency_commands"], r["latency_first_question"]
    print(f"  /alliances: p50 {ms(c['p50_ms'] / 1000)}, p95 {ms(c['p95_ms'] / 1000)}, max "
          f"{ms(c['max_ms'] / 1000)} ({c['n']} answered); « Parcourir la charte » to the "
          f"first question: p50 {ms(f['p50_ms'] / 1000)}, max {ms(f['max_ms'] / 1000)} "
          f"(included in the button steps); walkers who finished the charter: "
          f"{r['walkers_finished']}/{args.walkers}")
    print(f"  429 answers: {r['refused_429']} [{verdict(r['refused_429'] == 0)}: target 0] "
          f"(reminders {r['refused_429_wave']}, walkers' chats {r['refused_429_walkers']}; "
          f"{r['refused_429_by_method'] or 'none'}); other errors: {r['errors'] or 'none'}")
    d = r["driver"]
    print(f"  this process (fake + people) held up over 50 ms: {d['stalls']} times, longest "
          f"{d['longest_stall_ms']:.0f} ms ({d['full_gc']} full garbage collections, longest "
          f"{d['longest_full_gc_ms']:.0f} ms); 429 answers during such a stall or within 1 s: "
          f"{d['refused_after_stall']} of {r['refused_429']}")
    print(f"  wave: {r['reminders_accepted']:,} reminders accepted in {r['reminder_chats']:,} "
          f"chats of {r['expected']:,} ({r['reminders_more_than_once']} chats more than once), "
          f"{r['wave_rate']:.1f} msg/s first to last [{verdict(r['wave_rate'] >= TARGET_RATE)}: "
          f"≥ {TARGET_RATE:.0f}] over {r['wave_seconds']:.0f} s")
    print(f"  per private chat: at most {r['max_per_chat_1s']} messages within 1 s "
          f"[{verdict(r['max_per_chat_1s'] <= 1)}: ≤ 1/s] ({r['chats_over_1_in_1s']} chats got "
          f"2 or more within a second, {r['walker_chats_over_1_in_1s']} of them walkers': "
          f"the fake lets a burst of {args.burst} through); at most "
          f"{r['max_per_chat_60s_rate']:.2f} msg/s over any 60 s")
    print(f"  new messages in the walkers' chats per step: {r['walker_replies_per_step']:.2f}; "
          f"calls: {r['calls_by_method']}")
    print(f"  CPU: bot {r['bot_cpu_s']:.1f} s, driver (fake + people) {r['driver_cpu_s']:.1f} s"
          f" over {r['elapsed_s']:.0f} s")
    if r["walker_errors"]:
        print(f"  walker errors: {r['walker_errors'][:3]}")
    if not r["alive"]:
        print("  the bot died during the run")
    return {"bench": "reply_wave", "messages": args.messages, "walkers": args.walkers,
            "burst": args.burst, "count_edits": args.count_edits, "think": args.think, **r}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reply_wave", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=DEFAULT_MESSAGES,
                        help=f"reminders due at startup (default {DEFAULT_MESSAGES:,}; "
                             f"{ALLIANCES * MEMBERS:,} for the whole wave)")
    parser.add_argument("--walkers", type=int, default=DEFAULT_WALKERS,
                        help=f"people walking during the wave (default {DEFAULT_WALKERS})")
    parser.add_argument("--burst", type=int, default=3,
                        help="messages a private chat may get at once (default 3)")
    parser.add_argument("--count-edits", action="store_true",
                        help="edits count against Telegram's limits like messages")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds a walker reads before answering (default 0)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds a walker waits for one answer before giving up "
                             "(default 60)")
    parser.add_argument("--workdir", help="keep the database and the bot's output there "
                                          "(default: a temporary folder, deleted)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.messages < 1 or args.walkers < 1:
        parser.error("--messages and --walkers are at least 1")
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="bench-reply-wave-") as folder:
        tmp = Path(args.workdir or folder)
        tmp.mkdir(parents=True, exist_ok=True)
        db = tmp / "wave.db"
        due_minute = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
        started = time.perf_counter()
        counts = seed(f"sqlite:///{db}", alliances_for(args), due_minute)
        postpone_after(f"sqlite:///{db}", -(-args.messages // MEMBERS), timedelta(days=1))
        print(f"seeded in {time.perf_counter() - started:.1f} s: "
              + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        result = asyncio.run(run(args, db, tmp))
    figures = report(result, args)
    print(json.dumps(figures, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
