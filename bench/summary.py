"""/synthese for 50 organisations with three phases answered: text and chart build times.

    python -m bench summary [--organisations 50] [--runs 20]

The text part reads the alliance's answers from a real SQLite file and renders every section
(headline, three families, agenda, evolution, three text pages); the chart part renders both
radar charts (positions of the phase, and the comparison of phases) to PNG in memory.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dialogues.content.bundle import load_content
from dialogues.core.context import AllianceAnswers
from dialogues.core.domain import PHASES, NewAnswer
from dialogues.summary.flow import Summaries
from storage import DatabaseStore, open_store

SECTIONS = ("h", "f0", "f1", "f2", "a", "e", "t0", "t1", "t2")


def seed(db: Path, organisations: int, rng: random.Random) -> int:
    content = load_content()
    store = open_store(f"sqlite:///{db}")
    t0 = datetime(2027, 1, 1, tzinfo=UTC)
    with store.unit_of_work() as uow:
        alliance = uow.add_alliance("Bench", t0, t0 + timedelta(days=300),
                                    t0 + timedelta(days=150), "bench-code", "Europe/Paris", t0)
        for i in range(organisations):
            org = uow.add_organisation(alliance.id, f"Organisation {i + 1}", "association")
            person = uow.get_or_create_person("bench", str(i), f"Personne {i + 1}")
            member = uow.add_member(alliance.id, org.id, person.id, "partner", t0)
            for p, phase in enumerate(PHASES):
                for lever in content.charter.levers:
                    position = rng.choice((1, 2, 3, 4, None))
                    text = "Une condition d’engagement assez détaillée. " * rng.randint(0, 3)
                    uow.add_answer(NewAnswer(alliance.id, org.id, member.id, phase, lever.id,
                                             position, text or None, None, None,
                                             content.charter.version,
                                             t0 + timedelta(days=150 * p)))
    store.close()
    return alliance.id


def read(store: DatabaseStore, alliance_id: int) -> AllianceAnswers:
    """What /synthese reads (core.context.Need.ANSWERS)."""
    with store.unit_of_work() as uow:
        alliance = uow.get_alliance(alliance_id)
        assert alliance is not None
        return AllianceAnswers(alliance, tuple(uow.organisations(alliance_id)),
                               tuple(uow.alliance_answers(alliance_id)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench summary")
    parser.add_argument("--organisations", type=int, default=50)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    content = load_content()
    summaries = Summaries(content.charter, content.script)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "summary.db"
        alliance_id = seed(db, args.organisations, random.Random(0))
        store = open_store(f"sqlite:///{db}")
        text_ms, chart_ms, headline_ms, longest = [], [], [], 0
        for _ in range(args.runs):
            started = time.perf_counter()
            data = read(store, alliance_id)
            summary = summaries.summary(data, "fin")
            summaries.view.render(summary, "h", "Bench", 1, PHASES)
            headline_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            data = read(store, alliance_id)
            summary = summaries.summary(data, "fin")
            messages = []
            for section in SECTIONS:
                messages.extend(summaries.view.render(summary, section, "Bench", 1, PHASES))
            text_ms.append((time.perf_counter() - started) * 1000)
            longest = max(longest, *(len(m.text) for m in messages))
            started = time.perf_counter()
            charts = [job.render() for job in summaries.chart_jobs(data, summary, PHASES)]
            chart_ms.append((time.perf_counter() - started) * 1000)
            answers = data.answers
        store.close()
    print(f"machine: {platform.processor() or platform.machine()}, Python "
          f"{platform.python_version()}; {args.organisations} organisations × 3 phases × 21 "
          f"levers = {len(answers)} answers; {args.runs} runs")
    print(f"/synthese text (read + headline): median {statistics.median(headline_ms):.1f} ms,"
          f" max {max(headline_ms):.1f} ms (target < 100 ms)")
    print(f"every section (read + all {len(SECTIONS)} sections): median"
          f" {statistics.median(text_ms):.1f} ms, max {max(text_ms):.1f} ms;"
          f" longest message {longest} characters")
    print(f"charts ({len(charts)} PNG): median {statistics.median(chart_ms):.0f} ms,"
          f" max {max(chart_ms):.0f} ms (target < 1000 ms; the first run includes importing"
          " matplotlib)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
