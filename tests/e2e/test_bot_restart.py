"""`kill -9` in the middle of a walk, restart on the same database and the same Bot API: what
was sent while the bot was down is handled, the walk goes on at the same question, nothing is
lost, and a button from before the restart is refused without writing anything."""

from __future__ import annotations

import csv
import io

import pytest

from tests.e2e.bot_process import World, create_alliance, run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]


def exported(world: World) -> list[tuple[str, str, str]]:
    result = run_cli(world.bot.db_path, "export")
    assert result.returncode == 0, result.stderr
    return [(r["lever_id"], r["position"], r["comment"])
            for r in csv.DictReader(io.StringIO(result.stdout))]


async def test_kill_9_mid_walk_then_restart_resumes_where_it_was(world: World):
    alice = world.person("Alice")
    await create_alliance(alice, "Alliance Relance", "Asso R")
    reply = await alice.command("/charte")
    for number in (1, 2, 3):
        assert f"Levier {number}/21" in reply.last.content
        await alice.press("Engagé")
        reply = await alice.say(f"condition {number}")
        assert "✓ Noté." in reply
    old_question = alice.chat[-2]  # lever 3's conditions question, answered: its buttons stay
    assert "Levier 3/21" in old_question.content and "À quelles conditions" in old_question.content
    reply = await alice.press("Ancré")  # lever 4: position stored, conditions not yet written
    assert "À quelles conditions" in reply.last.content and "Levier 4/21" in reply.last.content
    before = exported(world)
    assert [row[:2] for row in before] == [
        ("respect-confiance", "3"), ("odd-cadre-commun", "3"), ("objectifs-partages", "3"),
        ("complementarite", "4")]

    await world.kill_bot()
    assert not world.bot.alive
    mark = alice.chat[-1].message_id
    world.server.send_text(alice.user, "condition 4, écrite pendant la panne")
    await world.start_bot()
    await world.barrier()

    (after_restart,) = [m.content for m in alice.chat if m.message_id > mark]
    assert after_restart.startswith("✓ Noté.")
    assert "Levier 5/21" in after_restart and "Où en est votre organisation" in after_restart
    assert world.server.pending_updates == []

    reply = await alice.command("/charte")  # the same question again, nothing skipped
    assert "Levier 5/21" in reply.last.content and "Où en est" in reply.last.content

    stale = await alice.press("Passer", message=old_question)
    assert "Ce bouton n’est plus valable" in stale.text
    assert "Levier 5/21" in stale.last.content and stale.last.buttons
    assert exported(world) == [*before[:3], ("complementarite", "4",
                                             "condition 4, écrite pendant la panne")]

    reply = await alice.press("En réflexion")  # and the walk goes on from there
    assert "✓ En réflexion" in reply.text and "Levier 5/21" in reply.text
    assert exported(world)[-1][:2] == ("decloisonnement", "2")
    await world.settled()
