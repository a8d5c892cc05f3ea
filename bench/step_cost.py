"""CPU and Bot API calls per walk step: the real charte-bot next to a do-nothing PTB bot.

Issue 9 (speed): a button step should cost at most 1.5 times the CPU of the same round trip
in a bot that does nothing, use at most 2 Bot API calls (answerCallbackQuery included) and
create at most 1 new message; no 429 under Telegram's limits.

One fake Bot API (tests/e2e/fake_bot_api.py, in this process, on 127.0.0.1) serves, one after
the other:

1. the real `charte-bot run` (a fresh SQLite file in a temporary folder). Set up through the
   bot, not measured: one person creates an alliance with /nouvelle, the others join with
   /rejoindre CODE (one organisation each), everyone sends /charte. Then, measured:
   a. buttons: `--people` people answer `--steps` questions each, as fast as the answers come:
      a level of the scale (« 3 · Engagé »…) for the position, « Passer » for the text
      questions, lever after lever;
   b. typed: the same people answer `--typed` more questions by typing (« engagé », « 2 »,
      « jsp »; a sentence for the text questions);
   c. limits: the fake now enforces Telegram's limits (30 messages/s, 1/s per private chat
      with a burst of 3, edits free): `--limits` other people answer `--steps` questions with
      buttons; the 429 answers are counted.
2. bench/null_bot.py: `--people` people send /start, then press its only button `--steps`
   times each, as fast as the answers come (answerCallbackQuery + editMessageText each).

CPU is the bot process's user + system time (/proc/PID/stat, every thread) sampled right
before the first press of a window and once the bot has been quiet for 0.5 s after the last
answer showed (so work done after an answer counts): startup and setup are outside. Calls are
the bot's requests that arrived at the fake in the window, getUpdates excluded; each is also
attributed to the step it answers (the person's latest step before it, in that person's chat),
which splits button and typed steps.

    python -m bench step_cost                           # 8 people × 35 + 14 steps, ~1 min
    python -m bench step_cost --people 16 --steps 49 --typed 0 --limits 0
    python -m bench.step_cost --help

A person walks one charter (49 questions: 21 positions, 28 texts), so --steps + --typed is
at most 49. The last line is the figures as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.live import (
    NULL_BUTTON,
    TOKEN,
    BotUnderTest,
    Person,
    Step,
    StepCalls,
    WalkPlan,
    attribute,
    button_shown,
    calls_in,
    create_alliance,
    join,
    latency_summary,
    machine,
    ms,
    open_walk,
    own_cpu,
    press_null,
    settle,
    walk,
)
from tests.e2e.fake_bot_api import MESSAGE_METHODS, FakeBotApi

WALK_QUESTIONS = 49  # 21 positions, 14 × 1 + 7 × 2 text questions
DEFAULT_PEOPLE = 8
DEFAULT_STEPS = 35
DEFAULT_TYPED = 14
DEFAULT_LIMITS_PEOPLE = 3
DEFAULT_ROUNDS = 3
TARGET_RATIO = 1.5
TARGET_CALLS = 2.0
TARGET_MESSAGES = 1.0
FIRST_ID = 700_001  # Telegram ids of the people of charte-bot
FIRST_NULL_ID = 800_001  # and of the null bot


def window_figures(fake: FakeBotApi, steps: Sequence[Step], cpu: float, own: float,
                   start: float, end: float, elapsed: float) -> dict[str, Any]:
    """CPU, calls and latency of one measured window."""
    answered = [s for s in steps if s.ok]
    calls = calls_in(fake.call_log, start, end)
    by_method = Counter(c.method for c in calls)
    new_messages = sum(1 for c in calls if c.method in MESSAGE_METHODS and c.ok)
    n = len(answered)
    return {
        "steps": n,
        "unanswered": len(steps) - n,
        "seconds": elapsed,
        "steps_per_s": n / elapsed if elapsed else math.nan,
        "cpu_s": cpu,
        "cpu_ms_per_step": 1000 * cpu / n if n else math.nan,
        "bot_cpu_share": cpu / elapsed if elapsed else math.nan,
        "driver_cpu_s": own,
        "calls": len(calls),
        "calls_per_step": len(calls) / n if n else math.nan,
        "calls_by_method": dict(by_method.most_common()),
        "new_messages_per_step": new_messages / n if n else math.nan,
        "refused_429": sum(1 for c in calls if c.status == 429),
        "refused_429_by_method": dict(Counter(c.method for c in calls if c.status == 429)),
        "errors": dict(Counter(f"{c.method} {c.status}" for c in calls
                               if c.status not in (200, 429))),
        "latency": latency_summary(steps),
    }


def attributed(fake: FakeBotApi, steps: Sequence[Step], start: float, end: float
               ) -> dict[str, dict[str, Any]]:
    split: dict[str, StepCalls] = attribute(calls_in(fake.call_log, start, end), steps)
    return {kind: {"steps": c.steps, "calls_per_step": c.per_step(c.calls),
                   "by_method_per_step": {m: c.per_step(v) for m, v in c.by_method.items()},
                   "new_messages_per_step": c.per_step(c.new_messages),
                   "refused_429": c.refused_429}
            for kind, c in split.items()}


async def idle_cpu(bot: BotUnderTest, seconds: float = 2.0) -> float:
    """CPU ms per second of the bot doing nothing (polling, scheduler): already part of
    every window, shown to tell how much of a window's CPU it is."""
    before = bot.cpu()
    await asyncio.sleep(seconds)
    return 1000 * (bot.cpu() - before) / seconds


async def measure(bot: BotUnderTest, fake: FakeBotApi, people: Sequence[Person],
                  go: Any) -> dict[str, Any]:
    """Run `go(person)` for everyone at once; CPU and calls from first press to last answer."""
    marks = [len(p.steps) for p in people]
    cpu0, own0 = bot.cpu(), own_cpu()
    start, wall = fake.clock(), time.perf_counter()
    await asyncio.gather(*(go(p) for p in people))
    elapsed = time.perf_counter() - wall  # first press to last answer: the pace
    await settle(fake)  # what the bot still does after the last answer counts too
    end = fake.clock()
    cpu, own = bot.cpu() - cpu0, own_cpu() - own0
    steps = [s for p, mark in zip(people, marks, strict=True) for s in p.steps[mark:]]
    figures = window_figures(fake, steps, cpu, own, start, end, elapsed)
    figures["by_kind"] = attributed(fake, steps, start, end)
    return figures


async def run_charte(fake: FakeBotApi, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    bot = BotUnderTest.charte(tmp / "charte", fake.url, tmp / "charte.db")
    result: dict[str, Any] = {"startup_s": await bot.start(fake)}
    try:
        everyone = [Person(fake, FIRST_ID + k, f"Marcheur {k + 1}")
                    for k in range(args.people + args.limits)]
        setup = time.perf_counter()
        code = await create_alliance(everyone[0], "Alliance du banc d’essai", "Organisation 1")
        for k, person in enumerate(everyone[1:], start=2):
            await join(person, code, f"Organisation {k}")
        await asyncio.gather(*(open_walk(p) for p in everyone))
        result["setup_s"] = time.perf_counter() - setup
        result["idle_cpu_ms_per_s"] = await idle_cpu(bot)
        walkers, limited = everyone[:args.people], everyone[args.people:]

        result["buttons"] = await measure(bot, fake, walkers,
                                          lambda p: walk(p, args.steps, WalkPlan()))
        if args.typed:
            result["typed"] = await measure(bot, fake, walkers,
                                            lambda p: walk(p, args.typed, WalkPlan(typed=True)))
        if limited:
            fake.enforce_limits = True
            fake.limiter.reset()
            try:
                result["limits"] = await measure(bot, fake, limited,
                                                 lambda p: walk(p, args.steps, WalkPlan()))
            finally:
                fake.enforce_limits = False
        if not bot.alive:
            raise RuntimeError(f"charte-bot died:\n{bot.tail()}")
    finally:
        await bot.stop()
    return result


async def run_null(fake: FakeBotApi, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    bot = BotUnderTest.null(tmp / "null", fake.url)
    result: dict[str, Any] = {"startup_s": await bot.start(fake)}
    try:
        people = [Person(fake, FIRST_NULL_ID + k, f"Témoin {k + 1}") for k in range(args.people)]
        for person in people:
            await person.expect(await person.command("/start", until=button_shown(NULL_BUTTON),
                                                     record=False), "the null bot's button")
        result["idle_cpu_ms_per_s"] = await idle_cpu(bot)
        result["buttons"] = await measure(bot, fake, people, lambda p: press_null(p, args.steps))
        if not bot.alive:
            raise RuntimeError(f"the null bot died:\n{bot.tail()}")
    finally:
        await bot.stop()
    return result


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """`--rounds` times charte-bot then the null bot, alternately: the machine's other work
    moves both figures; the ratio is read per round and its median reported. The typed steps
    and the steps under Telegram's limits are measured in the first round only."""
    rounds = []
    with tempfile.TemporaryDirectory(prefix="bench-step-cost-") as folder:
        async with FakeBotApi(TOKEN) as fake:
            for n in range(args.rounds):
                tmp = Path(folder) / f"round-{n + 1}"
                tmp.mkdir()
                first = argparse.Namespace(**{**vars(args), **({} if n == 0 else
                                                                {"typed": 0, "limits": 0})})
                charte = await run_charte(fake, tmp, first)
                null = await run_null(fake, tmp, first)
                rounds.append({"charte": charte, "null": null})
    return {**rounds[0], "rounds": rounds}


# --- report ----------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def per_step_methods(window: dict[str, Any]) -> str:
    n = window["steps"] or 1
    return ", ".join(f"{m} {v / n:.2f}" for m, v in window["calls_by_method"].items())


def report(result: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    charte, null = result["charte"], result["null"]
    a, z = charte["buttons"], null["buttons"]
    per_round = [(r["charte"]["buttons"]["cpu_ms_per_step"],
                  r["null"]["buttons"]["cpu_ms_per_step"]) for r in result["rounds"]]
    ratios = [c / n for c, n in per_round]
    ratio = statistics.median(ratios)
    a = {**a, "cpu_ms_per_step": statistics.median(c for c, _ in per_round)}
    z = {**z, "cpu_ms_per_step": statistics.median(n for _, n in per_round)}
    print(f"button steps: {args.people} people × {args.steps} answers, as fast as the answers "
          f"come (limits off); null bot: {args.people} people × {args.steps} presses")
    print()
    rows = [
        ("", "charte-bot", "null bot", "target"),
        ("steps answered", f"{a['steps']}", f"{z['steps']}", ""),
        ("CPU per step", f"{a['cpu_ms_per_step']:.2f} ms", f"{z['cpu_ms_per_step']:.2f} ms",
         f"ratio {ratio:.2f} [{verdict(ratio <= TARGET_RATIO)}: ≤ {TARGET_RATIO}]"),
        ("Bot API calls per step", f"{a['calls_per_step']:.2f}", f"{z['calls_per_step']:.2f}",
         f"≤ {TARGET_CALLS:.0f} [{verdict(a['calls_per_step'] <= TARGET_CALLS)}]"),
        ("new messages per step", f"{a['new_messages_per_step']:.2f}",
         f"{z['new_messages_per_step']:.2f}",
         f"≤ {TARGET_MESSAGES:.0f} [{verdict(a['new_messages_per_step'] <= TARGET_MESSAGES)}]"),
        ("answer latency p50", ms(a["latency"]["p50_ms"] / 1000),
         ms(z["latency"]["p50_ms"] / 1000), ""),
        ("answer latency p95", ms(a["latency"]["p95_ms"] / 1000),
         ms(z["latency"]["p95_ms"] / 1000), ""),
        ("steps per second (all people)", f"{a['steps_per_s']:.1f}", f"{z['steps_per_s']:.1f}",
         ""),
        ("bot CPU, share of one core", f"{100 * a['bot_cpu_share']:.0f} %",
         f"{100 * z['bot_cpu_share']:.0f} %", ""),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    print()
    print("  CPU per step in each round (charte-bot / null bot = ratio): " + "; ".join(
        f"{c:.2f} / {n:.2f} = {c / n:.2f}" for c, n in per_round) + " — the medians above")
    print(f"  calls per button step, charte-bot: {per_step_methods(a)}")
    print(f"  calls per press, null bot: {per_step_methods(z)}")
    print(f"  unanswered: charte-bot {a['unanswered']}, null bot {z['unanswered']}; errors: "
          f"{a['errors'] or 'none'}; the driver (fake + people) used {a['driver_cpu_s']:.1f} s "
          f"CPU for charte-bot's window, {z['driver_cpu_s']:.1f} s for the null bot's")
    if "typed" in charte:
        t = charte["typed"]
        print(f"typed steps ({args.people} people × {args.typed}: levels and sentences typed): "
              f"CPU {t['cpu_ms_per_step']:.2f} ms/step; {t['calls_per_step']:.2f} calls/step "
              f"({per_step_methods(t)}); {t['new_messages_per_step']:.2f} new messages/step; "
              f"latency p50 {ms(t['latency']['p50_ms'] / 1000)}, "
              f"p95 {ms(t['latency']['p95_ms'] / 1000)}")
    if "limits" in charte:
        lim = charte["limits"]
        print(f"with Telegram's limits ({args.limits} people × {args.steps} button steps; "
              f"30 msg/s, 1/s per chat with a burst of 3, edits free): "
              f"{lim['refused_429']} answers 429 [{verdict(lim['refused_429'] == 0)}: target 0]"
              f" ({lim['refused_429_by_method'] or 'none'}); {lim['calls_per_step']:.2f} "
              f"calls/step ({per_step_methods(lim)}); latency p50 "
              f"{ms(lim['latency']['p50_ms'] / 1000)}, p95 {ms(lim['latency']['p95_ms'] / 1000)}"
              f", max {ms(lim['latency']['max_ms'] / 1000)}; {lim['steps_per_s']:.2f} steps/s")
    print(f"startup to first getUpdates: charte-bot {charte['startup_s']:.2f} s, null bot "
          f"{null['startup_s']:.2f} s; setup through the bot {charte['setup_s']:.1f} s "
          f"(not measured); idle CPU (inside the windows too): charte-bot "
          f"{charte['idle_cpu_ms_per_s']:.1f} ms/s, null bot {null['idle_cpu_ms_per_s']:.1f} ms/s")
    figures = {
        "bench": "step_cost",
        "people": args.people, "steps": args.steps, "typed_steps": args.typed,
        "limits_people": args.limits,
        "cpu_ms_per_step": {"charte": a["cpu_ms_per_step"], "null": z["cpu_ms_per_step"]},
        "cpu_ratio": ratio,
        "cpu_ratio_per_round": ratios,
        "idle_cpu_ms_per_s": {"charte": charte["idle_cpu_ms_per_s"],
                              "null": null["idle_cpu_ms_per_s"]},
        "calls_per_button_step": a["calls_per_step"],
        "new_messages_per_button_step": a["new_messages_per_step"],
        "calls_by_method_per_button_step": {m: v / a["steps"]
                                            for m, v in a["calls_by_method"].items()},
        "null_calls_per_step": z["calls_per_step"],
        "latency_ms": {"charte": a["latency"], "null": z["latency"]},
        "typed": charte.get("typed"),
        "limits": charte.get("limits"),
        "charte_buttons": a,
        "null_buttons": z,
    }
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.step_cost", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE,
                        help=f"people walking at once (default {DEFAULT_PEOPLE})")
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS,
                        help=f"button steps per person (default {DEFAULT_STEPS})")
    parser.add_argument("--typed", type=int, default=DEFAULT_TYPED,
                        help=f"typed steps per person after them (default {DEFAULT_TYPED})")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS,
                        help="charte-bot and the null bot measured alternately this many times; "
                             f"the median ratio is reported (default {DEFAULT_ROUNDS})")
    parser.add_argument("--limits", type=int, default=DEFAULT_LIMITS_PEOPLE,
                        help="people walking with Telegram's limits enforced, to count 429 "
                             f"answers (default {DEFAULT_LIMITS_PEOPLE}; 0: skip)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.people < 1 or args.steps < 1 or args.typed < 0 or args.limits < 0 or args.rounds < 1:
        parser.error("--people and --steps must be positive, --typed and --limits not negative")
    if args.steps + args.typed > WALK_QUESTIONS:
        parser.error(f"--steps + --typed is at most {WALK_QUESTIONS} (one charter)")
    print(f"machine: {machine()}")
    result = asyncio.run(run(args))
    figures = report(result, args)
    print(json.dumps(figures, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
