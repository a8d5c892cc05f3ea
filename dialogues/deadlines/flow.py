"""/echeances: the alliance's dates and phase; the coordinator moves them or opens a phase early."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from dialogues.content.dates import parse_date, show_date
from dialogues.content.script import Script
from dialogues.core.domain import Alliance
from dialogues.core.outgoing import Button, Outgoing
from dialogues.core.session import Form

FIELDS = ("start", "mid", "end")


@dataclass(frozen=True, slots=True)
class ChangeDates:
    """Coordinator only: new dates for the current alliance; its reminders move with them."""

    start_at: datetime
    mid_at: datetime
    end_at: datetime


@dataclass(frozen=True, slots=True)
class DeadlineResult:
    form: Form | None
    outgoing: tuple[Outgoing, ...] = ()
    effects: tuple[object, ...] = ()


class Deadlines:
    def __init__(self, script: Script) -> None:
        self.s = script

    def show(self, alliance: Alliance, phase: str, member_id: int, coordinator: bool,
             edit: bool = False) -> Outgoing:
        s = self.s
        tz = alliance.timezone
        text = s.say("deadlines.show", alliance=alliance.name, phase=s.phases[phase].label,
                     start=show_date(alliance.start_at, tz), mid=show_date(alliance.mid_at, tz),
                     end=show_date(alliance.end_at, tz))
        if not coordinator:
            return Outgoing(text, edit=edit)
        rows = [(Button(s.button(f"deadline_{field}"), f"d:{member_id}:{field}"),)
                for field in FIELDS]
        if phase != "fin":
            rows.append((Button(s.button(f"open_{'fin' if phase == 'mi-parcours' else 'mid'}"),
                                f"d:{member_id}:open"),))
        return Outgoing(text, tuple(rows), edit=edit)

    def on_press(self, alliance: Alliance, phase: str, value: str) -> DeadlineResult:
        """A coordinator's button on the dates message (the caller checked who pressed)."""
        s = self.s
        if value in FIELDS:
            form = Form("dates", value)
            cancel = ((Button(s.button("cancel"), f"f:dates:{value}:cancel"),),)
            return DeadlineResult(form, (Outgoing(s.say(f"deadlines.ask_{value}"), cancel),))
        if value == "open" and phase != "fin":
            key = "deadlines.confirm_open_fin" if phase == "mi-parcours" else \
                "deadlines.confirm_open_mid"
            buttons = ((Button(s.button("open_confirm"), "f:dates:open:yes"),
                        Button(s.button("cancel"), "f:dates:open:cancel")),)
            return DeadlineResult(Form("dates", "open"), (Outgoing(s.say(key), buttons),))
        return DeadlineResult(None)

    def prompt(self, form: Form) -> tuple[Outgoing, ...]:
        """The question of a dates form again."""
        s = self.s
        if form.step in FIELDS:
            cancel = ((Button(s.button("cancel"), f"f:dates:{form.step}:cancel"),),)
            return (Outgoing(s.say(f"deadlines.ask_{form.step}"), cancel),)
        buttons = ((Button(s.button("open_confirm"), "f:dates:open:yes"),
                    Button(s.button("cancel"), "f:dates:open:cancel")),)
        return (Outgoing(s.say("walk.type_or_press"), buttons),)

    def on_input(self, form: Form, alliance: Alliance, phase: str, text: str, now: datetime
                 ) -> DeadlineResult:
        """A typed date for `form.step`, or the confirmation of opening the next phase."""
        s = self.s
        dates = {"start": alliance.start_at, "mid": alliance.mid_at, "end": alliance.end_at}
        if form.step == "open":
            if text != "yes":
                return DeadlineResult(form, self.prompt(form))
            dates["end" if phase == "mi-parcours" else "mid"] = now
            # Opening a phase early opens the ones before it too.
            dates["start"] = min(dates["start"], now - timedelta(minutes=2))
            dates["mid"] = min(dates["mid"], now - timedelta(minutes=1)) \
                if phase == "mi-parcours" else dates["mid"]
        else:
            moment = parse_date(text, alliance.timezone, s.months)
            if moment is None:
                return DeadlineResult(form, (Outgoing(s.say("new.bad_date")), *self.prompt(form)))
            dates[form.step] = moment
        if not dates["start"] < dates["mid"] < dates["end"]:
            shown = {k: show_date(v, alliance.timezone) for k, v in dates.items()}
            return DeadlineResult(form, (Outgoing(s.say("deadlines.order", **shown)),))
        return DeadlineResult(None, (), (ChangeDates(dates["start"], dates["mid"], dates["end"]),))

    def changed(self, alliance: Alliance, phase: str, member_id: int) -> tuple[Outgoing, ...]:
        updated = self.show(alliance, phase, member_id, coordinator=True)
        return (Outgoing(self.s.say("deadlines.saved")), replace(updated, edit=False))
