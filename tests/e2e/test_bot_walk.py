"""The walk as partners live it, with the real bot process: a mid-course walk done with
« Inchangé », a walk with gaps completed through « Répondre aux N leviers restants », a date
typed without a year, a lower-case code pasted alone."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dialogues.content.dates import long_date
from dialogues.content.script import load_script
from storage import open_store
from tests.e2e.bot_process import World, create_alliance, run_cli, seen

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

PARIS = ZoneInfo("Europe/Paris")
LEVELS = ("À découvrir", "En réflexion", "Engagé", "Ancré")


def stored(world: World, code: str, phase: str) -> list[tuple[str, str, int | None, str | None]]:
    """(organisation, lever, position, comment) of the alliance's latest answers in a phase."""
    store = open_store(f"sqlite:///{world.bot.db_path}")
    try:
        with store.unit_of_work() as uow:
            alliance = uow.find_by_code(code)
            assert alliance is not None
            orgs = {o.id: o.name for o in uow.organisations(alliance.id)}
            return [(orgs[a.organisation_id], a.lever_id, a.position, a.comment)
                    for a in uow.alliance_answers(alliance.id) if a.phase == phase]
    finally:
        store.close()


def marked(world: World, code: str) -> dict[str, set[bool]]:
    """Phase -> the « unchanged » marks of the alliance's latest answers."""
    store = open_store(f"sqlite:///{world.bot.db_path}")
    try:
        with store.unit_of_work() as uow:
            alliance = uow.find_by_code(code)
            assert alliance is not None
            found: dict[str, set[bool]] = {}
            for a in uow.alliance_answers(alliance.id):
                found.setdefault(a.phase, set()).add(a.unchanged)
            return found
    finally:
        store.close()


async def test_a_mid_course_walk_done_with_inchange(world: World):
    alice = world.person("Alice", "Inchangé")
    code = await create_alliance(alice, "Alliance des Quais", "Asso des Quais")
    reply = await alice.command("/charte")
    for number in range(1, 22):
        assert f"Levier {number}/21" in seen(reply.last.content), reply.text
        level = LEVELS[number % 4]
        reply = await alice.press(level)
        reply = await alice.say(f"condition {number}")
        if "Qu’attend" in seen(reply.last.content):
            reply = await alice.say(f"attente {number}")
    assert "21 leviers ont une réponse, sur 21" in reply.text
    launch = stored(world, code, "lancement")

    await alice.command("/echeances")
    await alice.press("Lancer le point d’étape maintenant")
    mark = alice.chat[-1].message_id
    assert "Phase en cours : Mi-parcours" in await alice.press("Oui, maintenant")
    # The phase's reminder goes out on its own: wait for it before walking.
    await world.server.wait_for_message(alice.user, contains="point d’étape à mi-parcours",
                                        after=mark)
    reply = await alice.command("/charte")
    assert "Inchangé » la garde en un geste" in reply.text
    for number in range(1, 22):
        question = reply.last
        level = LEVELS[number % 4]
        assert f"Levier {number}/21" in seen(question.content), reply.text
        assert f"Votre réponse au lancement : {level}" in seen(question.content)
        assert f"condition {number}" in seen(question.content)
        reply = await alice.press(f"= Inchangé ({level})", message=question)
        # One new message per lever, starting with what was just kept; nothing edited.
        assert reply.edited is None and len(reply.messages) == 1, reply.text
        assert f"✓ {number}. " in reply.text and f"{level} (inchangé)" in reply.text
    assert "21 leviers ont une réponse, sur 21" in reply.text
    mid = stored(world, code, "mi-parcours")
    assert [(o, lever, p, c) for o, lever, p, c in mid] == launch
    # Stored as answers of the mid-course, marked « Inchangé » in the exports.
    assert marked(world, code) == {"lancement": {False}, "mi-parcours": {True}}
    exported = json.loads(run_cli(world.bot.db_path, "export", "--format", "json",
                                  "--alliance", "Alliance des Quais").stdout)
    assert {(a["phase"], a["unchanged"]) for a in exported["answers"]} == {("lancement", False),
                                                                ("mi-parcours", True)}
    as_csv = run_cli(world.bot.db_path, "export", "--alliance", "Alliance des Quais").stdout
    assert as_csv.splitlines()[0].split(",")[-1] == "answered_at"  # CSV columns unchanged
    # Scrolling up, the chat still shows every question and what was kept.
    kept = [m for m in alice.chat if "(inchangé)" in seen(m.content)]
    assert len(kept) == 21
    await world.settled()


async def test_a_walk_with_gaps_completed_through_the_button(world: World):
    bob = world.person("Bob", "Lacunes")
    code = await create_alliance(bob, "Alliance des Lacunes", "Mairie L", kind="Collectivité")
    reply = await bob.command("/charte")
    skipped = (3, 10, 17)
    for number in range(1, 22):
        assert f"Levier {number}/21" in seen(reply.last.content), reply.text
        if number in skipped:
            reply = await bob.press("Passer")
            continue
        reply = await bob.press("Engagé")
        reply = await bob.press("Passer")
        if "Qu’attend" in seen(reply.last.content):
            reply = await bob.press("Passer")
    end = seen(reply.last.content)
    assert "18 leviers ont une réponse, sur 21" in end
    assert ("Sans réponse pour l’instant : 3. Objectifs partagés, 10. Expérimenter, "
            "17. Compétences.") in end
    reply = await bob.press("Répondre aux 3 leviers restants")
    for number, level in zip(skipped, ("Ancré", "En réflexion", "À découvrir"), strict=True):
        assert f"Levier {number}/21" in seen(reply.last.content), reply.text
        reply = await bob.press(level)
        reply = await bob.say(f"enfin {number}")
        if "Qu’attend" in seen(reply.last.content):
            reply = await bob.press("Passer")
    assert "21 leviers ont une réponse, sur 21" in seen(reply.last.content)
    assert "Sans réponse" not in seen(reply.last.content)
    answers = {lever: (position, comment)
               for _, lever, position, comment in stored(world, code, "lancement")}
    assert len(answers) == 21
    assert answers["objectifs-partages"] == (4, "enfin 3")
    assert answers["experimenter"] == (2, "enfin 10")
    assert answers["competences"][0] == 1
    await world.settled()


async def test_a_date_typed_without_a_year(world: World):
    carol = world.person("Carol", "Dates")
    await carol.command("/nouvelle")
    await carol.say("Alliance du Calendrier")
    await carol.say("Asso C")
    await carol.press("Association")
    now = datetime.now(PARIS)
    year = now.year + 1 if (now.month, now.day) >= (3, 12) else now.year
    start = datetime(year, 3, 12, tzinfo=PARIS)
    words = load_script().dates

    def full(moment: datetime) -> str:
        return long_date(moment, words).replace("\u00a0", " ")
    reply = await carol.say("12 mars")
    assert f"Début : le {full(start)}." in reply, reply.text
    reply = await carol.say(f"15/12/{year}")
    assert "Garder cette date" in reply
    reply = await carol.say(f"12/05/{year - 1}")
    assert "Le point d’étape doit tomber entre" in reply, reply.text
    reply = await carol.press("Garder cette date")
    assert f"début : le {full(start)}" in reply, reply.text
    assert "à 9 h" in reply  # the point d'étape: the middle day at the reminders' time
    reply = await carol.press("Oui, créer")
    assert "est créée" in reply
    store = open_store(f"sqlite:///{world.bot.db_path}")
    try:
        with store.unit_of_work() as uow:
            (alliance,) = uow.find_by_name("Alliance du Calendrier")
            assert alliance.start_at.astimezone(PARIS) == start
            assert alliance.mid_at.astimezone(PARIS).hour == 9
    finally:
        store.close()
    await world.settled()


async def test_a_lower_case_code_pasted_alone_joins(world: World):
    dan = world.person("Dan", "Code")
    code = await create_alliance(dan, "Alliance du Code", "Asso D")
    assert code == code.upper() and len(code.replace("-", "")) == 20
    eve = world.person("Eve", "Colle")
    reply = await eve.say("ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    assert "pas valable" in reply
    reply = await eve.say(code.lower().replace("-", " "))
    assert "Vous rejoignez l’alliance « Alliance du Code »" in reply, reply.text
    await eve.press("Une autre organisation")
    await eve.say("Mairie E")
    reply = await eve.press("Collectivité")
    assert "Bienvenue" in reply
    mine = await eve.command("/alliances")
    assert "Alliance du Code" in mine
    await world.settled()
