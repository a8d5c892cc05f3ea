"""A séance in a linked Telegram group, led by a tiers de confiance, against the real bot
process: three organisations diverge, the tiers retains texts on two levers in replies to the
card, partners react on it, two organisations validate the contrat in private, and the texts are
found in /accord, in `charte-bot export --format json` and in the text of the PDFs."""

from __future__ import annotations

import io
import json

import pypdf
import pytest

from tests.e2e.bot_process import Person, World, create_alliance, invite_tiers, join, run_cli
from tests.e2e.fake_bot_api import SentMessage

pytestmark = pytest.mark.asyncio(loop_scope="module")

DIALOGUER = "Un point d’étape chaque mois, animé à tour de rôle par chaque partenaire."
GOUVERNANCE = "Un comité de pilotage où chaque organisation a une voix, quelle que soit sa taille."


async def answer(person: Person, lever: str, label: str) -> None:
    """/levier NAME, then the position's button."""
    await person.command("/levier", lever)
    assert "Levier" in await person.press(label)


def data_of(message: SentMessage, label: str) -> str:
    for text, data in message.buttons:
        if label in text and data is not None:
            return data
    raise AssertionError(f"no button {label!r} in {message.buttons}")


async def press_in_group(world: World, person: Person, message: SentMessage,
                         label: str) -> None:
    world.server.press(person.user, message, data_of(message, label))
    await world.barrier()


async def reply_in_group(world: World, person: Person, message: SentMessage, text: str) -> None:
    world.server.send_text(person.user, text, chat=world.group, reply_to=message)
    await world.barrier()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    return text.replace("\u00a0", " ")


async def test_a_seance_in_a_linked_group_led_by_a_tiers(world: World):
    alice = world.person("Alice", "Durand")
    bob = world.person("Bruno", "Martin")
    carla = world.person("Carla", "Petit")
    tina = world.person("Tina", "Roux")
    code = await create_alliance(alice, "Alliance du Quai", "Asso du Quai")
    await join(bob, code, "Mairie du Quai")
    await join(carla, code, "Collectif du Quai", kind="Association")
    # Two divergent levers: « Dialoguer » (1, 4, 3) and « Gouvernance » (4, 1, « jsp »).
    for person, first, second in ((alice, "À découvrir", "Ancré"), (bob, "Ancré", "À découvrir"),
                                  (carla, "Engagé", "Je ne sais pas")):
        await answer(person, "dialoguer", first)
        await answer(person, "gouvernance", second)
    group = world.group
    world.server.send_command(alice.user, "/lier", code, chat=group)
    await world.barrier()
    reply = await tina.command("/rejoindre", await invite_tiers(alice))
    assert "comme tiers de confiance" in reply, reply.text

    # The tiers opens the séance in the group: the largest divergence first.
    world.server.send_command(tina.user, "/seance", chat=group)
    await world.barrier()
    card = world.server.last_message(group)
    assert card is not None and "Séance ouverte par Tina Roux, tiers de confiance" in card.content
    assert "8. Dialoguer" in card.content
    assert "Asso du Quai : À découvrir · Mairie du Quai : Ancré · Collectif du Quai : Engagé" \
        in flat(card.content)

    # « Retenir », then the text as a reply to the card: the card changes in place.
    await press_in_group(world, tina, card, "Retenir")
    assert "répondez à ce message" in card.content and card.edits == 1
    before = len(world.server.messages(group))
    await reply_in_group(world, tina, card, DIALOGUER)
    assert DIALOGUER in card.content and card.edits == 2
    (saved,) = world.server.messages(group)[before:]  # one short confirmation, nothing else
    assert "Retenu pour" in saved.content and "Dialoguer" in saved.content

    # Partners react on the card; a partner cannot retain anything.
    await press_in_group(world, bob, card, "D'accord")
    await press_in_group(world, carla, card, "D'accord")
    assert "D’accord : 2" in flat(card.content)
    await press_in_group(world, bob, card, "Retenir")
    assert "Seuls les coordinateur·rices et le tiers de confiance" in world.server.last_message(
        group).content

    # The next divergence, another text, then the end of the séance.
    await press_in_group(world, tina, card, "Suivant")
    assert "Animation et gouvernance" in card.content
    await press_in_group(world, tina, card, "Retenir")
    await reply_in_group(world, tina, card, GOUVERNANCE)
    assert GOUVERNANCE in card.content
    await press_in_group(world, tina, card, "Terminer la séance")
    assert "Séance terminée" in card.content and "2" in card.content and not card.buttons

    # Two organisations validate, in private.
    for person in (alice, bob):
        await person.command("/accord")
        assert "✅" in (await person.press("Nous validons")).text

    contrat = flat((await tina.command("/accord")).text)
    assert DIALOGUER in contrat and GOUVERNANCE in contrat
    assert "menée par Tina Roux, tiers de confiance" in contrat
    assert "✅ Asso du Quai : validé le" in contrat and "✅ Mairie du Quai : validé le" in contrat
    assert "⏳ Collectif du Quai : pas encore validé" in contrat

    exported = run_cli(world.bot.db_path, "export", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    agreements = [a for a in json.loads(exported.stdout)["agreements"]
                  if a["alliance"] == "Alliance du Quai"]
    assert [(a["lever_id"], a["phase"], a["text"], a["author"]) for a in agreements] == [
        ("dialoguer", "lancement", DIALOGUER, "Tina Roux"),
        ("gouvernance", "lancement", GOUVERNANCE, "Tina Roux")]
    for agreement in agreements:
        assert sorted(v["organisation"] for v in agreement["validations"]) == [
            "Asso du Quai", "Mairie du Quai"]
        assert agreement["retained_at"].endswith("+00:00")

    files = await tina.command("/export")
    documents = {m.document.filename: m.document.data for m in files.messages
                 if m.document is not None}
    report = pdf_text(documents["rapport-alliance-du-quai.pdf"])
    assert "Notre contrat de confiance" in report
    assert DIALOGUER in " ".join(report.split()) and GOUVERNANCE in " ".join(report.split())
    sheet = documents["contrat-alliance-du-quai-lancement.pdf"]
    assert len(pypdf.PdfReader(io.BytesIO(sheet)).pages) == 1
    assert DIALOGUER in " ".join(pdf_text(sheet).split())
    await world.settled()
