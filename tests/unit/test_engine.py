"""The engine through the service, with the in-memory fake store: what a person sees and
what is stored."""

from __future__ import annotations

import pytest

from tests.fakes import FakeStore, partner_code
from tests.helpers import Chat, Clock, create_alliance, make_app


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def app(store):
    return make_app(store)


@pytest.fixture
def alice(app) -> Chat:
    return Chat(app, "alice")


def answers(store: FakeStore) -> list:
    return store.data.answers


def started(chat: Chat) -> Chat:
    create_alliance(chat)
    chat.cmd("charte")
    return chat


# --- creating and joining -------------------------------------------------------------------


def test_create_alliance_makes_the_creator_coordinator(store, alice):
    code = create_alliance(alice, "Territoire Solidaire", "Asso du Quartier")
    assert "Territoire Solidaire" in alice.text and code in alice.text
    (alliance,) = store.data.alliances.values()
    assert alliance.name == "Territoire Solidaire"
    assert partner_code(store) == code and len(code) >= 16
    assert alliance.mid_at.date().isoformat() == "2027-07-01"
    (member,) = store.data.members.values()
    assert member.role == "coordinator"
    (org,) = store.data.organisations.values()
    assert (org.name, org.kind) == ("Asso du Quartier", "association")


def test_creation_refuses_bad_dates_and_keeps_asking(store, alice):
    alice.cmd("nouvelle")
    alice.say("Alliance")
    alice.say("Mairie")
    alice.say("collectivité")  # typed instead of pressed
    assert "Quand l’action commence" in alice.text
    assert "pas reconnu cette date" in alice.say("32/01/2027")
    assert "pas reconnu" in alice.say("demain")
    alice.say("2027-01-15 14:30")
    assert "après le début" in alice.say("01/01/2027")
    alice.say("15/01/2028")
    assert "entre le" in alice.say("01/03/2030")
    assert "le jeudi 1er juillet 2027" in alice.say("1er juillet 2027")  # confirmed in full
    assert not store.data.alliances
    alice.say("oui")
    (alliance,) = store.data.alliances.values()
    assert alliance.start_at.hour == 14 and alliance.start_at.minute == 30
    assert alliance.mid_at.month == 7
    assert store.data.organisations[next(iter(store.data.organisations))].kind == "collectivite"


def test_join_by_code_then_pick_or_create_an_organisation(store, app, alice):
    code = create_alliance(alice)
    bob = Chat(app, "bob")
    bob.cmd("start", code)  # the deep link
    assert "Asso A" in [b.label for b in bob.buttons]
    bob.press("Une autre organisation")
    bob.say("Mairie B")
    bob.press("Collectivité")
    assert "Bienvenue" in bob.text
    carol = Chat(app, "carol")
    carol.cmd("rejoindre", code)
    carol.press("Mairie B")
    assert "Mairie B" in carol.text
    orgs = {o.name for o in store.data.organisations.values()}
    assert orgs == {"Asso A", "Mairie B"}
    roles = sorted(m.role for m in store.data.members.values())
    assert roles == ["coordinator", "partner", "partner"]


@pytest.mark.parametrize("code", ["nope", "x" * 65, "bad code!", ""])
def test_a_wrong_code_is_refused_without_revealing_anything(store, app, alice, code):
    create_alliance(alice, "Secret Alliance")
    bob = Chat(app, "bob")
    text = bob.cmd("rejoindre", code)
    if code == "":
        text = bob.say("nope")
    assert "pas valable" in text
    assert "Secret" not in text
    assert len(store.data.members) == 1


# --- the walk -------------------------------------------------------------------------------


def test_first_lever_shows_progress_text_and_buttons(alice):
    started(alice)
    assert "Levier 1/21 · Principe 1/7 — Respect et confiance" in alice.text
    assert "se respecter mutuellement" in alice.text
    labels = [b.label for b in alice.buttons]
    for expected in ("À découvrir", "En réflexion", "Engagé", "Ancré", "Je ne sais pas", "Passer",
                     "Retour", "Pause"):
        assert any(expected in label for label in labels)
    assert all(len(b.data.encode()) <= 64 for b in alice.buttons)


def test_press_a_level_then_write_conditions(store, alice):
    started(alice)
    alice.press("Engagé")
    assert alice.last[0].edit, "the lever message is edited in place"
    assert "À quelles conditions" in alice.text
    (first,) = answers(store)
    assert (first.lever_id, first.position, first.phase) == ("respect-confiance", 3, "lancement")
    alice.say("Que chacun garde son autonomie")
    assert "Levier 2/21" in alice.text
    latest = answers(store)[-1]
    assert (latest.position, latest.comment) == (3, "Que chacun garde son autonomie")
    assert latest.charter_version == "2021-11-30"


def test_typed_levels_are_understood(store, alice):
    started(alice)
    alice.say("on est engagés")
    assert answers(store)[-1].position == 3
    alice.say("passer")
    alice.say("jsp")
    assert answers(store)[-1].position is None
    assert answers(store)[-1].lever_id == "odd-cadre-commun"


def test_a_sentence_at_the_scale_is_kept_as_a_note_and_offered_as_the_condition(store, alice):
    started(alice)
    sentence = "Nous voulons avancer mais il faut d'abord que le conseil d'administration valide"
    text = alice.say(sentence)
    assert "je le garde comme note" in text and not answers(store)
    assert "Levier 1/21" in text
    alice.press("En réflexion")
    (answer,) = answers(store)
    assert (answer.position, answer.comment) == (2, None)  # nothing stored unasked
    # The conditions question is still asked, and offers the note as the answer.
    assert "À quelles conditions" in alice.text and f"Votre note : « {sentence} »" in alice.text
    alice.press("Garder ma note")
    assert (answers(store)[-1].position, answers(store)[-1].comment) == (2, sentence)
    assert "Levier 2/21" in alice.text


def test_a_note_not_kept_is_not_stored(store, alice):
    started(alice)
    alice.say("le conseil d’administration doit d’abord valider")
    alice.press("Engagé")
    alice.say("Si le conseil d'administration suit")
    assert answers(store)[-1].comment == "Si le conseil d'administration suit"
    assert "Levier 2/21" in alice.text


def test_a_sentence_at_a_moyens_scale_is_never_stored_as_a_condition(store, alice):
    started(alice)
    alice.cmd("levier", "donnees")
    alice.say("on partage déjà quelques fichiers avec la mairie")
    alice.press("Engagé")
    assert "Qu’apporte votre organisation" in alice.text and "Votre note" in alice.text
    alice.press("Garder ma note")
    last = answers(store)[-1]
    assert (last.lever_id, last.comment, last.contribution) == (
        "donnees", None, "on partage déjà quelques fichiers avec la mairie")
    assert "Qu’attend votre organisation" in alice.text and "Votre note" not in alice.text


def test_moyens_ask_what_is_brought_and_expected(store, alice):
    started(alice)
    alice.cmd("levier", "gouvernance")
    assert "Levier 20/21 · Moyen 6/7 — Animation et gouvernance" in alice.text
    alice.press("Ancré")
    assert "Qu’apporte votre organisation" in alice.text
    alice.say("Un animateur à mi-temps")
    assert "Qu’attend votre organisation" in alice.text
    alice.say("Des décisions partagées")
    last = answers(store)[-1]
    assert (last.lever_id, last.position) == ("gouvernance", 4)
    assert (last.contribution, last.expectation) == ("Un animateur à mi-temps",
                                                     "Des décisions partagées")


def test_back_skip_pause_and_resume(store, alice):
    started(alice)
    alice.press("Passer")
    assert "Levier 2/21" in alice.text
    alice.press("Retour")
    assert "Levier 1/21" in alice.text
    alice.say("pause")
    assert "Pause" in alice.text
    assert "en pause" in alice.say("engagé")
    assert not answers(store)
    alice.press("Reprendre")
    assert "Levier 1/21" in alice.text
    alice.say("retour")
    assert "premier levier" in alice.text


def test_jump_by_typed_name_with_typo_and_no_accent(alice):
    started(alice)
    assert "Dialoguer" in alice.say("dialoger")
    assert "Levier 8/21 · Modalité 1/7 — Dialoguer" in alice.text
    alice.cmd("levier", "competences")
    assert "Compétences" in alice.text


def test_unknown_lever_is_refused_and_the_walk_stays(alice):
    started(alice)
    text = alice.cmd("levier", "nimportequoi")
    assert "Je ne trouve pas ce levier" in text and "gouvernance" in text
    assert "Levier 1/21" in alice.cmd("charte")


def test_typed_change_of_an_earlier_answer_needs_confirmation(store, alice):
    started(alice)
    alice.press("Engagé")
    alice.say("passer")
    alice.say("respect et confiance")
    assert "Votre réponse actuelle : Engagé" in alice.text
    text = alice.say("ancré")
    assert "Remplacer par Ancré" in text
    assert len(answers(store)) == 1
    alice.say("non")
    assert answers(store)[-1].position == 3 and len(answers(store)) == 1
    alice.say("ancré")
    alice.say("oui")
    assert answers(store)[-1].position == 4
    assert [a.position for a in answers(store)] == [3, 4], "history is kept"


def test_a_stale_or_forged_button_writes_nothing(store, app, alice):
    started(alice)
    old_level_button = next(b for b in alice.buttons if "Engagé" in b.label)
    alice.press("Passer")
    text = alice.press_data(old_level_button.data)
    assert "plus valable" in text and "Levier 2/21" in text
    forged = old_level_button.data.replace(":0:", ":1:").replace("w:", "w:9", 1)
    assert "plus valable" in alice.press_data(forged)
    assert "plus valable" in alice.press_data("w:1:l:1:0:9")
    assert "plus valable" in alice.press_data("garbage")
    assert not answers(store)


def test_someone_elses_button_is_refused(store, app, alice):
    code = create_alliance(alice)
    alice.cmd("charte")
    button = next(b for b in alice.buttons if "Engagé" in b.label)
    bob = Chat(app, "bob")
    bob.cmd("rejoindre", code)
    bob.press("Asso A")
    bob.cmd("charte")
    assert "plus valable" in bob.press_data(button.data)
    assert not answers(store)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("", "pas compris"),
        ("   ", "pas compris"),
        ("x" * 5000, "trop long"),
        ("\x00\x01\x07", "pas compris"),
    ],
)
def test_bad_input_gets_a_french_answer_and_changes_nothing(store, alice, typed, expected):
    started(alice)
    before = alice.text
    text = alice.say(typed)
    assert expected in text.lower()
    assert not answers(store)
    assert "Levier 1/21" in alice.cmd("charte") and "Levier 1/21" in before


def test_emoji_and_html_are_kept_as_text_and_escaped(store, alice):
    started(alice)
    alice.say("<b>nous</b> & vous 🤝 pour un avenir commun entre partenaires du territoire")
    alice.press("Engagé")
    assert "Votre note : « <b>nous</b> & vous 🤝" in alice.text
    alice.press("Garder ma note")
    assert answers(store)[-1].comment.startswith("<b>nous</b> & vous")
    alice.say("synthèse")
    html_text = "\n".join(m.text for m in alice.last)
    assert "&lt;b&gt;nous&lt;/b&gt; &amp; vous" in html_text


def test_stickers_and_photos_get_a_short_answer(alice):
    started(alice)
    text = alice.other("sticker")
    assert "texte et les boutons" in text and "Levier 1/21" in text


def test_a_command_in_the_middle_of_a_question_keeps_the_walk(store, alice):
    started(alice)
    alice.press("Engagé")
    alice.cmd("aide")
    assert "L’essentiel" in alice.text and "/charte" in alice.text
    assert "À quelles conditions" in alice.cmd("charte")
    alice.cmd("inconnue")
    assert "Je ne connais pas la commande" in alice.text
    assert len(answers(store)) == 1


def test_whole_walk_ends_with_a_recap(store, alice):
    started(alice)
    for i in range(21):
        assert f"Levier {i + 1}/21" in alice.text
        alice.press(["À découvrir", "En réflexion", "Engagé", "Ancré"][i % 4])
        alice.say(f"condition {i + 1}")
        if "Qu’attend" in alice.text:
            alice.say(f"attente {i + 1}")
    assert "toute la charte" in alice.text
    assert "21 leviers ont une réponse, sur 21" in alice.text
    assert "législatif : À découvrir" in alice.text, "the end lists every position"
    assert len(alice.last) == 1, "the end of the walk is one message"
    assert "condition 21" in alice.cmd("mes_reponses"), "the texts are in /mes_reponses"
    latest = {a.lever_id: a for a in answers(store)}
    assert len(latest) == 21
    assert latest["gouvernance"].expectation == "attente 20"


def test_cancel_leaves_a_form_and_keeps_answers(store, alice):
    started(alice)
    alice.press("Engagé")
    alice.cmd("nouvelle")
    assert "cancel" not in alice.text
    assert "annulé" in alice.cmd("annuler")
    assert len(answers(store)) == 1
    assert "À quelles conditions" in alice.cmd("charte")


def test_switching_alliances(store, app, alice):
    create_alliance(alice, "Première")
    create_alliance(alice, "Seconde")
    alice.cmd("alliances")
    assert "Première" in alice.text and "Seconde" in alice.text
    alice.press("Première")
    assert "Première" in alice.text
    alice.cmd("charte")
    alice.press("Engagé")
    first = next(a for a in store.data.alliances.values() if a.name == "Première")
    assert answers(store)[-1].alliance_id == first.id


def test_mid_course_shows_the_earlier_answer(store):
    clock = Clock()
    app = make_app(store, clock)
    alice = Chat(app, "alice")
    started(alice)
    alice.press("Engagé")
    clock.advance(days=200)  # past the mid-course date
    alice.cmd("charte")
    assert "phase mi-parcours" in alice.text
    assert "Votre réponse au lancement : Engagé" in alice.text
    assert "aujourd’hui, à mi-parcours" in alice.text
    alice.press("Ancré")
    assert "Qu’est-ce qui a changé" in alice.text
    assert [(a.phase, a.position) for a in answers(store)] == [("lancement", 3),
                                                               ("mi-parcours", 4)]


def test_invite_shows_the_code_and_the_coordinator_can_replace_it(store, app, alice):
    code = create_alliance(alice)
    assert code in alice.cmd("inviter")
    alice.press("Remplacer le code")
    assert "L’ancien code et l’ancien lien ne marcheront plus" in alice.text
    assert code in alice.cmd("inviter"), "nothing changes before the confirmation"
    alice.press("Remplacer le code")
    alice.press("Oui, remplacer le code")
    new_code = partner_code(store)
    assert new_code != code and new_code in alice.text
    bob = Chat(app, "bob")
    assert "pas valable" in bob.cmd("rejoindre", code)
    bob.cmd("rejoindre", new_code)
    bob.press("Asso A")
    assert "Bienvenue" in bob.text
    text = bob.cmd("inviter")
    assert new_code in text and not bob.buttons, "a partner cannot replace it"
    forged = f"i:{next(m.id for m in store.data.members.values() if m.role == 'partner')}:new"
    assert "plus valable" in bob.press_data(forged)
