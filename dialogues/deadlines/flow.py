"""/echeances: the alliance's dates and phase; a coordinator moves them or opens a phase now."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from dialogues.content.dates import parse_date, show_date
from dialogues.content.script import Script
from dialogues.core import rules
from dialogues.core.domain import Alliance
from dialogues.core.effects import ChangeDates
from dialogues.core.events import Command
from dialogues.core.outgoing import Button, Outgoing
from dialogues.core.phases import current_phase
from dialogues.core.routes import Access, ButtonRoute, CommandRoute, FormRoute
from dialogues.core.session import Form
from dialogues.core.step import Step, Turn
from dialogues.deadlines.buttons import DatesAnswer, DeadlineButton

FIELDS = ("start", "mid", "end")


class Deadlines:
    def __init__(self, script: Script) -> None:
        self.s = script
        self.commands = {"echeances": CommandRoute(self._cmd_show, Access.WRITE)}
        self.buttons = {
            DeadlineButton: ButtonRoute(self._on_choice),
            DatesAnswer: ButtonRoute(self._on_answer),
        }
        self.forms = {"dates": FormRoute(self._on_text, self._prompt)}
        self.group_commands: dict = {}

    # --- routes -----------------------------------------------------------------------------

    def _cmd_show(self, turn: Turn, cmd: Command) -> Step:
        ctx = turn.ctx
        assert ctx.alliance is not None and ctx.phase is not None and ctx.member is not None
        shown = self.show(ctx.alliance, ctx.phase, ctx.member.id,
                          rules.may_coordinate(ctx.member, ctx.alliance))
        return turn.reply(shown, session=turn.with_session(form=None))

    def _on_choice(self, turn: Turn, data: DeadlineButton) -> Step | None:
        """A coordinator's button on the dates message."""
        ctx = turn.ctx
        if (ctx.member is None or data.member != ctx.member.id or ctx.phase is None
                or not rules.may_coordinate(ctx.member, ctx.alliance)
                or rules.read_only(ctx.alliance)):
            return None
        s = self.s
        if data.action in FIELDS:
            form = Form("dates", data.action)
            return turn.reply(*self.prompt(form), session=turn.with_session(form=form))
        if ctx.phase == "fin":
            return None
        key = "deadlines.confirm_open_fin" if ctx.phase == "mi-parcours" else \
            "deadlines.confirm_open_mid"
        form = Form("dates", "open")
        return turn.reply(Outgoing(s.say(key), self._open_buttons()),
                          session=turn.with_session(form=form))

    def _on_answer(self, turn: Turn, data: DatesAnswer) -> Step | None:
        form = turn.session.form
        if form is None or form.kind != "dates" or form.step != data.step:
            return None
        if data.answer == "cancel":
            return turn.reply(Outgoing(self.s.say("cancelled"), edit=True),
                              session=turn.with_session(form=None))
        if data.step != "open":
            return None
        return self._on_input(turn, form, "yes")

    def _on_text(self, turn: Turn, text: str) -> Step:
        form = turn.session.form
        assert form is not None
        return self._on_input(turn, form, text)

    def _prompt(self, turn: Turn) -> tuple[Outgoing, ...]:
        assert turn.session.form is not None
        return self.prompt(turn.session.form)

    # --- views ------------------------------------------------------------------------------

    def show(self, alliance: Alliance, phase: str, member_id: int, coordinator: bool,
             edit: bool = False) -> Outgoing:
        s = self.s
        tz = alliance.timezone
        text = s.say("deadlines.show", alliance=alliance.name, phase=s.phases[phase].label,
                     start=show_date(alliance.start_at, tz), mid=show_date(alliance.mid_at, tz),
                     end=show_date(alliance.end_at, tz))
        if not coordinator:
            return Outgoing(text, edit=edit)
        rows = [(DeadlineButton(member_id, field).button(s.button(f"deadline_{field}")),)  # type: ignore[arg-type]
                for field in FIELDS]
        if phase != "fin":
            key = f"open_{'fin' if phase == 'mi-parcours' else 'mid'}"
            rows.append((DeadlineButton(member_id, "open").button(s.button(key)),))
        return Outgoing(text, tuple(rows), edit=edit)

    def prompt(self, form: Form) -> tuple[Outgoing, ...]:
        """The question of a dates form again."""
        s = self.s
        if form.step in FIELDS:
            cancel = DatesAnswer(form.step, "cancel").button(s.button("cancel"))  # type: ignore[arg-type]
            return (Outgoing(s.say(f"deadlines.ask_{form.step}"), ((cancel,),)),)
        return (Outgoing(s.say("walk.type_or_press"), self._open_buttons()),)

    def _open_buttons(self) -> tuple[tuple[Button, ...], ...]:
        s = self.s
        return ((DatesAnswer("open", "yes").button(s.button("open_confirm")),
                 DatesAnswer("open", "cancel").button(s.button("cancel"))),)

    # --- changing the dates -----------------------------------------------------------------

    def _on_input(self, turn: Turn, form: Form, text: str) -> Step:
        """A typed date for `form.step`, or the confirmation of opening the next phase."""
        ctx = turn.ctx
        alliance, phase, member = ctx.alliance, ctx.phase, ctx.member
        if alliance is None or phase is None or member is None \
                or not rules.may_coordinate(member, alliance):
            return turn.reply(session=turn.with_session(form=None))
        s = self.s
        dates = {"start": alliance.start_at, "mid": alliance.mid_at, "end": alliance.end_at}
        if form.step == "open":
            if text != "yes":
                return turn.reply(*self.prompt(form))
            now = ctx.now
            dates["end" if phase == "mi-parcours" else "mid"] = now
            # Opening a phase early opens the ones before it too.
            dates["start"] = min(dates["start"], now - timedelta(minutes=2))
            if phase == "mi-parcours":
                dates["mid"] = min(dates["mid"], now - timedelta(minutes=1))
        else:
            moment = parse_date(text, alliance.timezone, s.months)
            if moment is None:
                return turn.reply(Outgoing(s.say("new.bad_date")), *self.prompt(form))
            dates[form.step] = moment
        if not dates["start"] < dates["mid"] < dates["end"]:
            shown = {k: show_date(v, alliance.timezone) for k, v in dates.items()}
            return turn.reply(Outgoing(s.say("deadlines.order", **shown)))
        changed = replace(alliance, start_at=dates["start"], mid_at=dates["mid"],
                          end_at=dates["end"])
        after = current_phase(changed, ctx.now)
        updated = self.show(changed, after, member.id, coordinator=True)
        return turn.reply(Outgoing(s.say("deadlines.saved")), updated,
                          effects=(ChangeDates(dates["start"], dates["mid"], dates["end"]),),
                          session=turn.with_session(form=None))
