"""No update makes the bot look for due reminders: its job looks every
CHARTE_REMINDER_POLL_SECONDS, and once at startup. A write that plans a reminder due sooner (a
coordinator opening the next phase now) sets the job's timer to that moment instead."""

from __future__ import annotations

import pytest

from tests.e2e.bot_process import World, create_alliance, join

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

MID_COURSE = "c’est le point d’étape à mi-parcours"


@pytest.fixture(scope="module")
def bot_env() -> dict[str, str]:
    return {"CHARTE_REMINDER_POLL_SECONDS": "3600", "CHARTE_LOG_LEVEL": "DEBUG"}


async def test_opening_a_phase_now_wakes_the_reminders_job(world: World):
    alice, bob = world.person("Alice"), world.person("Bob")
    code = await create_alliance(alice, "Alliance du Réveil", "Asso A")
    await join(bob, code, "Mairie B")
    looked = world.logged("looked for due reminders")
    for _ in range(5):  # updates alone never look for due reminders
        await bob.command("/aide")
    assert world.logged("looked for due reminders") == looked
    after = bob.chat[-1].message_id
    await alice.command("/echeances")
    await alice.press("Lancer le point d’étape maintenant")
    assert "C’est enregistré" in await alice.press("Oui, maintenant")
    reminder = await world.server.wait_for_message(bob.user, contains=MID_COURSE, after=after)
    assert "Alliance du Réveil" in reminder.content
    await world.settled()
