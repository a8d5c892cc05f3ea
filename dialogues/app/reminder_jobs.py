"""Reminders: planned rows in the database; when one fires, it is claimed, re-read and
re-checked, sent, then confirmed (at least once: see storage/claims.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from dialogues.app.claimant import Claimant
from dialogues.content.charter import Charter
from dialogues.core import rules
from dialogues.core.domain import Alliance
from dialogues.core.outgoing import Outgoing
from dialogues.core.phases import current_phase, previous_phase
from dialogues.core.ports import Store, UnitOfWork
from dialogues.reminders.flow import Reminders
from dialogues.reminders.policy import Policy, decide, plan

BATCH = 500  # due reminders read at once


@dataclass(frozen=True, slots=True)
class Delivery:
    """Messages to send for one reminder: to the member, and maybe to the alliance's group."""

    reminder_id: int
    member_id: int
    channel: str
    chat: str  # the person's id on that channel (a Telegram private chat id)
    messages: tuple[Outgoing, ...]
    group_chat_id: int | None = None
    group_messages: tuple[Outgoing, ...] = ()


@dataclass(frozen=True, slots=True)
class Notice:
    """One message for one person, outside any reminder (e.g. to a coordinator)."""

    channel: str
    chat: str
    message: Outgoing


class ReminderService:
    def __init__(self, store: Store, charter: Charter, messages: Reminders,
                 clock: Callable[[], datetime], policy: Policy,
                 claimant: Claimant | None = None) -> None:
        self.store = store
        self.charter = charter
        self.say = messages
        self.clock = clock
        self.policy = policy
        self.claimant = claimant or Claimant("charte-bot")
        self.started_at = clock()  # what fell due before this is late: the bot was stopped

    # --- planning (called inside the transaction that changed the alliance) -----------------

    def replan(self, uow: UnitOfWork, alliance_id: int) -> datetime | None:
        """Plan every member's reminders again; returns when the earliest one is due."""
        alliance = uow.get_alliance(alliance_id)
        if alliance is None:
            return None
        now = self.clock()
        earliest: datetime | None = None
        for member in uow.members(alliance_id):
            for p in plan(alliance, member, self.policy):
                due = max(p.due_at, now)  # a date set in the past is due now, not "late"
                uow.plan_reminder(alliance_id, p.member_id, p.kind, p.phase, p.seq, due)
                earliest = due if earliest is None or due < earliest else earliest
        return earliest

    # --- firing -----------------------------------------------------------------------------

    def next_due(self) -> datetime | None:
        with self.store.unit_of_work() as uow:
            return uow.next_due_at()

    def due(self, limit: int = BATCH) -> list[int]:
        with self.store.unit_of_work() as uow:
            return uow.due_reminders(self.clock(), limit)

    def resume(self) -> int:
        """At startup: the claims this process's previous run left (it stopped while
        sending) are due again now. Returns how many."""
        with self.store.unit_of_work(exclusive=False) as uow:
            return uow.release_reminders(self.claimant.name, self.clock())

    def claim_next(self) -> int | None:
        """Claim the oldest due reminder that nobody holds (None: nothing is due)."""
        now = self.clock()
        with self.store.unit_of_work(exclusive=False) as uow:
            return uow.claim_due_reminder(now, self.claimant.name, self.claimant.until(now))

    def confirm(self, reminder_id: int) -> None:
        """Its delivery is over, whatever Telegram answered: never sent again."""
        with self.store.unit_of_work(exclusive=False) as uow:
            uow.confirm_reminder(reminder_id, self.clock())

    def prepare(self, reminder_id: int) -> Delivery | None:
        """Re-read a reminder this process claimed; if it still applies, count the delivery
        as started and return what to send (then `confirm` it once sent).

        Its claim makes it ours until it expires: no other process sends it meanwhile. A
        reminder whose earlier delivery started and was never confirmed (the process died
        while sending) may have reached the person: it says so.
        """
        now = self.clock()
        with self.store.unit_of_work(exclusive=False) as uow:
            reminder = uow.get_reminder(reminder_id)
            if reminder is None or reminder.claimed_by != self.claimant.name \
                    or reminder.claim_expires_at is None or reminder.claim_expires_at <= now:
                return None
            alliance = uow.get_alliance(reminder.alliance_id)
            member = uow.get_member(reminder.member_id)
            phase = current_phase(alliance, now) if alliance else None
            answered = len(uow.latest_answers(member.id, reminder.phase)) if member else 0
            finished = answered >= len(self.charter.levers)
            decision = decide(reminder, alliance, member, phase, finished, now, self.policy,
                              self.started_at)
            person = uow.get_person(member.person_id) if member else None
            if decision.action == "skip" or (decision.action == "send" and person is None):
                uow.cancel_reminder(reminder.id, now)
                return None
            if decision.action == "later" and decision.when is not None:
                uow.plan_reminder(reminder.alliance_id, reminder.member_id, reminder.kind,
                                  reminder.phase, reminder.seq, decision.when)
                uow.unclaim_reminder(reminder.id)
                return None
            assert alliance is not None and member is not None and person is not None
            uow.start_reminder(reminder.id)
            repeat = reminder.attempts > 0
            if reminder.kind == "nudge":
                messages: tuple[Outgoing, ...] = (
                    self.say.nudge(alliance, member, reminder.phase, answered),)
                return Delivery(reminder.id, member.id, person.channel, person.external_id,
                                self._noted(messages, decision.late, repeat))
            messages = (self.say.phase_open(alliance, member, reminder.phase),)
            if rules.is_coordinator(member) or rules.is_tiers(member):
                messages += (self._who_finished(uow, alliance, reminder.phase,
                                                rules.is_tiers(member)),)
            members = uow.members(alliance.id)
            poster = rules.group_poster(members)
            group = alliance.group_chat_id if poster is not None and poster.id == member.id \
                else None
            return Delivery(reminder.id, member.id, person.channel, person.external_id,
                            self._noted(messages, decision.late, repeat), group,
                            self._noted((self.say.group(alliance, reminder.phase),), False,
                                        repeat) if group else ())

    def _noted(self, messages: tuple[Outgoing, ...], late: bool, repeat: bool
               ) -> tuple[Outgoing, ...]:
        """Say it may be a repeat (a delivery was cut short), else that it is late."""
        if repeat:
            return self.say.repeat(messages)
        return self.say.late(messages) if late else messages

    def unreachable(self, member_id: int) -> list[Notice]:
        """Telegram said 403 for this member: record it; tell the coordinators the first time."""
        now = self.clock()
        with self.store.unit_of_work() as uow:
            member = uow.get_member(member_id)
            if member is None or not uow.mark_unreachable(member_id, now):
                return []
            alliance = uow.get_alliance(member.alliance_id)
            person = uow.get_person(member.person_id)
            org = uow.get_organisation(member.organisation_id) \
                if member.organisation_id is not None else None
            if alliance is None or person is None or (org is None and not rules.is_tiers(member)):
                return []
            message = self.say.unreachable(person.display_name,
                                           org.name if org else self.say.tiers_label, alliance)
            notices = []
            for other in uow.members(alliance.id):
                coordinator = uow.get_person(other.person_id)
                if rules.is_coordinator(other) and other.id != member_id and coordinator:
                    notices.append(Notice(coordinator.channel, coordinator.external_id, message))
            return notices

    def _who_finished(self, uow: UnitOfWork, alliance: Alliance, phase: str,
                      tiers: bool = False) -> Outgoing:
        previous = previous_phase(phase)
        assert previous is not None, "no phase reminder opens the first phase"
        total = len(self.charter.levers)
        done, not_done = [], []
        for m in uow.members(alliance.id):
            if rules.is_tiers(m) or rules.is_pending(m):  # they walk no charter (yet)
                continue
            person = uow.get_person(m.person_id)
            org = uow.get_organisation(m.organisation_id) if m.organisation_id else None
            name = self.say.who(person.display_name if person else "", org.name if org else "")
            count = len(uow.latest_answers(m.id, previous))
            (done if count >= total else not_done).append(name)
        return self.say.who_finished(previous, done, not_done, tiers)
