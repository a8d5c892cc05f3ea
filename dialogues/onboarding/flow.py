"""Coming in: create an alliance (/nouvelle), join one (/rejoindre, the invitation link), choose
among one's alliances (/alliances). Pure: the writes are effects.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, time

from rapidfuzz import fuzz, process

from dialogues.content.charter import Charter
from dialogues.content.dates import Mismatch, long_date, midpoint, parse_date, show_date
from dialogues.content.markup import Html, cut
from dialogues.content.script import Script
from dialogues.core import codes, rules
from dialogues.core.context import AllianceAnswers, CodeLookup, Membership, Need, Needs
from dialogues.core.domain import ORG_KINDS
from dialogues.core.effects import CreateAlliance, Created, JoinAlliance, Joined, WrongCode
from dialogues.core.events import Command
from dialogues.core.normalize import normalize
from dialogues.core.outgoing import Button, Outgoing
from dialogues.core.phases import current_phase
from dialogues.core.routes import ButtonRoute, CommandRoute, FormRoute, needs
from dialogues.core.session import Form
from dialogues.core.step import Step, Turn
from dialogues.onboarding.buttons import FormButton, SwitchAlliance
from dialogues.summary.compute import DIVERGENCE, FINISHED, labels, summarise
from dialogues.walk.buttons import StartWalk

_ORDER = {"new": ("name", "org_name", "org_kind", "start", "end", "mid", "confirm"),
          "join": ("org_name", "org_kind")}


def valid_code(code: str) -> bool:
    """A text that may be an invitation code: a stored one, or a new one typed loosely."""
    return bool(codes.candidates(code))


def code_lookup(code: str) -> Needs:
    code = code.strip()
    return (CodeLookup(code),) if valid_code(code) else ()


def _join_needs(cmd: Command) -> Needs:
    """A code to look up; and, code or not, the person's wrong codes (a try is a try)."""
    return (Need.CODE_TRIES, *code_lookup(cmd.arg)) if cmd.arg.strip() else ()


class Onboarding:
    def __init__(self, script: Script, timezone: str, charter: Charter | None = None,
                 reminder_time: time = time(9, 0)) -> None:
        self.s = script
        self.tz = timezone
        self.charter = charter  # for the overview a tiers de confiance gets in /alliances
        self.reminder_time = reminder_time
        kinds = {normalize(label): kind for kind, label in script.org_kinds.items()}
        kinds.update({normalize(kind): kind for kind in ORG_KINDS})
        self._kind_names = kinds
        self.commands = {
            "nouvelle": CommandRoute(self._cmd_new),
            "rejoindre": CommandRoute(self._cmd_join, needs=_join_needs),
            "alliances": CommandRoute(self._cmd_alliances, needs=needs(Need.MEMBERSHIPS)),
        }
        self.buttons = {
            FormButton: ButtonRoute(self._on_button),  # the form's own needs cover it
            SwitchAlliance: ButtonRoute(self._on_switch, needs=needs(Need.MEMBERSHIPS)),
        }
        self.forms = {
            "new": FormRoute(self._on_text, self._prompt, needs=self._form_needs),
            "join": FormRoute(self._on_text, self._prompt, needs=self._form_needs),
        }
        self.group_commands: dict = {}

    # --- commands ---------------------------------------------------------------------------

    def _cmd_new(self, turn: Turn, cmd: Command) -> Step:
        form = Form("new", "name")
        return turn.reply(*self.prompt(form), session=turn.with_session(form=form))

    def _cmd_join(self, turn: Turn, cmd: Command) -> Step:
        code = cmd.arg.strip()
        if not code:
            form = Form("join", "code")
            return turn.reply(Outgoing(self.s.say("join.ask_code")),
                              session=turn.with_session(form=form))
        return self._look_up(turn, code)

    def _cmd_alliances(self, turn: Turn, cmd: Command) -> Step:
        s = self.s
        ctx = turn.ctx
        if not ctx.loaded.memberships:
            return turn.reply(Outgoing(s.say("alliances.none")))
        lines = [s.say("alliances.list")]
        rows = []
        for m in ctx.loaded.memberships:
            current = ctx.member is not None and m.member_id == ctx.member.id
            lines.append(f"• {self._item(m, turn)}" + (" ✓" if current else ""))
            rows.append((SwitchAlliance(m.member_id).button(cut(m.alliance_name, 32)),))
        return turn.reply(Outgoing("\n".join(lines), tuple(rows)))

    def _item(self, m: Membership, turn: Turn) -> str:
        """One alliance of the person; for a tiers de confiance, where it stands."""
        s = self.s
        if m.pending:
            return s.say("alliances.item_pending", alliance=m.alliance_name)
        if m.role == rules.TIERS and m.answers is not None and self.charter is not None:
            return self._overview(m.answers, turn)
        return s.say("alliances.item", alliance=m.alliance_name,
                     organisation=m.organisation_name, role=s.roles[m.role])

    def _overview(self, data: AllianceAnswers, turn: Turn) -> str:
        """Phase, organisations finished / total, next date, divergences."""
        assert self.charter is not None
        s = self.s
        alliance = data.alliance
        phase = current_phase(alliance, turn.ctx.now)
        names = labels(data.organisations, alliance.anonymous,
                       s.messages["summary.anonymous_name"])
        summary = summarise(self.charter, data.organisations, data.answers, phase,
                            s.phases[phase].previous, names)
        finished = sum(1 for _, status, _ in summary.progress if status == FINISHED)
        tz = alliance.timezone
        if phase == "lancement":
            upcoming = s.say("alliances.next_mid", date=show_date(alliance.mid_at, tz))
        elif phase == "mi-parcours":
            upcoming = s.say("alliances.next_end", date=show_date(alliance.end_at, tz))
        else:
            upcoming = s.say("alliances.next_none")
        return s.say("alliances.item_tiers", alliance=alliance.name,
                     phase=s.phases[phase].label, finished=finished,
                     total=len(data.organisations), next=Html(upcoming),
                     divergences=summary.count(DIVERGENCE))

    def _on_switch(self, turn: Turn, data: SwitchAlliance) -> Step | None:
        chosen = next((m for m in turn.ctx.loaded.memberships if m.member_id == data.member),
                      None)
        if chosen is None:
            return None
        s = self.s
        session = turn.with_session(member_id=chosen.member_id, form=None)
        if chosen.pending:
            text = s.say("arrivals.waiting", alliance=chosen.alliance_name)
            return turn.reply(Outgoing(text, edit=True), session=session, walk=None)
        if chosen.role == rules.TIERS:
            text = s.say("alliances.switched_tiers", alliance=chosen.alliance_name)
            return turn.reply(Outgoing(text, edit=True), session=session, walk=None)
        text = s.say("alliances.switched", alliance=chosen.alliance_name)
        start = StartWalk(chosen.member_id).button(s.button("start_walk"))
        return turn.reply(Outgoing(text, ((start,),), edit=True), session=session, walk=None)

    # --- a code typed as text ---------------------------------------------------------------

    def text_needs(self, form: Form | None, text: str) -> Needs:
        """A typed text reads the alliance of a code: at the join form's code question, and
        when a code is pasted alone outside any form."""
        if form is not None and form.kind == "join" and form.step == "code":
            return code_lookup(text)
        if form is None and codes.looks_like_code(text):
            return (Need.CODE_TRIES, *code_lookup(text))  # a join: wrong codes count too
        return ()

    def pasted(self, turn: Turn, text: str) -> Step | None:
        """A code pasted alone outside any form joins like `/rejoindre CODE`; None otherwise."""
        if turn.session.form is not None or not codes.looks_like_code(text):
            return None
        return self._look_up(turn, text)

    # --- the forms --------------------------------------------------------------------------

    def _form_needs(self, form: Form) -> Needs:
        if form.kind == "join" and form.step == "code":
            return (Need.CODE_TRIES,)
        if form.kind == "join" and form.step != "code":
            return code_lookup(form.get("code") or "")  # checked again just before joining
        if form.kind == "new" and form.step == "confirm":
            return (Need.FRESH_CODE,)
        return ()

    def _prompt(self, turn: Turn) -> tuple[Outgoing, ...]:
        assert turn.session.form is not None
        return self.prompt(turn.session.form)

    def prompt(self, form: Form) -> tuple[Outgoing, ...]:
        """The form's current question again."""
        s = self.s
        step = form.step
        if step == "org_kind":
            return (Outgoing(s.say(f"{form.kind}.ask_org_kind"), self._kind_buttons(form)),)
        if step == "org_choice":
            alliance = form.get("alliance_name") or ""
            return (Outgoing(s.say("join.choose_org", alliance=alliance),
                             self._org_buttons(form)),)
        if form.kind == "join" and step == "org_name":
            return (Outgoing(s.say("join.ask_org_name", alliance=form.get("alliance_name") or ""),
                             self._cancel_row(form)),)
        if step == "end":
            return (Outgoing(s.say("new.ask_end", start=self._shown(form, "start")),
                             self._cancel_row(form)),)
        if step == "mid":
            mid = self._midpoint(form)
            use_mid = FormButton("new", "mid", "middle")
            buttons = ((use_mid.button(s.button("use_mid")),), *self._cancel_row(form))
            return (Outgoing(s.say("new.ask_mid", end=self._shown(form, "end"),
                                   mid=long_date(mid, s.dates)), buttons),)
        if step == "confirm":
            yes = FormButton("new", "confirm", "yes").button(s.button("create_yes"))
            again = FormButton("new", "confirm", "dates").button(s.button("dates_again"))
            return (Outgoing(s.say("new.confirm", alliance=form.get("name") or "",
                                   start=self._shown(form, "start"),
                                   mid=self._shown(form, "mid"), end=self._shown(form, "end")),
                             ((yes,), (again,), *self._cancel_row(form))),)
        key = {"name": "new.ask_name", "org_name": "new.ask_org_name", "start": "new.ask_start",
               "code": "join.ask_code"}.get(step)
        if key is None:
            return ()
        return (Outgoing(s.say(key), self._cancel_row(form)),)

    def _on_text(self, turn: Turn, text: str) -> Step:
        form = turn.session.form
        assert form is not None
        step = form.step
        if form.kind == "join" and step == "code":
            return self._look_up(turn, text)
        if step in ("name", "org_name"):
            name = " ".join(text.split())
            if len(name) < 2 or len(name) > self.s.name_max:
                return self._again(turn, form, "new.bad_name", max=self.s.name_max)
            if form.kind == "join" and step == "org_name":
                existing = rules.same_organisation(name, self._invited_organisations(turn))
                if existing is not None:
                    return self._join(turn, form, organisation_id=existing.id)
            return self._next(turn, form.with_value(step, name, _after(form.kind, step)))
        if step == "org_kind":
            kind = self._kind(text)
            if kind is None:
                return turn.reply(*self.prompt(form))
            return self._chose_kind(turn, form, kind)
        if step in ("start", "end", "mid"):
            return self._on_date(turn, form, step, text)
        if step == "confirm" and normalize(text) in ("oui", "ok", "d accord", "oui creer"):
            return self._create(turn, form)
        return turn.reply(*self.prompt(form))

    def _on_button(self, turn: Turn, data: FormButton) -> Step | None:
        form = turn.session.form
        if form is None or data.form != form.kind or data.step != form.step:
            return None
        value = data.value
        if value == "cancel":
            return turn.reply(Outgoing(self.s.say("cancelled"), edit=True),
                              session=turn.with_session(form=None))
        if data.step == "org_kind" and value in ORG_KINDS:
            return self._chose_kind(turn, form, value)
        if data.step == "org_choice":
            if value == "new":
                return self._next(turn, replace(form, step="org_name"))
            if value in {org_id for org_id, _ in form.choices}:
                return self._join(turn, form, organisation_id=int(value))
            return None
        if data.step == "mid" and value == "middle":
            return self._dated(turn, form, "mid", self._midpoint(form))
        if data.step == "confirm" and value == "yes":
            return self._create(turn, form)
        if data.step == "confirm" and value == "dates":
            return self._next(turn, replace(form, step="start"))
        return None

    # --- the outcomes of the writes ---------------------------------------------------------

    def finished(self, turn: Turn, outcome: Created | Joined) -> Step:
        """The alliance was created or joined: say so, and offer the walk."""
        s = self.s
        if isinstance(outcome, Created):
            parts = [s.say("new.created", alliance=outcome.alliance_name, code=outcome.code)]
            link = turn.ctx.invite_link
            if link:
                parts.append(s.say("new.created_link", link=f"{link}{outcome.code}"))
        else:
            done = turn.with_session(form=None, member_id=outcome.member_id)
            if outcome.pending:
                who = s.say("join.as_tiers") if outcome.tiers else s.say(
                    "join.as_organisation", organisation=outcome.organisation_name)
                text = s.say("join.pending", alliance=outcome.alliance_name, who=Html(who))
                return turn.reply(Outgoing(text), session=done, walk=None)
            if outcome.tiers:
                text = s.say("join.joined_tiers", alliance=outcome.alliance_name)
                return turn.reply(Outgoing(text), session=done, walk=None)
            parts = [s.say("join.joined", alliance=outcome.alliance_name,
                           organisation=outcome.organisation_name)]
        parts.append(s.say("walk.ready"))
        start = StartWalk(outcome.member_id).button(s.button("start_walk"))
        return turn.reply(Outgoing("\n\n".join(parts), ((start,),)),
                          session=turn.with_session(form=None, member_id=outcome.member_id),
                          walk=None)

    # --- steps ------------------------------------------------------------------------------

    def _look_up(self, turn: Turn, code: str) -> Step:
        """A typed or linked code: the alliance it opens (loaded as CodeLookup).

        An unknown, expired, used-up or replaced code gets one and the same answer, and
        counts as a wrong try; after too many, the person waits (core.rules.code_wait)."""
        ctx = turn.ctx
        wait = rules.code_wait(ctx.loaded.code_failures, ctx.now)
        if wait is not None:
            minutes = max(1, math.ceil((wait - ctx.now).total_seconds() / 60))
            return turn.reply(Outgoing(self.s.say("join.wait", minutes=minutes)),
                              session=turn.with_session(form=None))
        invitation = ctx.loaded.invitation
        code = code.strip()
        if not valid_code(code) or invitation is None:
            return turn.reply(Outgoing(self.s.say("join.bad_code")), effects=(WrongCode(),),
                              session=turn.with_session(form=None))
        alliance = invitation.alliance
        if invitation.member is not None:
            text = self.s.say("join.already_member", alliance=alliance.name)
            return turn.reply(Outgoing(text), session=turn.with_session(
                form=None, member_id=invitation.member.id), walk=None)
        values = (("alliance_id", str(alliance.id)), ("alliance_name", alliance.name),
                  ("code", code))
        if invitation.kind == rules.TIERS_INVITE:  # no organisation to choose: join now
            effect = JoinAlliance(alliance_id=alliance.id, organisation_id=None)
            return turn.reply(effects=(effect,), session=turn.with_session(
                form=Form("join", "joining", values)))
        choices = tuple((str(o.id), o.name) for o in invitation.organisations)
        step = "org_choice" if choices else "org_name"
        return self._next(turn, Form("join", step, values, choices))

    def _chose_kind(self, turn: Turn, form: Form, kind: str) -> Step:
        if form.kind == "join":
            return self._join(turn, form, organisation_id=None, kind=kind)
        return self._next(turn, form.with_value("org_kind", kind, "start"))

    def _on_date(self, turn: Turn, form: Form, step: str, text: str) -> Step:
        moment = parse_date(text, self.tz, turn.ctx.now, self.s.dates)
        if isinstance(moment, Mismatch):
            return self._again(turn, form, "new.weekday_mismatch",
                               date=long_date(datetime.combine(moment.day, time(0, 0)),
                                              self.s.dates))
        if moment is None:
            return self._again(turn, form, "new.bad_date")
        return self._dated(turn, form, step, moment)

    def _dated(self, turn: Turn, form: Form, step: str, moment: datetime) -> Step:
        if step == "end" and moment <= self._when(form, "start"):
            return self._again(turn, form, "new.end_before_start",
                               start=self._shown(form, "start"))
        if step == "mid" and not self._when(form, "start") < moment < self._when(form, "end"):
            return self._again(turn, form, "new.mid_out_of_range",
                               start=self._shown(form, "start"), end=self._shown(form, "end"))
        return self._next(turn, form.with_value(step, moment.isoformat(), _after("new", step)))

    def _create(self, turn: Turn, form: Form) -> Step:
        code = turn.ctx.loaded.fresh_code
        assert code is not None, "the confirm step declares Need.FRESH_CODE"
        effect = CreateAlliance(
            name=form.get("name") or "",
            organisation_name=form.get("org_name") or "",
            organisation_kind=form.get("org_kind") or "autre",
            start_at=self._when(form, "start"),
            end_at=self._when(form, "end"),
            mid_at=self._when(form, "mid"),
            code=code,
        )
        return turn.reply(effects=(effect,), session=turn.with_session(
            form=replace(form, step="creating")))

    def _join(self, turn: Turn, form: Form, organisation_id: int | None,
              kind: str | None = None) -> Step:
        invitation = turn.ctx.loaded.invitation
        if invitation is None or str(invitation.alliance.id) != form.get("alliance_id"):
            # The code was replaced or the alliance deleted since the form started.
            return turn.reply(Outgoing(self.s.say("join.bad_code")),
                              session=turn.with_session(form=None))
        effect = JoinAlliance(
            alliance_id=invitation.alliance.id,
            organisation_id=organisation_id,
            organisation_name=None if organisation_id else form.get("org_name"),
            organisation_kind=None if organisation_id else kind,
        )
        return turn.reply(effects=(effect,),
                          session=turn.with_session(form=replace(form, step="joining")))

    def _invited_organisations(self, turn: Turn) -> tuple:
        invitation = turn.ctx.loaded.invitation
        return invitation.organisations if invitation is not None else ()

    def _next(self, turn: Turn, form: Form) -> Step:
        return turn.reply(*self.prompt(form), session=turn.with_session(form=form))

    def _again(self, turn: Turn, form: Form, key: str, **values: object) -> Step:
        return turn.reply(Outgoing(self.s.say(key, **values)), *self.prompt(form),
                          session=turn.with_session(form=form))

    # --- helpers ----------------------------------------------------------------------------

    def _kind(self, text: str) -> str | None:
        typed = normalize(text)
        if not typed:
            return None
        for name, kind in self._kind_names.items():
            if name.startswith(typed) and len(typed) >= 4:
                return kind
        found = process.extractOne(typed, list(self._kind_names), scorer=fuzz.ratio,
                                   score_cutoff=80)
        return self._kind_names[found[0]] if found else None

    @staticmethod
    def _when(form: Form, key: str) -> datetime:
        return datetime.fromisoformat(form.get(key) or "")

    def _shown(self, form: Form, key: str) -> str:
        return long_date(self._when(form, key), self.s.dates)

    def _midpoint(self, form: Form) -> datetime:
        """The default point d'étape: the middle day, at the reminders' time of day."""
        return midpoint(self._when(form, "start"), self._when(form, "end"), self.reminder_time,
                        self.tz)

    def _kind_buttons(self, form: Form) -> tuple[tuple[Button, ...], ...]:
        buttons = [FormButton(form.kind, form.step, k).button(self.s.org_kinds[k])  # type: ignore[arg-type]
                   for k in ORG_KINDS]
        return (tuple(buttons[:2]), tuple(buttons[2:4]), tuple(buttons[4:]),
                *self._cancel_row(form))

    def _org_buttons(self, form: Form) -> tuple[tuple[Button, ...], ...]:
        rows = [(FormButton("join", "org_choice", org_id).button(cut(name, 32)),)
                for org_id, name in form.choices]
        rows.append((FormButton("join", "org_choice", "new").button(self.s.button("new_org")),))
        return (*rows, *self._cancel_row(form))

    def _cancel_row(self, form: Form) -> tuple[tuple[Button, ...], ...]:
        cancel = FormButton(form.kind, form.step, "cancel")  # type: ignore[arg-type]
        return ((cancel.button(self.s.button("cancel")),),)


def _after(kind: str, step: str) -> str:
    order = _ORDER[kind]
    i = order.index(step)
    return order[i + 1] if i + 1 < len(order) else "done"
