"""What people send besides text and buttons, and the commands menu: a short helpful answer
with the current question, or silence in a group; never a crash."""

from __future__ import annotations

import csv
import io

import pytest

from bot import texts
from tests.e2e.bot_process import Person, World, create_alliance, run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

ONLY_TEXT = "Je ne lis que le texte et les boutons"


async def at_lever_2_conditions(world: World, name: str) -> Person:
    person = world.person(name)
    await create_alliance(person, f"Alliance {name}", f"Asso {name}")
    await person.command("/charte")
    await person.press("Engagé")
    await person.say("condition 1")
    reply = await person.press("Ancré")
    assert "Levier 2/21" in reply.last.content and "À quelles conditions" in reply.last.content
    return person


async def test_stickers_photos_voices_documents_get_a_hint_and_the_current_question(
        world: World):
    alice = await at_lever_2_conditions(world, "Alice")
    for kind, options in (("sticker", {}), ("photo", {"caption": "ma réponse en photo"}),
                          ("voice", {}), ("document", {"filename": "conditions.pdf"})):
        reply = await alice.send(kind, **options)
        assert ONLY_TEXT in reply.text, kind
        assert "Levier 2/21" in reply.last.content, kind
        assert "À quelles conditions" in reply.last.content, kind
    reply = await alice.say("x" * 2001)
    assert "trop long (2001 caractères ; 2000 au plus)" in reply.text
    reply = await alice.say("condition 2")  # the walk goes on
    assert "✓ Noté." in reply and "Levier 3/21" in reply.last.content
    await world.settled()


async def test_an_edited_message_changes_nothing_and_says_so(world: World):
    bob = await at_lever_2_conditions(world, "Bob")
    sent = world.server.send_text(bob.user, "condition 2 avec une faute")
    await world.barrier()
    reply = await bob.edit(sent["message"]["message_id"], "condition 2 corrigée")
    assert "Levier 3/21" in reply.last.content  # the current question again
    rows = list(csv.DictReader(io.StringIO(run_cli(world.bot.db_path, "export").stdout)))
    assert [(r["member"], r["comment"]) for r in rows if r["member"] == "Bob"] == [
        ("Bob", "condition 1"), ("Bob", "condition 2 avec une faute")]
    await world.settled()


async def test_an_edited_message_is_told_that_corrections_are_not_read(world: World):
    erin = await at_lever_2_conditions(world, "Erin")
    sent = world.server.send_text(erin.user, "condition 2 avec une faute")
    await world.barrier()
    reply = await erin.edit(sent["message"]["message_id"], "condition 2 corrigée")
    assert ONLY_TEXT not in reply.text
    assert "modifi" in reply.text


async def test_start_again_mid_walk_offers_to_resume_at_the_same_question(world: World):
    carol = await at_lever_2_conditions(world, "Carol")
    reply = await carol.command("/start")
    assert "Vous êtes dans l’alliance Alliance Carol" in reply.text
    reply = await carol.press("Parcourir la charte")
    assert "Levier 2/21" in reply.last.content and "À quelles conditions" in reply.last.content
    assert "Je ne connais pas la commande /inconnue" in await carol.command("/inconnue")
    cancelled = await carol.command("/annuler")  # during the walk: the question again
    assert "Rien à annuler" in cancelled and "Levier 2/21" in cancelled.last.content
    await world.settled()


async def test_in_a_group_the_bot_stays_silent_unless_called_by_its_name(world: World):
    dan = world.person("Dan")
    group = world.server.group(-100555, "Groupe du quartier")
    seen = len(world.server.messages(group))
    for text in ("/aide@autre_bot", "bonjour à tous", "/charte@AutreBot gouvernance",
                 "/inconnue@charte_test_bot"):
        world.server.send_text(dan.user, text, chat=group)
    world.server.send_sticker(dan.user, chat=group)
    await world.barrier()
    assert world.server.messages(group)[seen:] == []

    world.server.send_command(dan.user, "/charte@charte_test_bot", chat=group)
    await world.barrier()
    (answer,) = world.server.messages(group)[seen:]
    assert answer.content == texts.say("tg.group_only")
    assert dan.chat == []  # nothing started in private behind Dan's back
    await world.settled()


async def test_the_menu_lists_in_french_only_commands_that_work(world: World):
    menu = {c["command"]: c["description"] for c in world.server.commands}
    assert menu["nouvelle"] == "Créer une alliance"
    for name in ("nouvelle", "rejoindre", "charte", "levier", "alliances", "aide", "annuler"):
        assert menu[name] == texts.say(f"tg.command.{name}")
    assert "start" not in menu
    for name in menu:
        newcomer = world.person(f"Essai {name}")
        reply = await newcomer.command(f"/{name}")
        assert reply.messages, name
        assert "Je ne connais pas la commande" not in reply.text, name
        assert texts.say("tg.error") not in reply.text, name
    await world.settled()
