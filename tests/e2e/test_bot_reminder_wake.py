"""No update makes the bot look for due reminders: its job looks every
CHARTE_REMINDER_POLL_SECONDS (an hour here), and once at startup. A write that plans a reminder
due sooner (a coordinator opening the next phase now) sets the job's timer to that moment
instead."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage.times import to_text
from tests.e2e.bot_process import World, create_alliance, join, seen

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

MID_COURSE = "c’est le point d’étape à mi-parcours"
PARIS = ZoneInfo("Europe/Paris")


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


async def test_a_reminder_that_fell_due_while_the_bot_was_stopped_goes_out_at_startup(
        world: World):
    """The job looks once when the bot starts, not one CHARTE_REMINDER_POLL_SECONDS later
    (an hour here)."""
    today = datetime.now(PARIS).date()
    alice, bob = world.person("Alice"), world.person("Bob")
    code = await create_alliance(alice, "Alliance du Démarrage", "Asso A",
                                 start=today.strftime("%d/%m/%Y"),
                                 end=(today + timedelta(days=365)).strftime("%d/%m/%Y"))
    await join(bob, code, "Mairie B")
    after = bob.chat[-1].message_id
    await world.stop_bot()
    # While it is stopped, the mid-course date passes (written as the bot writes dates).
    now = datetime.now(UTC)
    with sqlite3.connect(world.bot.db_path) as db:
        (alliance_id,) = db.execute("SELECT id FROM alliances WHERE name = ?",
                                    ("Alliance du Démarrage",)).fetchone()
        db.execute("UPDATE alliances SET mid_at = ? WHERE id = ?",
                   (to_text(now - timedelta(minutes=2)), alliance_id))
        moved = db.execute(
            "UPDATE reminders SET due_at = ? WHERE alliance_id = ? AND kind = 'phase'"
            " AND phase = 'mi-parcours'", (to_text(now - timedelta(minutes=1)), alliance_id))
        assert moved.rowcount == 2
    await world.start_bot()
    reminder = await world.server.wait_for_message(bob.user, contains=MID_COURSE, after=after)
    assert "Alliance du Démarrage" in reminder.content
    assert "Ce rappel arrive en retard" in seen(reminder.content)
    await world.settled()
