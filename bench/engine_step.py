"""One engine step against a database of 1,000,000 answers: read a typed answer, store it,
render the next prompt. Target: p99 under 2 ms on a 2-core machine with SQLite, under 5 ms
with PostgreSQL.

Each timed step is one full `CharterService.handle(...)` call on the real store, with its
update id as the Telegram edge passes it: load the person and session, record the update id,
load the member, alliance, walk and latest answers, run the engine, append the answer, save
the walk and session, COMMIT (SQLite: WAL, synchronous=FULL, one fsync per commit;
PostgreSQL: a local server on a unix socket, fsync and synchronous_commit on, so the COMMIT
waits for the WAL flush).

The member is the one bench.seed leaves mid-walk (mi-parcours, lever 11 of 21, launch answers
given). Steps cycle over levers 11..21: the position is typed (« engagé », « 2 ») or pressed
(a level button of the last message), then the lever's texts are typed. At the end of the walk
an untimed /levier jumps back to lever 11. A lever's answers are the same every round, so no
step turns into a « replace? » confirmation: every timed step appends exactly one answer
(checked).

    python -m bench.engine_step                 # 2,000 steps, plus the same run on /dev/shm
    python -m bench.engine_step --steps 5000 --no-shm
    python -m bench.engine_step --database postgresql

SQLite: the seeded database is cached in bench/results/ (git-ignored) and copied before each
run, so every run starts from the same state. `--rebuild` seeds it again (~7 s for 1M answers).
PostgreSQL: a throwaway server (storage.pg_server, as the tests start it) is set up in
bench/results/, seeded once (~30 s), and each run works on a fresh copy of the seeded
database (CREATE DATABASE … TEMPLATE); the comparison run turns synchronous_commit off.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bench.seed import START, SeedInfo, seed_answers
from bot.compose import build_app
from dialogues.app.service import PersonRef
from dialogues.content.bundle import Content, load_content
from dialogues.core.callbacks import decode
from dialogues.core.events import Command, Press, Text
from dialogues.core.outgoing import Outgoing
from dialogues.walk.buttons import WalkButton
from storage import CURRENT_VERSION, DatabaseUnitOfWork, open_store, pg_server

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_P99_MS = {"sqlite": 2.0, "postgresql": 5.0}
DEFAULT_ANSWERS = 1_000_000
DEFAULT_STEPS = 2_000
DEFAULT_WARMUP = 200
DEFAULT_REPEAT = 3  # fsync latency varies from run to run: one run's p99 is not enough
SEED = 0
# The seeded alliances run a year from bench.seed.START: day 250 is in mi-parcours.
NOW = START + timedelta(days=250)
LEVEL_WORDS = {3: "engagé", 2: "2"}  # typed positions, alternating by lever


# --- the database ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    path: Path
    info: SeedInfo


def seeded_database(n_answers: int, rebuild: bool = False, folder: Path = RESULTS) -> Database:
    """The cached seeded file (built if missing): never written to by a run."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"answers-{n_answers}-seed{SEED}-schema{CURRENT_VERSION}.db"
    info_path = path.with_suffix(".info")
    if rebuild or not path.exists() or not info_path.exists():
        # Also drop copies cached for an older schema: they would only take disk space.
        stale = folder.glob(f"answers-{n_answers}-seed{SEED}-schema*")
        for old in (path, info_path, *_sidecars(path), *stale):
            old.unlink(missing_ok=True)
        started = time.perf_counter()
        info = seed_answers(path, n_answers, seed=SEED)
        print(f"seeded {n_answers:,} answers in {time.perf_counter() - started:.1f} s -> {path}",
              file=sys.stderr)
        fields = {name: getattr(info, name) for name in SeedInfo.__slots__}
        info_path.write_text(json.dumps(fields), encoding="utf-8")
    fields = json.loads(info_path.read_text(encoding="utf-8"))
    return Database(path, SeedInfo(**{k: tuple(v) if isinstance(v, list) else v
                                      for k, v in fields.items()}))


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]


@contextmanager
def working_copy(db: Database, folder: Path) -> Iterator[Path]:
    """A fresh copy of the seeded file in `folder`, removed afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix="engine-step-", dir=folder)) / "charte.db"
    try:
        shutil.copyfile(db.path, target)
        yield target
    finally:
        shutil.rmtree(target.parent, ignore_errors=True)


# --- timing ----------------------------------------------------------------------------------


@dataclass
class Timings:
    """Nanoseconds per timed step, by kind, and the parts of each step."""

    total: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    engine: list[int] = field(default_factory=list)  # Engine.step (pure, no I/O)
    commit: list[int] = field(default_factory=list)  # leaving the unit of work: COMMIT + fsync


class Probe:
    """Adds up the time spent in Engine.step and in COMMIT during one handle() call."""

    def __init__(self) -> None:
        self.engine = 0
        self.commit = 0

    def reset(self) -> None:
        self.engine = self.commit = 0

    def wrap_engine(self, step: Callable[..., object]) -> Callable[..., object]:
        def timed(*args: object, **kwargs: object) -> object:
            t0 = time.perf_counter_ns()
            try:
                return step(*args, **kwargs)
            finally:
                self.engine += time.perf_counter_ns() - t0

        return timed

    @contextmanager
    def commits(self) -> Iterator[None]:
        original = DatabaseUnitOfWork.__exit__

        def timed_exit(uow: DatabaseUnitOfWork, *exc: object) -> None:
            t0 = time.perf_counter_ns()
            try:
                original(uow, *exc)  # type: ignore[arg-type]
            finally:
                self.commit += time.perf_counter_ns() - t0

        DatabaseUnitOfWork.__exit__ = timed_exit  # type: ignore[method-assign,assignment]
        try:
            yield
        finally:
            DatabaseUnitOfWork.__exit__ = original  # type: ignore[method-assign]


# --- the walk --------------------------------------------------------------------------------


class Walker:
    """Drives the seeded member through the walk, one event at a time."""

    def __init__(self, url: str, info: SeedInfo, content: Content) -> None:
        self.store = open_store(url)
        self.app = build_app(store=self.store, clock=lambda: NOW, content=content,
                             timezone="Europe/Paris")
        self.service = self.app.service
        self.charter = content.charter
        self.script = content.script
        self.info = info
        self.ref = PersonRef("bench", f"{SEED}-{info.walk_person_id}",
                             f"Personne {info.walk_person_id}")
        self.last: list[Outgoing] = []
        # Each step carries an update id, as Telegram's updates do (recorded with the writes,
        # so that a repeated update is applied once: storage/updates.py).
        self.update_ids = itertools.count(1)
        self.probe = Probe()
        self.service.engine.step = self.probe.wrap_engine(  # type: ignore[method-assign]
            self.service.engine.step)

    def close(self) -> None:
        self.store.close()

    def events(self) -> Iterator[tuple[str, object]]:
        """(kind, event) forever: levers walk_index..20, then back to walk_index."""
        levers = self.charter.levers
        while True:
            for index in range(self.info.walk_index, len(levers)):
                lever = levers[index]
                kinds = self.script.sequences[self.charter.family(lever.family_id).answer_kind]
                for step in kinds:
                    if step.kind == "position" and index % 2 == 0:
                        yield "typed level", Text(LEVEL_WORDS[3 if index % 4 == 0 else 2])
                    elif step.kind == "position":
                        yield "pressed level", Press(self._level_button(1 + index % 4))
                    else:
                        yield "typed text", Text(
                            f"Levier {lever.number} : une réunion par mois entre "
                            f"partenaires, et un compte rendu partagé.")
            yield "jump", Command("levier", levers[self.info.walk_index].id)

    def _level_button(self, level: int) -> str:
        for message in self.last:
            for row in message.buttons:
                for button in row:
                    data = decode(button.data)
                    if isinstance(data, WalkButton) and data.action == str(level):
                        return button.data
        raise RuntimeError(f"no level {level} button in the last message: {self.last!r}")

    def run(self, steps: int, warmup: int) -> Timings:
        timings = Timings()
        answers_before = self.last_answer_id()
        written = 0
        # Untimed: go to the first lever of the plan (where the seeded walk already is).
        first = self.charter.levers[self.info.walk_index].id
        self.last = self.service.handle(self.ref, Command("levier", first), None,
                                        next(self.update_ids)).outgoing
        events = self.events()
        done = 0
        with self.probe.commits():
            while done < warmup + steps:
                kind, event = next(events)
                if kind == "jump":
                    # Untimed: the walk went to its end; put it back where the seed left it
                    # (a /levier jump from the end would come back to the end after one lever).
                    self.restart_walk()
                    self.last = self.service.handle(self.ref, event, None,
                                                    next(self.update_ids)).outgoing
                    continue
                self.probe.reset()
                update_id = next(self.update_ids)
                t0 = time.perf_counter_ns()
                out = self.service.handle(self.ref, event, None, update_id).outgoing
                elapsed = time.perf_counter_ns() - t0
                self.last = out
                _check_saved(kind, out)
                written += 1
                done += 1
                if done > warmup:
                    timings.total.append(elapsed)
                    timings.kinds.append(kind)
                    timings.engine.append(self.probe.engine)
                    timings.commit.append(self.probe.commit)
        answers_after = self.last_answer_id()
        if answers_after - answers_before != written:
            raise RuntimeError(f"{written} steps wrote {answers_after - answers_before} answers")
        return timings

    def restart_walk(self) -> None:
        with self.store.unit_of_work() as uow:
            state = uow.load_walk(self.info.walk_member_id)
            assert state is not None, "the seeded member has a walk"
            uow.save_walk(self.info.walk_member_id,
                          {**state, "index": self.info.walk_index, "step": 0, "queue": []})

    def last_answer_id(self) -> int:
        """Answers are append-only with ids from 1: the last id counts them (no 1M-row scan)."""
        with self.store.raw_transaction() as conn:
            return int(conn.execute("SELECT max(id) AS n FROM answers").fetchone()["n"] or 0)


def _check_saved(kind: str, out: Sequence[Outgoing]) -> None:
    """Every timed step must store an answer: « ✓ <level> » or « ✓ Noté. » comes first."""
    if not out or "✓" not in out[0].text:
        shown = out[0].text[:200] if out else "nothing"
        raise RuntimeError(f"a {kind} step did not store an answer; it showed: {shown!r}")


# --- statistics and report -------------------------------------------------------------------


def percentile(sorted_ns: Sequence[int], q: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    rank = max(1, math.ceil(q / 100 * len(sorted_ns)))
    return sorted_ns[rank - 1] / 1e6


@dataclass(frozen=True)
class Stats:
    count: int
    mean: float
    p50: float
    p95: float
    p99: float
    max: float

    @staticmethod
    def of(values: Sequence[int]) -> Stats:
        ordered = sorted(values)
        return Stats(len(ordered), sum(ordered) / len(ordered) / 1e6, percentile(ordered, 50),
                     percentile(ordered, 95), percentile(ordered, 99), ordered[-1] / 1e6)

    def row(self, label: str) -> str:
        return (f"  {label:<26}{self.count:>6}{self.mean:>8.3f}{self.p50:>8.3f}{self.p95:>8.3f}"
                f"{self.p99:>8.3f}{self.max:>8.3f}")


HEADER = f"  {'':<26}{'n':>6}{'mean':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}   (ms)"


@dataclass(frozen=True)
class Run:
    """One or more runs of the same configuration; `timings` pools them."""

    label: str
    folder: Path  # where the database file was (a fresh copy per run)
    filesystem: str
    size_bytes: int
    answers: int
    timings: Timings
    p99s: tuple[float, ...]  # of each run, ms
    fsync: Stats | None = None  # a bare 4 KiB write + fsync in the same folder, just before
    round_trip: Stats | None = None  # PostgreSQL: a bare `SELECT 1`, just before

    @property
    def stats(self) -> Stats:
        return Stats.of(self.timings.total)

    def lines(self) -> list[str]:
        t = self.timings
        lines = [f"{self.label}: {self.folder} ({self.filesystem}), "
                 f"{self.size_bytes / 1e6:,.0f} MB, {self.answers:,} answers"]
        if self.round_trip is not None:
            r = self.round_trip
            lines.append(f"  one round trip to the server, just before: SELECT 1, n={r.count}: "
                         f"p50 {r.p50:.3f} ms, p99 {r.p99:.3f} ms, max {r.max:.3f} ms")
        if self.fsync is not None:
            f = self.fsync
            lines.append(f"  the disk itself, just before: 4 KiB write + fsync, n={f.count}: "
                         f"p50 {f.p50:.3f} ms, p99 {f.p99:.3f} ms, max {f.max:.3f} ms")
        if len(self.p99s) > 1:
            each = ", ".join(f"{p:.3f}" for p in self.p99s)
            lines.append(f"  {len(self.p99s)} runs pooled; p99 of each run: {each} ms")
        lines += [HEADER, self.stats.row("every step (handle)")]
        for kind in ("typed level", "pressed level", "typed text"):
            values = [ns for ns, k in zip(t.total, t.kinds, strict=True) if k == kind]
            if values:
                lines.append(Stats.of(values).row(f"  {kind}"))
        rest = [a - e - c for a, e, c in zip(t.total, t.engine, t.commit, strict=True)]
        lines.append(Stats.of([a - c for a, c in zip(t.total, t.commit, strict=True)])
                     .row("every step minus COMMIT"))
        lines.append(Stats.of(t.engine).row("part: Engine.step (pure)"))
        lines.append(Stats.of(t.commit).row("part: COMMIT (+fsync)"))
        lines.append(Stats.of(rest).row("part: reads/writes, JSON"))
        return lines


def machine(database: str = "sqlite", server_version: str = "") -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"machine: {cpu}, {os.cpu_count()} cores ({usable} usable), "
        f"{platform.system()} {platform.release()}",
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        + (f"SQLite {sqlite3.sqlite_version}" if database == "sqlite"
           else f"PostgreSQL {server_version} (local server, unix socket), psycopg "
                f"{_psycopg_version()}"),
    ]


def _psycopg_version() -> str:
    import psycopg

    return f"{psycopg.__version__} ({psycopg.pq.__impl__})"


def filesystem_of(path: Path) -> str:
    """The type of the filesystem holding `path` (from /proc/mounts), e.g. ext4, tmpfs."""
    best, kind = "", "unknown"
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            _dev, mount, fstype, *_ = line.split()
            if str(path).startswith(mount.rstrip("/") + "/") and len(mount) > len(best):
                best, kind = mount, fstype
    except OSError:
        pass
    return kind


def fsync_latency(folder: Path, count: int = 200) -> Stats:
    """How long the filesystem under `folder` takes to fsync a small write."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="fsync-probe-", dir=folder)
    block = b"x" * 4096
    times = []
    try:
        for _ in range(count):
            t0 = time.perf_counter_ns()
            os.write(fd, block)
            os.fsync(fd)
            times.append(time.perf_counter_ns() - t0)
    finally:
        os.close(fd)
        os.unlink(name)
    return Stats.of(times)


def run_series(db: Database, folder: Path, label: str, steps: int, warmup: int, repeat: int,
               content: Content) -> Run:
    """`repeat` runs, each on a fresh copy of the seeded file in `folder`; timings pooled."""
    disk = fsync_latency(folder)
    pooled = Timings()
    p99s = []
    for _ in range(repeat):
        with working_copy(db, folder) as path:
            walker = Walker(f"sqlite:///{path}", db.info, content)
            try:
                gc.collect()
                timings = walker.run(steps, warmup)
                answers = walker.last_answer_id()
            finally:
                walker.close()
            size = path.stat().st_size + sum(p.stat().st_size for p in _sidecars(path)
                                             if p.exists())
            fs = filesystem_of(path)
        p99s.append(Stats.of(timings.total).p99)
        for name in ("total", "kinds", "engine", "commit"):
            getattr(pooled, name).extend(getattr(timings, name))
    return Run(label, folder, fs, size, answers, pooled, tuple(p99s), disk)


# --- PostgreSQL --------------------------------------------------------------------------------


# A server's defaults, but for the buffer cache: the seeded database (~250 MB) fits in it, as
# the working set of a tuned production server does (the default, 128 MB, is sized for any
# small machine; the SQLite runs have the OS page cache).
SERVER_SETTINGS = {"shared_buffers": "'512MB'"}


@dataclass(frozen=True)
class PostgresSeed:
    """A local server holding the seeded database, which runs copy and never write to."""

    server: pg_server.LocalServer
    template: str
    info: SeedInfo
    version: str


def seeded_postgres(n_answers: int, folder: Path) -> PostgresSeed:
    """Start a durable local server in `folder` (fsync, synchronous_commit and
    full_page_writes on, as a real one) and seed it."""
    folder.mkdir(parents=True, exist_ok=True)
    server = pg_server.start(parent=folder, settings=SERVER_SETTINGS)
    try:
        template = "seeded"
        server.create_database(template)
        started = time.perf_counter()
        info = seed_answers(server.url(template), n_answers, seed=SEED)
        with server.connect(template) as conn:
            # What autovacuum does on a live server soon after a bulk load: the visibility
            # map (for index-only scans) and the planner's statistics.
            conn.execute("VACUUM ANALYZE")
            version = conn.execute("SHOW server_version").fetchone()[0]
        print(f"seeded {n_answers:,} answers in {time.perf_counter() - started:.1f} s "
              f"-> PostgreSQL database {template!r} in {server.root}", file=sys.stderr)
    except BaseException:
        server.stop()
        raise
    return PostgresSeed(server, template, info, version)


def run_series_postgres(seed: PostgresSeed, label: str, steps: int, warmup: int, repeat: int,
                        content: Content, settings: dict[str, str] | None = None) -> Run:
    """`repeat` runs, each on a fresh copy of the seeded database (with `settings` for the
    copy, e.g. synchronous_commit); timings pooled."""
    server = seed.server
    disk = fsync_latency(server.root)
    round_trip = round_trip_latency(server)
    pooled = Timings()
    p99s = []
    size = answers = 0
    for _ in range(repeat):
        name = f"run_{time.monotonic_ns()}"
        server.create_database(name, seed.template)
        try:
            with server.connect() as conn:
                for key, value in (settings or {}).items():
                    conn.execute(f'ALTER DATABASE "{name}" SET {key} = {value}')
            walker = Walker(server.url(name), seed.info, content)
            try:
                gc.collect()
                timings = walker.run(steps, warmup)
                answers = walker.last_answer_id()
            finally:
                walker.close()
            with server.connect() as conn:
                size = int(conn.execute("SELECT pg_database_size(%s)", (name,)).fetchone()[0])
        finally:
            server.drop_database(name)
        p99s.append(Stats.of(timings.total).p99)
        for field_name in ("total", "kinds", "engine", "commit"):
            getattr(pooled, field_name).extend(getattr(timings, field_name))
    return Run(label, server.root, filesystem_of(server.root), size, answers, pooled,
               tuple(p99s), disk, round_trip)


def round_trip_latency(server: pg_server.LocalServer, count: int = 500) -> Stats:
    """How long the simplest query takes from here: the floor under every statement."""
    times = []
    with server.connect() as conn:
        for _ in range(count):
            time.sleep(0.0002)  # a step's own work between statements, roughly
            t0 = time.perf_counter_ns()
            conn.execute("SELECT 1").fetchone()
            times.append(time.perf_counter_ns() - t0)
    return Stats.of(times)


def load_average() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def report(runs: Sequence[Run], steps: int, warmup: int, load_before: str,
           database: str = "sqlite", server_version: str = "") -> str:
    headline = runs[0].stats
    target = TARGET_P99_MS[database]
    verdict = "yes" if headline.p99 < target else "NO"
    commit = ("WAL, synchronous=FULL: fsync per commit" if database == "sqlite"
              else "fsync and synchronous_commit on: COMMIT waits for the WAL flush")
    title = "SQLite" if database == "sqlite" else "PostgreSQL"
    lines = [
        f"== engine step: one CharterService.handle() per typed/pressed answer, real {title} ==",
        *machine(database, server_version),
        f"load average (1, 5, 15 min): {load_before} before, {load_average()} after "
        "(other processes' CPU and disk use show up in the tail)",
        f"{steps:,} timed steps per run after {warmup:,} warm-up steps; each step = load context, "
        f"Engine.step, append the answer, save walk + session, COMMIT ({commit})",
        "",
    ]
    for run in runs:
        lines += [*run.lines(), ""]
    lines.append(f"p99 < {target:g} ms in the real configuration ({runs[0].label}): "
                 f"{verdict} (p99 = {headline.p99:.3f} ms)")
    if len(runs) > 1:
        fsync = runs[0].stats.mean - runs[1].stats.mean
        other = ("on tmpfs (no fsync)" if database == "sqlite"
                 else "with synchronous_commit off (no wait for the flush)")
        lines.append(f"durability share: mean {runs[0].stats.mean:.3f} ms vs "
                     f"{runs[1].stats.mean:.3f} ms {other} -> ~{fsync:.3f} ms "
                     "per step is durability")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--answers", type=int, default=DEFAULT_ANSWERS)
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS)
    parser.add_argument("--warmup", type=int, default=DEFAULT_WARMUP)
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT,
                        help="runs on disk, each on a fresh copy; their timings are pooled")
    parser.add_argument("--dir", type=Path, default=RESULTS,
                        help="where the real run's copy lives (default: bench/results)")
    parser.add_argument("--no-shm", action="store_true",
                        help="skip the comparison run on /dev/shm (tmpfs: fsync costs nothing; "
                             "PostgreSQL: synchronous_commit off)")
    parser.add_argument("--rebuild", action="store_true", help="seed the cached database again")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite",
                        help="postgresql: a throwaway local server set up in --dir and seeded "
                             "(needs initdb and pg_ctl, as the tests do)")
    parser.add_argument("--same-cpu", type=int, metavar="CPU",
                        help="postgresql: run the benchmark and the server on this one CPU")
    args = parser.parse_args(argv)
    if args.database == "postgresql":
        return main_postgres(args)
    db = seeded_database(args.answers, rebuild=args.rebuild)
    content = load_content()
    load_before = load_average()
    runs = [run_series(db, args.dir, "real configuration, on disk", args.steps, args.warmup,
                       args.repeat, content)]
    shm = Path("/dev/shm")
    if not args.no_shm and shm.is_dir() and os.access(shm, os.W_OK):
        runs.append(run_series(db, shm, "for comparison only: same on /dev/shm (tmpfs, fsync "
                               "is a no-op)", args.steps, args.warmup, 1, content))
    print(report(runs, args.steps, args.warmup, load_before))
    return 0


def main_postgres(args: argparse.Namespace) -> int:
    if args.same_cpu is not None:
        # Inherited by the server this starts: every process on one CPU, so that a query
        # and its answer never wait for another CPU to wake up.
        os.sched_setaffinity(0, {args.same_cpu})
    seed = seeded_postgres(args.answers, args.dir)
    try:
        content = load_content()
        load_before = load_average()
        runs = [run_series_postgres(seed, "real configuration, on disk", args.steps,
                                    args.warmup, args.repeat, content)]
        if not args.no_shm:
            runs.append(run_series_postgres(
                seed, "for comparison only: same with synchronous_commit off", args.steps,
                args.warmup, 1, content, {"synchronous_commit": "off"}))
        print(report(runs, args.steps, args.warmup, load_before, "postgresql", seed.version))
        if args.same_cpu is not None:
            print(f"(the benchmark and the server all ran on CPU {args.same_cpu}: --same-cpu)")
    finally:
        seed.server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
