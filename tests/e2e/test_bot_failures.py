"""Telegram failing: a 502, a timeout, a 429, a person who blocked the bot, a broken poll, a
rejected token, no Telegram at all. The messages still arrive (or the failure is logged), the
bot keeps serving the others, and its token never shows in what it prints, even at DEBUG."""

from __future__ import annotations

import asyncio

import pytest

from bot import texts
from tests.e2e.bot_process import TOKEN, Person, World, assert_no_token, create_alliance, run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]


@pytest.fixture(scope="module")
def bot_env() -> dict[str, str]:
    return {"CHARTE_LOG_LEVEL": "DEBUG"}  # the most talkative logs must hide the token too


async def walking(world: World, name: str) -> Person:
    person = world.person(name)
    await create_alliance(person, f"Alliance {name}", f"Asso {name}")
    reply = await person.command("/charte")
    assert "Levier 1/21" in reply.last.content
    return person


def copies(person: Person, text: str) -> int:
    """Messages that start with `text` (a note, then the next question)."""
    return sum(m.content.startswith(text) for m in person.chat)


def errors(world: World, method: str) -> list[int]:
    return [e.status for e in world.server.errors if e.method == method]


async def test_a_502_on_send_is_retried_and_the_message_arrives(world: World):
    alice = await walking(world, "Alice")
    await alice.press("Engagé")
    world.server.fail_next("sendMessage", 502)
    reply = await alice.say("condition 1")
    assert "✓ Noté." in reply and "Levier 2/21" in reply.last.content
    assert errors(world, "sendMessage") == [502]
    assert copies(alice, "✓ Noté.") == 1

    world.server.fail_next("editMessageText", 502)  # an edit that fails is sent instead
    reply = await alice.press("Ancré")
    assert reply.edited is None and "✓ Ancré" in reply.messages[0].content
    assert "À quelles conditions" in reply.last.content
    await world.settled()


async def test_a_timeout_on_send_is_retried_and_the_message_arrives(world: World):
    bob = await walking(world, "Bob")
    await bob.press("Engagé")
    # Telegram answers after 6 s, past the bot's 5 s read timeout: the bot sends again.
    world.server.fail_next("sendMessage", status=None, delay=6)
    reply = await bob.say("condition 1", timeout=30)
    assert "✓ Noté." in reply and "Levier 2/21" in reply.last.content
    assert "send to chat" in world.bot.output and "Timed out" in world.bot.output
    # The slow first try was delivered too, late: a duplicate, never a loss.
    await world.server.wait_for(lambda: copies(bob, "✓ Noté.") == 2, timeout=10)
    await world.settled()


async def test_a_429_is_waited_out_and_the_message_arrives(world: World):
    carol = await walking(world, "Carol")
    reply = await carol.press("Engagé")
    assert "✓ Engagé" in reply.text and "À quelles conditions" in reply.last.content
    world.server.fail_next("sendMessage", 429, retry_after=1)
    reply = await carol.say("condition 1")
    assert "✓ Noté." in reply.text and "Levier 2/21" in reply.last.content
    assert errors(world, "sendMessage")[-1] == 429
    assert sum("Levier 2/21" in m.content for m in carol.chat) == 1
    await world.settled()


async def test_a_person_who_blocked_the_bot_is_logged_and_others_are_served(world: World):
    dan = await walking(world, "Dan")
    erin = await walking(world, "Erin")
    world.server.block_user(dan.user)
    world.server.send_text(dan.user, "engagé")  # sent just before blocking the bot
    await world.barrier()
    assert f"chat {dan.user.id} cannot be written to" in world.bot.output
    assert errors(world, "sendMessage")[-1] == 403
    reply = await erin.say("ancré")
    assert "✓ Ancré" in reply.text and "À quelles conditions" in reply.last.content
    world.server.unblock_user(dan.user)
    reply = await dan.command("/charte")  # Dan's answer was stored before the bot replied
    assert "Levier 1/21" in reply.last.content and "À quelles conditions" in reply.last.content
    await world.settled()


async def test_a_failing_poll_is_retried(world: World):
    fay = world.person("Fay")
    world.server.fail_next("getUpdates", 502)
    reply = await fay.command("/aide")
    assert "Comment ça marche" in reply.text
    assert errors(world, "getUpdates") == [502]
    await world.settled()


async def test_the_token_never_shows_in_the_output(world: World):
    await world.barrier()
    output = world.bot.output
    assert "DEBUG" in output and "getUpdates" in output  # the logs were talkative
    assert_no_token(output, TOKEN)


async def test_a_rejected_token_stops_the_bot_with_a_french_explanation(world: World, tmp_path):
    wrong = "654321:WRONG-token-xyz"
    result = await asyncio.to_thread(run_cli, tmp_path / "charte.db", "run", token=wrong,
                                     api_url=world.server.url)
    assert result.returncode == 2
    assert texts.say("tg.credentials_refused") in result.stderr
    assert_no_token(result.stdout + result.stderr, wrong)


async def test_no_telegram_at_startup_stops_the_bot_with_a_french_explanation(tmp_path):
    result = await asyncio.to_thread(run_cli, tmp_path / "charte.db", "run", token=TOKEN,
                                     api_url="http://127.0.0.1:9")
    assert result.returncode == 2
    assert "Impossible de joindre Telegram" in result.stderr
    assert_no_token(result.stdout + result.stderr, TOKEN)
