"""Two `charte-bot run --webhook` processes on one PostgreSQL database, as a network would run
them behind a proxy (tests/e2e/webhook.py plays Telegram and the proxy: each update goes to
the two processes in turn, one person's next update once the previous one was answered).

- reminders due in the same minute for 200 members arrive exactly once each, both processes
  sending (each claims due reminders with FOR UPDATE SKIP LOCKED);
- a person whose updates alternate between the processes keeps their answers in order, and
  an update delivered to both is applied once.

Why webhook mode: with long polling both processes would call getUpdates and Telegram would
cut one off (409) at each call; a real two-process deployment receives updates by webhook.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio

from bot.webhook import derived_secret
from dialogues.content.bundle import load_content
from tests.backends import PostgresBackend, PostgresDatabases
from tests.e2e.bot_process import TOKEN, WAIT, BotProcess, create_alliance, seen
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.seeding import MID_COURSE, REPEAT, chat_of, seed_alliances
from tests.e2e.webhook import WebhookWorld, free_port, wait_healthy, webhook_args

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

LOOKED = "looked for due reminders"
CLAIM_SECONDS = 4  # how long a claim holds here (10 minutes by default)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def database(pg_databases: PostgresDatabases) -> AsyncIterator[PostgresBackend]:
    with pg_databases.fresh() as backend:
        yield backend


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(server: FakeBotApi, database: PostgresBackend,
                tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebhookWorld]:
    ports = [free_port(), free_port()]
    bots = [BotProcess(tmp_path_factory.mktemp(f"bot{n}"), server.url, args=webhook_args(port),
                       CHARTE_DATABASE_URL=database.url, CHARTE_WEBHOOK_LISTEN="127.0.0.1",
                       CHARTE_REMINDER_POLL_SECONDS="0.2", CHARTE_SEND_RATE="30",
                       CHARTE_CLAIM_SECONDS=str(CLAIM_SECONDS), CHARTE_LOG_LEVEL="DEBUG")
            for n, port in enumerate(ports)]
    # No CHARTE_WEBHOOK_SECRET: both derive the same secret from the bot token.
    here = WebhookWorld(server, bots, ports, derived_secret(TOKEN))
    try:
        await here.start_bot()
        yield here
    finally:
        await here.stop_bot()


def instance(port: int) -> str:
    """The name a process gives its claims (bot.compose.default_instance)."""
    import socket

    return f"{socket.gethostname()}:{port}"


def logged(bot: BotProcess, fragment: str) -> int:
    return sum(fragment in line for line in bot.run_output.splitlines())


async def test_reminders_due_in_the_same_minute_for_200_members_arrive_once_each(
        world: WebhookWorld, database: PostgresBackend):
    due = datetime.now(UTC).replace(microsecond=0)
    chats = seed_alliances(database.url, world.server, 40, 5, due)
    assert len(chats) == 200

    await world.server.wait_for(
        lambda: all(world.server.messages(chat) for chat in chats), timeout=60)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while database.query("SELECT count(*) FROM reminders WHERE sent_at IS NULL")[0][0]:
        assert loop.time() < deadline, "some reminders were never confirmed"
        await asyncio.sleep(0.1)
    # Both processes look for due reminders twice more: whatever they would still send, is.
    looks = [logged(bot, LOOKED) for bot in world.bots]
    while any(logged(bot, LOOKED) < n + 2 for bot, n in zip(world.bots, looks, strict=True)):
        assert loop.time() < deadline + WAIT, "a process stopped looking for reminders"
        await asyncio.sleep(0.1)

    for chat in chats:
        (message,) = world.server.messages(chat)  # exactly one each
        assert MID_COURSE in message.content
    coordinators = [c for c in chats if c % 100 == 0]
    assert all("Pour les coordinateur·rices" in seen(world.server.messages(c)[0].content)
               for c in coordinators)
    senders = {name for (name,) in database.query("SELECT claimed_by FROM reminders")}
    assert senders == {instance(port) for port in world.ports}  # both took part
    assert database.query(
        "SELECT count(*) FROM reminders WHERE attempts <> 1 OR sent_at IS NULL")[0][0] == 0
    assert all(bot.alive for bot in world.bots)


async def test_a_persons_updates_through_both_processes_keep_their_answers_in_order(
        world: WebhookWorld, database: PostgresBackend):
    alice = world.person("Alice")
    await create_alliance(alice, "Alliance des Deux", "Asso D")
    reply = await alice.command("/charte")
    assert "Levier 1/21" in reply.last.content

    # 49 updates sent at once, as fast as a phone would: a position and its texts per lever.
    sent = []
    for lever in range(1, 22):
        sent.append(world.server.send_text(alice.user, str(lever % 4 + 1)))
        texts = [f"condition {lever}"] if lever <= 14 else [f"apport {lever}",
                                                           f"attente {lever}"]
        sent += [world.server.send_text(alice.user, text) for text in texts]
    await world.barrier(timeout=60)
    assert "Vous avez parcouru toute la charte" in alice.chat[-1].content

    targets = {post.target for post in world.webhook.posts
               if post.update_id in {u["update_id"] for u in sent}}
    assert targets == {world.url(0), world.url(1)}
    answers = database.query(
        "SELECT a.lever_id, a.position, a.comment, a.contribution, a.expectation"
        " FROM answers AS a JOIN members AS m ON m.id = a.member_id"
        " JOIN people AS p ON p.id = m.person_id WHERE p.external_id = ? ORDER BY a.id",
        (str(alice.user.id),))
    latest = {}
    for lever_id, position, comment, contribution, expectation in answers:
        latest[lever_id] = (position, comment, contribution, expectation)
    levers = load_content().charter.levers
    assert [latest[lever.id] for lever in levers] == [
        (n % 4 + 1, f"condition {n}", None, None) if n <= 14
        else (n % 4 + 1, None, f"apport {n}", f"attente {n}")
        for n in range(1, 22)]

    # Telegram (or the proxy) sends some of them again, to the other process: nothing changes.
    messages, rows = len(alice.chat), len(answers)
    for update in sent[::10]:
        assert await world.webhook.post(world.url(1), update) == 200
        assert await world.webhook.post(world.url(0), update) == 200
    await world.barrier()
    assert len(alice.chat) == messages
    assert database.query("SELECT count(*) FROM answers AS a JOIN members AS m"
                          " ON m.id = a.member_id JOIN people AS p ON p.id = m.person_id"
                          " WHERE p.external_id = ?", (str(alice.user.id),))[0][0] == rows
    await world.settled()


async def test_when_a_process_dies_mid_wave_the_other_sends_its_reminders_once_claims_expire(
        world: WebhookWorld, database: PostgresBackend):
    first, second = world.bots
    await asyncio.to_thread(second.stop)  # only the first process sends this wave
    held = [chat_of(50, m) for m in range(3)]
    world.server.hold_answers(held)
    chats = seed_alliances(database.url, world.server, 4, 5, datetime.now(UTC), first=50)
    others = chats[3:]
    await world.server.wait_for(
        lambda: set(held) <= set(world.server.held)
        and all(world.server.messages(c) for c in others), timeout=30)
    await asyncio.to_thread(first.kill)  # dies with three deliveries in flight

    second.start()
    await wait_healthy(world.url(1, "/healthz"), second, 30)
    for chat in held:  # once the dead process's claims expire
        await world.server.wait_for_message(chat, contains=REPEAT, timeout=CLAIM_SECONDS + WAIT)
    for chat in held:
        sent_first, again = world.server.messages(chat)
        assert MID_COURSE in sent_first.content and REPEAT not in sent_first.content
        assert MID_COURSE in again.content and REPEAT in again.content
    for chat in others:
        (once,) = world.server.messages(chat)
        assert REPEAT not in once.content
    claimed = database.query(
        "SELECT r.claimed_by, r.attempts FROM reminders AS r JOIN members AS m"
        " ON m.id = r.member_id JOIN people AS p ON p.id = m.person_id"
        " WHERE p.external_id IN (?, ?, ?)", tuple(str(c) for c in held))
    assert sorted(claimed) == [(instance(world.ports[1]), 2)] * 3
    first.start()  # both running again for whatever comes next
    await wait_healthy(world.url(0, "/healthz"), first, 30)
