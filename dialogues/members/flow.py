"""Members and personal data: /membres, /quitter, /oubli, /mes_donnees. Pure."""

from __future__ import annotations

from dialogues.content.markup import Html, cut
from dialogues.content.script import Script
from dialogues.core import rules
from dialogues.core.context import MemberInfo, Need
from dialogues.core.effects import ChangeMember, Erase, Leave
from dialogues.core.events import Command
from dialogues.core.outgoing import Attachment, Button, Outgoing
from dialogues.core.routes import Access, ButtonRoute, CommandRoute, FormRoute, needs
from dialogues.core.session import Form, Session
from dialogues.core.step import Step, Turn
from dialogues.members.buttons import EraseButton, LeaveButton, MemberButton

CONFIRMED = ("remove", "hand")  # actions that ask « are you sure? » first
DONE_KEYS = {"remove": "members.removed", "hand": "members.handed",
             "co": "members.added_coordinator"}


class Members:
    def __init__(self, script: Script, total_levers: int) -> None:
        self.s = script
        self.total = total_levers
        self.commands = {
            "membres": CommandRoute(self._cmd_members, Access.MEMBER, needs(Need.MEMBERS)),
            "quitter": CommandRoute(self._cmd_leave, Access.MEMBER),
            "oubli": CommandRoute(self._cmd_erase),
            "mes_donnees": CommandRoute(self._cmd_data, needs=needs(Need.PERSON_DATA)),
        }
        self.buttons = {
            MemberButton: ButtonRoute(self._on_member, needs(Need.MEMBERS)),
            LeaveButton: ButtonRoute(self._on_leave, needs(Need.MEMBERS)),
            EraseButton: ButtonRoute(self._on_erase),
        }
        self.forms = {
            "leave": FormRoute(self._type_or_press, self._ask_again),
            "erase": FormRoute(self._type_or_press, self._ask_again),
        }
        self.group_commands: dict = {}

    # --- /membres ---------------------------------------------------------------------------

    def _cmd_members(self, turn: Turn, cmd: Command) -> Step:
        return turn.reply(self._list(turn))

    def _on_member(self, turn: Turn, data: MemberButton) -> Step | None:
        ctx = turn.ctx
        me = ctx.member
        members = ctx.loaded.members
        target = next((m for m in members if m.member_id == data.target), None)
        if me is None or data.me != me.id or target is None \
                or not rules.may_manage(me, target.member):
            return None
        if data.action == "show":
            return turn.reply(self._actions(target, me.id))
        if data.action == "co" and target.role == rules.COORDINATOR:
            return None
        if data.action in CONFIRMED and not data.confirmed:
            return turn.reply(self._confirm(target, data.action, me.id))
        if data.action not in CONFIRMED and data.confirmed:
            return None
        alliance = ctx.alliance.name if ctx.alliance else ""
        if data.action == "remove" and not rules.may_remove(
                target.member, [m.member for m in members]):
            text = self.s.say("members.last_coordinator", name=target.name, alliance=alliance)
            return turn.reply(Outgoing(text, edit=True))
        text = self.s.say(DONE_KEYS[data.action], name=target.name, alliance=alliance)
        return turn.reply(Outgoing(text, edit=True),
                          effects=(ChangeMember(target.member_id, data.action),))

    def _list(self, turn: Turn) -> Outgoing:
        s = self.s
        ctx = turn.ctx
        assert ctx.member is not None and ctx.alliance is not None and ctx.phase is not None
        me = ctx.member.id
        coordinator = rules.may_coordinate(ctx.member, ctx.alliance)
        lines = [s.say("members.title", alliance=ctx.alliance.name,
                       phase=s.phases[ctx.phase].name)]
        organisations: dict[str, list[MemberInfo]] = {}
        for m in ctx.loaded.members:
            organisations.setdefault(m.organisation, []).append(m)
        for organisation, members in organisations.items():
            lines.append(s.say("members.organisation", organisation=organisation))
            for m in members:
                lines.append(s.say("members.line", name=m.name or "—", role=s.roles[m.role],
                                   answered=m.answered, total=self.total,
                                   done=Html("✅" if m.answered >= self.total else "")))
        rows: list[tuple[Button, ...]] = []
        if coordinator:
            lines.append(s.say("members.coordinator_hint"))
            rows = [(MemberButton(me, m.member_id, "show").button(
                        cut(s.button("manage", name=m.name or "—"), 32)),)
                    for m in ctx.loaded.members if m.member_id != me]
        return Outgoing("\n".join(lines), tuple(rows))

    def _actions(self, target: MemberInfo, me: int) -> Outgoing:
        s = self.s
        rows = [(MemberButton(me, target.member_id, "remove").button(s.button("member_remove")),),
                (MemberButton(me, target.member_id, "hand").button(s.button("member_hand")),)]
        if target.role != rules.COORDINATOR:
            rows.append((MemberButton(me, target.member_id, "co").button(s.button("member_co")),))
        text = s.say("members.manage", name=target.name, organisation=target.organisation,
                     role=s.roles[target.role])
        return Outgoing(text, tuple(rows), edit=True)

    def _confirm(self, target: MemberInfo, action: str, me: int) -> Outgoing:
        s = self.s
        yes = MemberButton(me, target.member_id, action, True).button(s.button("confirm"))  # type: ignore[arg-type]
        no = MemberButton(me, target.member_id, "show").button(s.button("cancel"))
        return Outgoing(s.say(f"members.confirm_{action}", name=target.name,
                              organisation=target.organisation), ((yes, no),), edit=True)

    # --- /quitter ---------------------------------------------------------------------------

    def _cmd_leave(self, turn: Turn, cmd: Command) -> Step:
        return turn.reply(self._ask_leave(turn), session=turn.with_session(
            form=Form("leave", "confirm")))

    def _ask_leave(self, turn: Turn) -> Outgoing:
        s = self.s
        ctx = turn.ctx
        assert ctx.member is not None and ctx.alliance is not None
        me = ctx.member.id
        return Outgoing(s.say("leave.confirm", alliance=ctx.alliance.name),
                        ((LeaveButton(me, True).button(s.button("leave_yes")),
                          LeaveButton(me, False).button(s.button("cancel"))),))

    def _on_leave(self, turn: Turn, data: LeaveButton) -> Step | None:
        ctx = turn.ctx
        form = turn.session.form
        if form is None or form.kind != "leave" or ctx.member is None \
                or data.me != ctx.member.id or ctx.alliance is None:
            return None
        done = turn.with_session(form=None)
        if not data.leave:
            return turn.reply(Outgoing(self.s.say("cancelled"), edit=True), session=done)
        members = [m.member for m in ctx.loaded.members]
        alliance = ctx.alliance.name
        if not rules.may_leave(ctx.member, members):
            text = self.s.say("leave.last_coordinator", alliance=alliance)
            return turn.reply(Outgoing(text, edit=True), session=done)
        return turn.reply(Outgoing(self.s.say("leave.done", alliance=alliance), edit=True),
                          effects=(Leave(),), session=done, walk=None)

    # --- /oubli and /mes_donnees ------------------------------------------------------------

    def _cmd_erase(self, turn: Turn, cmd: Command) -> Step:
        return turn.reply(self._ask_erase(), session=turn.with_session(
            form=Form("erase", "confirm")))

    def _ask_erase(self) -> Outgoing:
        s = self.s
        return Outgoing(s.say("erase.confirm"), (
            (EraseButton("keep").button(s.button("erase_keep_answers")),),
            (EraseButton("all").button(s.button("erase_all")),),
            (EraseButton("no").button(s.button("cancel")),),
        ))

    def _on_erase(self, turn: Turn, data: EraseButton) -> Step | None:
        form = turn.session.form
        if form is None or form.kind != "erase":
            return None
        if data.choice == "no":
            return turn.reply(Outgoing(self.s.say("cancelled"), edit=True),
                              session=turn.with_session(form=None))
        everything = data.choice == "all"
        text = self.s.say("erase.done_all" if everything else "erase.done")
        return turn.reply(Outgoing(text, edit=True), effects=(Erase(delete_answers=everything),),
                          session=Session(), walk=None)

    def _cmd_data(self, turn: Turn, cmd: Command) -> Step:
        data = turn.ctx.loaded.person_data or "{}"
        return turn.reply(Outgoing(self.s.say("data.caption"), attachment=Attachment(
            "document", "mes-donnees-charte-bot.json", data.encode("utf-8"))))

    # --- a yes/no question waits ------------------------------------------------------------

    def _type_or_press(self, turn: Turn, text: str) -> Step:
        return turn.reply(Outgoing(self.s.say("walk.type_or_press")), *self._ask_again(turn))

    def _ask_again(self, turn: Turn) -> tuple[Outgoing, ...]:
        form = turn.session.form
        if form is not None and form.kind == "leave" and turn.ctx.member is not None \
                and turn.ctx.alliance is not None:
            return (self._ask_leave(turn),)
        if form is not None and form.kind == "erase":
            return (self._ask_erase(),)
        return ()
