"""A crash in the middle of a reminder wave loses no reminder: `kill -9` while three
reminders are in flight (Telegram delivered them, its answer had not come back yet), restart:
those three are sent again, saying they may be a repeat; every other member got theirs once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio

from tests.e2e.bot_process import BotProcess, World, running_world
from tests.e2e.fake_bot_api import FakeBotApi
from tests.e2e.seeding import MID_COURSE, REPEAT, chat_of, seed_alliances

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(server: FakeBotApi, tmp_path_factory: pytest.TempPathFactory
                ) -> AsyncIterator[World]:
    bot = BotProcess(tmp_path_factory.mktemp("bot"), server.url,
                     CHARTE_REMINDER_POLL_SECONDS="0.3", CHARTE_SEND_RATE="30")
    async with running_world(server, bot) as here:
        yield here


async def test_reminders_in_flight_at_a_crash_are_sent_again_after_the_restart(world: World):
    held = [chat_of(0, m) for m in range(3)]  # the first three claimed (same due, by id)
    world.server.hold_answers(held)
    chats = seed_alliances(f"sqlite:///{world.bot.db_path}", world.server, 4, 5,
                           datetime.now(UTC))  # due now: the bot's next look sends them
    assert chats[:3] == held
    others = chats[3:]
    await world.server.wait_for(
        lambda: len(world.server.held) == 3 and all(world.server.messages(c) for c in others),
        timeout=30)
    await world.kill_bot()  # the three answers never came back: never confirmed
    await world.start_bot()

    for chat in held:
        await world.server.wait_for_message(chat, contains=REPEAT, timeout=15)
    await world.settled()
    for chat in held:
        first, again = world.server.messages(chat)
        assert MID_COURSE in first.content and REPEAT not in first.content
        assert MID_COURSE in again.content and REPEAT in again.content
    for chat in others:
        (once,) = world.server.messages(chat)
        assert MID_COURSE in once.content and REPEAT not in once.content
