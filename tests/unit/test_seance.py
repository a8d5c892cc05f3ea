"""The séance and the contrat de confiance through the service, with the in-memory fake store:
what people see in the linked group and in private, and what is stored."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import pypdf
import pytest

from bot.render_text import plain
from dialogues.accord.export import agreement_records
from dialogues.content.bundle import load_content
from dialogues.core.events import Press
from tests.fakes import FakeStore
from tests.helpers import (
    Clock,
    Person,
    alliance_with_a_tiers,
    button,
    card_of,
    create_alliance,
    make_app,
    shown,
)

CHARTER = load_content().charter


@pytest.fixture
def world():
    store, clock = FakeStore(), Clock()
    app = make_app(store, clock)
    return (store, clock, app, *alliance_with_a_tiers(app, store, clock))


def test_a_seance_in_the_group_led_by_a_tiers(world):
    store, clock, app, alice, bob, carla, tina = world
    opened = tina.group_command("seance")
    assert "Séance ouverte par Tina Martin, tiers de confiance" in opened
    assert "Points à discuter : 2" in opened and "Dialoguer" in opened
    card = card_of(tina.last)
    assert "Asso du Port : À découvrir · Mairie du Port : Ancré · Collectif Port : Engagé" \
        in opened

    waiting = tina.group_press(card, "Retenir")
    assert tina.last[0].edit and "Tina Martin, tiers de confiance : répondez à ce message" \
        in waiting
    tina.group_reply("Un temps d’échange par trimestre, animé à tour de rôle.")
    (updated, saved) = tina.last
    assert updated.edit_message == Person.card_id and "Un temps d’échange par trimestre" \
        in plain(updated.text)
    assert "Retenu pour « Dialoguer »" in plain(saved.text).replace("\u00a0", " ")

    assert "D’accord : 1" in bob.group_press(updated, "D'accord")
    assert "D’accord : 1 · 🔁 À retravailler : 1" in carla.group_press(updated, "retravailler")
    assert "D’accord : 2 · 🔁 À retravailler : 0" in carla.group_press(updated, "D'accord")
    assert "ne vote pas" in tina.group_press(updated, "D'accord")

    moved = tina.group_press(updated, "Suivant")
    assert "Point 2 · 🔴 3 niveaux d’écart" in moved and "Animation et gouvernance" in moved
    assert "Collectif Port : Je ne sais pas" in moved
    card = card_of(tina.last)
    tina.group_press(card, "Retenir")
    tina.group_reply("Un comité de pilotage où chaque partenaire a une voix.")
    ended = tina.group_press(card_of(tina.last), "Terminer la séance")
    assert "Séance terminée" in ended and "Textes retenus pendant cette séance : 2" in ended

    texts = [(a.lever_id, a.text) for a in store.data.agreements]
    assert texts == [("dialoguer", "Un temps d’échange par trimestre, animé à tour de rôle."),
                     ("gouvernance", "Un comité de pilotage où chaque partenaire a une voix.")]
    assert {a.charter_version for a in store.data.agreements} == {CHARTER.version}
    assert sorted((v.vote, store.data.organisations[v.organisation_id].name)
                  for v in store.data.votes.values()) == [
        ("agree", "Collectif Port"), ("agree", "Mairie du Port")]  # Carla's vote changed


def run_seance(world, *texts: str) -> None:
    """The tiers retains `texts` on the first levers of the agenda, then ends the séance."""
    *_, tina = world
    tina.group_command("seance")
    for i, text in enumerate(texts):
        tina.group_press(card_of(tina.last), "Retenir")
        tina.group_reply(text)
        if i < len(texts) - 1:
            tina.group_press(card_of(tina.last), "Suivant")
    tina.group_press(card_of(tina.last), "Terminer")


def test_the_contrat_by_family_validated_by_two_organisations(world):
    store, clock, app, alice, bob, carla, tina = world
    run_seance(world, "Se parler chaque mois.", "Une voix par partenaire.")
    text = alice.cmd("accord").replace("\u00a0", " ")
    assert "Notre contrat de confiance — Alliance du Port" in text
    assert text.index("Modalités d’action") < text.index("Se parler chaque mois.") \
        < text.index("Moyens d’action") < text.index("Une voix par partenaire.")
    assert "menée par Tina Martin, tiers de confiance" in text
    assert "⏳ Asso du Port : pas encore validé" in text
    assert "C’est noté : Asso du Port valide" in alice.press("Nous validons")
    bob.cmd("accord")
    bob.press("Nous validons")
    text = tina.cmd("accord").replace("\u00a0", " ")
    assert "✅ Asso du Port : validé le" in text and "✅ Mairie du Port : validé le" in text
    assert "⏳ Collectif Port : pas encore validé" in text
    assert not any("Nous validons" in b.label for b in tina.buttons)  # a tiers does not
    assert len(store.data.validations) == 2

    # A correction is a new version; the history stays, and the validations are to renew.
    tina.group_command("seance", "dialoguer")
    tina.group_press(card_of(tina.last), "Retenir")
    tina.group_reply("Se parler chaque mois, et davantage au lancement.")
    assert [a.text for a in store.data.agreements if a.lever_id == "dialoguer"] == [
        "Se parler chaque mois.", "Se parler chaque mois, et davantage au lancement."]
    text = alice.cmd("accord").replace("\u00a0", " ")
    assert "version 2 (les précédentes sont gardées)" in text
    assert "🔄 Asso du Port : validé le" in text and "le contrat a changé depuis" in text
    assert any("Nous validons" in b.label for b in alice.buttons)


def test_the_json_export_and_the_pdfs_carry_the_contrat(world):
    store, clock, app, alice, bob, carla, tina = world
    run_seance(world, "Se parler chaque mois.", "Une voix par partenaire.")
    alice.cmd("accord")
    alice.press("Nous validons")
    with store.unit_of_work() as uow:
        records = agreement_records(uow, uow.all_alliances(), CHARTER)
    assert [(r["lever_id"], r["phase"], r["text"], r["author"], r["author_role"], r["version"])
            for r in records] == [
        ("dialoguer", "lancement", "Se parler chaque mois.", "Tina Martin", "tiers", 1),
        ("gouvernance", "lancement", "Une voix par partenaire.", "Tina Martin", "tiers", 1)]
    assert [[v["organisation"] for v in r["validations"]] for r in records] == [
        ["Asso du Port"], ["Asso du Port"]]
    assert all(r["retained_at"].endswith("+00:00") for r in records)
    json.dumps(records)  # plain JSON values only

    tina.cmd("export")
    files = {m.attachment.filename: m.attachment.data for m in tina.last if m.attachment}
    report = pdf_text(files["rapport-alliance-du-port.pdf"])
    assert "Notre contrat de confiance" in report and "Se parler chaque mois." in report
    sheet = files["contrat-alliance-du-port-lancement.pdf"]
    assert len(pypdf.PdfReader(io.BytesIO(sheet)).pages) == 1
    sheet_text = pdf_text(sheet)
    assert "Une voix par partenaire." in sheet_text and "Signature" in sheet_text
    assert "Asso du Port — validé dans charte-bot le" in sheet_text


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_two_leaders_press_retenir_at_once_the_first_text_wins(world):
    store, clock, app, alice, bob, carla, tina = world
    tina.group_command("seance")
    card = card_of(tina.last)
    tina.group_press(card, "Retenir")
    assert "Tina Martin, tiers de confiance, alice, coordinateur·rice : répondez" \
        in alice.group_press(card, "Retenir")
    tina.group_reply("Le texte de Tina.")
    told = alice.group_reply("Le texte d’Alice.")
    assert "Tina Martin, tiers de confiance a retenu entre-temps" in told
    assert "Le texte de Tina." in told and "Le texte d’Alice." in told  # given back
    assert [a.text for a in store.data.agreements] == ["Le texte de Tina."]
    # Pressing « Retenir » again makes Alice's text a correction, not a lost one.
    alice.group_press(card_of(alice.last), "Retenir")
    alice.group_reply("Le texte d’Alice.")
    assert [a.text for a in store.data.agreements] == ["Le texte de Tina.", "Le texte d’Alice."]


def test_a_private_seance_edits_its_card_when_the_text_arrives(world):
    store, clock, app, alice, bob, carla, tina = world
    assert "Séance ouverte par alice, coordinateur·rice" in alice.cmd("seance")
    card = card_of(alice.last)
    alice.in_chat(Press(button(card, "Retenir").data, 42, 321))
    assert "Écrivez maintenant" in shown(alice.last) and alice.last[0].edit
    too_long = alice.say("x" * 2001)
    assert "trop long" in too_long and store.data.agreements == []
    alice.say("Ce que nous retenons.")
    updated, saved = alice.last
    assert updated.edit_message == 321 and "Ce que nous retenons." in plain(updated.text)
    assert [a.text for a in store.data.agreements] == ["Ce que nous retenons."]
    # The wait is over: the next message goes back to the walk, not to the séance.
    alice.say("engagé")
    assert len(store.data.agreements) == 1


def test_each_card_reads_the_latest_answers(world):
    store, clock, app, alice, bob, carla, tina = world
    tina.group_command("seance")
    assert "Collectif Port : Engagé" in shown(tina.last)
    carla.cmd("levier", "dialoguer")
    carla.say("1")
    carla.say("oui")  # replace the earlier answer
    back = tina.group_press(card_of(tina.last), "Pause")
    assert "Séance en pause" in back
    resumed = tina.group_press(card_of(tina.last), "Reprendre")
    assert "Collectif Port : À découvrir" in resumed


def test_partners_strangers_and_a_removed_tiers_change_nothing(world):
    store, clock, app, alice, bob, carla, tina = world
    tina.group_command("seance")
    card = card_of(tina.last)
    refused = bob.group_press(card, "Retenir")
    assert "Seuls les coordinateur·rices et le tiers de confiance" in refused
    assert "Seuls les coordinateur·rices" in bob.group_command("seance")
    stranger = Person(app, "zoe")
    assert "plus valable" in stranger.group_press(card, "Retenir")
    assert stranger.group_reply("Un texte") == ""
    assert "plus valable" in stranger.group_press(card, "Terminer")
    # The coordination removes the tiers: their buttons and replies no longer count.
    tina.group_press(card, "Retenir")
    with store.unit_of_work() as uow:
        uow.leave(next(m.id for m in store.data.members.values() if m.role == "tiers"), clock())
    assert "plus valable" in tina.group_press(card, "Passer")
    assert tina.group_reply("Un texte") == ""
    assert store.data.agreements == [] and store.data.votes == {}


def test_archived_alliance_shows_its_contrat_and_takes_no_text(world):
    store, clock, app, alice, bob, carla, tina = world
    run_seance(world, "Se parler chaque mois.")
    tina.group_command("seance")
    tina.group_press(card_of(tina.last), "Retenir")
    with store.unit_of_work() as uow:
        (alliance,) = uow.all_alliances()
        uow.archive_alliance(alliance.id, clock())
    assert "archivée" in tina.group_reply("Un texte de trop.")
    assert "Un texte de trop." in shown(tina.last)  # given back
    assert "archivée" in tina.group_command("seance")
    text = bob.cmd("accord")
    assert "Se parler chaque mois." in text and "archivée" in text
    assert not any("Nous validons" in b.label for b in bob.buttons)
    assert [a.text for a in store.data.agreements] == ["Se parler chaque mois."]


def test_between_phases_the_cards_recall_what_was_retained(world):
    store, clock, app, alice, bob, carla, tina = world
    run_seance(world, "Se parler chaque mois.")
    clock.advance(days=200)  # mi-parcours
    walk = bob.cmd("levier", "dialoguer").replace("\u00a0", " ")
    assert "Retenu au lancement : « Se parler chaque mois. »" in walk
    card = tina.group_command("seance", "dialoguer")
    assert "Retenu au lancement : « Se parler chaque mois. »" in card
    assert "Rien n’est encore retenu pour ce levier." in card  # nothing yet at mi-parcours
    alice.cmd("synthese")
    evolution = alice.press("Évolution").replace("\u00a0", " ")
    assert "Ce que l’alliance avait retenu" in evolution
    assert "Retenu au lancement : « Se parler chaque mois. »" in evolution


def test_a_group_accord_shows_the_contrat_without_buttons(world):
    store, clock, app, alice, bob, carla, tina = world
    run_seance(world, "Se parler chaque mois.")
    text = bob.group_command("accord")
    assert "Se parler chaque mois." in text and "en message privé" in text
    assert not any(m.buttons for m in bob.last)


def test_the_leader_skips_goes_back_and_chooses_a_lever_by_name(world):
    store, clock, app, alice, bob, carla, tina = world
    tina.group_command("seance")
    assert "C’est le premier point" in tina.group_press(card_of(tina.last), "Retour")
    assert "Point 2" in tina.group_press(card_of(tina.last), "Passer")
    assert "Point 1" in tina.group_press(card_of(tina.last), "Retour")
    # A reply to the card with a lever's name goes there (the card is known once pressed).
    chosen = tina.group_reply("partager")
    assert "levier choisi" in chosen and "Partager" in chosen
    assert tina.last[0].edit_message == Person.card_id
    tina.group_press(card_of(tina.last), "Passer")
    done = tina.group_press(card_of(tina.last), "Passer")
    assert "Tous les points à discuter ont été vus" in done
    assert "répondre à ce message avec le nom du levier" in done
    assert "Point 3" in tina.group_press(card_of(tina.last), "Retour")
    assert "Je ne trouve pas ce levier" in tina.group_command("seance", "xyzzy")
    assert "Contribution à l’évolution du cadre législatif" in tina.group_command(
        "seance", "cadre-legislatif")
    assert "reprend ici" in shown(tina.last)


def test_without_divergence_the_seance_asks_for_a_lever_by_name():
    store, clock = FakeStore(), Clock()
    app = make_app(store, clock)
    alice = Person(app, "alice")
    create_alliance(alice, "Alliance Calme", "Asso Calme")
    opened = alice.cmd("seance")
    assert "Points à discuter : 0" in opened and "Ni divergence ni « je ne sais pas »" in opened
    assert "levier choisi" in alice.cmd("seance", "gouvernance")


def test_names_and_texts_are_escaped_once(world):
    store, clock, app, alice, bob, carla, tina = world
    person = next(p for p in store.data.people.values() if p.external_id == "tina")
    store.data.people[person.id] = replace(person, display_name="Tina <Roux> & Co")
    tina.ref = replace(tina.ref, display_name="Tina <Roux> & Co")
    opened = tina.group_command("seance")
    assert "Séance ouverte par Tina <Roux> & Co, tiers de confiance" in opened
    tina.group_press(card_of(tina.last), "Retenir")
    assert "Tina <Roux> & Co, tiers de confiance : répondez" in shown(tina.last)
    card = tina.group_reply("Des <rencontres> & des échanges")
    assert "« Des <rencontres> & des échanges »" in card and "&amp;" not in card
    contrat = alice.cmd("accord")
    assert "menée par Tina <Roux> & Co" in contrat and "&amp;" not in contrat
