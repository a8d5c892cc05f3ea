"""Accuracy and speed of dialogues.interpreter on the labelled set tests/data/typed_inputs.yaml.

    python -m bench.interpreter_accuracy            # accuracy, wrong levels, misses, timings
    python -m bench.interpreter_accuracy --sweep    # the same figures for other thresholds
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import yaml

from dialogues.interpreter import (
    DEFAULT_TUNING,
    Interpreter,
    Reading,
    Synonyms,
    Tuning,
    load_synonyms,
)

CASES_PATH: Final = Path(__file__).resolve().parents[1] / "tests" / "data" / "typed_inputs.yaml"
CONTEXTS: Final = ("scale", "free_text", "confirmation", "lever")
LONG_INPUT: Final = "Nous sommes engagés, mais " * 200  # about 5,000 characters


@dataclass(frozen=True, slots=True)
class Case:
    context: str
    text: str
    expect: str


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    got: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.got == self.case.expect

    @property
    def wrong_level(self) -> bool:
        """Read as a level it is not: the one mistake that silently stores a wrong answer."""
        return self.got.startswith("level:") and self.got != self.case.expect

    @property
    def wrong_lever(self) -> bool:
        return self.got.startswith("lever:") and self.got not in ("lever:none", self.case.expect)


@dataclass(frozen=True)
class Report:
    outcomes: tuple[Outcome, ...]

    def of(self, context: str | None = None) -> list[Outcome]:
        return [o for o in self.outcomes if context is None or o.case.context == context]

    def accuracy(self, context: str | None = None) -> float:
        outcomes = self.of(context)
        return sum(o.ok for o in outcomes) / len(outcomes) if outcomes else 1.0

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def wrong_levels(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.wrong_level]

    @property
    def wrong_levers(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.wrong_lever]


def load_cases(path: Path = CASES_PATH) -> tuple[dict[str, list[str]], list[Case]]:
    """The lever names given to the interpreter, and the labelled cases."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    names = {str(k): [str(n) for n in v] for k, v in data["lever_names"].items()}
    cases = [Case(str(c["context"]), str(c["text"]), str(c["expect"])) for c in data["cases"]]
    for case in cases:
        if case.context not in CONTEXTS:
            raise ValueError(f"{path}: unknown context {case.context!r} for {case.text!r}")
    return names, cases


def lever_names_with_ids(names: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """What the engine passes: id, then title(s)."""
    return {lever_id: [lever_id, *titles] for lever_id, titles in names.items()}


def build_interpreter(
    names: Mapping[str, Sequence[str]],
    tuning: Tuning = DEFAULT_TUNING,
    synonyms: Synonyms | None = None,
) -> Interpreter:
    synonyms = synonyms if synonyms is not None else load_synonyms()
    return Interpreter(synonyms, lever_names_with_ids(names), tuning=tuning)


def describe(reading: Reading) -> str:
    """« level:3 », « unknown », « nav:skip », « text », « empty »: the labels of the set."""
    if reading.kind == "level":
        return f"level:{reading.level}"
    if reading.kind == "nav":
        return f"nav:{reading.nav}"
    return reading.kind


def run_case(interpreter: Interpreter, context: str, text: str) -> str:
    if context == "lever":
        return f"lever:{interpreter.find_lever(text) or 'none'}"
    if context == "scale":
        return describe(interpreter.read_scale(text))
    if context == "free_text":
        return describe(interpreter.read_free_text(text))
    if context == "confirmation":
        return describe(interpreter.read_confirmation(text))
    raise ValueError(f"unknown context {context!r}")


def evaluate(interpreter: Interpreter, cases: Sequence[Case]) -> Report:
    outcomes = []
    for case in cases:
        start = time.perf_counter()
        got = run_case(interpreter, case.context, case.text)
        outcomes.append(Outcome(case, got, time.perf_counter() - start))
    return Report(tuple(outcomes))


def _micros(seconds: Sequence[float]) -> str:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"mean {statistics.fmean(ordered) * 1e6:6.1f} µs, p99 {p99 * 1e6:6.1f} µs"


def format_report(report: Report, interpreter: Interpreter, rounds: int = 20) -> str:
    lines = [f"Labelled set: {CASES_PATH.relative_to(CASES_PATH.parents[2])}", ""]
    total = report.of()
    lines.append(
        f"accuracy  overall       {report.accuracy():6.1%}  "
        f"({len(total) - len(report.misses)}/{len(total)})"
    )
    for context in CONTEXTS:
        outcomes = report.of(context)
        right = sum(o.ok for o in outcomes)
        lines.append(
            f"          {context:<13} {report.accuracy(context):6.1%}  ({right}/{len(outcomes)})"
        )
    lines += [
        "",
        f"wrong-level readings: {len(report.wrong_levels)}  "
        "(expected level X read as Y != X, or expected non-level read as a level)",
        f"wrong-lever readings: {len(report.wrong_levers)}",
        "",
        f"misses ({len(report.misses)}):",
    ]
    for o in report.misses:
        mark = "  WRONG LEVEL" if o.wrong_level else "  WRONG LEVER" if o.wrong_lever else ""
        lines.append(f"  [{o.case.context}] {o.case.text!r}: expected {o.case.expect}, "
                     f"got {o.got}{mark}")
    # Timings: every case `rounds` times, after one warm-up pass.
    cases = [o.case for o in report.outcomes]
    per_context: dict[str, list[float]] = {context: [] for context in CONTEXTS}
    for _ in range(rounds):
        for case in cases:
            start = time.perf_counter()
            run_case(interpreter, case.context, case.text)
            per_context[case.context].append(time.perf_counter() - start)
    everything = [s for seconds in per_context.values() for s in seconds]
    long_times = []
    for _ in range(rounds):
        for context in CONTEXTS:
            start = time.perf_counter()
            run_case(interpreter, context, LONG_INPUT)
            long_times.append(time.perf_counter() - start)
    lines += ["", f"time per call ({rounds} rounds of the set, time.perf_counter):"]
    lines.append(f"  all           {_micros(everything)}")
    for context in CONTEXTS:
        lines.append(f"  {context:<13} {_micros(per_context[context])}")
    lines.append(f"  5,000 chars   {_micros(long_times)}")
    return "\n".join(lines)


def sweep(names: Mapping[str, Sequence[str]], cases: Sequence[Case]) -> str:
    """Accuracy and wrong readings for other thresholds, to choose them by measure."""
    synonyms = load_synonyms()
    lines = ["phrase_cutoff token_cutoff margin | accuracy scale  free  conf | wrong-level"]
    typed = [c for c in cases if c.context != "lever"]
    for phrase in (70, 75, 80, 85, 90, 95):
        for token in (65, 75, 85):
            for margin in (0, 5, 10):
                tuning = replace(
                    DEFAULT_TUNING, phrase_cutoff=phrase, token_cutoff=token, margin=margin
                )
                report = evaluate(build_interpreter(names, tuning, synonyms), typed)
                lines.append(
                    f"{phrase:13} {token:12} {margin:6} | {report.accuracy():8.1%} "
                    f"{report.accuracy('scale'):5.1%} {report.accuracy('free_text'):5.1%} "
                    f"{report.accuracy('confirmation'):5.1%} | {len(report.wrong_levels):3}"
                )
    lines += ["", "lever_cutoff lever_margin | accuracy | wrong-lever"]
    levers = [c for c in cases if c.context == "lever"]
    for cutoff in (70, 75, 80, 85, 90, 95):
        for margin in (0, 5, 10):
            tuning = replace(DEFAULT_TUNING, lever_cutoff=cutoff, lever_margin=margin)
            report = evaluate(build_interpreter(names, tuning, synonyms), levers)
            lines.append(
                f"{cutoff:12} {margin:12} | {report.accuracy():8.1%} | "
                f"{len(report.wrong_levers):3}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sweep", action="store_true", help="compare fuzzy thresholds")
    args = parser.parse_args(argv)
    names, cases = load_cases()
    if args.sweep:
        print(sweep(names, cases))
        return 0
    interpreter = build_interpreter(names)
    report = evaluate(interpreter, cases)
    print(format_report(report, interpreter))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
