"""/echeances: the alliance's dates and phase; a coordinator moves them or opens a phase now."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

from dialogues.content.dates import Mismatch, long_date, parse_date
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
        if data.action in FIELDS:
            form = Form("dates", data.action)
            return turn.reply(*self.prompt(form, ctx.channel),
                              session=turn.with_session(form=form))
        if ctx.phase == "fin":
            return None
        form = Form("dates", "open")
        return turn.reply(Outgoing(self._open_question(turn), self._open_buttons()),
                          session=turn.with_session(form=form))

    def _on_answer(self, turn: Turn, data: DatesAnswer) -> Step | None:
        form = turn.session.form
        if form is None or form.kind != "dates" or form.step != data.step:
            return None
        if data.answer == "cancel":
            return turn.reply(Outgoing(self.s.say("cancelled"), edit=True),
                              session=turn.with_session(form=None))
        if data.step not in ("open", "check"):
            return None
        return self._on_input(turn, form, "yes")

    def _on_text(self, turn: Turn, text: str) -> Step:
        form = turn.session.form
        assert form is not None
        return self._on_input(turn, form, text)

    def _prompt(self, turn: Turn) -> tuple[Outgoing, ...]:
        assert turn.session.form is not None
        return self.prompt(turn.session.form, turn.ctx.channel)

    # --- views ------------------------------------------------------------------------------

    def show(self, alliance: Alliance, phase: str, member_id: int, coordinator: bool,
             edit: bool = False) -> Outgoing:
        s = self.s
        tz = alliance.timezone
        text = s.say("deadlines.show", alliance=alliance.name, phase=s.phases[phase].label,
                     start=long_date(alliance.start_at, s.dates, tz),
                     mid=long_date(alliance.mid_at, s.dates, tz),
                     end=long_date(alliance.end_at, s.dates, tz))
        if not coordinator:
            return Outgoing(text, edit=edit)
        rows = [(DeadlineButton(member_id, field).button(s.button(f"deadline_{field}")),)  # type: ignore[arg-type]
                for field in FIELDS]
        if phase != "fin":
            key = f"open_{'fin' if phase == 'mi-parcours' else 'mid'}"
            rows.append((DeadlineButton(member_id, "open").button(s.button(key)),))
        return Outgoing(text, tuple(rows), edit=edit)

    def prompt(self, form: Form, channel: str = "telegram") -> tuple[Outgoing, ...]:
        """The question of a dates form again."""
        s = self.s
        if form.step in FIELDS:
            cancel = DatesAnswer(form.step, "cancel").button(s.button("cancel"))  # type: ignore[arg-type]
            text = s.say(f"deadlines.ask_{form.step}")
            if form.step != "start" and channel == "console":
                text += "\n" + s.say("terminal.no_reminders")
            return (Outgoing(text, ((cancel,),)),)
        if form.step == "check":
            return (Outgoing(self._check_question(form), self._check_buttons()),)
        return (Outgoing(s.say("walk.type_or_press"), self._open_buttons()),)

    def _open_buttons(self) -> tuple[tuple[Button, ...], ...]:
        s = self.s
        return ((DatesAnswer("open", "yes").button(s.button("open_confirm")),
                 DatesAnswer("open", "cancel").button(s.button("cancel"))),)

    def _check_buttons(self) -> tuple[tuple[Button, ...], ...]:
        s = self.s
        return ((DatesAnswer("check", "yes").button(s.button("dates_yes")),
                 DatesAnswer("check", "cancel").button(s.button("cancel"))),)

    def _check_question(self, form: Form) -> str:
        field, when = form.get("field") or "mid", datetime.fromisoformat(form.get("when") or "")
        return self.s.say(f"deadlines.check_{field}", date=long_date(when, self.s.dates))

    def _open_question(self, turn: Turn) -> str:
        """« Open the next phase now? »: what else moves with it, and who is told."""
        ctx = turn.ctx
        s = self.s
        assert ctx.alliance is not None and ctx.phase is not None
        alliance, tz, now = ctx.alliance, ctx.alliance.timezone, ctx.now
        moved = self._opened_dates(alliance, ctx.phase, now)
        lines = [s.say("deadlines.confirm_open_fin" if ctx.phase == "mi-parcours"
                       else "deadlines.confirm_open_mid")]
        for field in FIELDS:
            before = getattr(alliance, f"{field}_at")
            if moved[field] != before:
                lines.append(s.say(f"deadlines.moves_{field}",
                                   before=long_date(before, s.dates, tz),
                                   after=long_date(now, s.dates, tz)))
        lines.append(s.say("terminal.no_reminders" if ctx.channel == "console"
                           else "deadlines.open_reminders"))
        return "\n".join(lines)

    @staticmethod
    def _opened_dates(alliance: Alliance, phase: str, now: datetime) -> dict[str, datetime]:
        """The dates once the phase after `phase` is opened now; the ones before it too."""
        dates = {"start": alliance.start_at, "mid": alliance.mid_at, "end": alliance.end_at}
        dates["end" if phase == "mi-parcours" else "mid"] = now
        dates["start"] = min(dates["start"], now - timedelta(minutes=2))
        if phase == "mi-parcours":
            dates["mid"] = min(dates["mid"], now - timedelta(minutes=1))
        return dates

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
                return turn.reply(*self.prompt(form, ctx.channel))
            # Opening a phase early opens the ones before it too.
            dates = self._opened_dates(alliance, phase, ctx.now)
        elif form.step == "check":
            if text != "yes":
                return turn.reply(*self.prompt(form, ctx.channel))
            dates[form.get("field") or "mid"] = datetime.fromisoformat(form.get("when") or "")
        else:
            moment = parse_date(text, alliance.timezone, ctx.now, s.dates)
            if isinstance(moment, Mismatch):
                shown = long_date(datetime.combine(moment.day, time(0, 0)), s.dates)
                return turn.reply(Outgoing(s.say("new.weekday_mismatch", date=shown)),
                                  *self.prompt(form, ctx.channel))
            if moment is None:
                return turn.reply(Outgoing(s.say("new.bad_date")),
                                  *self.prompt(form, ctx.channel))
            dates[form.step] = moment
            if dates["start"] < dates["mid"] < dates["end"]:
                check = Form("dates", "check", (("field", form.step),
                                                ("when", moment.isoformat())))
                return turn.reply(*self.prompt(check, ctx.channel),
                                  session=turn.with_session(form=check))
        if not dates["start"] < dates["mid"] < dates["end"]:
            shown = {k: long_date(v, s.dates, alliance.timezone) for k, v in dates.items()}
            return turn.reply(Outgoing(s.say("deadlines.order", **shown)))
        changed = replace(alliance, start_at=dates["start"], mid_at=dates["mid"],
                          end_at=dates["end"])
        after = current_phase(changed, ctx.now)
        updated = self.show(changed, after, member.id, coordinator=True)
        return turn.reply(Outgoing(s.say("deadlines.saved")), updated,
                          effects=(ChangeDates(dates["start"], dates["mid"], dates["end"]),),
                          session=turn.with_session(form=None))
