"""The contrat de confiance (/accord): what the alliance retained per lever for a phase, by
family, with the dates and who led the séances; each organisation validates it with « Nous
validons » (in a private chat). Pure."""

from __future__ import annotations

from dialogues.accord.buttons import AccordButton
from dialogues.accord.contrat import VALIDATED, Contrats
from dialogues.content.charter import Charter
from dialogues.content.dates import show_date
from dialogues.content.script import Script
from dialogues.core import rules
from dialogues.core.agreements import Accord
from dialogues.core.context import AccordLookup
from dialogues.core.effects import ValidateAccord
from dialogues.core.events import Command, GroupCommand
from dialogues.core.outgoing import Button, Outgoing
from dialogues.core.phases import current_phase
from dialogues.core.routes import Access, ButtonRoute, CommandRoute, GroupRoute
from dialogues.core.step import Step, Turn


class Accords:
    def __init__(self, charter: Charter, script: Script) -> None:
        self.charter = charter
        self.s = script
        self.contrats = Contrats(charter, script)
        self.commands = {
            "accord": CommandRoute(self._cmd_accord, Access.MEMBER,
                                   lambda cmd: (AccordLookup(),)),
        }
        self.buttons = {
            AccordButton: ButtonRoute(self._on_button,
                                      lambda data: (AccordLookup(alliance_id=data.alliance),)),
        }
        self.forms: dict = {}
        self.group_commands = {
            "accord": GroupRoute(self._group_accord,
                                 lambda cmd: (AccordLookup(chat_id=cmd.chat_id),)),
        }

    def _cmd_accord(self, turn: Turn, cmd: Command) -> Step:
        accord = turn.ctx.loaded.accord
        if accord is None:
            return turn.reply(Outgoing(self.s.say("no_alliance")))
        phase = self._phase(cmd.arg, accord, turn)
        return turn.reply(*self.show(accord, phase, private=True))

    def _group_accord(self, turn: Turn, cmd: GroupCommand) -> Step:
        accord = turn.ctx.loaded.accord
        if accord is None:
            return turn.reply(Outgoing(self.s.say("group.not_linked")))
        return turn.reply(*self.show(accord, self._phase(cmd.arg, accord, turn), private=False))

    def show(self, accord: Accord, phase: str, private: bool) -> tuple[Outgoing, ...]:
        """The contrat; in a private chat, « Nous validons » for whoever speaks for an
        organisation that has not validated it as it stands."""
        s = self.s
        shown = self.contrats.show(accord, phase)
        newest = accord.newest_id(phase)
        if not newest:
            return tuple(shown)
        if not private:
            return (*shown, Outgoing(s.say("accord.validate_in_private")))
        rows: list[tuple[Button, ...]] = []
        member = accord.member
        if rules.may_vote(member, accord.alliance):
            assert member is not None
            state, _ = self.contrats.status(accord, phase, member.organisation_id)
            if state != VALIDATED:
                rows.append((self._data(accord, phase, "validate").button(
                    s.button("accord_validate")),))
        rows.append((self._data(accord, phase, "pdf").button(s.button("accord_pdf")),))
        hint = "accord.validate_hint" if len(rows) == 2 else "accord.pdf_hint"
        return (*shown, Outgoing(s.say(hint), tuple(rows)))

    def _on_button(self, turn: Turn, data: AccordButton) -> Step | None:
        s = self.s
        accord = turn.ctx.loaded.accord
        if accord is None:
            return None
        newest = accord.newest_id(data.phase)
        if not newest:
            return None
        if data.action == "pdf":
            sheet = self.contrats.sheet(accord, data.phase, turn.ctx.now)
            return turn.reply(sheet) if sheet is not None else None
        member = accord.member
        if rules.read_only(accord.alliance):
            return turn.reply(Outgoing(s.say("seance.archived", alliance=accord.alliance.name)))
        if not rules.may_vote(member, accord.alliance):
            return turn.reply(Outgoing(s.say("accord.validate_refused")))
        assert member is not None
        if data.covers != newest:
            return turn.reply(Outgoing(s.say("accord.changed")),
                              *self.show(accord, data.phase, private=True))
        names = self.contrats.names(accord)
        organisation = names.get(member.organisation_id, "")
        state, when = self.contrats.status(accord, data.phase, member.organisation_id)
        tz = accord.alliance.timezone
        if state == VALIDATED and when is not None:
            return turn.reply(Outgoing(s.say("accord.already", organisation=organisation,
                                             date=show_date(when, tz))))
        done = s.say("accord.done", organisation=organisation,
                     phase=s.phases[data.phase].label, date=show_date(turn.ctx.now, tz))
        return turn.reply(Outgoing(done),
                          effects=(ValidateAccord(accord.alliance.id, data.phase, newest),))

    def _phase(self, typed: str, accord: Accord, turn: Turn) -> str:
        """/accord [phase]: a phase named by id or label, else the alliance's current one."""
        wanted = typed.strip().casefold()
        for phase, definition in self.s.phases.items():
            if wanted and wanted in (phase, definition.label.casefold()):
                return phase
        return current_phase(accord.alliance, turn.ctx.now)

    @staticmethod
    def _data(accord: Accord, phase: str, action: str) -> AccordButton:
        return AccordButton(accord.alliance.id, phase, accord.newest_id(phase),  # type: ignore[arg-type]
                            action)  # type: ignore[arg-type]
