"""The operator's tools beside the running bot: `charte-bot backup` while it runs, and
`charte-bot observatoire --suggestions` listing what partners sent with /suggestion, without
their names."""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3

import pytest

from tests.e2e.bot_process import World, create_alliance, run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]


async def test_a_backup_taken_while_the_bot_runs_holds_what_was_answered(world: World):
    alice = world.person("Alice")
    await create_alliance(alice, "Alliance Sauvegardée", "Asso S")
    await alice.command("/charte")
    await alice.press("Engagé")
    await alice.say("condition sauvegardée")
    copy = world.bot.db_path.with_name("sauvegarde.db")
    done = await asyncio.to_thread(run_cli, world.bot.db_path, "backup", str(copy))
    assert done.returncode == 0, done.stderr
    assert "1 alliances, 2 réponses" in done.stdout  # the position, then with its condition
    assert "Levier 2/21" in (await alice.press("Ancré")).text  # the bot goes on meanwhile
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("SELECT name FROM alliances").fetchall() == [("Alliance Sauvegardée",)]
        assert conn.execute("SELECT position, comment FROM answers ORDER BY id").fetchall() == [
            (3, None), (3, "condition sauvegardée")]
    finally:
        conn.close()
    await world.settled()


async def test_a_suggestion_sent_in_telegram_reaches_the_publisher_without_a_name(world: World):
    assert "suggestion" in [c["command"] for c in world.server.commands]
    bob = world.person("Bob", "Martin")
    await create_alliance(bob, "Alliance des Idées", "Asso I")
    reply = await bob.command("/suggestion", "gouvernance")
    assert "Elle porte sur le levier 20. Animation et gouvernance" in reply.text.replace(
        "\u00a0", " ")
    assert "Merci" in await bob.say("Préciser qui décide entre deux réunions.")
    done = await asyncio.to_thread(run_cli, world.bot.db_path, "observatoire", "--suggestions")
    assert done.returncode == 0, done.stderr
    (row,) = list(csv.DictReader(io.StringIO(done.stdout)))
    assert (row["lever_number"], row["lever"], row["text"]) == (
        "20", "Animation et gouvernance", "Préciser qui décide entre deux réunions.")
    assert "Bob" not in done.stdout and "Martin" not in done.stdout
    assert "Idées" not in done.stdout
    await world.settled()
