"""The coordination's settings: /inviter (the partners' and the tiers de confiance's codes,
replacing them, ending them at a date or after a number of uses), /reglages (anonymity,
« Valider les nouveaux membres »), /archiver (read-only after the end), and /lier CODE in a
group chat. Pure."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialogues.content.dates import Mismatch, parse_date
from dialogues.content.markup import Html
from dialogues.content.script import Script
from dialogues.core import rules
from dialogues.core.context import CodeLookup, Need
from dialogues.core.domain import Invite
from dialogues.core.effects import (
    Archive,
    LimitInvitation,
    LinkGroup,
    ReplaceCode,
    SetAnonymous,
    SetApproval,
    SetComparison,
)
from dialogues.core.events import Command, GroupCommand
from dialogues.core.outgoing import Button, Outgoing
from dialogues.core.routes import (
    Access,
    ButtonRoute,
    CommandRoute,
    FormRoute,
    GroupRoute,
    needs,
)
from dialogues.core.session import Form
from dialogues.core.step import Step, Turn
from dialogues.observatory.compute import MIN_ALLIANCES
from dialogues.settings.buttons import (
    AnonymityButton,
    ApprovalButton,
    ArchiveButton,
    ComparisonButton,
    InviteButton,
)

_CONFIRM = {"partner": "invite.confirm", "tiers": "invite.confirm_tiers"}
MAX_USES = 1000  # the most uses an invitation can be given at once
_USES = re.compile(r"^(\d{1,6})(?:\s*(?:fois|utilisations?|personnes?|x))?$")


def _of(invites: tuple[Invite, ...], kind: str) -> Invite | None:
    return next((i for i in invites if i.kind == kind), None)


def _last_day(expires_at: datetime, tz: str) -> str:
    """The last moment a code works, as people say it: « 31/03/2027 » when it ends at
    midnight (valid through that day), else with its time."""
    local = expires_at.astimezone(ZoneInfo(tz))
    if local.time() == time(0, 0):
        return (local - timedelta(days=1)).strftime("%d/%m/%Y")
    return local.strftime("%d/%m/%Y %H:%M")


class Settings:
    def __init__(self, script: Script) -> None:
        self.s = script
        self.commands = {
            "inviter": CommandRoute(self._cmd_invite, Access.MEMBER, needs(Need.INVITATIONS)),
            "reglages": CommandRoute(self._cmd_settings, Access.MEMBER),
            "archiver": CommandRoute(self._cmd_archive, Access.MEMBER),
        }
        self.buttons = {
            InviteButton: ButtonRoute(self._on_invite, lambda data: (
                (Need.INVITATIONS, Need.FRESH_CODE) if data.action in ("yes", "create")
                else (Need.INVITATIONS,))),
            AnonymityButton: ButtonRoute(self._on_anonymity),
            ApprovalButton: ButtonRoute(self._on_approval),
            ComparisonButton: ButtonRoute(self._on_comparison),
            ArchiveButton: ButtonRoute(self._on_archive),
        }
        self.forms = {
            "invite": FormRoute(self._type_or_press, self._ask_again, needs(Need.INVITATIONS)),
            "invite_limit": FormRoute(self._on_limit_text, self._ask_again,
                                      needs(Need.INVITATIONS)),
            "archive": FormRoute(self._type_or_press, self._ask_again),
        }
        self.group_commands = {
            "lier": GroupRoute(self._group_link, needs=lambda cmd: (
                (CodeLookup(cmd.arg.strip()),) if cmd.arg.strip() else ())),
        }

    # --- /inviter ---------------------------------------------------------------------------

    def _cmd_invite(self, turn: Turn, cmd: Command) -> Step:
        return turn.reply(self.invitation(turn, turn.ctx.loaded.invites),
                          session=turn.with_session(form=None))

    def invitation(self, turn: Turn, invites: tuple[Invite, ...], edit: bool = False
                   ) -> Outgoing:
        """The codes and links to send: partners' to anyone let in; the tiers de confiance's,
        their limits and what the coordination can change, to the coordination."""
        ctx = turn.ctx
        assert ctx.member is not None and ctx.alliance is not None
        s = self.s
        coordinator = rules.may_coordinate(ctx.member, ctx.alliance)
        partner = _of(invites, rules.PARTNER_INVITE)
        tiers = _of(invites, rules.TIERS_INVITE)
        lines: list[str] = []
        if partner is not None:
            lines.append(s.say("invite.show", alliance=ctx.alliance.name, code=partner.code))
            lines.extend(self._link_and_limits(turn, partner))
        if coordinator:
            if tiers is None:
                lines.append(s.say("invite.tiers_none"))
            else:
                lines.append(s.say("invite.tiers", code=tiers.code))
                lines.extend(self._link_and_limits(turn, tiers))
            lines.append(s.say("invite.approval_on" if ctx.alliance.approval
                               else "invite.approval_off"))
        buttons: tuple[tuple[Button, ...], ...] = ()
        if coordinator:
            me = ctx.member.id
            rows = [(InviteButton(me, "new").button(s.button("invite_new")),),
                    (InviteButton(me, "limit").button(s.button("invite_limit")),)]
            if tiers is None:
                rows.append((InviteButton(me, "create", "tiers").button(
                    s.button("invite_tiers")),))
            else:
                rows.append((InviteButton(me, "new", "tiers").button(
                    s.button("invite_new_tiers")),))
                rows.append((InviteButton(me, "limit", "tiers").button(
                    s.button("invite_limit_tiers")),))
            buttons = tuple(rows)
        return Outgoing("\n\n".join(lines), buttons, edit=edit)

    def _link_and_limits(self, turn: Turn, invite: Invite) -> list[str]:
        ctx = turn.ctx
        s = self.s
        lines = []
        if ctx.invite_link:
            lines.append(s.say("new.created_link", link=f"{ctx.invite_link}{invite.code}"))
        lines.append(self._limits(invite, ctx.now, ctx.timezone))
        return lines

    def _limits(self, invite: Invite, now: datetime, tz: str) -> str:
        s = self.s
        if invite.expires_at is not None and now >= invite.expires_at:
            return s.say("invite.expired", date=_last_day(invite.expires_at, tz))
        if invite.max_uses is not None and invite.uses >= invite.max_uses:
            return s.say("invite.used_up", uses=invite.uses)
        parts = []
        if invite.expires_at is not None:
            parts.append(s.say("invite.until", date=_last_day(invite.expires_at, tz)))
        if invite.max_uses is not None:
            parts.append(s.say("invite.uses_left", count=invite.max_uses - invite.uses))
        if not parts:
            return s.say("invite.no_limit")
        return s.say("invite.limited", limits=Html(" · ".join(parts)))

    def _on_invite(self, turn: Turn, data: InviteButton) -> Step | None:
        ctx = turn.ctx
        me = ctx.member
        if me is None or data.me != me.id or not rules.may_coordinate(me, ctx.alliance):
            return None
        s = self.s
        invites = ctx.loaded.invites
        current = _of(invites, data.kind)
        form = turn.session.form
        done = turn.with_session(form=None)
        if data.action == "new":
            if current is None:
                return None
            ask = Outgoing(s.say(_CONFIRM[data.kind]),
                           self._invite_buttons(me.id, data.kind), edit=True)
            form = Form("invite", "confirm", (("kind", data.kind),))
            return turn.reply(ask, session=turn.with_session(form=form))
        if data.action == "limit":
            if current is None:
                return None
            form = Form("invite_limit", "value", (("kind", data.kind),))
            return turn.reply(self._ask_limit(me.id, data.kind, edit=True),
                              session=turn.with_session(form=form))
        if data.action == "create":
            if data.kind != rules.TIERS_INVITE or current is not None:
                return None
            return self._replaced(turn, data.kind, invites, "invite.tiers_created")
        waiting = form is not None and form.kind in ("invite", "invite_limit") \
            and form.get("kind") == data.kind
        if not waiting:
            return None
        if data.action == "no":
            return turn.reply(Outgoing(s.say("cancelled"), edit=True), session=done)
        if data.action == "nolimit":
            if form is None or form.kind != "invite_limit" or current is None:
                return None
            return self._limited(turn, current, LimitInvitation(data.kind))
        if form is None or form.kind != "invite" or current is None:
            return None
        return self._replaced(turn, data.kind, invites, "invite.replaced")

    def _replaced(self, turn: Turn, kind: str, invites: tuple[Invite, ...], key: str) -> Step:
        """A new code of this kind (the current one, if any, stops working)."""
        ctx = turn.ctx
        assert ctx.alliance is not None
        code = ctx.loaded.fresh_code
        assert code is not None, "the button declares Need.FRESH_CODE"
        new = Invite(0, ctx.alliance.id, kind, code, ctx.now)
        shown = tuple(i for i in invites if i.kind != kind) + (new,)
        return turn.reply(Outgoing(self.s.say(key), edit=True),
                          self.invitation(turn, shown), effects=(ReplaceCode(code, kind),),
                          session=turn.with_session(form=None))

    def _limited(self, turn: Turn, current: Invite, effect: LimitInvitation) -> Step:
        """The invitation with its new limits, as it will be once written."""
        if effect.expires_at is None and effect.uses is None:
            changed = replace(current, expires_at=None, max_uses=None)
        else:
            changed = replace(
                current,
                expires_at=effect.expires_at if effect.expires_at is not None
                else current.expires_at,
                max_uses=current.uses + effect.uses if effect.uses is not None
                else current.max_uses)
        shown = tuple(changed if i.id == current.id else i for i in turn.ctx.loaded.invites)
        return turn.reply(Outgoing(self.s.say("invite.limit_saved")),
                          self.invitation(turn, shown), effects=(effect,),
                          session=turn.with_session(form=None))

    def _on_limit_text(self, turn: Turn, text: str) -> Step:
        """The end date or the number of uses, typed."""
        ctx = turn.ctx
        form = turn.session.form
        assert form is not None
        kind = form.get("kind") or rules.PARTNER_INVITE
        current = _of(ctx.loaded.invites, kind)
        if ctx.member is None or current is None \
                or not rules.may_coordinate(ctx.member, ctx.alliance):
            return turn.reply(Outgoing(self.s.say("cancelled")),
                              session=turn.with_session(form=None))
        count = _USES.match(text.strip().lower())
        if count is not None:
            uses = int(count.group(1))
            if not 1 <= uses <= MAX_USES:
                return self._limit_again(turn, "invite.limit_bad_count", max=MAX_USES)
            return self._limited(turn, current, LimitInvitation(kind, uses=uses))
        moment = parse_date(text, ctx.timezone, ctx.now, self.s.dates)
        if moment is None or isinstance(moment, Mismatch):
            return self._limit_again(turn, "invite.limit_not_understood")
        local = moment.astimezone(ZoneInfo(ctx.timezone))
        if local.time() == time(0, 0):  # a day without a time: valid through that day
            moment = datetime.combine(local.date() + timedelta(days=1), time(0, 0),
                                      tzinfo=ZoneInfo(ctx.timezone))
        if moment <= ctx.now:
            return self._limit_again(turn, "invite.limit_past")
        return self._limited(turn, current, LimitInvitation(kind, expires_at=moment))

    def _limit_again(self, turn: Turn, key: str, **values: object) -> Step:
        return turn.reply(Outgoing(self.s.say(key, **values)), *self._ask_again(turn))

    def _ask_limit(self, me: int, kind: str, edit: bool = False) -> Outgoing:
        s = self.s
        return Outgoing(s.say("invite.ask_limit"), (
            (InviteButton(me, "nolimit", kind).button(s.button("invite_no_limit")),  # type: ignore[arg-type]
             InviteButton(me, "no", kind).button(s.button("cancel"))),), edit=edit)  # type: ignore[arg-type]

    def _invite_buttons(self, me: int, kind: str) -> tuple[tuple[Button, ...], ...]:
        s = self.s
        return ((InviteButton(me, "yes", kind).button(s.button("invite_yes")),  # type: ignore[arg-type]
                 InviteButton(me, "no", kind).button(s.button("cancel"))),)  # type: ignore[arg-type]

    # --- /reglages --------------------------------------------------------------------------

    def _cmd_settings(self, turn: Turn, cmd: Command) -> Step:
        assert turn.ctx.alliance is not None
        alliance = turn.ctx.alliance
        return turn.reply(self._settings(turn, alliance.anonymous, alliance.approval))

    def _settings(self, turn: Turn, anonymous: bool, approval: bool, edit: bool = False,
                  comparison: bool | None = None) -> Outgoing:
        ctx = turn.ctx
        assert ctx.member is not None and ctx.alliance is not None
        s = self.s
        if not rules.may_coordinate(ctx.member, ctx.alliance):
            return Outgoing(s.say("settings.coordinator_only"))
        mode = s.say("settings.mode.anonymous" if anonymous else "settings.mode.named")
        key = "settings_named" if anonymous else "settings_anonymous"
        me = ctx.member.id
        button = AnonymityButton(me, not anonymous).button(s.button(key))
        approve = ApprovalButton(me, not approval).button(
            s.button("settings_approval_off" if approval else "settings_approval_on"))
        # The observatory's comparison between alliances (issue 13): off until agreed.
        compared = ctx.alliance.comparison if comparison is None else comparison
        compare = ComparisonButton(me, not compared).button(
            s.button("settings_compare_off" if compared else "settings_compare_on"))
        text = "\n".join((
            s.say("settings.show", alliance=ctx.alliance.name, mode=Html(mode)),
            s.say("settings.approval.on" if approval else "settings.approval.off"),
            s.say("settings.comparison.on") if compared
            else s.say("settings.comparison.off", min=MIN_ALLIANCES)))
        return Outgoing(text, ((button,), (approve,), (compare,)), edit=edit)

    def _on_anonymity(self, turn: Turn, data: AnonymityButton) -> Step | None:
        ctx = turn.ctx
        if ctx.member is None or data.me != ctx.member.id \
                or not rules.may_coordinate(ctx.member, ctx.alliance):
            return None
        assert ctx.alliance is not None
        return turn.reply(self._settings(turn, data.anonymous, ctx.alliance.approval, edit=True),
                          effects=(SetAnonymous(data.anonymous),))

    def _on_approval(self, turn: Turn, data: ApprovalButton) -> Step | None:
        ctx = turn.ctx
        if ctx.member is None or data.me != ctx.member.id \
                or not rules.may_coordinate(ctx.member, ctx.alliance):
            return None
        assert ctx.alliance is not None
        return turn.reply(self._settings(turn, ctx.alliance.anonymous, data.approval, edit=True),
                          effects=(SetApproval(data.approval),))

    def _on_comparison(self, turn: Turn, data: ComparisonButton) -> Step | None:
        ctx = turn.ctx
        if ctx.member is None or ctx.alliance is None or data.me != ctx.member.id \
                or not rules.may_coordinate(ctx.member, ctx.alliance):
            return None
        return turn.reply(self._settings(turn, ctx.alliance.anonymous, ctx.alliance.approval,
                                         edit=True, comparison=data.comparison),
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
        kind = form.get("kind") or rules.PARTNER_INVITE
        if form.kind == "invite_limit":
            return (self._ask_limit(ctx.member.id, kind),)
        return (Outgoing(self.s.say(_CONFIRM[kind]),
                         self._invite_buttons(ctx.member.id, kind)),)
