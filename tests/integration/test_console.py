"""A scripted console session on a real SQLite file, from creating an alliance to the end of the
21 levers, then `charte-bot export`; and a kill -9 in the middle of a walk."""

from __future__ import annotations

import csv
import io
import json
import subprocess

from tests.integration.console_proc import Console, command, env_for

LEVELS = ["À découvrir", "En réflexion", "Engagé", "Ancré"]


def create(console: Console) -> str:
    console.expect("/rejoindre")  # the welcome message
    console.send("/nouvelle")
    console.expect("nom de l’alliance")
    console.send("Alliance <Quartier> & Co")
    console.expect("votre")
    console.send("Asso A")
    console.expect("Association")
    console.send("1")
    console.expect("commence")
    console.send("15/01/2027")
    console.expect("termine")
    console.send("2027-12-15")
    console.expect("Garder cette date")
    console.send("1")
    console.expect("Je récapitule")
    console.send("1")
    out = console.expect("/rejoindre ")
    return out.split("/rejoindre ")[1].split(")")[0].strip()


def walk_all(console: Console, person: str) -> dict[str, tuple]:
    """Answer the 21 levers, typed or pressed; returns what was given per lever number."""
    given: dict[str, tuple] = {}
    console.send("/charte")
    for number in range(1, 22):
        console.expect(f"Levier {number}/21")
        level = number % 4 + 1
        console.send(str(level) if number % 2 else LEVELS[level - 1].lower())
        console.expect(f"✓ {LEVELS[level - 1]}")
        out = console.expect("Passer")
        if "apporte votre organisation" in out:
            console.send(f"{person} apporte {number}")
            console.expect("attend votre organisation")
            console.send(f"{person} attend {number}")
            given[str(number)] = (level, "", f"{person} apporte {number}",
                                  f"{person} attend {number}")
        else:
            console.send(f"{person} : condition {number}, \"citée\" <ok>")
            given[str(number)] = (level, f"{person} : condition {number}, \"citée\" <ok>", "", "")
    console.expect("toute la charte")
    return given


def export(db_path, *args: str) -> str:
    result = subprocess.run(command("export", *args), env=env_for(db_path), capture_output=True,
                            text=True, encoding="utf-8", timeout=60, check=True)
    return result.stdout


def test_console_session_from_creation_to_export(tmp_path):
    db = tmp_path / "charte.db"
    alice = Console(db, "alice")
    code = create(alice)
    given_alice = walk_all(alice, "alice")
    assert alice.close() == 0

    bob = Console(db, "bob")
    bob.expect("/rejoindre")
    bob.send(f"/rejoindre {code}")
    bob.expect("Une autre organisation")
    bob.send("2")
    bob.expect("nom de votre organisation")
    bob.send("Mairie B")
    bob.expect("Collectivité")
    bob.send("3")
    bob.expect("Bienvenue")
    given_bob = walk_all(bob, "bob")
    assert bob.close() == 0

    rows = list(csv.DictReader(io.StringIO(export(db))))
    assert list(rows[0]) == ["alliance", "organisation", "member", "role", "phase", "lever_id",
                             "family", "position", "position_label", "comment", "contribution",
                             "expectation", "charter_version", "answered_at"]
    assert len(rows) == 42
    for person, org, role, given in (("alice", "Asso A", "coordinator", given_alice),
                                     ("bob", "Mairie B", "partner", given_bob)):
        mine = [r for r in rows if r["member"] == person]
        assert [r["lever_id"] for r in mine][:3] == ["respect-confiance", "odd-cadre-commun",
                                                      "objectifs-partages"]
        for number, row in enumerate(mine, start=1):
            level, comment, contribution, expectation = given[str(number)]
            assert row["alliance"] == "Alliance <Quartier> & Co"
            assert (row["organisation"], row["role"], row["phase"]) == (org, role, "lancement")
            assert row["position"] == str(level)
            assert row["position_label"] == LEVELS[level - 1]
            assert (row["comment"], row["contribution"], row["expectation"]) == (
                comment, contribution, expectation)
            assert row["charter_version"] == "2021-11-30"
            assert row["answered_at"].endswith("+00:00")

    document = json.loads(export(db, "--format", "json", "--alliance", "alliance <quartier> & co"))
    data = document["answers"]
    assert document["agreements"] == []
    assert len(data) == 42 and data[0]["position"] == given_alice["1"][0]
    assert export(db, "--alliance", "1").count("\n") == 43


def test_kill_9_in_the_middle_of_a_walk_loses_nothing(tmp_path):
    db = tmp_path / "charte.db"
    alice = Console(db, "alice")
    create(alice)
    alice.send("/charte")
    for number in range(1, 6):
        alice.expect(f"Levier {number}/21")
        alice.send("3")
        alice.expect("✓ Engagé")
        alice.send(f"condition {number}")
    alice.expect("Levier 6/21")
    alice.send("4")  # position of lever 6 confirmed, its conditions not written yet
    alice.expect("À quelles conditions")
    alice.kill()

    again = Console(db, "alice")
    again.expect("Reprenez")
    again.send("/charte")
    out = again.expect("À quelles conditions")
    assert "Levier 6/21" in out
    again.send("condition 6")
    again.expect("Levier 7/21")
    assert again.close() == 0

    rows = list(csv.DictReader(io.StringIO(export(db))))
    assert [(r["position"], r["comment"]) for r in rows] == [
        ("3", f"condition {n}") for n in range(1, 6)] + [("4", "condition 6")]
