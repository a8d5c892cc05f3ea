"""`charte-bot observatoire` on both databases (figures across alliances, suggestions without
names), and `charte-bot backup` on SQLite: a consistent copy while answers are being written,
that the bot opens again (the restore)."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dialogues.core.domain import NewAnswer
from storage import open_store
from tests.backends import Backend

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


def cli(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHARTE_", "TELEGRAM_"))}
    env["CHARTE_DATABASE_URL"] = url
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          check=False)


def seed_network(url: str, alliances: int) -> None:
    """Alliances of two organisations: lever 1 at 2 and 4 (a divergence) in the first, at 3
    and 3 elsewhere; one suggestion per alliance's coordinator."""
    with open_store(url) as store, store.unit_of_work() as uow:
        for a in range(alliances):
            alliance = uow.add_alliance(f"Alliance secrète {a}", T0, T0 + timedelta(days=300),
                                        T0 + timedelta(days=150), f"C{a}", "Europe/Paris", T0)
            for o, position in enumerate((2, 4) if a == 0 else (3, 3)):
                org = uow.add_organisation(alliance.id, f"Organisation cachée {a}-{o}",
                                           "association")
                person = uow.get_or_create_person("telegram", f"77{a}{o}", f"Personne {a}-{o}")
                member = uow.add_member(alliance.id, org.id, person.id, "partner", T0)
                uow.add_answer(NewAnswer(alliance.id, org.id, member.id, "lancement",
                                         "respect-confiance", position, None, None, None,
                                         "2021-11-30", T0))
                if o == 0:
                    uow.add_suggestion(person.id, None if a else "dialoguer",
                                       f"Suggestion {a}", "2021-11-30", T0 + timedelta(hours=a))


def test_the_observatory_gives_figures_across_alliances_naming_none(backend: Backend,
                                                                     tmp_path: Path) -> None:
    seed_network(backend.url, 5)
    done = cli(backend.url, "observatoire", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 21 * 3
    first = rows[0]
    assert (first["lever_id"], first["phase"], first["alliances"], first["organisations"]) == (
        "respect-confiance", "lancement", "5", "10")
    assert (first["share_2_pct"], first["share_3_pct"], first["share_4_pct"],
            first["share_unknown_pct"], first["mean_position"], first["divergence_pct"]) == (
        "10.0", "80.0", "10.0", "0.0", "3.0", "20.0")
    assert {rows[1]["alliances"], rows[3]["alliances"]} == {"moins de 5 alliances"}
    assert "secrète" not in done.stdout and "cachée" not in done.stdout
    assert "Personne" not in done.stdout


def test_the_observatory_lists_suggestions_without_names(backend: Backend,
                                                          tmp_path: Path) -> None:
    seed_network(backend.url, 2)
    done = cli(backend.url, "observatoire", "--suggestions", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [
        {"created_at": "2027-01-10", "lever_number": 8, "lever_id": "dialoguer",
         "lever": "Dialoguer", "charter_version": "2021-11-30", "text": "Suggestion 0"},
        {"created_at": "2027-01-10", "lever_number": "", "lever_id": "",
         "lever": "toute la charte", "charter_version": "2021-11-30", "text": "Suggestion 1"},
    ]
    assert "Personne" not in done.stdout and "secrète" not in done.stdout


# --- backups --------------------------------------------------------------------------------


def rows_of(path: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, lever_id, position, comment FROM answers ORDER BY id"
                            ).fetchall()
    finally:
        conn.close()


def test_a_backup_taken_while_answers_are_written_is_consistent(tmp_path: Path) -> None:
    db = tmp_path / "charte.db"
    url = f"sqlite:///{db}"
    seed_network(url, 1)
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        with open_store(url) as store:
            with store.unit_of_work() as uow:
                (member,) = uow.members(1)[:1]
            while not stop.is_set():
                with store.unit_of_work() as uow:
                    uow.add_answer(NewAnswer(1, member.organisation_id, member.id, "lancement",
                                             "partager", len(written) % 4 + 1,
                                             f"réponse {len(written)}", None, None, "v", T0))
                    uow.save_walk(member.id, {"phase": "lancement", "index": len(written)})
                written.append(1)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        copies = []
        for n in range(3):
            before = len(written)
            while len(written) < before + 20:  # answers keep coming between the copies
                stop.wait(0.01)
            target = tmp_path / f"copie-{n}.db"
            done = cli(url, "backup", str(target), cwd=tmp_path)
            assert done.returncode == 0, done.stderr
            assert "Copie cohérente écrite" in done.stdout
            copies.append(target)
        after = len(written)
        while len(written) < after + 20:  # and after the last one
            stop.wait(0.01)
    finally:
        stop.set()
        thread.join()

    source = rows_of(db)
    for copy in copies:
        conn = sqlite3.connect(copy)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
            walk = conn.execute("SELECT state FROM walks").fetchone()[0]
        finally:
            conn.close()
        copied = rows_of(copy)
        assert copied == source[:len(copied)]  # exactly the database as it was at one moment
        assert json.loads(walk)["index"] == len(copied) - 3  # the walk matches its answers
        assert not Path(f"{copy}-wal").exists()
    sizes = [len(rows_of(c)) for c in copies]
    assert sizes == sorted(sizes) and sizes[-1] < len(source)

    # Restoring is opening the copy in place of the database: the bot reads it as it was.
    restored = tmp_path / "restored.db"
    copies[-1].rename(restored)
    with open_store(f"sqlite:///{restored}") as store, store.unit_of_work() as uow:
        assert len(uow.all_alliances()) == 1
        assert len(uow.alliance_answers(1)) == 3  # the latest per lever: 2 seeded + partager


def test_a_backup_never_overwrites_and_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    db = tmp_path / "charte.db"
    seed_network(f"sqlite:///{db}", 1)
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"an older backup")
    done = cli(f"sqlite:///{db}", "backup", str(taken), cwd=tmp_path)
    assert done.returncode == 1 and "already exists" in done.stderr
    assert taken.read_bytes() == b"an older backup"
    done = cli("postgresql://charte:s3cret@/charte?host=/nowhere", "backup", "x.dump",
               cwd=tmp_path)
    assert done.returncode == 2
    assert 'pg_dump --format=custom --file=x.dump "$CHARTE_DATABASE_URL"' in done.stderr
    assert "s3cret" not in done.stderr
