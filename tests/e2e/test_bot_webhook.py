"""Webhook mode with the real process: `charte-bot run --webhook URL --port N`.

Telegram's side is played by tests/e2e/webhook.py: updates are POSTed with the secret token
header, one person's one at a time. A POST with a wrong or missing secret gets 403 and
changes nothing; the same update POSTed twice is applied once; /healthz says the database
answers and its schema version.
"""

from __future__ import annotations

import itertools
import sqlite3
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import ClientSession

from storage import CURRENT_VERSION
from tests.e2e.bot_process import BotProcess, create_alliance, join
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.webhook import PUBLIC_URL, WebhookWorld, free_port, webhook_args

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

SECRET = "un-secret_de-test-0123456789"
_ids = itertools.count(900_000_001)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(server: FakeBotApi, tmp_path_factory: pytest.TempPathFactory
                ) -> AsyncIterator[WebhookWorld]:
    port = free_port()
    bot = BotProcess(tmp_path_factory.mktemp("bot"), server.url, args=webhook_args(port),
                     CHARTE_WEBHOOK_SECRET=SECRET, CHARTE_WEBHOOK_LISTEN="127.0.0.1")
    here = WebhookWorld(server, [bot], [port], SECRET)
    try:
        await here.start_bot()
        yield here
    finally:
        await here.stop_bot()


def text_update(user_id: int, first_name: str, text: str) -> dict[str, Any]:
    """A private text message as Telegram POSTs it, made by hand (never queued in the fake,
    so only the test delivers it)."""
    user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "fr"}
    return {"update_id": next(_ids), "message": {
        "message_id": 1, "from": user, "date": int(time.time()), "text": text,
        "chat": {"id": user_id, "type": "private", "first_name": first_name}}}


def known_people(world: WebhookWorld) -> set[str]:
    """Telegram ids of the people in the database (a plain read beside the bot)."""
    conn = sqlite3.connect(world.bot.db_path)
    try:
        return {row[0] for row in conn.execute("SELECT external_id FROM people")}
    finally:
        conn.close()


async def test_updates_posted_with_the_secret_are_handled(world: WebhookWorld):
    alice, bob = world.person("Alice"), world.person("Bob")
    code = await create_alliance(alice, "Alliance du Webhook", "Asso W")
    await join(bob, code, "Mairie W")
    reply = await bob.command("/charte")
    assert "Levier 1/21" in reply.last.content
    assert "✓" in await bob.press("Engagé")
    (webhook,) = world.server.calls("setWebhook")
    assert (webhook["url"], webhook["secret_token"]) == (PUBLIC_URL, SECRET)
    assert world.server.calls("getUpdates") == []
    assert {p.status for p in world.webhook.posts} == {200}
    await world.settled()


async def test_a_wrong_or_missing_secret_gets_403_and_changes_nothing(world: WebhookWorld):
    carol = world.server.user(next(_ids), "Carol")
    update = text_update(carol.id, "Carol", "/nouvelle")
    assert await world.webhook.post(world.url(0), update, secret="pas-le-bon") == 403
    assert await world.webhook.post(world.url(0), update, secret="") == 403
    await world.barrier()
    assert world.server.messages(carol) == []
    assert str(carol.id) not in known_people(world)

    assert await world.webhook.post(world.url(0), update) == 200  # the real one: handled
    assert "nom de l’alliance" in world.server.messages(carol)[-1].content
    assert str(carol.id) in known_people(world)
    await world.settled()


async def test_the_same_update_posted_twice_is_applied_once(world: WebhookWorld):
    dan = world.server.user(next(_ids), "Dan")
    update = text_update(dan.id, "Dan", "/aide")
    assert await world.webhook.post(world.url(0), update) == 200
    assert await world.webhook.post(world.url(0), update) == 200  # Telegram sent it again
    assert len(world.server.messages(dan)) == 1
    await world.wait_for_log(f"update {update['update_id']} was already handled")
    await world.settled()


async def test_a_post_that_is_not_an_update_gets_400(world: WebhookWorld):
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with ClientSession() as session, session.post(world.url(0), data="{pas du json",
                                                        headers=headers) as answer:
        assert answer.status == 400
    await world.settled()


async def test_healthz_says_the_database_answers_and_its_schema_version(world: WebhookWorld):
    async with ClientSession() as session, session.get(world.url(0, "/healthz")) as answer:
        assert answer.status == 200
        assert await answer.json() == {"status": "ok", "database": "ok",
                                       "schema_version": CURRENT_VERSION}
