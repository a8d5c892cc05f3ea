"""The dialogue engine: step(session, walk, event, context) -> Step. Pure: no I/O, no clock.

It routes each event with tables that the capabilities provide (their commands, their typed
buttons, their forms); it owns no conversation itself beyond /annuler and what to show when
nothing else applies. `needs` says, before the step, what the event will read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import time

from dialogues.accord.flow import Accords
from dialogues.arrivals.flow import Arrivals
from dialogues.content.bundle import Content
from dialogues.core import rules
from dialogues.core.callbacks import Callback, decode
from dialogues.core.context import Context, Needs
from dialogues.core.effects import Outcome
from dialogues.core.events import (
    Command,
    Event,
    GroupCommand,
    GroupText,
    Other,
    Press,
    Text,
    in_group,
)
from dialogues.core.outgoing import Outgoing
from dialogues.core.routes import (
    Access,
    ButtonRoute,
    Capability,
    CommandRoute,
    FormRoute,
    GroupRoute,
    ReplyRoute,
)
from dialogues.core.session import Session, WalkState
from dialogues.core.step import Step, Turn
from dialogues.deadlines.flow import Deadlines
from dialogues.members.flow import Members
from dialogues.observatory.flow import Suggestions
from dialogues.onboarding.flow import Onboarding
from dialogues.reminders.flow import Reminders
from dialogues.seance.flow import Seances
from dialogues.settings.flow import Settings
from dialogues.summary.flow import Summaries
from dialogues.walk.flow import Walk
from dialogues.welcome.flow import Welcome

# The order of Telegram's command menu.
MENU = ("nouvelle", "rejoindre", "charte", "levier", "synthese", "mes_reponses", "echeances",
        "export", "seance", "accord", "inviter", "membres", "reglages", "archiver", "quitter",
        "alliances", "suggestion", "mes_donnees", "oubli", "confidentialite", "aide", "annuler")
CONTROL = {chr(c) for c in range(32)} - {"\n", "\t"} | {chr(127)}


def clean(text: str) -> str:
    """Drop control characters (a pasted text keeps its line breaks), lone surrogates (no
    UTF-8 text can hold them, so no database either) and outer blanks."""
    return "".join(ch for ch in text
                   if ch not in CONTROL and not "\ud800" <= ch <= "\udfff").strip()


class Engine:
    def __init__(self, content: Content, timezone: str, reminder_time: time = time(9, 0)
                 ) -> None:
        charter, script = content.charter, content.script
        self.script = script
        self.walk = Walk(charter, script, content.interpreter)
        self.onboarding = Onboarding(script, timezone, charter, reminder_time)
        self.welcome = Welcome(charter, script)
        self.reminders = Reminders(script, len(charter.levers))
        self.summaries = Summaries(charter, script)
        self.arrivals = Arrivals(script)
        capabilities: tuple[Capability, ...] = (
            self.welcome, self.onboarding, self.walk, Deadlines(script),
            Members(script, len(charter.levers)), Settings(script), self.summaries,
            self.reminders, Seances(charter, script, content.interpreter),
            Accords(charter, script), self.arrivals,
            Suggestions(charter, script, content.interpreter),
        )
        self.commands: dict[str, CommandRoute] = _merge(c.commands for c in capabilities)
        self.buttons: dict[type[Callback], ButtonRoute] = _merge(c.buttons for c in capabilities)
        self.forms: dict[str, FormRoute] = _merge(c.forms for c in capabilities)
        self.group_commands: dict[str, GroupRoute] = _merge(
            c.group_commands for c in capabilities)
        self.group_replies: dict[str, ReplyRoute] = _merge(
            getattr(c, "group_replies", {}) for c in capabilities)
        missing = set(MENU) - set(self.commands) - {"annuler"}
        assert not missing, f"commands in the menu that nothing handles: {missing}"

    @property
    def group_command_names(self) -> tuple[str, ...]:
        return tuple(self.group_commands)

    # --- what an event reads ----------------------------------------------------------------

    def needs(self, session: Session, event: Event | Outcome) -> Needs:
        """The reads this event needs beyond the base context (pure; before the step)."""
        wanted: list = []
        form = self.forms.get(session.form.kind) if session.form is not None else None
        if form is not None and session.form is not None:
            wanted.extend(form.needs(session.form))
        if isinstance(event, Command):
            route = self.commands.get(_alias(event).name)
            if route is not None:
                wanted.extend(route.needs(_alias(event)))
        elif isinstance(event, Press):
            data = decode(event.data)
            button = self.buttons.get(type(data)) if data is not None else None
            if button is not None:
                wanted.extend(button.needs(data))
        elif isinstance(event, GroupCommand):
            group = self.group_commands.get(event.name)
            if group is not None:
                wanted.extend(group.needs(event))
        elif isinstance(event, GroupText):
            for reply in self.group_replies.values():
                wanted.extend(reply.needs(event))
        elif isinstance(event, Text | Other) and form is None:
            wanted.extend(self.walk.reads)  # typed answers move the walk on to a lever's card
        if isinstance(event, Text):
            wanted.extend(self.onboarding.text_needs(session.form, clean(event.text)))
        return tuple(dict.fromkeys(wanted))

    # --- the step ---------------------------------------------------------------------------

    def step(self, session: Session, walk: WalkState | None, event: Event | Outcome,
             ctx: Context) -> Step:
        if ctx.member is None and session.member_id is not None:
            session = replace(session, member_id=None)  # the membership is gone
            walk = None
        turn = Turn(session, walk, ctx)
        if isinstance(event, Command):
            return self._command(turn, _alias(event))
        if isinstance(event, Press):
            return self._press(turn, event)
        if isinstance(event, Text):
            return self._text(turn, clean(event.text))
        if isinstance(event, GroupCommand):
            route = self.group_commands.get(event.name)
            if route is None:
                return turn.reply(Outgoing(self.script.say("group.private_only")))
            return route.handler(turn, event)
        if isinstance(event, GroupText):
            event = replace(event, text=clean(event.text))
            if not event.text:
                return turn.reply()
            for reply in self.group_replies.values():
                answered = reply.handler(turn, event)
                if answered is not None:
                    return answered
            return turn.reply()  # a reply to the bot that no capability is waiting for
        if isinstance(event, Other):
            key = "edit_ignored" if event.kind == "edit" else "unsupported"
            return turn.reply(Outgoing(self.script.say(key)), *self.current(turn))
        return self.onboarding.finished(turn, event)

    def _command(self, turn: Turn, cmd: Command) -> Step:
        s = self.script
        if cmd.name == "annuler":
            return self._cancel(turn)
        route = self.commands.get(cmd.name)
        if route is None:
            return turn.reply(Outgoing(s.say("unknown_command", command=cmd.name)))
        ctx = turn.ctx
        if route.access is not Access.ANYONE and (
                ctx.member is None or ctx.alliance is None or ctx.phase is None):
            return turn.reply(Outgoing(s.say("no_alliance")))
        if route.access in (Access.MEMBER, Access.WRITE) \
                and not rules.may_read_alliance(ctx.member):
            assert ctx.alliance is not None
            return turn.reply(Outgoing(s.say("arrivals.waiting", alliance=ctx.alliance.name)))
        if route.access is Access.WRITE and rules.read_only(ctx.alliance):
            assert ctx.alliance is not None
            return turn.reply(Outgoing(s.say("archive.read_only", alliance=ctx.alliance.name)))
        return route.handler(turn, cmd)

    def _press(self, turn: Turn, press: Press) -> Step:
        data = decode(press.data)
        route = self.buttons.get(type(data)) if data is not None else None
        group = in_group(press)
        if group and (route is None or not route.groups):
            return turn.reply()  # a private button shown in a group: nothing to say there
        step = None
        if route is not None:
            step = route.handler(turn, data, press) if route.pressed else route.handler(turn, data)
        if step is not None:
            return step
        stale = Outgoing(self.script.say("stale_button"))
        return turn.reply(stale) if group else turn.reply(stale, *self.current(turn))

    def _text(self, turn: Turn, text: str) -> Step:
        s = self.script
        if len(text) > s.text_max:
            return turn.reply(Outgoing(s.say("text_too_long", length=len(text), max=s.text_max)))
        form = turn.session.form
        if form is not None:
            route = self.forms.get(form.kind)
            if route is not None:
                return route.on_text(turn, text)
            turn = replace(turn, session=replace(turn.session, form=None))  # an old form kind
        joined = self.onboarding.pasted(turn, text)
        if joined is not None:
            shown = self.walk.current(turn) if turn.ctx.loaded.invitation is None else None
            return replace(joined, outgoing=(*joined.outgoing, *shown)) if shown else joined
        step = self.walk.on_text(turn, text)
        if step is not None:
            return step
        return turn.reply(*self.current(turn))

    def _cancel(self, turn: Turn) -> Step:
        """Drop the form or question in progress; during a walk, show its question again."""
        walk = turn.walk
        had = turn.session.form is not None or (walk is not None and walk.pending is not None)
        walk = replace(walk, pending=None) if walk is not None else None
        session = turn.with_session(form=None)
        after = replace(turn, session=session, walk=walk)
        key = "cancelled" if had else "walk.cancel_nothing"
        shown = self.walk.current(after, self.script.say(key))
        if shown is not None:
            return turn.reply(*shown, session=session, walk=walk)
        key = "cancelled" if had else "nothing_to_cancel"
        return turn.reply(Outgoing(self.script.say(key)), session=session, walk=walk)

    def current(self, turn: Turn) -> tuple[Outgoing, ...]:
        """What the person should see to go on from here."""
        form = turn.session.form
        route = self.forms.get(form.kind) if form is not None else None
        if route is not None:
            return route.prompt(turn)
        shown = self.walk.current(turn)
        if shown is not None:
            return shown
        ctx = turn.ctx
        if ctx.alliance is not None and rules.read_only(ctx.alliance):
            return (Outgoing(self.script.say("archive.read_only", alliance=ctx.alliance.name)),)
        return (self.welcome.hello(turn),)


def _alias(cmd: Command) -> Command:
    """The invitation link opens `/start CODE`: it joins like `/rejoindre CODE`."""
    if cmd.name == "start" and cmd.arg.strip():
        return Command("rejoindre", cmd.arg)
    return cmd


def _merge(tables) -> dict:
    merged: dict = {}
    for table in tables:
        table = dict(table) if isinstance(table, Mapping) else table
        clash = set(merged) & set(table)
        assert not clash, f"two capabilities route {clash}"
        merged.update(table)
    return merged


__all__ = ["MENU", "Engine", "clean"]
