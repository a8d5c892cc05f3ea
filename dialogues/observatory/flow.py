"""/suggestion: a partner sends the charter's publisher a suggestion about its text (« un
outil itératif »), about the whole charter or one lever. Pure.

`/suggestion` asks for the text (about the whole charter, or about the lever the person's
walk is on, with a button to switch); `/suggestion gouvernance` names the lever. The text
is stored with the person only for their rights (/mes_donnees, /oubli); the publisher reads
it without a name (`charte-bot observatoire --suggestions`).
"""

from __future__ import annotations

from dialogues.content.charter import Charter
from dialogues.content.reading import Interpreter
from dialogues.content.script import Script
from dialogues.core import rules
from dialogues.core.effects import AddSuggestion
from dialogues.core.events import Command
from dialogues.core.outgoing import Button, Outgoing
from dialogues.core.routes import Access, ButtonRoute, CommandRoute, FormRoute
from dialogues.core.session import Form
from dialogues.core.step import Step, Turn
from dialogues.observatory.buttons import SuggestionAbout

FORM = "suggestion"


class Suggestions:
    def __init__(self, charter: Charter, script: Script, read: Interpreter) -> None:
        self.charter = charter
        self.s = script
        self.read = read
        self.commands = {"suggestion": CommandRoute(self._cmd_suggest, Access.MEMBER)}
        self.buttons = {SuggestionAbout: ButtonRoute(self._on_about)}
        self.forms = {FORM: FormRoute(self._on_text, self._prompt)}
        self.group_commands: dict = {}

    # --- routes -----------------------------------------------------------------------------

    def _cmd_suggest(self, turn: Turn, cmd: Command) -> Step:
        typed = cmd.arg.strip()
        lever_id = None
        unknown: tuple[Outgoing, ...] = ()
        if typed:
            ids = [lever.id for lever in self.charter.levers]
            lever_id = typed.lower() if typed.lower() in ids else self.read.find_lever(typed)
            if lever_id is None:
                unknown = (Outgoing(self.s.say("suggestion.unknown_lever", typed=typed)),)
        form = Form(FORM, "text", (("lever", lever_id),) if lever_id else ())
        return turn.reply(*unknown, self._ask(turn, form), session=turn.with_session(form=form))

    def _on_about(self, turn: Turn, data: SuggestionAbout) -> Step | None:
        form = turn.session.form
        member = turn.ctx.member
        if form is None or form.kind != FORM or member is None or data.me != member.id:
            return None
        if data.lever is not None and data.lever not in {x.id for x in self.charter.levers}:
            return None
        form = Form(FORM, "text", (("lever", data.lever),) if data.lever else ())
        return turn.reply(self._ask(turn, form, edit=True), session=turn.with_session(form=form))

    def _on_text(self, turn: Turn, text: str) -> Step:
        form = turn.session.form
        assert form is not None
        done = turn.with_session(form=None)
        if not text or not rules.may_suggest(turn.ctx.member):
            return turn.reply(Outgoing(self.s.say("text_empty")), *self._prompt(turn))
        return turn.reply(Outgoing(self.s.say("suggestion.thanks")),
                          effects=(AddSuggestion(form.get("lever"), text),), session=done)

    def _prompt(self, turn: Turn) -> tuple[Outgoing, ...]:
        form = turn.session.form
        return (self._ask(turn, form),) if form is not None else ()

    # --- the question -----------------------------------------------------------------------

    def _ask(self, turn: Turn, form: Form, edit: bool = False) -> Outgoing:
        s = self.s
        member = turn.ctx.member
        assert member is not None
        lever_id = form.get("lever")
        rows: tuple[tuple[Button, ...], ...] = ()
        if lever_id is not None:
            lever = self.charter.lever(lever_id)
            about = s.say("suggestion.about_lever", number=lever.number, title=lever.title)
            rows = ((SuggestionAbout(member.id, None).button(s.button("suggestion_whole")),),)
        else:
            about = s.say("suggestion.about_charter")
            walk = turn.walk
            if walk is not None and walk.index < len(self.charter.levers):
                lever = self.charter.levers[walk.index]
                label = s.button("suggestion_lever").format(number=lever.number,
                                                            title=lever.short)
                rows = ((SuggestionAbout(member.id, lever.id).button(label),),)
        return Outgoing(s.say("suggestion.ask") + "\n\n" + about, rows, edit=edit)
