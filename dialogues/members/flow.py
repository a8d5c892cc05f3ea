"""Members and personal data: /membres, /quitter, /oubli, /mes_donnees. Pure."""

from __future__ import annotations

from dialogues.content.markup import Html, cut
from dialogues.content.script import Script
from dialogues.core import rules
from dialogues.core.context import MemberInfo, Need
from dialogues.core.effects import ChangeMember, DecideArrival, Erase, Leave
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
            "quitter": CommandRoute(self._cmd_leave, Access.JOINED),
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
        waiting = rules.is_pending(target.member)
        if data.action in ("accept", "refuse"):
            return self._decide(turn, target, data.action, data.confirmed) if waiting else None
        if waiting or (data.action in ("hand", "co")
                       and not rules.may_coordinate_later(target.member)):
            return None  # a newcomer is accepted or refused; a tiers never coordinates
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

    def _decide(self, turn: Turn, target: MemberInfo, action: str, confirmed: bool) -> Step:
        """Accept a newcomer waiting for the coordination, or refuse them after « Oui »."""
        ctx = turn.ctx
        assert ctx.member is not None and ctx.alliance is not None
        s = self.s
        if action == "refuse" and not confirmed:
            return turn.reply(self._confirm(target, "refuse", ctx.member.id))
        key = "arrivals.accepted" if action == "accept" else "arrivals.refused"
        return turn.reply(Outgoing(s.say(key, name=target.name or "—"), edit=True),
                          effects=(DecideArrival(ctx.alliance.id, target.member_id, action),))

    def _list(self, turn: Turn) -> Outgoing:
        s = self.s
        ctx = turn.ctx
        assert ctx.member is not None and ctx.alliance is not None and ctx.phase is not None
        me = ctx.member.id
        coordinator = rules.may_coordinate(ctx.member, ctx.alliance)
        lines = [s.say("members.title", alliance=ctx.alliance.name,
                       phase=s.phases[ctx.phase].name)]
        organisations: dict[str, list[MemberInfo]] = {}
        accompanying: list[MemberInfo] = []
        for m in ctx.loaded.members:
            if rules.is_tiers(m.member):
                accompanying.append(m)
            else:
                organisations.setdefault(m.organisation, []).append(m)
        for organisation, members in organisations.items():
            lines.append(s.say("members.organisation", organisation=organisation))
            for m in members:
                if rules.is_pending(m.member):
                    lines.append(s.say("members.line_pending", name=m.name or "—",
                                       role=s.roles[m.role]))
                    continue
                lines.append(s.say("members.line", name=m.name or "—", role=s.roles[m.role],
                                   answered=m.answered, total=self.total,
                                   done=Html("✅" if m.answered >= self.total else "")))
        if accompanying:
            lines.append(s.say("members.tiers_title"))
            for m in accompanying:
                key = "members.line_pending" if rules.is_pending(m.member) else "members.line_tiers"
                lines.append(s.say(key, name=m.name or "—", role=s.roles[m.role]))
        if any(rules.may_read_alliance(m.member) for m in accompanying):
            lines.append(s.say("members.tiers_note"))
        rows: list[tuple[Button, ...]] = []
        if coordinator:
            lines.append(s.say("members.coordinator_hint"))
            rows = [(MemberButton(me, m.member_id, "show").button(
                        cut(s.button("manage", name=m.name or "—"), 32)),)
                    for m in ctx.loaded.members if m.member_id != me]
        return Outgoing("\n".join(lines), tuple(rows))

    def _actions(self, target: MemberInfo, me: int) -> Outgoing:
        s = self.s
        if rules.is_tiers(target.member):
            text = s.say("members.manage_tiers", name=target.name)
        else:
            text = s.say("members.manage", name=target.name, organisation=target.organisation,
                         role=s.roles[target.role])
        if rules.is_pending(target.member):  # a newcomer the coordination has to confirm
            name = cut(target.name or "—", 40)
            rows = [(MemberButton(me, target.member_id, "accept").button(
                        s.button("arrival_accept").format(name=name)),
                     MemberButton(me, target.member_id, "refuse").button(
                        s.button("arrival_refuse").format(name=name)),)]
            return Outgoing(text, tuple(rows), edit=True)
        rows = [(MemberButton(me, target.member_id, "remove").button(s.button("member_remove")),)]
        if rules.may_coordinate_later(target.member):  # never a tiers de confiance
            rows.append((MemberButton(me, target.member_id, "hand").button(
                s.button("member_hand")),))
            if target.role != rules.COORDINATOR:
                rows.append((MemberButton(me, target.member_id, "co").button(
                    s.button("member_co")),))
        return Outgoing(text, tuple(rows), edit=True)

    def _confirm(self, target: MemberInfo, action: str, me: int) -> Outgoing:
        s = self.s
        yes = MemberButton(me, target.member_id, action, True).button(s.button("confirm"))  # type: ignore[arg-type]
        no = MemberButton(me, target.member_id, "show").button(s.button("cancel"))
        organisation = target.organisation or s.roles[rules.TIERS]
        if action == "refuse":
            return Outgoing(s.say("arrivals.confirm_refuse", name=target.name or "—",
                                  who=organisation), ((yes, no),), edit=True)
        return Outgoing(s.say(f"members.confirm_{action}", name=target.name,
                              organisation=organisation), ((yes, no),), edit=True)

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
