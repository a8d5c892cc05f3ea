"""Reminders in the conversation: what a reminder says (a phase opening, a nudge, the
coordinator's list of who finished), and « Ne plus me rappeler »."""

from __future__ import annotations

from collections.abc import Sequence

from dialogues.content.dates import long_date
from dialogues.content.markup import Html
from dialogues.content.script import Script
from dialogues.core import rules
from dialogues.core.context import Need
from dialogues.core.domain import Alliance, Member
from dialogues.core.effects import NudgesOff
from dialogues.core.outgoing import Outgoing
from dialogues.core.routes import ButtonRoute
from dialogues.core.step import Step, Turn
from dialogues.reminders.buttons import NudgesOffButton
from dialogues.walk.buttons import StartWalk


class Reminders:
    def __init__(self, script: Script, total_levers: int) -> None:
        self.s = script
        self.total = total_levers
        self.commands: dict = {}
        self.buttons = {NudgesOffButton: ButtonRoute(self._on_nudges_off,
                                                     lambda data: (Need.MEMBERSHIPS,))}
        self.forms: dict = {}
        self.group_commands: dict = {}

    def phase_open(self, alliance: Alliance, member: Member, phase: str) -> Outgoing:
        s = self.s
        if rules.is_tiers(member):  # no walk: the list of who finished follows
            return Outgoing(s.say("reminder.phase_tiers", alliance=alliance.name,
                                  phase=s.phases[phase].label))
        text = s.say(f"reminder.phase.{phase}", alliance=alliance.name,
                     phase=s.phases[phase].label,
                     end=long_date(alliance.end_at, self.s.dates, alliance.timezone))
        return Outgoing(text, ((StartWalk(member.id).button(s.button("reevaluate")),),))

    @property
    def tiers_label(self) -> str:
        """How a tiers de confiance is named where an organisation would be."""
        return self.s.roles[rules.TIERS]

    def nudge(self, alliance: Alliance, member: Member, phase: str, answered: int) -> Outgoing:
        s = self.s
        text = s.say("reminder.nudge", alliance=alliance.name, phase=s.phases[phase].name,
                     answered=answered, total=self.total)
        return Outgoing(text, ((StartWalk(member.id).button(s.button("resume")),
                                NudgesOffButton(member.id).button(s.button("nudges_off"))),))

    def who_finished(self, previous: str, done: Sequence[str], not_done: Sequence[str],
                     tiers: bool = False) -> Outgoing:
        """For the coordination, or for the tiers de confiance (`tiers`)."""
        s = self.s
        key = "reminder.for_tiers" if tiers else "reminder.coordinator"
        return Outgoing(s.say(key, phase=s.phases[previous].label,
                              done=Html(", ".join(done) or "—"),
                              not_done=Html(", ".join(not_done) or "—")))

    def who(self, person: str, organisation: str) -> str:
        return self.s.say("reminder.who", person=person, organisation=organisation)

    def group(self, alliance: Alliance, phase: str) -> Outgoing:
        return Outgoing(self.s.say("reminder.group", alliance=alliance.name,
                                   phase=self.s.phases[phase].label))

    def unreachable(self, person: str, organisation: str, alliance: Alliance) -> Outgoing:
        return Outgoing(self.s.say("reminder.unreachable", person=person,
                                   organisation=organisation, alliance=alliance.name))

    def late(self, messages: tuple[Outgoing, ...]) -> tuple[Outgoing, ...]:
        return (Outgoing(self.s.say("reminder.late")), *messages)

    def repeat(self, messages: tuple[Outgoing, ...]) -> tuple[Outgoing, ...]:
        """A delivery was cut short (the bot stopped while sending): it may be a repeat."""
        return (Outgoing(self.s.say("reminder.repeat")), *messages)

    def _on_nudges_off(self, turn: Turn, data: NudgesOffButton) -> Step | None:
        mine = next((m for m in turn.ctx.loaded.memberships if m.member_id == data.member), None)
        if mine is None:
            return None
        text = self.s.say("reminder.nudges_off_done", alliance=mine.alliance_name)
        return turn.reply(Outgoing(text, edit=True), effects=(NudgesOff(mine.member_id),))
