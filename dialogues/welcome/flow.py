"""Hello and help: /start, /aide, /confidentialite. Pure."""

from __future__ import annotations

from dialogues.content.charter import Charter
from dialogues.content.markup import Html, esc
from dialogues.content.script import Script
from dialogues.core import rules
from dialogues.core.events import Command
from dialogues.core.outgoing import Outgoing
from dialogues.core.routes import CommandRoute
from dialogues.core.step import Step, Turn
from dialogues.walk.buttons import StartWalk


class Welcome:
    def __init__(self, charter: Charter, script: Script) -> None:
        self.charter = charter
        self.s = script
        self.commands = {
            "start": CommandRoute(self._cmd_start),
            "aide": CommandRoute(self._cmd_help),
            "confidentialite": CommandRoute(self._cmd_privacy),
        }
        self.buttons: dict = {}
        self.forms: dict = {}
        self.group_commands: dict = {}

    def _cmd_start(self, turn: Turn, cmd: Command) -> Step:
        return turn.reply(self.hello(turn))

    def _cmd_help(self, turn: Turn, cmd: Command) -> Step:
        return turn.reply(Outgoing(self.s.say("help")), Outgoing(self._about()))

    def _cmd_privacy(self, turn: Turn, cmd: Command) -> Step:
        return turn.reply(Outgoing(self.s.say("privacy")))

    def hello(self, turn: Turn) -> Outgoing:
        """Welcome for a newcomer; for a member, back to their alliance with the walk button."""
        ctx = turn.ctx
        if ctx.alliance is None or ctx.member is None:
            return Outgoing(self.s.say("welcome"))
        if not rules.may_read_alliance(ctx.member):
            return Outgoing(self.s.say("arrivals.waiting", alliance=ctx.alliance.name))
        if rules.is_tiers(ctx.member):
            return Outgoing(self.s.say("welcome_back_tiers", alliance=ctx.alliance.name))
        text = self.s.say("welcome_back", alliance=ctx.alliance.name)
        return Outgoing(text, ((StartWalk(ctx.member.id).button(self.s.button("start_walk")),),))

    def _about(self) -> str:
        c = self.charter
        families = "\n".join(f"• <b>{esc(f.title)}</b> — {esc(f.question)}" for f in c.families)
        usage = "\n".join(f"<b>{esc(u.title)}</b> {esc(u.text)}" for u in c.usage)
        return self.s.say("charter_about", title=c.title, intro=c.intro, families=Html(families),
                          usage=Html(usage))
