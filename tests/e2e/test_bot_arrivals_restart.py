"""Arrivals told across restarts, with the real bot process: an arrival not yet told when the
bot is killed is told once it is back (once only, whatever the restarts), and the buttons of
the message still work.

Arrivals are told ten minutes after the first (CHARTE_ARRIVALS_WINDOW_SECONDS=600) by the
bot's clock, which the test moves forward while the bot is down (BotClock): nothing can be
sent before the kill.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio

from tests.e2e.bot_process import BotClock, BotProcess, World, create_alliance, join, running_world
from tests.e2e.fake_bot_api import FakeBotApi

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

ARRIVALS = "Arrivées dans l’alliance"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(server: FakeBotApi, tmp_path_factory: pytest.TempPathFactory
                ) -> AsyncIterator[World]:
    workdir = tmp_path_factory.mktemp("bot")
    bot = BotProcess(workdir, server.url, clock=BotClock(workdir / "clock-shift"),
                     CHARTE_ARRIVALS_WINDOW_SECONDS="600", CHARTE_REMINDER_POLL_SECONDS="0.5",
                     CHARTE_LOG_LEVEL="DEBUG")  # each look for due reminders is logged
    async with running_world(server, bot) as here:
        yield here


async def test_an_arrival_is_told_once_after_a_kill_and_its_buttons_still_work(world: World):
    clock = world.clock
    alice = world.person("Alice")
    code = await create_alliance(alice, "Alliance du Phare", "Asso P")
    bob, carol = world.person("Bob"), world.person("Carol")
    await join(bob, code, "Mairie P")
    await join(carol, code, "Asso P")
    before = alice.chat[-1].message_id

    await world.kill_bot()
    clock.advance(timedelta(minutes=11))
    await world.start_bot()
    notice = await world.server.wait_for_message(alice.user, contains=ARRIVALS, after=before)
    assert "Bob — pour l’organisation Mairie P" in notice.content
    assert "Carol — pour l’organisation Asso P" in notice.content, "both in one message"
    await world.reminders_checked()
    await world.kill_bot()
    await world.start_bot()
    await world.reminders_checked()
    assert [m.message_id for m in alice.chat if m.message_id > before] == [notice.message_id]

    await alice.press("Retirer Bob", message=notice)
    await alice.press("Oui, confirmer", message=notice)
    assert "Bob ne fait plus partie de l’alliance" in notice.content
    assert [label for label, _ in notice.buttons] == ["Retirer Carol"]
    assert "aucune alliance" in await bob.command("/synthese")
    await world.settled()
