"""A message longer than Telegram's 4,096 characters (the recap after a walk with 2,000-character
answers) arrives in pieces, each one valid HTML that the fake Bot API parses like Telegram."""

from __future__ import annotations

import pytest

from tests.e2e.bot_process import World, create_alliance

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

HOSTILE = "<b>Apport</b> & </a> &amp; "


def long_text(number: int, what: str) -> str:
    text = f"{HOSTILE}{what} {number} : " + " ".join(["des moyens partagés"] * 120)
    return text[:2000]


async def test_the_recap_of_long_answers_is_split_into_valid_pieces(world: World):
    bob = world.person("Bob")
    await create_alliance(bob, "Alliance Longue", "Asso L")
    reply = await bob.command("/charte")
    for number in range(1, 15):  # the 14 principles and modalities: skipped
        assert f"Levier {number}/21" in reply.last.content
        reply = await bob.say("passer")
    for number in range(15, 22):  # the 7 means of action: 2 × 2,000 characters each
        assert f"Levier {number}/21" in reply.last.content
        await bob.say("engagé")
        await bob.say(long_text(number, "apport"))
        reply = await bob.say(long_text(number, "attente"))
    assert "🎉 Vous avez parcouru toute la charte" in reply
    assert len(reply.messages) == 1, "the end of the walk is one message; texts are on demand"

    again = await bob.command("/mes_reponses")  # the recap with every text, in valid pieces
    shown = again.messages
    assert all(len(m.content) <= 4096 for m in bob.chat)
    assert all(m.parse_mode == "HTML" for m in shown)
    assert [e for e in world.server.errors if e.status == 400] == []
    start = next(i for i, m in enumerate(shown) if "Moyens d’action" in m.content)
    pieces = shown[start:]
    assert len(pieces) >= 2, [len(m.content) for m in shown]
    together = "\n".join(m.content for m in pieces)
    for number in range(15, 22):
        assert f"{number}. " in together
        assert f"{HOSTILE}apport {number}" in together and f"{HOSTILE}attente {number}" in together
    assert all(m.entities for m in pieces)  # the formatting survives the cut
    assert {e["type"] for m in pieces for e in m.entities} == {"bold", "italic"}
    assert together.count("Engagé") == 7
    assert sum(m.content.count("Moyens d’action") for m in shown) == 1
    await world.settled()
