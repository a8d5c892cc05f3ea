"""Who gets in, through the service with the in-memory fake store: arrivals told to the
coordination, approval of newcomers, invitations that end, wrong codes slowed, and the tiers de
confiance. What each person sees, what the notifications job sends, what is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.render_text import plain
from dialogues.app.reminder_jobs import Notice
from dialogues.arrivals.buttons import ArrivalButton
from dialogues.content.bundle import load_content
from dialogues.content.markup import plain_text
from dialogues.core.callbacks import decode
from dialogues.summary.buttons import SummaryButton
from dialogues.walk.buttons import StartWalk, WalkButton
from tests.fakes import FakeStore, partner_code
from tests.helpers import Chat, Clock, create_alliance, make_app, seen

# What an unknown code gets, word for word (an expired, used-up or replaced one gets the same).
BAD_CODE = " ".join(plain_text(load_content().script.say("join.bad_code")).replace(
    "\u00a0", " ").split())
WAITING = "attend la confirmation d’un·e coordinateur·rice"


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def clock() -> Clock:
    return Clock()  # 10/01/2027 09:00 UTC; the alliance runs 15/01/2027 → 15/12/2027


@pytest.fixture
def app(store, clock):
    return make_app(store, clock)


@pytest.fixture
def alice(app) -> Chat:
    return Chat(app, "alice")


@pytest.fixture
def code(alice) -> str:
    return create_alliance(alice)


def join(chat: Chat, code: str, organisation: str = "Mairie B",
         kind: str = "Collectivité") -> str:
    """Join with the code, as `organisation` (picked if listed, else created)."""
    chat.cmd("rejoindre", code)
    if any(b.label == organisation for b in chat.buttons):
        return chat.press(organisation)
    chat.press("Une autre organisation")
    chat.say(organisation)
    return chat.press(kind)


def deliver(app, clock: Clock, after: timedelta = timedelta(minutes=3, seconds=1)
            ) -> list[Notice]:
    """Move past the arrivals window and send what is due, as the job does."""
    clock.now += after
    sent = []
    for notification_id in app.notifications.due():
        notice = app.notifications.prepare(notification_id)
        if notice is not None:
            sent.append(notice)
    return sent


def to(notices: list[Notice], who: str) -> list[Notice]:
    return [n for n in notices if n.chat == who]


def text(notice: Notice) -> str:
    return plain(notice.message.text)


def labels(notice: Notice) -> list[str]:
    return [b.label for row in notice.message.buttons for b in row]


def button(notice: Notice, label: str) -> str:
    return next(b.data for row in notice.message.buttons for b in row if label in b.label)


def member_of(store: FakeStore, name: str):
    person = next(p for p in store.data.people.values() if p.external_id == name)
    return next((m for m in store.data.members.values() if m.person_id == person.id), None)


def approval_on(alice: Chat) -> None:
    alice.cmd("reglages")
    alice.press("Valider les nouveaux membres")
    assert "validés par un·e coordinateur·rice" in alice.text


def tiers_code(alice: Chat, store: FakeStore) -> str:
    alice.cmd("inviter")
    alice.press("Inviter un tiers de confiance")
    (found,) = [i for i in store.data.invitations.values()
                if i.kind == "tiers" and i.replaced_at is None and i.code in alice.text]
    return found.code


# --- every arrival is told --------------------------------------------------------------------


def test_arrivals_close_together_are_told_to_each_coordinator_in_one_message(
        store, app, clock, alice, code):
    carol = Chat(app, "carol")
    join(carol, code, "Asso A")
    alice.cmd("membres")
    alice.press("carol")
    alice.press("Partager mon rôle")
    deliver(app, clock)  # carol's own arrival, told to alice
    bob, dan = Chat(app, "bob"), Chat(app, "dan")
    join(bob, code, "Mairie B")
    clock.advance(minutes=2)
    join(dan, code, "Asso A")
    assert deliver(app, clock, timedelta(seconds=30)) == [], "the window is still open"
    sent = deliver(app, clock, timedelta(seconds=31))
    assert sorted(n.chat for n in sent) == ["alice", "carol"], "one message per coordinator"
    told = text(to(sent, "alice")[0])
    assert "bob — pour l’organisation Mairie B (nouvelle organisation)" in told
    assert "dan — pour l’organisation Asso A" in told
    assert "dan — pour l’organisation Asso A (" not in told
    assert labels(to(sent, "alice")[0]) == ["Retirer bob", "Retirer dan"]
    assert deliver(app, clock) == [], "never twice"
    eve = Chat(app, "eve")
    join(eve, code, "Asso A")
    later = deliver(app, clock)
    assert [labels(n) for n in to(later, "alice")] == [["Retirer eve"]], "a new message"


def test_names_in_an_arrivals_message_are_text_not_markup(store, app, clock, alice, code):
    join(Chat(app, "<b>Zed</b> & co"), code, "Asso <i>Z</i>", "Association")
    (notice,) = deliver(app, clock)
    assert "<b>&lt;b&gt;Zed&lt;/b&gt; &amp; co</b>" in notice.message.text
    assert "Asso &lt;i&gt;Z&lt;/i&gt;" in notice.message.text
    assert labels(notice) == ["Retirer <b>Zed</b> & co"]  # a label is plain text


def test_retirer_removes_the_newcomer_after_a_confirmation(store, app, clock, alice, code):
    bob = Chat(app, "bob")
    join(bob, code, "Intrus SARL", "Entreprise")
    (notice,) = deliver(app, clock)
    alice.press_data(button(notice, "Retirer bob"))
    assert "Retirer bob, pour l’organisation Intrus SARL (nouvelle organisation)" in alice.text
    assert member_of(store, "bob") is not None, "nothing written before « Oui »"
    alice.press("Oui, confirmer")
    assert "bob ne fait plus partie de l’alliance" in alice.text
    assert member_of(store, "bob") is None
    assert [o.name for o in store.data.organisations.values()] == ["Asso A"], \
        "the organisation he made up is gone with him"
    assert "aucune alliance" in bob.cmd("synthese")
    assert "Intrus" not in alice.cmd("synthese")
    alice.press_data(button(notice, "Retirer bob"))  # the old button, pressed again
    assert "n’est plus là" in alice.text and "Rien n’a changé" in alice.text


def test_a_removed_newcomer_who_answered_leaves_their_answers(store, app, clock, alice, code):
    bob = Chat(app, "bob")
    join(bob, code)
    bob.cmd("charte")
    bob.press("Engagé")
    (notice,) = deliver(app, clock)
    alice.press_data(button(notice, "Retirer bob"))
    alice.press("Oui, confirmer")
    assert member_of(store, "bob") is None  # the membership is detached from him
    assert [a.position for a in store.data.answers] == [3]
    assert "Mairie B" in alice.cmd("synthese")


# --- approval ---------------------------------------------------------------------------------


def test_a_newcomer_waiting_for_approval_sees_nothing_then_everything(
        store, app, clock, alice, code):
    approval_on(alice)
    bob = Chat(app, "bob")
    reply = join(bob, code)
    assert "Un·e coordinateur·rice va la confirmer" in reply and "Parcourir" not in reply
    assert not bob.buttons
    for command in ("synthese", "charte", "levier", "mes_reponses", "membres", "export",
                    "echeances", "inviter"):
        seen = bob.cmd(command)
        assert WAITING in seen, (command, seen)
        assert "Asso A" not in seen and "alice" not in seen
    assert WAITING in bob.say("engagé")
    mine = member_of(store, "bob")
    assert "plus valable" in bob.press_data(SummaryButton(mine.id, "lancement", "a").encode())
    assert WAITING in bob.press_data(StartWalk(mine.id).encode())
    assert not [r for r in store.data.reminders.values() if r.member_id == mine.id]

    (notice,) = deliver(app, clock)
    assert labels(notice) == ["Accepter bob", "Refuser bob"]
    assert "attend votre confirmation" in text(notice)
    alice.press_data(button(notice, "Accepter bob"))
    assert "bob est accepté·e" in alice.text
    assert [b.label for b in alice.buttons] == ["Retirer bob"]
    (told,) = deliver(app, clock, timedelta(0))
    assert told.chat == "bob"
    assert "est confirmée. Votre organisation : Mairie B" in text(told).replace("\u00a0", " ")
    assert labels(told) == ["Parcourir la charte ▶"]
    assert "Qui a répondu" in bob.cmd("synthese") and "Asso A" in bob.text
    assert "Levier 1/21" in bob.press_data(told.message.buttons[0][0].data)
    assert [r for r in store.data.reminders.values() if r.member_id == mine.id]
    alice.press_data(button(notice, "Accepter bob"))  # accepted already: nothing more
    assert "bob a déjà été accepté·e" in alice.text
    assert deliver(app, clock, timedelta(0)) == []


def test_a_refusal_tells_the_newcomer_without_naming_anyone_and_keeps_nothing(
        store, app, clock, alice, code):
    approval_on(alice)
    carol = Chat(app, "carol")
    join(carol, code, "Evil Corp", "Entreprise")
    (notice,) = deliver(app, clock)
    alice.press_data(button(notice, "Refuser carol"))
    assert "Refuser l’arrivée de carol" in alice.text
    assert member_of(store, "carol") is not None, "nothing written before « Oui »"
    alice.press("Oui, confirmer")
    assert "L’arrivée de carol est refusée" in alice.text
    (told,) = deliver(app, clock, timedelta(0))
    assert told.chat == "carol" and "n’a pas été confirmée" in text(told)
    assert "Evil Corp" not in text(told) and "Asso A" not in text(told)
    carol_id = next(p.id for p in store.data.people.values() if p.external_id == "carol")
    assert [m for m in store.data.members.values() if m.person_id == carol_id] == []
    assert [o.name for o in store.data.organisations.values()] == ["Asso A"]
    assert [n for n in store.data.notifications.values()
            if n.person_id == carol_id or n.kind != "arrival"] == []
    assert all(n.member_id is None for n in store.data.notifications.values()
               if n.batch == notice_batch(store, alice))
    assert "aucune alliance" in carol.cmd("synthese")
    alice.press_data(button(notice, "Accepter carol"))  # stale: she was refused
    assert "n’est plus là" in alice.text
    assert member_of(store, "carol") is None


def notice_batch(store: FakeStore, alice: Chat) -> int:
    alice_id = next(p.id for p in store.data.people.values() if p.external_id == "alice")
    return next(n.batch for n in store.data.notifications.values() if n.person_id == alice_id)


def test_only_a_coordinator_decides_and_a_forged_accept_changes_nothing(
        store, app, clock, alice, code):
    bob = Chat(app, "bob")
    join(bob, code)
    deliver(app, clock)
    approval_on(alice)
    eve = Chat(app, "eve")
    join(eve, code, "Asso E", "Association")
    (notice,) = deliver(app, clock)
    accept = button(notice, "Accepter eve")
    assert "plus valable" in bob.press_data(accept), "a partner, with alice's button"
    assert "plus valable" in eve.press_data(accept), "the newcomer herself"
    stranger = Chat(app, "zoe")
    assert "plus valable" in stranger.press_data(accept)
    data = decode(accept)
    assert isinstance(data, ArrivalButton)
    forged = ArrivalButton(data.batch, member_of(store, "bob").id, "remove", True).encode()
    assert "plus valable" in bob.press_data(forged)
    assert "plus valable" in eve.press_data(forged)
    assert member_of(store, "eve").pending_since is not None, "still waiting"
    assert member_of(store, "bob") is not None
    alice.cmd("membres")
    alice.press("Gérer : bob")
    alice.press("Partager mon rôle")
    assert "plus valable" in bob.press_data(accept), "another coordinator: not his message"
    assert member_of(store, "eve").pending_since is not None


def test_accepting_someone_who_erased_their_data_says_so(store, app, clock, alice, code):
    approval_on(alice)
    bob = Chat(app, "bob")
    join(bob, code)
    (notice,) = deliver(app, clock)
    bob.cmd("oubli")
    bob.press("Tout effacer")
    alice.press_data(button(notice, "Accepter bob"))
    assert "n’est plus là" in alice.text and "effacé ses données" in alice.text
    assert all(m.pending_since is None or m.left_at is not None
               for m in store.data.members.values())
    assert deliver(app, clock, timedelta(0)) == []


def test_the_coordination_can_also_decide_in_membres(store, app, clock, alice, code):
    approval_on(alice)
    bob = Chat(app, "bob")
    join(bob, code)
    assert "en attente de confirmation" in alice.cmd("membres")
    alice.press("Gérer : bob")
    assert [b.label for b in alice.buttons] == ["Accepter bob", "Refuser bob"]
    alice.press("Accepter bob")
    assert "bob est accepté·e" in alice.text
    assert member_of(store, "bob").pending_since is None


def test_a_waiting_newcomer_can_withdraw(store, app, clock, alice, code):
    approval_on(alice)
    bob = Chat(app, "bob")
    join(bob, code, "Mairie B")
    bob.cmd("quitter")
    bob.press("Oui, quitter")
    assert member_of(store, "bob") is None
    assert [o.name for o in store.data.organisations.values()] == ["Asso A"]
    assert deliver(app, clock) == [], "nobody left to tell the coordination about"


# --- invitations that end ---------------------------------------------------------------------


def test_an_expired_code_is_answered_like_an_unknown_one(store, app, clock, alice, code):
    alice.cmd("inviter")
    alice.press("Limiter l’invitation des partenaires")
    alice.say("20/01/2027")
    assert "Valable jusqu’au 20/01/2027 inclus" in alice.text
    clock.now = datetime(2027, 1, 20, 22, 30, tzinfo=UTC)  # 23:30 in Paris: still valid
    assert "Votre organisation est-elle déjà dans la liste" in Chat(app, "bob").cmd(
        "rejoindre", code)
    clock.now = datetime(2027, 1, 20, 23, 30, tzinfo=UTC)  # 00:30 on the 21st in Paris
    unknown = Chat(app, "u").cmd("rejoindre", "Zz9Zz9Zz9Zz9Zz9Zz9Zz9Z")
    expired = Chat(app, "carol").cmd("rejoindre", code)
    assert expired == unknown == BAD_CODE
    assert "expiré" in alice.cmd("inviter")


def test_a_used_up_code_is_answered_like_an_unknown_one(store, app, clock, alice, code):
    alice.cmd("inviter")
    alice.press("Limiter l’invitation des partenaires")
    alice.say("1")
    assert "Valable encore 1 fois" in alice.text
    assert "Bienvenue" in join(Chat(app, "bob"), code)
    assert Chat(app, "carol").cmd("rejoindre", code) == BAD_CODE
    assert "servi autant de fois que prévu" in alice.cmd("inviter")
    alice.press("Limiter l’invitation des partenaires")
    alice.press("Sans limite")
    assert "Sans date de fin ni nombre" in alice.text
    assert "Bienvenue" in join(Chat(app, "dan"), code)


def test_a_replaced_code_is_answered_like_an_unknown_one(store, app, alice, code):
    alice.cmd("inviter")
    alice.press("Remplacer le code des partenaires")
    alice.press("Oui, remplacer le code")
    assert partner_code(store) != code
    assert Chat(app, "bob").cmd("rejoindre", code) == BAD_CODE


def test_the_tiers_code_is_replaced_and_limited_on_its_own(store, app, clock, alice, code):
    old = tiers_code(alice, store)
    alice.cmd("inviter")
    alice.press("Remplacer le code du tiers de confiance")
    assert "Remplacer le code du tiers de confiance ?" in alice.text
    alice.press("Oui, remplacer le code")
    (new,) = [i.code for i in store.data.invitations.values()
              if i.kind == "tiers" and i.replaced_at is None]
    assert new != old and new in alice.text and code in alice.text
    assert Chat(app, "tess").cmd("start", old) == BAD_CODE
    alice.press("Limiter l’invitation du tiers de confiance")
    alice.say("1")
    assert "comme tiers de confiance" in Chat(app, "tess").cmd("start", new)
    assert Chat(app, "theo").cmd("start", new) == BAD_CODE
    assert "Votre organisation est-elle" in Chat(app, "bob").cmd("rejoindre", code), \
        "the partners' code keeps no limit"


@pytest.mark.parametrize("typed, said", [
    ("0", "va de 1 à 1000"),
    ("5000", "va de 1 à 1000"),
    ("01/01/2027", "déjà passée"),
    ("bientôt", "ni une date ni un nombre"),
])
def test_a_limit_that_cannot_be_read_is_asked_again_and_nothing_changes(
        store, alice, code, typed, said):
    alice.cmd("inviter")
    alice.press("Limiter l’invitation des partenaires")
    assert said in alice.say(typed)
    assert "Jusqu’à quand ce code doit-il marcher" in alice.text
    (invite,) = [i for i in store.data.invitations.values() if i.code == code]
    assert (invite.expires_at, invite.max_uses) == (None, None)


def test_only_the_coordination_sees_the_tiers_code_and_sets_limits(store, app, alice, code):
    tiers = tiers_code(alice, store)
    bob = Chat(app, "bob")
    join(bob, code)
    shown = bob.cmd("inviter")
    assert code in shown and tiers not in shown and not bob.buttons
    bob_id = member_of(store, "bob").id
    for forged in (f"i:{bob_id}:limit:partner", f"i:{bob_id}:new:tiers",
                   f"i:{bob_id}:create:tiers"):
        assert "plus valable" in bob.press_data(forged)
    assert [i.code for i in store.data.invitations.values() if i.replaced_at is None] == [
        code, tiers]


# --- guessing is slowed -----------------------------------------------------------------------


def test_ten_wrong_codes_within_an_hour_make_the_next_try_wait(store, app, clock, alice, code):
    eve = Chat(app, "eve")
    for n in range(10):
        assert eve.cmd("rejoindre", f"Faux{n}Code{n}") == BAD_CODE
        clock.advance(minutes=1)
    said = eve.cmd("rejoindre", code)  # the right one, now: it must wait too
    assert "attendez 50 min" in said and "Alliance Test" not in said
    assert "attendez 50 min" in eve.cmd("start", code)
    assert member_of(store, "eve") is None
    other = Chat(app, "frank")
    assert "Votre organisation est-elle" in other.cmd("rejoindre", code), "per person"
    clock.advance(minutes=49)
    assert "attendez 1 min" in eve.cmd("rejoindre", code)
    clock.advance(minutes=1)
    assert "Votre organisation est-elle" in eve.cmd("rejoindre", code)
    eve_id = next(p.id for p in store.data.people.values() if p.external_id == "eve")
    assert len([f for f in store.data.code_failures if f[0] == eve_id]) == 10


def test_a_code_typed_in_the_join_form_counts_too(store, app, clock, alice, code):
    eve = Chat(app, "eve")
    for n in range(10):
        eve.cmd("rejoindre")
        assert eve.say(f"Faux{n}") == BAD_CODE
    eve.cmd("rejoindre")
    assert "attendez 60 min" in eve.say(code)


# --- the tiers de confiance -------------------------------------------------------------------


def two_alliances(app, store, clock, alice) -> tuple[Chat, Chat, str, str]:
    """Alice coordinates two alliances, Bob is a partner of the first (they diverge on one
    lever), and Tess accompanies both."""
    first = create_alliance(alice, "Alliance du Port", "Asso A")
    bob = Chat(app, "bob")
    join(bob, first)
    for chat, level in ((alice, "À découvrir"), (bob, "Ancré")):
        chat.cmd("charte")
        chat.press(level)
    t1 = tiers_code(alice, store)
    create_alliance(alice, "Alliance des Quais", "Asso Q")
    t2 = tiers_code(alice, store)
    tess = Chat(app, "tess")
    assert "comme tiers de confiance" in tess.cmd("start", t1)
    assert "comme tiers de confiance" in tess.cmd("rejoindre", t2)
    return bob, tess, t1, t2


def test_a_tiers_accompanies_two_alliances_and_walks_no_charter(store, app, clock, alice):
    bob, tess, _, _ = two_alliances(app, store, clock, alice)
    tess_members = [m for m in store.data.members.values()
                    if store.data.people[m.person_id].external_id == "tess"]
    assert [(m.role, m.organisation_id) for m in tess_members] == [("tiers", None)] * 2
    listed = tess.cmd("alliances")
    assert ("Alliance du Port (tiers de confiance) — phase Lancement : 0/2 organisations ont "
            "terminé · prochaine date : point d’étape le 01/07/2027 09:00 · divergences : 1"
            ) in listed
    assert ("Alliance des Quais (tiers de confiance) — phase Lancement : 0/1 organisations ont "
            "terminé · prochaine date : point d’étape le 01/07/2027 09:00 · divergences : 0"
            ) in listed
    tess.press("Alliance du Port")
    assert "comme tiers de confiance" in tess.text and not tess.buttons
    summary = tess.cmd("synthese")
    assert "Alliance du Port" in summary and "Asso A" in summary and "Mairie B" in summary
    for command in ("charte", "levier", "mes_reponses"):
        assert "vous ne parcourez donc pas la charte" in tess.cmd(command)
    mine = member_of(store, "tess")
    assert "vous ne parcourez donc pas la charte" in tess.press_data(
        StartWalk(mine.id).encode())
    assert "plus valable" in tess.press_data(
        WalkButton(mine.id, "lancement", 0, 0, "3").encode())
    assert not [a for a in store.data.answers if a.member_id in {m.id for m in tess_members}]
    tess.cmd("alliances")
    tess.press("Alliance des Quais")
    assert "Alliance des Quais" in tess.cmd("synthese")
    tess.cmd("export")
    assert [m.attachment.filename.rsplit(".", 1)[1] for m in tess.last if m.attachment] == [
        "pdf", "xlsx"]


def test_partners_see_the_tiers_in_membres_and_the_coordination_removes_them(
        store, app, clock, alice):
    bob, tess, t1, _ = two_alliances(app, store, clock, alice)
    bob.cmd("membres")
    assert "Tiers de confiance\n• tess — tiers de confiance" in bob.text
    assert "il lit les réponses de toutes les organisations" in bob.text
    assert "tiers de confiance" in bob.cmd("confidentialite")
    alice.cmd("alliances")
    alice.press("Alliance du Port")
    alice.cmd("membres")
    alice.press("Gérer : tess")
    assert [b.label for b in alice.buttons] == ["Retirer de l’alliance"], "no coordination"
    tess_id = next(m.id for m in store.data.members.values()
                   if store.data.people[m.person_id].external_id == "tess")
    alice_id = next(m.id for m in store.data.members.values()
                    if store.data.people[m.person_id].external_id == "alice")
    assert "plus valable" in alice.press_data(f"m:{alice_id}:{tess_id}:co:0")
    assert member_of(store, "tess").role == "tiers"
    alice.cmd("membres")
    alice.press("Gérer : tess")
    alice.press("Retirer de l’alliance")
    alice.press("Oui, confirmer")
    assert "tess ne fait plus partie" in alice.text
    listed = tess.cmd("alliances")
    assert "Alliance du Port" not in listed and "Alliance des Quais" in listed


def test_a_tiers_gets_the_phase_reminder_with_who_finished_and_no_walk_button(
        store, app, clock, alice):
    bob, tess, _, _ = two_alliances(app, store, clock, alice)
    tess_ids = {m.id for m in store.data.members.values()
                if store.data.people[m.person_id].external_id == "tess"}
    planned = {(r.kind, r.phase) for r in store.data.reminders.values()
               if r.member_id in tess_ids}
    assert planned == {("phase", "mi-parcours"), ("phase", "fin")}, "no nudges"
    clock.now = datetime(2027, 7, 1, 7, 0, tzinfo=UTC)
    deliveries = []
    while (reminder_id := app.reminders.claim_next()) is not None:  # as the dispatcher does
        delivery = app.reminders.prepare(reminder_id)
        if delivery is not None:
            deliveries.append(delivery)
            app.reminders.confirm(reminder_id)
    to_tess = [d for d in deliveries if d.chat == "tess"]
    assert len(to_tess) == 2  # one per alliance
    port = next(d for d in to_tess if "Alliance du Port" in plain(d.messages[0].text))
    shown = seen("\n".join(plain(m.text) for m in port.messages))
    assert "Pour le tiers de confiance — ont terminé la phase « Lancement » : —" in shown
    assert "Pas encore : alice (Asso A), bob (Mairie B)" in shown and "tess" not in shown
    assert all(not m.buttons for m in port.messages)


def test_the_coordination_never_passes_to_a_tiers(store, app, clock, alice):
    create_alliance(alice, "Alliance Seule", "Asso A")
    tess = Chat(app, "tess")
    tess.cmd("rejoindre", tiers_code(alice, store))
    alice.cmd("quitter")
    alice.press("Oui, quitter")
    assert "Vous avez quitté" in alice.text, "nobody else could coordinate"
    assert member_of(store, "tess").role == "tiers"


def test_notifications_survive_a_restart(store, clock, alice, code):
    bob = Chat(alice.app, "bob")
    join(bob, code)
    restarted = make_app(store, clock)  # a new process over the same database
    sent = deliver(restarted, clock)
    assert [n.chat for n in sent] == ["alice"] and "bob" in text(sent[0])
    assert deliver(make_app(store, clock), clock) == []
