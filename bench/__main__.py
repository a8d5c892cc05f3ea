"""Run the benchmarks and print a plain-text report (ready to paste into the README).

    python -m bench                      # every benchmark, default settings (~15 min, plus
                                         # ~8 s the first time to seed the 1M-answer database)
    python -m bench engine               # one of them
    python -m bench engine --steps 5000  # options after the name go to that benchmark
    python -m bench summary              # any module of bench/ with a main(argv)
    python -m bench --list
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

# Short names for the known benchmarks: name -> (module, what it measures). Every other module
# of bench/ with a main(argv) is a benchmark too, under its module name (bench/summary.py ->
# "summary"); seed.py is a helper, not a benchmark.
KNOWN: dict[str, tuple[str, str]] = {
    "engine": ("bench.engine_step",
               "one engine step against 1,000,000 stored answers (p99 target: 2 ms)"),
    "interpreter": ("bench.interpreter_accuracy",
                    "how well typed answers are understood, and how fast"),
    "reminders": ("bench.reminders",
                  "50,000 reminders due in the same minute: startup, pace, 429 answers"),
    "step_cost": ("bench.step_cost",
                  "CPU and Bot API calls per walk step: charte-bot vs a do-nothing PTB bot"),
    "reply_wave": ("bench.reply_wave",
                   "people walking during a reminder wave: reply latency, 429, wave pace"),
    "concurrent_summaries": ("bench.concurrent_summaries",
                             "5 /synthese at once while 20 walk: the walkers' p95 growth"),
}
# Helpers, not benchmarks: seeding, the live benchmarks' harness, the null bot they compare with.
NOT_BENCHMARKS = frozenset({"seed", "live", "null_bot"})


def discover() -> dict[str, tuple[str, str]]:
    """The known benchmarks first, then any other module of bench/ (alphabetical)."""
    found = dict(KNOWN)
    taken = {module for module, _ in KNOWN.values()}
    folder = Path(__file__).resolve().parent
    for info in sorted(pkgutil.iter_modules([str(folder)]), key=lambda i: i.name):
        module = f"bench.{info.name}"
        if info.name.startswith("_") or info.name in NOT_BENCHMARKS or module in taken:
            continue
        found[info.name] = (module, _first_line(folder / f"{info.name}.py"))
    return found


def _first_line(path: Path) -> str:
    """The first line of a module's docstring, without reading more of the module."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    for quote in ('"""', "'''"):
        if text.lstrip().startswith(quote):
            return text.lstrip()[3:].split("\n", 1)[0].strip().rstrip(".")
    return ""


BENCHMARKS = discover()


def _main_of(module_name: str) -> Callable[[Sequence[str]], int | None] | None:
    if importlib.util.find_spec(module_name) is None:
        return None
    module = importlib.import_module(module_name)
    return getattr(module, "main", None)


def run(name: str, argv: Sequence[str]) -> int:
    """Run one benchmark; a crash is reported and the others still run."""
    module_name, what = BENCHMARKS[name]
    started = time.perf_counter()
    try:
        main = _main_of(module_name)
        if main is None:
            print(f"== {name}: skipped ({module_name} not found) ==\n")
            return 0
        print(f"== {name}: {what} ({module_name}) ==", flush=True)
        code = int(main(list(argv)) or 0)
    except Exception:
        traceback.print_exc()
        print(f"== {name}: FAILED (traceback above) ==\n", flush=True)
        return 1
    print(f"[{name}: {time.perf_counter() - started:.1f} s]\n", flush=True)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help", "--list"):
        print(__doc__)
        width = max(len(name) for name in BENCHMARKS)
        for name, (module_name, what) in BENCHMARKS.items():
            print(f"  {name:<{width}} {what} ({module_name})")
        return 0
    if args and args[0] not in BENCHMARKS:
        print(f"unknown benchmark {args[0]!r}; choose from {', '.join(BENCHMARKS)}",
              file=sys.stderr)
        return 2
    print(f"charte-bot benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")
    if args:
        return run(args[0], args[1:])
    worst = 0
    for name in BENCHMARKS:
        worst = max(worst, run(name, []))
    return worst


if __name__ == "__main__":
    raise SystemExit(main())
