"""The coordination's settings: /inviter (the code, replacing it), /reglages (anonymity),
/archiver (read-only after the end), and /lier CODE in a group chat. Pure."""

from __future__ import annotations

from dialogues.content.markup import Html
from dialogues.content.script import Script
from dialogues.core import rules
from dialogues.core.context import CodeLookup, Need
from dialogues.core.effects import Archive, LinkGroup, ReplaceCode, SetAnonymous, SetComparison
from dialogues.core.events import Command, GroupCommand
from dialogues.core.outgoing import Button, Outgoing
from dialogues.core.routes import Access, ButtonRoute, CommandRoute, FormRoute, GroupRoute
from dialogues.core.session import Form
from dialogues.core.step import Step, Turn
from dialogues.observatory.compute import MIN_ALLIANCES
from dialogues.settings.buttons import (
    AnonymityButton,
    ArchiveButton,
    ComparisonButton,
    InviteButton,
)


class Settings:
    def __init__(self, script: Script) -> None:
        self.s = script
        self.commands = {
            "inviter": CommandRoute(self._cmd_invite, Access.MEMBER),
            "reglages": CommandRoute(self._cmd_settings, Access.MEMBER),
            "archiver": CommandRoute(self._cmd_archive, Access.MEMBER),
        }
        self.buttons = {
            InviteButton: ButtonRoute(self._on_invite, lambda data: (
                (Need.FRESH_CODE,) if data.action == "yes" else ())),
            AnonymityButton: ButtonRoute(self._on_anonymity),
            ComparisonButton: ButtonRoute(self._on_comparison),
            ArchiveButton: ButtonRoute(self._on_archive),
        }
        self.forms = {
            "invite": FormRoute(self._type_or_press, self._ask_again),
            "archive": FormRoute(self._type_or_press, self._ask_again),
        }
        self.group_commands = {
            "lier": GroupRoute(self._group_link, needs=lambda cmd: (
                (CodeLookup(cmd.arg.strip()),) if cmd.arg.strip() else ())),
        }

    # --- /inviter ---------------------------------------------------------------------------

    def _cmd_invite(self, turn: Turn, cmd: Command) -> Step:
        assert turn.ctx.alliance is not None
        return turn.reply(self.invitation(turn, turn.ctx.alliance.invite_code))

    def invitation(self, turn: Turn, code: str) -> Outgoing:
        """The code and link to send partners; a coordinator may replace the code."""
        ctx = turn.ctx
        assert ctx.member is not None and ctx.alliance is not None
        s = self.s
        lines = [s.say("invite.show", alliance=ctx.alliance.name, code=code)]
        if ctx.invite_link:
            lines.append(s.say("new.created_link", link=f"{ctx.invite_link}{code}"))
        buttons: tuple[tuple[Button, ...], ...] = ()
        if rules.may_coordinate(ctx.member, ctx.alliance):
            buttons = ((InviteButton(ctx.member.id, "new").button(s.button("invite_new")),),)
        return Outgoing("\n\n".join(lines), buttons)

    def _on_invite(self, turn: Turn, data: InviteButton) -> Step | None:
        ctx = turn.ctx
        me = ctx.member
        if me is None or data.me != me.id or not rules.may_coordinate(me, ctx.alliance):
            return None
        s = self.s
        if data.action == "new":
            ask = Outgoing(s.say("invite.confirm"), self._invite_buttons(me.id), edit=True)
            return turn.reply(ask, session=turn.with_session(form=Form("invite", "confirm")))
        form = turn.session.form
        if form is None or form.kind != "invite":
            return None
        done = turn.with_session(form=None)
        if data.action == "no":
            return turn.reply(Outgoing(s.say("cancelled"), edit=True), session=done)
        code = ctx.loaded.fresh_code
        assert code is not None
        return turn.reply(Outgoing(s.say("invite.replaced"), edit=True),
                          self.invitation(turn, code), effects=(ReplaceCode(code),),
                          session=done)

    def _invite_buttons(self, me: int) -> tuple[tuple[Button, ...], ...]:
        s = self.s
        return ((InviteButton(me, "yes").button(s.button("invite_yes")),
                 InviteButton(me, "no").button(s.button("cancel"))),)

    # --- /reglages --------------------------------------------------------------------------

    def _cmd_settings(self, turn: Turn, cmd: Command) -> Step:
        assert turn.ctx.alliance is not None
        return turn.reply(self._settings(turn, turn.ctx.alliance.anonymous))

    def _settings(self, turn: Turn, anonymous: bool, edit: bool = False,
                  comparison: bool | None = None) -> Outgoing:
        ctx = turn.ctx
        assert ctx.member is not None and ctx.alliance is not None
        s = self.s
        if not rules.may_coordinate(ctx.member, ctx.alliance):
            return Outgoing(s.say("settings.coordinator_only"))
        mode = s.say("settings.mode.anonymous" if anonymous else "settings.mode.named")
        key = "settings_named" if anonymous else "settings_anonymous"
        button = AnonymityButton(ctx.member.id, not anonymous).button(s.button(key))
        # The observatory's comparison between alliances (issue 13): off until agreed.
        compared = ctx.alliance.comparison if comparison is None else comparison
        compare = ComparisonButton(ctx.member.id, not compared).button(
            s.button("settings_compare_off" if compared else "settings_compare_on"))
        text = "\n".join((
            s.say("settings.show", alliance=ctx.alliance.name, mode=Html(mode)),
            s.say("settings.comparison.on") if compared
            else s.say("settings.comparison.off", min=MIN_ALLIANCES)))
        return Outgoing(text, ((button,), (compare,)), edit=edit)

    def _on_anonymity(self, turn: Turn, data: AnonymityButton) -> Step | None:
        ctx = turn.ctx
        if ctx.member is None or data.me != ctx.member.id \
                or not rules.may_coordinate(ctx.member, ctx.alliance):
            return None
        return turn.reply(self._settings(turn, data.anonymous, edit=True),
                          effects=(SetAnonymous(data.anonymous),))

    def _on_comparison(self, turn: Turn, data: ComparisonButton) -> Step | None:
        ctx = turn.ctx
        if ctx.member is None or ctx.alliance is None or data.me != ctx.member.id \
                or not rules.may_coordinate(ctx.member, ctx.alliance):
            return None
        return turn.reply(self._settings(turn, ctx.alliance.anonymous, edit=True,
                                         comparison=data.comparison),
                          effects=(SetComparison(data.comparison),))

    # --- /archiver --------------------------------------------------------------------------

    def _cmd_archive(self, turn: Turn, cmd: Command) -> Step:
        ctx = turn.ctx
        s = self.s
        if not rules.may_coordinate(ctx.member, ctx.alliance):
            return turn.reply(Outgoing(s.say("settings.coordinator_only")))
        if not rules.may_archive(ctx.member, ctx.alliance, ctx.phase):
            return turn.reply(Outgoing(s.say("archive.not_yet")))
        return turn.reply(self._ask_archive(turn),
                          session=turn.with_session(form=Form("archive", "confirm")))

    def _ask_archive(self, turn: Turn) -> Outgoing:
        ctx = turn.ctx
        assert ctx.member is not None and ctx.alliance is not None
        s = self.s
        me = ctx.member.id
        return Outgoing(s.say("archive.confirm", alliance=ctx.alliance.name),
                        ((ArchiveButton(me, True).button(s.button("archive_yes")),
                          ArchiveButton(me, False).button(s.button("cancel"))),))

    def _on_archive(self, turn: Turn, data: ArchiveButton) -> Step | None:
        ctx = turn.ctx
        form = turn.session.form
        if form is None or form.kind != "archive" or ctx.member is None \
                or data.me != ctx.member.id or ctx.alliance is None:
            return None
        done = turn.with_session(form=None)
        if not data.archive:
            return turn.reply(Outgoing(self.s.say("cancelled"), edit=True), session=done)
        if not rules.may_archive(ctx.member, ctx.alliance, ctx.phase):
            return None
        text = self.s.say("archive.done", alliance=ctx.alliance.name)
        return turn.reply(Outgoing(text, edit=True), effects=(Archive(),), session=done,
                          walk=None)

    # --- /lier CODE, in a group -------------------------------------------------------------

    def _group_link(self, turn: Turn, cmd: GroupCommand) -> Step:
        s = self.s
        if not cmd.arg.strip():
            return turn.reply(Outgoing(s.say("group.ask_code")))
        invitation = turn.ctx.loaded.invitation
        if invitation is None or not rules.may_link_group(invitation.member):
            return turn.reply(Outgoing(s.say("group.refused")))
        return turn.reply(Outgoing(s.say("group.linked", alliance=invitation.alliance.name)),
                          effects=(LinkGroup(invitation.alliance.id, cmd.chat_id),))

    # --- a yes/no question waits ------------------------------------------------------------

    def _type_or_press(self, turn: Turn, text: str) -> Step:
        return turn.reply(Outgoing(self.s.say("walk.type_or_press")), *self._ask_again(turn))

    def _ask_again(self, turn: Turn) -> tuple[Outgoing, ...]:
        form = turn.session.form
        ctx = turn.ctx
        if ctx.member is None or ctx.alliance is None or form is None:
            return ()
        if form.kind == "archive":
            return (self._ask_archive(turn),)
        return (Outgoing(self.s.say("invite.confirm"), self._invite_buttons(ctx.member.id)),)
