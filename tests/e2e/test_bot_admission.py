"""Who gets in, with the real bot process and the fake Bot API: the coordination is told of
each arrival and removes a stranger in one tap (and a confirmation); in approval mode a
newcomer sees nothing before « Accepter » and everything after; a refusal; expired and used-up
codes answered like unknown ones; the wait after 10 wrong codes; a tiers de confiance who
accompanies two alliances, sees both in /alliances and the summary of each, and cannot walk.

Arrivals are told after a window of one second here (CHARTE_ARRIVALS_WINDOW_SECONDS); the
bot's clock is real time plus a shift the test moves forward (BotClock), for the codes that
expire and the hour of wrong codes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from dialogues.content.bundle import load_content
from dialogues.content.markup import plain_text
from storage import open_store
from tests.e2e.bot_process import (
    INVITE,
    BotClock,
    BotProcess,
    Person,
    World,
    create_alliance,
    invite_tiers,
    join,
    running_world,
)
from tests.e2e.fake_bot_api import FakeBotApi, SentMessage

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

PARIS = ZoneInfo("Europe/Paris")
ARRIVALS = "Arrivées dans l’alliance"
# What an unknown code gets, word for word (an expired, used-up or replaced one gets the same).
BAD_CODE = " ".join(plain_text(load_content().script.say("join.bad_code")).replace(
    "\u00a0", " ").split())
WAITING = "attend la confirmation d’un·e coordinateur·rice"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(server: FakeBotApi, tmp_path_factory: pytest.TempPathFactory
                ) -> AsyncIterator[World]:
    workdir = tmp_path_factory.mktemp("bot")
    bot = BotProcess(workdir, server.url, clock=BotClock(workdir / "clock-shift"),
                     CHARTE_ARRIVALS_WINDOW_SECONDS="1", CHARTE_REMINDER_POLL_SECONDS="0.5")
    async with running_world(server, bot) as here:
        yield here



def mark(person: Person) -> int:
    return person.chat[-1].message_id if person.chat else 0


async def told(world: World, person: Person, after: int, fragment: str) -> SentMessage:
    """The next message the bot sends this person on its own (a notification)."""
    return await world.server.wait_for_message(person.user, contains=fragment, after=after)


def labels(message: SentMessage) -> list[str]:
    return [label for label, _ in message.buttons]


def members_of(world: World, code: str) -> list[tuple[str, str | None, bool]]:
    """(role, organisation, pending) of each current member of the code's alliance."""
    store = open_store(f"sqlite:///{world.bot.db_path}")
    try:
        with store.unit_of_work() as uow:
            alliance = uow.find_by_code(code)
            assert alliance is not None
            orgs = {o.id: o.name for o in uow.organisations(alliance.id)}
            return [(m.role, orgs.get(m.organisation_id) if m.organisation_id else None,
                     m.pending_since is not None) for m in uow.members(alliance.id)]
    finally:
        store.close()


async def approval_on(person: Person) -> None:
    await person.command("/reglages")
    reply = await person.press("Valider les nouveaux membres")
    assert "validés par un·e coordinateur·rice" in reply, reply.text


async def test_the_coordination_is_told_of_an_arrival_and_removes_it_in_one_tap(world: World):
    alice = world.person("Alice", "Martin")
    code = await create_alliance(alice, "Alliance du Marché", "Asso M")
    before = mark(alice)
    stranger = world.person("Inconnu", "Curieux")
    await join(stranger, code, "Société X", kind="Entreprise")
    notice = await told(world, alice, before, ARRIVALS)
    assert ("Inconnu Curieux — pour l’organisation Société X (nouvelle organisation)"
            in notice.content)
    assert labels(notice) == ["Retirer Inconnu Curieux"]

    reply = await alice.press("Retirer Inconnu Curieux", message=notice)
    assert reply.edited is notice and "Retirer Inconnu Curieux" in notice.content
    assert labels(notice) == ["Oui, confirmer", "Annuler"]
    assert ("partner", "Société X", False) in members_of(world, code)
    reply = await alice.press("Oui, confirmer", message=notice)
    assert "Inconnu Curieux ne fait plus partie de l’alliance" in notice.content
    assert reply.messages == [] and labels(notice) == []
    assert members_of(world, code) == [("coordinator", "Asso M", False)]
    seen = await stranger.command("/synthese")
    assert "aucune alliance" in seen and "Asso M" not in seen
    await world.settled()


async def test_in_approval_mode_a_partner_sees_nothing_before_accepter_and_all_after(
        world: World):
    alice = world.person("Alice", "Dupont")
    code = await create_alliance(alice, "Alliance de la Gare", "Asso G")
    await approval_on(alice)
    before = mark(alice)
    bob = world.person("Bob", "Leroy")
    reply = await join(bob, code, "Mairie G")
    assert "Un·e coordinateur·rice va la confirmer" in reply and labels(reply.last) == []
    for command in ("/synthese", "/charte", "/membres", "/export", "/echeances"):
        seen = await bob.command(command)
        assert WAITING in seen, (command, seen.text)
        assert "Asso G" not in seen and "Alice" not in seen
        assert all(m.method == "sendMessage" for m in seen.messages), "no chart, no file"
    assert members_of(world, code)[-1] == ("partner", "Mairie G", True)

    notice = await told(world, alice, before, ARRIVALS)
    assert "Bob Leroy — pour l’organisation Mairie G (nouvelle organisation)" in notice.content
    assert labels(notice) == ["Accepter Bob Leroy", "Refuser Bob Leroy"]
    before_bob = mark(bob)
    await alice.press("Accepter Bob Leroy", message=notice)
    assert "Bob Leroy est accepté·e" in notice.content
    assert labels(notice) == ["Retirer Bob Leroy"]
    welcome = await told(world, bob, before_bob, "est confirmée. Votre organisation")
    assert "Votre organisation : Mairie G" in welcome.content.replace("\u00a0", " ")
    assert labels(welcome) == ["Parcourir la charte ▶"]
    reply = await bob.press("Parcourir la charte", message=welcome)
    assert "Levier 1/21" in reply.text
    summary = await bob.command("/synthese")
    assert "Qui a répondu" in summary and "Asso G" in summary
    members = await bob.command("/membres")
    assert "Alice Dupont — coordinateur·rice" in members
    assert members_of(world, code)[-1] == ("partner", "Mairie G", False)
    await world.settled()


async def test_a_refusal_tells_the_newcomer_and_keeps_nothing_of_them(world: World):
    alice = world.person("Alice", "Bernard")
    code = await create_alliance(alice, "Alliance du Pont", "Asso P")
    await approval_on(alice)
    before = mark(alice)
    eve = world.person("Eve", "Espionne")
    await join(eve, code, "Officine Y", kind="Entreprise")
    notice = await told(world, alice, before, ARRIVALS)
    _, accept = alice.button("Accepter Eve Espionne", notice)
    before_eve = mark(eve)
    await alice.press("Refuser Eve Espionne", message=notice)
    assert labels(notice) == ["Oui, confirmer", "Annuler"]
    await alice.press("Oui, confirmer", message=notice)
    assert "L’arrivée de Eve Espionne est refusée" in notice.content
    refusal = await told(world, eve, before_eve, "n’a pas été confirmée")
    assert "Officine Y" not in refusal.content and "Asso P" not in refusal.content
    assert members_of(world, code) == [("coordinator", "Asso P", False)]
    store = open_store(f"sqlite:///{world.bot.db_path}")
    try:
        with store.unit_of_work() as uow:
            alliance = uow.find_by_code(code)
            assert alliance is not None
            assert [o.name for o in uow.organisations(alliance.id)] == ["Asso P"]
    finally:
        store.close()
    assert "aucune alliance" in await eve.command("/synthese")
    assert labels(notice) == [], "nothing left to decide on the message"
    stale = await alice.press_data(accept, notice)  # « Accepter », pressed late
    assert "n’est plus là" in stale.text and "Rien n’a changé" in stale.text
    assert members_of(world, code) == [("coordinator", "Asso P", False)]
    await world.settled()


async def test_expired_and_used_up_codes_are_answered_like_unknown_ones(world: World):
    clock = world.clock
    alice = world.person("Alice", "Roux")
    code = await create_alliance(alice, "Alliance des Halles", "Asso H")
    unknown = await world.person("Zoé").command("/rejoindre", "Zz9Zz9Zz9Zz9Zz9Zz9Zz9Z")
    assert unknown.text == BAD_CODE

    await alice.command("/inviter")
    await alice.press("Limiter l’invitation des partenaires")
    reply = await alice.say("1")
    assert "Valable encore 1 fois" in reply
    await join(world.person("Bob"), code, "Mairie H")
    used_up = await world.person("Carl").command("/rejoindre", code)
    assert used_up.text == unknown.text

    await alice.command("/inviter")
    await alice.press("Remplacer le code des partenaires")
    reply = await alice.press("Oui, remplacer le code")
    fresh = INVITE.findall(reply.text)[0][1]
    assert fresh != code
    replaced = await world.person("Dan").command("/start", code)
    assert replaced.text == unknown.text
    await alice.command("/inviter")
    await alice.press("Limiter l’invitation des partenaires")
    tomorrow = (clock.now() + timedelta(days=1)).astimezone(PARIS).strftime("%d/%m/%Y")
    reply = await alice.say(tomorrow)
    assert f"Valable jusqu’au {tomorrow} inclus" in reply
    early = await world.person("Emma").command("/rejoindre", fresh)
    assert "Votre organisation est-elle déjà dans la liste" in early
    clock.advance(timedelta(days=3))
    expired = await world.person("Fanny").command("/rejoindre", fresh)
    assert expired.text == unknown.text
    assert "expiré" in await alice.command("/inviter")
    await world.settled()


async def test_ten_wrong_codes_make_the_next_try_wait(world: World):
    clock = world.clock
    alice = world.person("Alice", "Petit")
    code = await create_alliance(alice, "Alliance des Docks", "Asso D")
    guesser = world.person("Mallory")
    for n in range(10):
        reply = await guesser.command("/rejoindre", f"Devine{n}Code{n}")
        assert reply.text == BAD_CODE
    reply = await guesser.command("/rejoindre", code)
    assert "trop de codes qui ne marchent pas" in reply and "attendez" in reply
    assert "Alliance des Docks" not in reply
    reply = await guesser.command("/start", code)
    assert "attendez" in reply, "the link waits too"
    clock.advance(timedelta(minutes=61))
    reply = await guesser.command("/rejoindre", code)
    assert "Vous rejoignez l’alliance « Alliance des Docks »" in reply
    await world.settled()


async def test_a_tiers_accompanies_two_alliances_sees_both_and_cannot_walk(world: World):
    alice = world.person("Alice", "Moreau")
    port = await create_alliance(alice, "Alliance du Port", "Asso A")
    bob = world.person("Bob", "Marin")
    await join(bob, port, "Mairie B")
    for person, level in ((alice, "À découvrir"), (bob, "Ancré")):  # they diverge on lever 1
        await person.command("/charte")
        await person.press(level)
    first = await invite_tiers(alice)
    quais = await create_alliance(alice, "Alliance des Quais", "Asso Q")
    second = await invite_tiers(alice)

    tess = world.person("Tess", "Catalyse")
    before = mark(alice)
    reply = await tess.command("/start", first)
    assert "Bienvenue dans l’alliance Alliance du Port, comme tiers de confiance" in reply
    assert labels(reply.last) == []
    notice = await told(world, alice, before, ARRIVALS)
    assert "Tess Catalyse — tiers de confiance" in notice.content
    reply = await tess.command("/rejoindre", second)
    assert "Bienvenue dans l’alliance Alliance des Quais, comme tiers de confiance" in reply
    assert members_of(world, port)[-1] == ("tiers", None, False)
    assert members_of(world, quais)[-1] == ("tiers", None, False)

    listed = await tess.command("/alliances")
    assert ("Alliance du Port (tiers de confiance) — phase Lancement : 0/2 organisations ont "
            "terminé") in listed
    assert "divergences : 1" in listed
    assert ("Alliance des Quais (tiers de confiance) — phase Lancement : 0/1 organisations ont "
            "terminé") in listed
    assert "prochaine date : point d’étape le" in listed
    assert labels(listed.last) == ["Alliance du Port", "Alliance des Quais"]

    summary = await tess.command("/synthese")  # the current alliance: the last one joined
    assert "Alliance des Quais" in summary and "Asso Q" in summary
    reply = await tess.press("Alliance du Port", message=listed.last)
    assert "Vous êtes maintenant dans l’alliance Alliance du Port, comme tiers" in reply
    summary = await tess.command("/synthese")
    assert "Alliance du Port" in summary and "Asso A" in summary and "Mairie B" in summary
    assert "Alliance des Quais" not in summary
    for command in ("/charte", "/levier", "/mes_reponses"):
        reply = await tess.command(command)
        assert "vous ne parcourez donc pas la charte" in reply, (command, reply.text)
        assert labels(reply.last) == []

    seen = await bob.command("/membres")
    assert "Tess Catalyse — tiers de confiance" in seen
    assert "il lit les réponses de toutes les organisations" in seen
    await world.settled()
