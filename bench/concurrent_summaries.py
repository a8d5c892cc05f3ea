"""Summaries while others walk: how much slower do the walkers' answers get?

Issue 9 (speed): when 5 people ask /synthese at once (their alliances have answers, so the bot
draws charts and sends them as photos) while 20 others walk the charter, the walkers' p95
step latency grows by less than 100 ms compared with the same walk without summaries.

Everything goes through the real `charte-bot run` (a fresh SQLite file) and the fake Bot API
(in this process, on 127.0.0.1):

1. Setup, through the bot, not measured (Telegram's limits off): `--requesters` people each
   create an alliance with /nouvelle; `--organisations` - 1 partners join each, one
   organisation each; all of them walk the whole charter (21 levers: varied levels from « 1 ·
   À découvrir » to « Je ne sais pas », a typed sentence for one text question in three,
   « Passer » for the others). Then two groups of `--walkers` people join another alliance
   and send /charte.
2. Baseline (limits on, unless `--no-limits`): the first group answers `--steps` questions
   each with buttons, `--think` seconds after each answer shows; nobody asks for a summary.
3. Loaded: the second group does the same while the requesters ask /synthese, all at once,
   round after round (a round ends when every summary has shown its photo and its text;
   `--pause` seconds later the next begins), until the walkers are done.

Reported: the walkers' step latency (press queued in the fake → next question shown in the
fake) p50/p95/max in both runs, and in the loaded run for the steps started while summaries
were being made; the growth of p95; the summaries' own latency and photos; 429 answers.

    python -m bench concurrent_summaries           # 5 requesters, 2 × 20 walkers (~3 min)
    python -m bench concurrent_summaries --think 0 --no-limits
    python -m bench.concurrent_summaries --help

`--think` defaults to 2 s: at 0, twenty people pressing as fast as the answers come already
fill the bot's own limiter (30 requests/s: two per step), and p95 measures that queue rather
than the summaries. The last line is the figures as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.live import (
    TOKEN,
    BotUnderTest,
    Person,
    Step,
    WalkPlan,
    create_alliance,
    join,
    labels,
    latency_summary,
    machine,
    ms,
    open_walk,
    own_cpu,
    walk,
)
from tests.e2e.fake_bot_api import FakeBotApi, SentMessage

WALK_QUESTIONS = 49
TARGET_GROWTH_MS = 100.0
FIRST_ID = 900_001
KINDS = ("Association", "Entreprise", "Collectivité", "Fondation")


def summary_shown(shown: Sequence[SentMessage]) -> SentMessage | None:
    """A summary is there once a chart (photo) and the text with its buttons have shown."""
    photos = [m for m in shown if m.photo is not None]
    text = [m for m in shown if "Synthèse" in m.content and labels(m) and m.photo is None]
    if photos and text:
        return max(photos + text, key=lambda m: m.shown_at or 0.0)
    return None


async def seed_alliance(k: int, people: list[Person]) -> None:
    """One alliance through the bot: the first person creates it, the others join it, then
    everyone walks the whole charter."""
    code = await create_alliance(people[0], f"Alliance Synthèse {k}", f"Organisation {k}.1",
                                 kind=KINDS[0])
    for j, person in enumerate(people[1:], start=2):
        await join(person, code, f"Organisation {k}.{j}", kind=KINDS[(j - 1) % len(KINDS)])

    async def walk_all(j: int, person: Person) -> None:
        await open_walk(person)
        await walk(person, WALK_QUESTIONS, WalkPlan(texts=3, seed=11 * k + j))
    await asyncio.gather(*(walk_all(j, p) for j, p in enumerate(people)))


async def run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    ids = iter(range(FIRST_ID, FIRST_ID + 10_000))
    async with FakeBotApi(TOKEN) as fake:
        bot = BotUnderTest.charte(tmp / "bot", fake.url, tmp / "summaries.db")
        result: dict[str, Any] = {"startup_s": await bot.start(fake)}
        try:
            # 1. setup
            setup = time.perf_counter()
            alliances = [[Person(fake, next(ids), f"Partenaire {k}.{j}")
                          for j in range(1, args.organisations + 1)]
                         for k in range(1, args.requesters + 1)]
            await asyncio.gather(*(seed_alliance(k, people)
                                   for k, people in enumerate(alliances, start=1)))
            requesters = [people[0] for people in alliances]
            walkers = [Person(fake, next(ids), f"Marcheur {j}")
                       for j in range(1, 2 * args.walkers + 1)]
            code = await create_alliance(walkers[0], "Alliance des marcheurs", "Marcheurs 1")
            for j, person in enumerate(walkers[1:], start=2):
                await join(person, code, f"Marcheurs {j}")
            await asyncio.gather(*(open_walk(p) for p in walkers))
            result["setup_s"] = time.perf_counter() - setup
            result["answers_seeded"] = sum(len(p.steps) for people in alliances for p in people)
            for people in alliances:
                for person in people:
                    person.steps.clear()
            if not bot.alive:
                raise RuntimeError(f"charte-bot died during setup:\n{bot.tail()}")

            fake.enforce_limits = args.limits
            fake.limiter.reset()
            plan = WalkPlan(think=args.think)
            marks = len(fake.call_log)

            # 2. baseline
            baseline = walkers[:args.walkers]
            cpu0, started = bot.cpu(), fake.clock()
            await asyncio.gather(*(walk(p, args.steps, plan) for p in baseline))
            result["baseline_cpu_s"] = bot.cpu() - cpu0
            result["baseline_s"] = fake.clock() - started

            # 3. loaded
            loaded = walkers[args.walkers:]
            rounds: list[tuple[float, float]] = []
            summaries: list[Step] = []
            photos: list[int] = []
            walking = {"done": False}

            async def ask(person: Person) -> None:
                mark = len(person.steps)
                step = await person.command("/synthese", until=summary_shown)
                summaries.append(step)
                last = person.fake.messages(person.user)
                photos.append(sum(1 for m in last if m.photo is not None
                                  and m.sent_at is not None and m.sent_at >= step.started))
                del person.steps[mark:]

            async def ask_in_rounds() -> None:
                while not walking["done"]:
                    begun = fake.clock()
                    await asyncio.gather(*(ask(p) for p in requesters))
                    rounds.append((begun, fake.clock()))
                    pause_until = fake.clock() + args.pause
                    while not walking["done"] and fake.clock() < pause_until:
                        await asyncio.sleep(0.05)

            async def walk_loaded() -> None:
                await asyncio.gather(*(walk(p, args.steps, plan) for p in loaded))
                walking["done"] = True

            cpu0, own0, started = bot.cpu(), own_cpu(), fake.clock()
            await asyncio.gather(walk_loaded(), ask_in_rounds())
            result["loaded_cpu_s"] = bot.cpu() - cpu0
            result["loaded_s"] = fake.clock() - started
            result["driver_cpu_s"] = own_cpu() - own0
            if not bot.alive:
                raise RuntimeError(f"charte-bot died:\n{bot.tail()}")
        finally:
            stopped = fake.clock()  # PTB's last getUpdates at shutdown ends the long poll: 409
            await bot.stop()

    base_steps = [s for p in baseline for s in p.steps]
    load_steps = [s for p in loaded for s in p.steps]
    during = [s for s in load_steps if any(a <= s.started <= b for a, b in rounds)]
    window = [c for c in fake.call_log[marks:] if c.done < stopped]
    refused = [c for c in window if c.status == 429]
    walker_chats = {p.id for p in walkers}
    requester_chats = {p.id for p in requesters}
    result.update({
        "baseline": latency_summary(base_steps),
        "loaded": latency_summary(load_steps),
        "loaded_during_summaries": latency_summary(during),
        "summaries": latency_summary(summaries),
        "rounds": len(rounds),
        "round_seconds": [b - a for a, b in rounds],
        "photos_per_summary": dict(Counter(photos)),
        "refused_429": len(refused),
        "refused_429_walkers": sum(1 for c in refused if c.chat_id in walker_chats),
        "refused_429_requesters": sum(1 for c in refused if c.chat_id in requester_chats),
        "refused_429_by_method": dict(Counter(c.method for c in refused)),
        "errors": dict(Counter(f"{c.method} {c.status}" for c in window
                               if c.status not in (200, 429))),
    })
    return result


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def line(name: str, summary: dict[str, Any]) -> str:
    return (f"  {name:<34} p50 {ms(summary['p50_ms'] / 1000):>8}  p95 "
            f"{ms(summary['p95_ms'] / 1000):>8}  max {ms(summary['max_ms'] / 1000):>8}  "
            f"({summary['n']} steps, {summary['unanswered']} unanswered)")


def report(r: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    growth = r["loaded"]["p95_ms"] - r["baseline"]["p95_ms"]
    growth_during = r["loaded_during_summaries"]["p95_ms"] - r["baseline"]["p95_ms"]
    print(f"{args.requesters} requesters (alliances of {args.organisations} organisations, "
          f"21 levers answered: {r['answers_seeded']} steps through the bot in "
          f"{r['setup_s']:.0f} s), 2 × {args.walkers} walkers × {args.steps} button steps, "
          f"think {args.think:g} s; Telegram's limits {'on' if args.limits else 'off'}")
    print(line("baseline (no summaries)", r["baseline"]))
    print(line("with summaries, all steps", r["loaded"]))
    print(line("with summaries, during a round", r["loaded_during_summaries"]))
    print(f"  p95 growth: {growth:+.0f} ms over the loaded run "
          f"[{verdict(growth < TARGET_GROWTH_MS)}: < {TARGET_GROWTH_MS:.0f} ms]; "
          f"{growth_during:+.0f} ms for the steps started during a round")
    s = r["summaries"]
    rounds = ", ".join(f"{x:.1f}" for x in r["round_seconds"][:8])
    print(f"  summaries: {s['n']} in {r['rounds']} rounds of {args.requesters} at once "
          f"(round lengths {rounds}{' …' if r['rounds'] > 8 else ''} s); each /synthese to "
          f"its chart and text: p50 {ms(s['p50_ms'] / 1000)}, max {ms(s['max_ms'] / 1000)}; "
          f"photos per summary {r['photos_per_summary']}")
    print(f"  429 answers: {r['refused_429']} (walkers {r['refused_429_walkers']}, requesters "
          f"{r['refused_429_requesters']}; {r['refused_429_by_method'] or 'none'}); other "
          f"errors: {r['errors'] or 'none'}")
    print(f"  bot CPU: baseline {r['baseline_cpu_s']:.1f} s in {r['baseline_s']:.0f} s, "
          f"loaded {r['loaded_cpu_s']:.1f} s in {r['loaded_s']:.0f} s; driver "
          f"{r['driver_cpu_s']:.1f} s")
    return {"bench": "concurrent_summaries", "requesters": args.requesters,
            "walkers": args.walkers, "steps": args.steps, "think": args.think,
            "limits": args.limits, "organisations": args.organisations,
            "p95_growth_ms": growth, "p95_growth_during_rounds_ms": growth_during, **r}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.concurrent_summaries",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requesters", type=int, default=5,
                        help="people asking /synthese at once (default 5)")
    parser.add_argument("--organisations", type=int, default=4,
                        help="organisations in each requester's alliance (default 4)")
    parser.add_argument("--walkers", type=int, default=20,
                        help="people walking, in each of the two runs (default 20)")
    parser.add_argument("--steps", type=int, default=20,
                        help="button steps per walker (default 20)")
    parser.add_argument("--think", type=float, default=2.0,
                        help="seconds a walker reads before answering (default 2)")
    parser.add_argument("--pause", type=float, default=3.0,
                        help="seconds between two rounds of summaries (default 3)")
    parser.add_argument("--no-limits", dest="limits", action="store_false",
                        help="do not enforce Telegram's limits while measuring")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if min(args.requesters, args.organisations, args.walkers, args.steps) < 1:
        parser.error("--requesters, --organisations, --walkers and --steps must be positive")
    if args.steps > WALK_QUESTIONS:
        parser.error(f"--steps is at most {WALK_QUESTIONS} (one charter)")
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="bench-summaries-") as folder:
        result = asyncio.run(run(args, Path(folder)))
    figures = report(result, args)
    print(json.dumps(figures, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
