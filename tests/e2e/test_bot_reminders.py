"""Reminders with the real bot process: the mid-course point falls due (at a typed time, or
opened now), each member gets one private reminder with a button that starts the
re-evaluation, the coordinator learns who finished; restarts (SIGTERM, kill -9) never send one
again; a reminder that fell due while the bot was stopped arrives once, saying it is late; a
member who blocked the bot is reported to the coordinator once.

The bot polls the database every half second. Its clock is real time plus a shift the test
moves forward (BotClock): dates are typed to the minute, and « late » means 15 minutes late.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from dialogues.content.dates import long_date
from dialogues.content.script import load_script
from dialogues.core.domain import Reminder
from storage import open_store
from tests.e2e.bot_process import (
    WAIT,
    BotClock,
    BotProcess,
    Person,
    World,
    create_alliance,
    join,
    running_world,
    seen,
)
from tests.e2e.fake_bot_api import FakeBotApi, SentMessage

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

PARIS = ZoneInfo("Europe/Paris")
REEVALUATE = "Réévaluer la charte ▶"
MID_COURSE = "c’est le point d’étape à mi-parcours"
THE_END = "l’action arrive à son terme"
LATE = "Ce rappel arrive en retard"
BLOCKED = "m’a bloqué"
SENT_LOG = "reminders sent"  # logged by the dispatcher once a round of sending is over
LEAD = timedelta(seconds=8)  # a typed time falls due this long after it is typed (and confirmed)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(server: FakeBotApi, tmp_path_factory: pytest.TempPathFactory
                ) -> AsyncIterator[World]:
    workdir = tmp_path_factory.mktemp("bot")
    bot = BotProcess(workdir, server.url, clock=BotClock(workdir / "clock-shift"),
                     CHARTE_REMINDER_POLL_SECONDS="0.5",
                     CHARTE_ARRIVALS_WINDOW_SECONDS="0",  # arrivals told at once (see below)
                     CHARTE_LOG_LEVEL="DEBUG")  # each look for due reminders is logged
    async with running_world(server, bot) as here:
        yield here



def away_from_midnight(clock: BotClock) -> None:
    """A moment at 00:00 local time reads as a date without a time (reminded at 09:00): keep
    the bot's clock clear of local midnight for the next few minutes."""
    local = clock.now().astimezone(PARIS)
    if local.time() >= time(23, 55) or local.time() < time(0, 5):
        day = local.date() + timedelta(days=1 if local.hour == 23 else 0)
        clock.advance(datetime.combine(day, time(0, 5), tzinfo=PARIS) - local)


def typed(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")


def in_full(moment: datetime) -> str:
    """How the bot shows a date: « jeudi 1er juillet 2027 à 9 h 30 »."""
    return long_date(moment, load_script().dates, "Europe/Paris").replace("\u00a0", " ")


def minute_after(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=1)


def about_to_strike(clock: BotClock) -> datetime:
    """Move the bot's clock to LEAD before a minute; return that minute, to be typed."""
    away_from_midnight(clock)
    # The next minute at least LEAD (and a second) away: the clock only ever moves forward.
    due = minute_after(clock.now() + LEAD + timedelta(seconds=1))
    clock.advance(due - LEAD - clock.now())
    return due


async def new_alliance(world: World, name: str) -> tuple[Person, Person, str]:
    """Alice coordinates an alliance that started today; Bob joins it."""
    today = world.clock.now().astimezone(PARIS).date()
    alice, bob = world.person("Alice"), world.person("Bob")
    code = await create_alliance(alice, name, "Asso A", start=today.strftime("%d/%m/%Y"),
                                 end=(today + timedelta(days=365)).strftime("%d/%m/%Y"))
    await join(bob, code, "Mairie B")
    # Alice is told of Bob's arrival now, not in the middle of what the test counts later.
    await world.server.wait_for_message(alice.user, contains="Arrivées dans l’alliance")
    return alice, bob, code


async def finish_launch(person: Person) -> None:
    """The 21 levers, fast: « Je ne sais pas », then « passer » for every text."""
    reply = await person.command("/charte")
    for number in range(1, 22):
        assert f"Levier {number}/21" in seen(reply.last.content), reply.text
        reply = await person.press("Je ne sais pas")
        for _ in range(1 if number <= 14 else 2):
            reply = await person.say("passer")
    assert "Vous avez parcouru toute la charte" in reply, reply.text


def mark(person: Person) -> int:
    return person.chat[-1].message_id if person.chat else 0


def since(person: Person, after: int, fragment: str) -> list[SentMessage]:
    return [m for m in person.chat if m.message_id > after and fragment in seen(m.content)]


async def reminder(world: World, person: Person, after: int, fragment: str) -> SentMessage:
    return await world.server.wait_for_message(person.user, contains=fragment, after=after)


def stored_reminders(world: World, code: str, phase: str) -> dict[str, Reminder]:
    """Each member's phase reminder in the database, by organisation."""
    store = open_store(f"sqlite:///{world.bot.db_path}")
    try:
        with store.unit_of_work() as uow:
            alliance = uow.find_by_code(code)
            assert alliance is not None
            orgs = {o.id: o.name for o in uow.organisations(alliance.id)}
            return {orgs[member.organisation_id]: r for member in uow.members(alliance.id)
                    for r in uow.reminders_of(member.id) if (r.kind, r.phase) == ("phase", phase)}
    finally:
        store.close()


async def sent_reminders(world: World, code: str, phase: str
                         ) -> dict[str, tuple[datetime, datetime]]:
    """Each member's phase reminder: organisation -> (due_at, sent_at), once every one is
    confirmed (a reminder is confirmed sent just after Telegram answered)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    found = stored_reminders(world, code, phase)
    while any(r.sent_at is None for r in found.values()):
        assert loop.time() < deadline, f"not confirmed sent: {found}"
        await asyncio.sleep(0.05)
        found = stored_reminders(world, code, phase)
    return {org: (r.due_at, r.sent_at) for org, r in found.items() if r.sent_at is not None}


async def open_now(person: Person, button: str) -> None:
    away_from_midnight(person.world.clock)  # « now » at 00:00 would wait for 09:00
    reply = await person.command("/echeances")
    assert button in [label for label, _ in reply.last.buttons], reply.last.buttons
    await person.press(button)
    reply = await person.press("Oui, maintenant")
    assert "C’est enregistré" in reply, reply.text


async def test_a_typed_mid_course_time_reminds_each_member_once_even_across_restarts(
        world: World):
    clock = world.clock
    alice, bob, code = await new_alliance(world, "Alliance des Quais")
    await finish_launch(bob)
    reply = await alice.command("/echeances")
    assert "Phase en cours : Lancement" in reply
    assert "Nouvelle date du point d’étape" in await alice.press("Changer le point d’étape")
    due = about_to_strike(clock)
    before = {alice.name: mark(alice), bob.name: mark(bob)}
    assert f"le {in_full(due)}. C’est bien ça" in await alice.say(typed(due))
    reply = await alice.press("Oui, enregistrer")
    assert "C’est enregistré" in reply and f"(mi-parcours) : {in_full(due)}" in reply, reply.text

    to_bob = await reminder(world, bob, before[bob.name], MID_COURSE)
    to_alice = await reminder(world, alice, before[alice.name], MID_COURSE)
    for message in (to_alice, to_bob):
        assert "Alliance des Quais" in seen(message.content) and LATE not in seen(message.content)
        assert [label for label, _ in message.buttons] == [REEVALUATE]
    # One message per chat: the coordinator's says who finished the launch, above the button.
    assert ("Pour les coordinateur·rices — ont terminé la phase « Lancement » : Bob (Mairie B).\n"
            "Pas encore : Alice (Asso A).") in seen(to_alice.content)
    assert since(bob, before[bob.name], "Pour les coordinateur·rices") == []
    sent = await sent_reminders(world, code, "mi-parcours")
    assert set(sent) == {"Asso A", "Mairie B"}
    assert all(due_at == due and sent_at >= due for due_at, sent_at in sent.values()), sent

    reply = await bob.press(REEVALUATE, message=to_bob)
    assert "Levier 1/21" in seen(reply.last.content), reply.text
    assert "phase mi-parcours" in reply.text, reply.text

    counts = {p.name: len(p.chat) for p in (alice, bob)}
    for restart in (world.stop_bot, world.kill_bot):  # SIGTERM, then kill -9
        await restart()
        await world.start_bot()
        await world.reminders_checked()  # two looks for due reminders: all due is sent
        assert {p.name: len(p.chat) for p in (alice, bob)} == counts
        assert await sent_reminders(world, code, "mi-parcours") == sent
    assert "Levier 1/21" in seen((await bob.command("/charte")).last.content)  # goes on
    await world.settled()


async def test_opening_the_mid_course_now_reminds_each_member_at_once(world: World):
    alice, bob, _code = await new_alliance(world, "Alliance du Marché")
    before = {alice.name: mark(alice), bob.name: mark(bob)}
    await open_now(alice, "Lancer le point d’étape maintenant")
    assert "Phase en cours : Mi-parcours" in alice.last

    to_bob = await reminder(world, bob, before[bob.name], MID_COURSE)
    to_alice = await reminder(world, alice, before[alice.name], MID_COURSE)
    for message in (to_alice, to_bob):
        assert "Alliance du Marché" in seen(message.content) and LATE not in seen(message.content)
        assert [label for label, _ in message.buttons] == [REEVALUATE]
    assert ("ont terminé la phase « Lancement » : —.\nPas encore : Alice (Asso A), Bob (Mairie B)."
            in seen(to_alice.content))

    reply = await alice.press(REEVALUATE, message=to_alice)
    assert "Levier 1/21" in seen(reply.last.content), reply.text
    assert "phase mi-parcours" in reply.text, reply.text
    assert len(since(bob, before[bob.name], MID_COURSE)) == 1
    await world.settled()


async def test_a_reminder_due_while_the_bot_was_stopped_arrives_once_and_late(world: World):
    clock = world.clock
    alice, bob, code = await new_alliance(world, "Alliance du Canal")
    await alice.command("/echeances")
    await alice.press("Changer le point d’étape")
    away_from_midnight(clock)
    due = minute_after(clock.now() + timedelta(minutes=1))  # one to two minutes ahead
    assert "C’est bien ça" in await alice.say(typed(due))
    assert "C’est enregistré" in await alice.press("Oui, enregistrer")
    before = {alice.name: mark(alice), bob.name: mark(bob)}

    await world.stop_bot()  # long before it falls due: nothing was sent
    assert since(alice, before[alice.name], MID_COURSE) == []
    assert since(bob, before[bob.name], MID_COURSE) == []
    clock.advance(due + timedelta(minutes=20) - clock.now())  # the bot stays down 20 minutes
    await world.start_bot()

    to_bob = await reminder(world, bob, before[bob.name], MID_COURSE)
    to_alice = await reminder(world, alice, before[alice.name], MID_COURSE)
    await world.reminders_checked()
    for person, message in ((alice, to_alice), (bob, to_bob)):
        assert LATE in seen(message.content) and "Alliance du Canal" in seen(message.content)
        assert [label for label, _ in message.buttons] == [REEVALUATE]
        assert [m.message_id for m in person.chat if m.message_id > before[person.name]] == [
            message.message_id]  # one message, once
    assert "Pour les coordinateur·rices" in seen(to_alice.content)
    sent = await sent_reminders(world, code, "mi-parcours")
    assert all(sent_at - due_at > timedelta(minutes=15) for due_at, sent_at in sent.values())
    await world.settled()


async def test_a_member_who_blocked_the_bot_is_reported_to_the_coordinator_once(world: World):
    today = world.clock.now().astimezone(PARIS).date()
    alice, carol, bob = world.person("Alice"), world.person("Carol"), world.person("Bob")
    code = await create_alliance(alice, "Alliance du Pont", "Asso A",
                                 start=today.strftime("%d/%m/%Y"),
                                 end=(today + timedelta(days=365)).strftime("%d/%m/%Y"))
    await join(carol, code, "Régie C")
    await join(bob, code, "Mairie B")
    world.server.block_user(carol.user)
    before, carol_before = mark(alice), mark(carol)
    runs = world.logged(SENT_LOG)

    await open_now(alice, "Lancer le point d’étape maintenant")
    await world.wait_for_log(SENT_LOG, count=runs + 1)  # that round of sending is over
    notices = since(alice, before, BLOCKED)
    assert len(notices) == 1, [seen(m.content) for m in alice.chat if m.message_id > before]
    assert ("Carol (Régie C) n’a pas pu recevoir le rappel de l’alliance Alliance du Pont"
            in seen(notices[0].content))
    assert len(since(alice, before, MID_COURSE)) == 1
    assert len(since(bob, 0, MID_COURSE)) == 1

    await open_now(alice, "Clore l’action maintenant")  # the end phase: Carol fails again
    await world.wait_for_log(SENT_LOG, count=runs + 2)
    assert len(since(alice, before, THE_END)) == 1 and len(since(bob, 0, THE_END)) == 1
    assert len(since(alice, before, BLOCKED)) == 1  # told once, not at every reminder
    refused = [e for e in world.server.errors
               if e.method == "sendMessage" and e.params.get("chat_id") == carol.user.id]
    assert [e.status for e in refused] == [403, 403]
    assert mark(carol) == carol_before  # nothing reached her
    world.server.unblock_user(carol.user)
    await world.settled()
