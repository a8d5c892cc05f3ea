"""Reminders and nudges with an injected clock: planned rows, re-checked when they fire."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.render_text import plain
from dialogues.core.domain import Alliance, Member
from dialogues.reminders.policy import Policy, out_of_quiet_hours, plan
from tests.fakes import FakeStore
from tests.helpers import Chat, Clock, create_alliance, make_app, seen

PARIS = ZoneInfo("Europe/Paris")


def alliance(mid: datetime, end: datetime) -> Alliance:
    created = datetime(2027, 1, 10, 8, 0, tzinfo=UTC)
    return Alliance(1, "A", created, end, mid, "Europe/Paris", created)


def test_a_date_without_time_is_reminded_at_the_reminder_time():
    a = alliance(datetime(2027, 6, 1, tzinfo=PARIS), datetime(2027, 12, 1, 14, 30, tzinfo=PARIS))
    member = Member(7, 1, 1, 1, "partner", a.created_at)
    planned = {(p.kind, p.phase, p.seq): p.due_at for p in plan(a, member, Policy())}
    assert planned[("phase", "mi-parcours", 0)] == datetime(2027, 6, 1, 9, 0, tzinfo=PARIS)
    assert planned[("phase", "fin", 0)] == datetime(2027, 12, 1, 14, 30, tzinfo=PARIS)
    assert planned[("nudge", "mi-parcours", 1)] == datetime(2027, 6, 4, 9, 0, tzinfo=PARIS)
    assert planned[("nudge", "mi-parcours", 2)] == datetime(2027, 6, 8, 9, 0, tzinfo=PARIS)
    assert len(planned) == 8


@pytest.mark.parametrize("local, expected", [
    (datetime(2027, 3, 1, 22, 30), datetime(2027, 3, 2, 8, 0)),
    (datetime(2027, 3, 1, 6, 0), datetime(2027, 3, 1, 8, 0)),
    (datetime(2027, 3, 1, 20, 59), datetime(2027, 3, 1, 20, 59)),
    (datetime(2027, 3, 1, 8, 0), datetime(2027, 3, 1, 8, 0)),
])
def test_nudges_wait_for_the_morning(local, expected):
    moved = out_of_quiet_hours(local.replace(tzinfo=PARIS), "Europe/Paris", Policy())
    assert moved == expected.replace(tzinfo=PARIS)


@pytest.fixture
def world():
    store = FakeStore()
    clock = Clock(datetime(2027, 1, 10, 9, 0, tzinfo=UTC))
    app = make_app(store, clock)
    alice, bob = Chat(app, "alice"), Chat(app, "bob")
    code = create_alliance(alice)  # 15/01/2027 → 15/12/2027, mid-course 01/07/2027
    bob.cmd("rejoindre", code)
    bob.press("Une autre organisation")
    bob.say("Mairie B")
    bob.press("Collectivité")
    return app, store, clock, alice, bob


def deliver_due(app) -> list:
    """What the dispatcher does: claim, prepare, (send), confirm, until nothing is due."""
    deliveries = []
    while (reminder_id := app.reminders.claim_next()) is not None:
        delivery = app.reminders.prepare(reminder_id)
        if delivery is not None:
            deliveries.append(delivery)
            app.reminders.confirm(reminder_id)
    return deliveries


def texts(delivery) -> str:
    return seen("\n".join(plain(m.text) for m in delivery.messages))


def test_joining_plans_the_reminders(world):
    app, store, clock, alice, bob = world
    assert len(store.data.reminders) == 16  # 2 members × (2 phase openings + 6 nudges)
    assert app.reminders.next_due() == datetime(2027, 1, 13, 9, 0, tzinfo=UTC)  # a nudge


def test_phase_reminders_fire_once_with_a_button(world):
    app, store, clock, alice, bob = world
    for chat in (alice, bob):  # both finish the walk: no nudges
        chat.cmd("charte")
        for _ in range(21):
            chat.press("Engagé")
            chat.say("passer")
            if "Qu’attend" in chat.text:
                chat.say("passer")
    assert deliver_due(app) == []
    clock.now = datetime(2027, 7, 1, 7, 0, tzinfo=UTC)  # 09:00 in Paris
    deliveries = deliver_due(app)
    assert sorted(d.chat for d in deliveries) == ["alice", "bob"]
    coordinator = next(d for d in deliveries if d.chat == "alice")
    assert "point d’étape à mi-parcours" in texts(coordinator)
    assert "ont terminé la phase « Lancement » : alice (Asso A), bob (Mairie B)" in texts(
        coordinator)
    assert "Réévaluer" in coordinator.messages[0].buttons[0][0].label
    assert deliver_due(app) == []  # never twice
    for d in deliveries:
        assert app.reminders.prepare(d.reminder_id) is None


def test_the_reminder_button_starts_the_re_evaluation(world):
    app, store, clock, alice, bob = world
    clock.now = datetime(2027, 7, 1, 7, 0, tzinfo=UTC)
    delivery = next(d for d in deliver_due(app) if d.chat == "bob")
    phase_message = next(m for m in delivery.messages if m.buttons)
    bob.press_data(phase_message.buttons[0][0].data)
    assert "phase mi-parcours" in bob.text and "Levier 1/21" in bob.text


def test_nudges_stop_after_finishing_or_on_request(world):
    app, store, clock, alice, bob = world
    clock.now = datetime(2027, 1, 13, 9, 30, tzinfo=UTC)
    deliveries = deliver_due(app)
    assert sorted(d.chat for d in deliveries) == ["alice", "bob"]
    nudge = next(d for d in deliveries if d.chat == "bob")
    assert "pas terminé, 0 sur 21 leviers ont une réponse" in texts(nudge)
    off = next(b for b in nudge.messages[-1].buttons[0] if "Ne plus" in b.label)
    assert "plus de rappels" in bob.press_data(off.data)
    clock.now = datetime(2027, 1, 20, 9, 0, tzinfo=UTC)
    assert [d.chat for d in deliver_due(app)] == ["alice"]


def test_a_nudge_due_at_night_waits_for_the_morning(world):
    app, store, clock, alice, bob = world
    clock.now = datetime(2027, 1, 13, 21, 30, tzinfo=UTC)  # 22:30 in Paris: quiet
    assert app.reminders.due()
    assert deliver_due(app) == []
    assert app.reminders.next_due() == datetime(2027, 1, 14, 7, 0, tzinfo=UTC)  # 08:00 Paris


def test_a_reminder_that_fell_due_while_stopped_says_it_is_late(world):
    app, store, clock, alice, bob = world
    clock.now = datetime(2027, 7, 2, 10, 0, tzinfo=UTC)  # the bot was down on 01/07
    restarted = make_app(store, clock)
    phase = [d for d in deliver_due(restarted) if "mi-parcours" in texts(d)]
    assert phase and all("en retard" in texts(d) for d in phase)


def test_a_long_queue_is_not_called_late(world):
    app, store, clock, alice, bob = world
    clock.now = datetime(2027, 6, 30, 10, 0, tzinfo=UTC)
    running = make_app(store, clock)  # started before the reminders fall due
    clock.now = datetime(2027, 7, 1, 9, 0, tzinfo=UTC)  # an hour after 09:00 Paris
    phase = [d for d in deliver_due(running) if "mi-parcours" in texts(d)]
    assert phase and not any("en retard" in texts(d) for d in phase)


def test_opening_a_phase_just_after_midnight_reminds_at_once(world):
    app, store, clock, alice, bob = world
    clock.now = datetime(2027, 3, 1, 23, 0, 30, tzinfo=UTC)  # 00:00:30 in Paris
    alice.cmd("echeances")
    alice.press("Lancer le point d’étape maintenant")
    alice.press("Oui, maintenant")
    assert {d.chat for d in deliver_due(app) if "mi-parcours" in texts(d)} == {"alice", "bob"}


def test_changing_a_date_moves_its_reminders(world):
    app, store, clock, alice, bob = world
    alice.cmd("echeances")
    # The proposed mid-point had a time (the reminders' 9:00): it is shown.
    assert "Point d’étape (mi-parcours) : jeudi 1er juillet 2027 à 9 h" in alice.text
    alice.press("Changer le point d’étape")
    assert "Les dates doivent se suivre" in alice.say("01/01/2028")
    assert "le jeudi 15 avril 2027 à 10 h 30. C’est bien ça" in alice.say("15/04/2027 10:30")
    assert not [r for r in store.data.reminders.values()
                if r.due_at.astimezone(PARIS).date().isoformat() == "2027-04-15"]
    alice.press("Oui, enregistrer")
    assert "enregistré" in alice.text and "jeudi 15 avril 2027 à 10 h 30" in alice.text
    mids = [r for r in store.data.reminders.values() if (r.kind, r.phase) == ("phase",
                                                                              "mi-parcours")]
    assert {r.due_at.astimezone(PARIS) for r in mids} == {datetime(2027, 4, 15, 10, 30,
                                                                   tzinfo=PARIS)}
    assert "Changer" not in " ".join(b.label for b in bob.buttons if bob.cmd("echeances"))
    assert "Seule" not in bob.text and "1er juillet 2027" not in bob.text


def test_opening_the_mid_course_now(world):
    app, store, clock, alice, bob = world
    alice.cmd("echeances")
    asked = alice.press("Lancer le point d’étape maintenant")
    # What else changes is said before the confirmation (the test clock: 10/01/2027 10:00).
    assert ("le point d’étape passe du jeudi 1er juillet 2027 à 9 h à maintenant "
            "(dimanche 10 janvier 2027 à 10 h)") in asked
    assert ("le début de l’action passe du vendredi 15 janvier 2027 à maintenant "
            "(dimanche 10 janvier 2027 à 10 h)") in asked
    assert "rappel" in asked and "terminal" not in asked
    assert [a.mid_at.month for a in store.data.alliances.values()] == [7]  # not moved yet
    alice.press("Oui, maintenant")
    assert "Phase en cours : Mi-parcours" in alice.text
    deliveries = deliver_due(app)
    assert {d.chat for d in deliveries if "mi-parcours" in texts(d)} == {"alice", "bob"}
    assert not any("en retard" in texts(d) for d in deliveries)


def test_a_partner_cannot_press_the_coordinator_buttons(world):
    app, store, clock, alice, bob = world
    alice.cmd("echeances")
    button = next(b for b in alice.buttons if "point d’étape maintenant" in b.label)
    forged = button.data.replace(button.data.split(":")[1], str(
        next(m.id for m in store.data.members.values() if m.role == "partner")))
    assert "plus valable" in bob.press_data(forged)
    assert "plus valable" in bob.press_data(button.data)
    assert all(a.mid_at.date().isoformat() == "2027-07-01" for a in store.data.alliances.values())


def test_unreachable_member_is_reported_to_the_coordinator_once(world):
    app, store, clock, alice, bob = world
    bob_member = next(m.id for m in store.data.members.values() if m.role == "partner")
    notices = app.reminders.unreachable(bob_member)
    assert [n.chat for n in notices] == ["alice"]
    assert "bob (Mairie B)" in plain(notices[0].message.text)
    assert app.reminders.unreachable(bob_member) == []
    bob.cmd("aide")  # bob writes again: reachable again
    assert store.data.members[bob_member].unreachable_at is None


def test_policy_from_the_environment(monkeypatch):
    from bot.compose import policy_from_env

    monkeypatch.setenv("CHARTE_REMINDER_TIME", "10:15")
    monkeypatch.setenv("CHARTE_NUDGE_DAYS", "2,5")
    assert policy_from_env() == Policy(reminder_time=time(10, 15), nudge_days=(2, 5))
    assert timedelta(days=1)  # keep the import used


def app_named(store, clock, name: str):
    """The app of one bot process, named as its claims are (dialogues.app.claimant)."""
    from bot.compose import build_app

    return build_app(store=store, clock=clock, timezone="Europe/Paris", instance=name)


REPEAT = "peut-être déjà parvenu"


def start_one(app) -> int:
    """Claim and prepare the next reminder that is to be sent; never confirm it."""
    while (reminder_id := app.reminders.claim_next()) is not None:
        if app.reminders.prepare(reminder_id) is not None:
            return reminder_id
    raise AssertionError("no reminder to send")


def test_a_reminder_cut_short_by_a_crash_is_sent_again_after_the_restart(world):
    app, store, clock, alice, bob = world
    clock.now = datetime(2027, 7, 1, 7, 0, tzinfo=UTC)
    first = app_named(store, clock, "host:8443")
    cut = start_one(first)
    # The process dies while sending: never confirmed. Its other reminder goes normally.
    done = deliver_due(first)
    assert len(done) == 1 and REPEAT not in texts(done[0])
    assert deliver_due(first) == []  # its claim holds: not taken twice meanwhile

    clock.advance(seconds=30)
    restarted = app_named(store, clock, "host:8443")
    assert restarted.reminders.resume() == 1
    (again,) = deliver_due(restarted)
    assert again.reminder_id == cut and REPEAT in texts(again)
    assert "point d’étape à mi-parcours" in texts(again)
    assert deliver_due(restarted) == []


def test_another_process_sends_it_once_the_claim_expires(world):
    app, store, clock, alice, bob = world
    clock.now = datetime(2027, 7, 1, 7, 0, tzinfo=UTC)
    dead, other = app_named(store, clock, "a:8443"), app_named(store, clock, "b:8443")
    cut = start_one(dead)
    assert other.reminders.resume() == 0  # not its claim
    assert cut not in [d.reminder_id for d in deliver_due(other)]
    clock.advance(minutes=9)
    assert deliver_due(other) == []
    clock.advance(minutes=1)  # the claim (10 minutes) expired
    (again,) = deliver_due(other)
    assert again.reminder_id == cut and REPEAT in texts(again)


def test_a_postponed_nudge_does_not_say_it_may_repeat(world):
    app, store, clock, alice, bob = world
    clock.now = datetime(2027, 1, 13, 21, 30, tzinfo=UTC)  # 22:30 in Paris: quiet
    assert deliver_due(app) == []
    clock.now = datetime(2027, 1, 14, 7, 0, tzinfo=UTC)
    nudges = deliver_due(app)
    assert len(nudges) == 2 and all(REPEAT not in texts(d) for d in nudges)
