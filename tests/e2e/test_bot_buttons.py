"""Stale and forged buttons: refused, the current question shown again, nothing written, and
every callback query answered (else the person's phone shows a spinner)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.e2e.bot_process import Person, World, create_alliance, join, run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

STALE = "Ce bouton n’est plus valable"


def exported(world: World) -> str:
    result = run_cli(world.bot.db_path, "export")
    assert result.returncode == 0, result.stderr
    return result.stdout


def data_of(person: Person, label: str) -> str:
    return person.button(label)[1]


def member_of(data: str) -> str:
    return data.split(":")[1]


async def walk_to_lever_3(person: Person) -> None:
    reply = await person.command("/charte")
    for number in (1, 2):
        assert f"Levier {number}/21" in reply.last.content
        await person.press("Engagé")
        reply = await person.say(f"{person.name} {number}")
    assert "Levier 3/21" in reply.last.content


async def test_stale_and_forged_buttons_are_refused_and_write_nothing(world: World):
    alice = world.person("Alice")
    code = await create_alliance(alice, "Alliance Boutons", "Asso B")
    bob = world.person("Bob")
    await join(bob, code, "Mairie B")
    await walk_to_lever_3(alice)
    await walk_to_lever_3(bob)
    first_question = next(m for m in alice.chat if "Levier 1/21" in m.content and m.buttons)

    engage = data_of(alice, "Engagé")  # w:<member>:lancement:2:0:3:, valid now
    prefix, member, phase, index, step, value, nonce = engage.split(":")
    bobs = data_of(bob, "Engagé")  # valid for Bob, not for Alice
    assert member_of(bobs) != member
    forged = {
        "a button of an earlier lever": f"{prefix}:{member}:{phase}:0:0:3:",
        "another member's id": f"{prefix}:{member_of(bobs)}:{phase}:{index}:{step}:{value}:",
        "Bob's own valid button": bobs,
        "another lever": f"{prefix}:{member}:{phase}:17:0:4:",
        "another phase": f"{prefix}:{member}:fin:{index}:{step}:{value}:",
        "a text step's value on a position": f"{prefix}:{member}:{phase}:{index}:1:3:",
        "an unknown value": f"{prefix}:{member}:{phase}:{index}:{step}:9:",
        "a confirmation nobody asked": f"{prefix}:{member}:{phase}:{index}:{step}:yes:1",
        "garbage": "garbage",
        "colons": "w::::::",
        "empty": "",
        "64 bytes": "w:" + "9" * 62,
        "64 bytes of accents": "é" * 32,
        "a form's button": "f:new:mid:2027-07-01",
        "Bob's start button": f"c:{member_of(bobs)}",
        "Bob's alliance": f"a:{member_of(bobs)}",
        "Bob's summary": f"s:{member_of(bobs)}:lancement:h",
    }
    assert len(forged["64 bytes"].encode()) == len(forged["64 bytes of accents"].encode()) == 64
    before = exported(world)
    for what, data in forged.items():
        reply = await alice.press_data(data)
        assert STALE in reply.text, what
        assert "Levier 3/21" in reply.last.content and "Où en est" in reply.last.content, what
        assert reply.last.buttons, what
    old = await alice.press("Passer", message=first_question)
    assert STALE in old.text and "Levier 3/21" in old.last.content
    assert exported(world) == before

    reply = await bob.press("Engagé")  # Bob's buttons still work for Bob
    assert "✓ Engagé" in reply.text and "Levier 3/21" in reply.text
    reply = await alice.press("Ancré")  # and Alice's current one for her
    assert "✓ Ancré" in reply.text
    rows = list(csv.DictReader(io.StringIO(exported(world))))
    assert [(r["member"], r["lever_id"], r["position"]) for r in rows if
            r["lever_id"] == "objectifs-partages"] == [("Alice", "objectifs-partages", "4"),
                                                      ("Bob", "objectifs-partages", "3")]
    await world.settled()


async def test_a_forged_button_from_someone_without_alliance_shows_the_welcome(world: World):
    carol = world.person("Carol")
    await carol.command("/start")
    welcome = carol.chat[-1]
    for data in ("c:1", "w:1:lancement:0:0:3:", "f:join:org_choice:1", "a:1"):
        reply = await carol.press_data(data, welcome)
        assert STALE in reply.text and "/nouvelle" in reply.last.content, data
    assert "Vous ne faites partie d’aucune alliance" in await carol.command("/alliances")
    await world.settled()


async def test_a_walk_button_costs_two_calls_and_at_most_one_new_message(world: World):
    """Every press in the walk: the callback answer plus one edit or one new message."""
    alice = world.person("Alice")
    await create_alliance(alice, "Alliance Sobre", "Asso S")
    await alice.command("/charte")
    chat = str(alice.user.id)
    presses = ["Engagé", "Passer", "Je ne sais pas", "Retour", "Pause", "Reprendre", "Passer",
               "À découvrir", "Passer", "Passer", "Ancré"]
    for label in presses:
        message, data = alice.button(label)
        mark = len(world.server.requests)
        query = world.server.press(alice.user, message, data, force=True)
        await world.barrier(users=[alice.user])
        calls = [r.method for r in world.server.requests[mark:]
                 if str(r.params.get("chat_id")) == chat
                 or r.params.get("callback_query_id") == query]
        assert calls[0] == "answerCallbackQuery" and len(calls) <= 2, (label, calls)
        assert sum(method.startswith("send") for method in calls) <= 1, (label, calls)
        assert STALE not in alice.chat[-1].content, label
    assert "Levier 5/21" in alice.current().content
    await world.settled()
