"""The whole journey on Telegram, with the real bot process: create an alliance, join it by
deep link and by code, walk the 21 levers with buttons and with typed answers, export."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from storage import open_store
from tests.e2e.bot_process import INVITE, Person, World, create_alliance, join, run_cli, seen

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

LEVELS = {1: "À découvrir", 2: "En réflexion", 3: "Engagé", 4: "Ancré", None: "Je ne sais pas"}
HOSTILE = "Alliance <b>Quartier</b> & Co </a>"


async def test_create_then_join_by_deep_link_and_by_code(world: World):
    alice = world.person("Alice", "Martin")
    welcome = await alice.command("/start")
    assert "/nouvelle" in welcome and "/rejoindre" in welcome

    code = await create_alliance(alice, HOSTILE, "Asso A")
    created = alice.last
    assert f"L’alliance « {HOSTILE} » est créée" in created  # shown as typed, not as markup
    assert f"/rejoindre {code}" in created
    link = INVITE.search(created.text)
    assert link is not None and link.groups() == ("charte_test_bot", code)
    assert "Parcourir la charte" in created.last.buttons[0][0]

    bob = world.person("Bob")
    joined = await bob.command("/start", code)  # what the invitation link sends
    assert f"Vous rejoignez l’alliance « {HOSTILE} »" in joined
    assert [label for label, _ in joined.last.buttons][:2] == ["Asso A", "Une autre organisation"]
    await join(bob, code, "Mairie B", deep_link=True)
    assert f"Bienvenue dans l’alliance « {HOSTILE} » ! Votre organisation : Mairie B." in bob.last

    carol = world.person("Carol")
    reply = await carol.command("/rejoindre", code)
    assert [label for label, _ in reply.last.buttons][:3] == [
        "Asso A", "Mairie B", "Une autre organisation"]
    reply = await carol.press("Mairie B")
    assert f"Bienvenue dans l’alliance « {HOSTILE} » ! Votre organisation : Mairie B." in reply
    mine = await carol.command("/alliances")
    assert f"{HOSTILE} — Mairie B (partenaire)" in mine

    store = open_store(f"sqlite:///{world.bot.db_path}")
    try:
        with store.unit_of_work() as uow:
            alliance = uow.find_by_code(code)
            assert alliance is not None and alliance.name == HOSTILE
            orgs = {o.id: o.name for o in uow.organisations(alliance.id)}
            assert sorted(orgs.values()) == ["Asso A", "Mairie B"]
            members = sorted((orgs[m.organisation_id], m.role)
                             for m in uow.members(alliance.id))
            assert members == [("Asso A", "coordinator"), ("Mairie B", "partner"),
                               ("Mairie B", "partner")]
    finally:
        store.close()
    await world.settled()


def text_steps(number: int) -> int:
    """Levers 1-14 ask for conditions; 15-21 for what one brings and what one expects."""
    return 1 if number <= 14 else 2


async def walk_with_buttons(person: Person) -> dict[int, tuple]:
    """Levels pressed; texts typed, or « Passer » pressed one lever in three."""
    given: dict[int, tuple] = {}
    reply = await person.command("/charte")
    assert "C’est parti" in reply
    for number in range(1, 22):
        assert f"Levier {number}/21" in seen(reply.last.content), reply.text
        level = (None, 1, 2, 3, 4)[number % 5]
        reply = await person.press(LEVELS[level])
        assert reply.edited is not None and f"✓ {LEVELS[level]}" in seen(reply.edited.content)
        texts = []
        for step in range(text_steps(number)):
            if number % 3 == 0:
                reply = await person.press("Passer")
                assert ": passé" in reply.text, reply.text
                texts.append("")
            else:
                text = f"{person.name} : texte {number}.{step + 1} <ok> & “cité”"
                reply = await person.say(text)
                assert "✓ Noté." in reply
                texts.append(text)
        given[number] = (level, *texts)
    assert "🎉 Vous avez parcouru toute la charte" in reply
    return given


TYPED_LEVELS = [("engagé", 3), ("2", 2), ("jsp", None), ("ancré", 4), ("1", 1),
                ("je ne sais pas", None), ("En réflexion", 2)]


async def walk_by_typing(person: Person) -> dict[int, tuple]:
    """Everything typed: levels as words or numbers, « jsp », texts, « passer »."""
    given: dict[int, tuple] = {}
    reply = await person.command("/charte")
    for number in range(1, 22):
        assert f"Levier {number}/21" in seen(reply.last.content), reply.text
        typed, level = TYPED_LEVELS[number % len(TYPED_LEVELS)]
        reply = await person.say(typed)
        assert f"✓ {LEVELS[level]}" in reply, reply.text
        texts = []
        for step in range(text_steps(number)):
            if number % 4 == 0 and step == 0:
                reply = await person.say("passer")
                assert ": passé" in reply, reply.text
                texts.append("")
                continue
            text = f"Bob, levier {number} : si le <budget> & l’agenda suivent ({step + 1})"
            reply = await person.say(text)
            assert "✓ Noté." in reply, reply.text
            texts.append(text)
        given[number] = (level, *texts)
    assert "🎉 Vous avez parcouru toute la charte" in reply
    return given


async def test_two_partners_walk_the_21_levers_and_export_shows_their_answers(world: World):
    alice = world.person("Alice", "Dupont")
    code = await create_alliance(alice, "Alliance du Port", "Asso du Port")
    bob = world.person("Bob", "Durand")
    await join(bob, code, "Mairie du Port")

    by_alice = await walk_with_buttons(alice)
    by_bob = by_bob_given = await walk_by_typing(bob)

    result = run_cli(world.bot.db_path, "export", "--alliance", "Alliance du Port")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 42
    for person, organisation, role, given in (
            (alice, "Asso du Port", "coordinator", by_alice),
            (bob, "Mairie du Port", "partner", by_bob)):
        mine = [r for r in rows if r["member"] == person.name]
        assert len(mine) == 21, [r["member"] for r in rows]
        for number, row in enumerate(mine, start=1):
            level, *texts = given[number]
            assert (row["organisation"], row["role"], row["phase"]) == (
                organisation, role, "lancement")
            assert row["position"] == ("" if level is None else str(level)), number
            assert row["position_label"] == LEVELS[level]
            if number <= 14:
                assert (row["comment"], row["contribution"], row["expectation"]) == (
                    texts[0], "", ""), number
            else:
                assert (row["comment"], row["contribution"], row["expectation"]) == (
                    "", texts[0], texts[1]), number

    as_json = json.loads(run_cli(world.bot.db_path, "export", "--format", "json").stdout)["answers"]
    assert {item["alliance"] for item in as_json} >= {"Alliance du Port"}

    summary = await alice.command("/synthese")  # a chart (photo), then the text with buttons
    chart = summary.messages[0]
    assert chart.method == "sendPhoto" and chart.photo is not None and chart.photo.size > 1000
    assert "Positions par levier" in seen(chart.content)
    assert "Synthèse — Lancement" in summary.text and summary.last.buttons
    section = await alice.press("À discuter")
    assert section.edited is not None and "À discuter en priorité" in seen(section.edited.content)
    photos = sum(1 for m in alice.chat if m.photo is not None)
    back = await alice.press("⬅ Synthèse", message=section.edited)
    # Back to the headline by editing the same message: no new message, no chart again.
    assert back.edited is not None and back.messages == []
    assert "Synthèse — Lancement" in seen(back.edited.content)
    assert sum(1 for m in alice.chat if m.photo is not None) == photos

    files = await alice.command("/export")  # the same answers, as files in the chat
    documents = {m.document.filename.rsplit(".", 1)[1]: m.document.data
                 for m in files.messages if m.document is not None}
    assert set(documents) == {"xlsx", "pdf"} and documents["pdf"].startswith(b"%PDF")
    book = load_workbook(io.BytesIO(documents["xlsx"]))  # read back with openpyxl
    assert book.sheetnames == ["Réponses", "Synthèse Lancement"]
    header, *answers = list(book["Réponses"].iter_rows(values_only=True))
    assert header[:3] == ("Alliance", "Organisation", "Membre") and header[-1] == "Répondu le"
    assert len(answers) == 42 and {r[2] for r in answers} >= {alice.name, bob.name}
    by_bob = {r[5]: r for r in answers if r[2] == bob.name}  # lever number -> row
    for number, (level, *texts) in by_bob_given.items():
        assert by_bob[number][9] == LEVELS[level], number
        assert by_bob[number][8] == level, number
        shown = [t or None for t in texts]  # « Passer »: an empty cell
        assert list(by_bob[number][11:14]) == (
            [shown[0], None, None] if number <= 14 else [None, *shown]), number
    assert all(isinstance(r[-1], datetime) and r[-1].tzinfo is None for r in answers)
    local = datetime.now(ZoneInfo("Europe/Paris")).replace(tzinfo=None)
    assert all(abs((local - r[-1]).total_seconds()) < 3600 for r in answers)  # local times
    levers = list(book["Synthèse Lancement"].iter_rows(values_only=True))
    assert levers[0][-2:] == ("Asso du Port", "Mairie du Port") and len(levers) == 22
    await world.settled()
