"""Reminders: planned rows in the database; when one fires, it is re-read and re-checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from dialogues.content.charter import Charter
from dialogues.content.dates import show_date
from dialogues.content.markup import Html
from dialogues.content.script import Script
from dialogues.core.domain import PHASES, Alliance, Member
from dialogues.core.outgoing import Button, Outgoing
from dialogues.core.phases import current_phase
from dialogues.core.ports import Store, UnitOfWork
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
    def __init__(self, store: Store, charter: Charter, script: Script,
                 clock: Callable[[], datetime], policy: Policy) -> None:
        self.store = store
        self.charter = charter
        self.s = script
        self.clock = clock
        self.policy = policy
        self.started_at = clock()  # what fell due before this is late: the bot was stopped

    # --- planning (called inside the transaction that changed the alliance) -----------------

    def replan(self, uow: UnitOfWork, alliance_id: int) -> None:
        alliance = uow.get_alliance(alliance_id)
        if alliance is None:
            return
        now = self.clock()
        for member in uow.members(alliance_id):
            for p in plan(alliance, member, self.policy):
                # A date set in the past is due now, not "late".
                uow.plan_reminder(alliance_id, p.member_id, p.kind, p.phase, p.seq,
                                  max(p.due_at, now))

    # --- firing -----------------------------------------------------------------------------

    def next_due(self) -> datetime | None:
        with self.store.unit_of_work() as uow:
            return uow.next_due_at()

    def due(self, limit: int = BATCH) -> list[int]:
        with self.store.unit_of_work() as uow:
            return uow.due_reminders(self.clock(), limit)

    def prepare(self, reminder_id: int) -> Delivery | None:
        """Re-read the reminder; if it still applies, mark it sent and return what to send.

        Marked sent before sending, in its own transaction: a reminder is never sent twice,
        even across quick restarts (a crash between the commit and the send loses it).
        """
        now = self.clock()
        with self.store.unit_of_work() as uow:
            reminder = uow.get_reminder(reminder_id)
            if reminder is None:
                return None
            alliance = uow.get_alliance(reminder.alliance_id)
            member = uow.get_member(reminder.member_id)
            phase = current_phase(alliance, now) if alliance else None
            finished = member is not None and len(
                uow.latest_answers(member.id, reminder.phase)) >= len(self.charter.levers)
            decision = decide(reminder, alliance, member, phase, finished, now, self.policy,
                              self.started_at)
            if decision.action == "skip":
                uow.cancel_reminder(reminder.id, now)
                return None
            if decision.action == "later" and decision.when is not None:
                uow.plan_reminder(reminder.alliance_id, reminder.member_id, reminder.kind,
                                  reminder.phase, reminder.seq, decision.when)
                return None
            assert alliance is not None and member is not None
            person = uow.get_person(member.person_id)
            if person is None or not uow.claim_reminder(reminder.id, now):
                return None
            if reminder.kind == "nudge":
                messages = (self._nudge(uow, alliance, member, reminder.phase),)
                return Delivery(reminder.id, member.id, person.channel, person.external_id,
                                _late(self.s, decision.late, messages))
            messages = [self._phase_open(alliance, member, reminder.phase)]
            if member.role == "coordinator":
                messages.append(self._who_finished(uow, alliance, reminder.phase))
            group = alliance.group_chat_id if _first_coordinator(uow, alliance, member) else None
            group_messages = (Outgoing(self.s.say("reminder.group", alliance=alliance.name,
                                                  phase=self.s.phases[reminder.phase].label)),)
            return Delivery(reminder.id, member.id, person.channel, person.external_id,
                            _late(self.s, decision.late, tuple(messages)), group,
                            group_messages if group else ())

    def unreachable(self, member_id: int) -> list[Notice]:
        """Telegram said 403 for this member: record it; tell the coordinators the first time."""
        now = self.clock()
        with self.store.unit_of_work() as uow:
            member = uow.get_member(member_id)
            if member is None or not uow.mark_unreachable(member_id, now):
                return []
            alliance = uow.get_alliance(member.alliance_id)
            person = uow.get_person(member.person_id)
            org = uow.get_organisation(member.organisation_id)
            if alliance is None or person is None or org is None:
                return []
            text = self.s.say("reminder.unreachable", person=person.display_name,
                              organisation=org.name, alliance=alliance.name)
            notices = []
            for other in uow.members(alliance.id):
                coordinator = uow.get_person(other.person_id)
                if other.role == "coordinator" and other.id != member_id and coordinator:
                    notices.append(Notice(coordinator.channel, coordinator.external_id,
                                          Outgoing(text)))
            return notices

    # --- messages ---------------------------------------------------------------------------

    def _phase_open(self, alliance: Alliance, member: Member, phase: str) -> Outgoing:
        s = self.s
        text = s.say(f"reminder.phase.{phase}", alliance=alliance.name,
                     phase=s.phases[phase].label,
                     end=show_date(alliance.end_at, alliance.timezone))
        return Outgoing(text, ((Button(s.button("reevaluate"), f"c:{member.id}"),),))

    def _nudge(self, uow: UnitOfWork, alliance: Alliance, member: Member, phase: str
               ) -> Outgoing:
        s = self.s
        answered = len(uow.latest_answers(member.id, phase))
        text = s.say("reminder.nudge", alliance=alliance.name, phase=s.phases[phase].label,
                     answered=answered, total=len(self.charter.levers))
        return Outgoing(text, ((Button(s.button("resume"), f"c:{member.id}"),
                                Button(s.button("nudges_off"), f"n:{member.id}")),))

    def _who_finished(self, uow: UnitOfWork, alliance: Alliance, phase: str) -> Outgoing:
        s = self.s
        previous = PHASES[PHASES.index(phase) - 1]
        total = len(self.charter.levers)
        done, not_done = [], []
        for m in uow.members(alliance.id):
            person = uow.get_person(m.person_id)
            org = uow.get_organisation(m.organisation_id)
            name = s.say("reminder.who", person=person.display_name if person else "",
                         organisation=org.name if org else "")
            count = len(uow.latest_answers(m.id, previous))
            (done if count >= total else not_done).append(name)
        return Outgoing(s.say("reminder.coordinator", phase=s.phases[previous].label,
                              done=Html(", ".join(done) or "—"),
                              not_done=Html(", ".join(not_done) or "—")))


def _first_coordinator(uow: UnitOfWork, alliance: Alliance, member: Member) -> bool:
    coordinators = [m.id for m in uow.members(alliance.id) if m.role == "coordinator"]
    return bool(coordinators) and coordinators[0] == member.id


def _late(script: Script, late: bool, messages: tuple[Outgoing, ...]) -> tuple[Outgoing, ...]:
    if not late:
        return messages
    return (Outgoing(script.say("reminder.late")), *messages)
