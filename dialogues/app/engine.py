"""The dialogue engine: step(session, walk, event, context) -> Step. Pure: no I/O, no clock."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dialogues.content.charter import Charter
from dialogues.content.markup import Html, cut, esc
from dialogues.content.reading import Interpreter
from dialogues.content.script import Script
from dialogues.core.context import Context
from dialogues.core.effects import (
    Archive,
    CodeFound,
    CodeNotFound,
    CodeReplaced,
    Created,
    DatesChanged,
    Erase,
    ExportData,
    GroupResult,
    Joined,
    Leave,
    LinkGroup,
    LoadExport,
    LoadGroupSummary,
    LoadMembers,
    LoadPersonData,
    LoadSummary,
    ManageMember,
    MembersData,
    NudgesOff,
    Outcome,
    PersonData,
    ReplaceCode,
    SetAnonymous,
    SummaryData,
    Then,
)
from dialogues.core.events import Command, Event, GroupCommand, Other, Press, Text
from dialogues.core.outgoing import Button, Outgoing
from dialogues.core.session import Form, Session
from dialogues.deadlines.flow import DeadlineResult, Deadlines
from dialogues.members.flow import MembersView
from dialogues.onboarding.flow import FormResult, Forms
from dialogues.summary.documents import Exports
from dialogues.summary.flow import Summaries
from dialogues.walk.flow import Walk, WalkResult, WalkView
from dialogues.walk.state import WalkState

COMMANDS = ("start", "nouvelle", "rejoindre", "charte", "levier", "synthese", "mes_reponses",
            "echeances", "export", "inviter", "membres", "reglages", "archiver", "quitter",
            "alliances", "mes_donnees", "oubli", "confidentialite", "aide", "annuler")
# Commands that work in a group chat (GroupCommand); the others point to a private chat.
GROUP_COMMANDS = ("lier", "synthese")
# Commands that need a current alliance.
MEMBER_COMMANDS = ("charte", "levier", "synthese", "mes_reponses", "echeances", "export",
                   "inviter", "membres", "reglages", "archiver", "quitter")
# Commands that change answers: refused once the alliance is archived.
WRITE_COMMANDS = ("charte", "levier", "echeances")
CONTROL = {chr(c) for c in range(32)} - {"\n", "\t"} | {chr(127)}


@dataclass(frozen=True, slots=True)
class Step:
    session: Session
    walk: WalkState | None  # the walk of context.member after the step
    outgoing: tuple[Outgoing, ...] = ()
    effects: tuple[object, ...] = ()


def clean(text: str) -> str:
    """Drop control characters (a pasted text keeps its line breaks) and outer blanks."""
    return "".join(ch for ch in text if ch not in CONTROL).strip()


class Engine:
    def __init__(
        self, charter: Charter, script: Script, interpreter: Interpreter, timezone: str
    ) -> None:
        self.charter = charter
        self.script = script
        self.walks = Walk(charter, script, interpreter)
        self.forms = Forms(script, timezone)
        self.summaries = Summaries(charter, script)
        self.exports = Exports(charter, script, self.summaries)
        self.deadlines = Deadlines(script)
        self.members = MembersView(script, len(charter.levers))

    def step(self, session: Session, walk: WalkState | None, event: object, ctx: Context) -> Step:
        if ctx.member is None and session.member_id is not None:
            session = replace(session, member_id=None)  # the membership is gone
            walk = None
        if isinstance(event, Command):
            return self._command(session, walk, event, ctx)
        if isinstance(event, Press):
            return self._press(session, walk, event.data, ctx)
        if isinstance(event, Text):
            return self._text(session, walk, clean(event.text), ctx)
        if isinstance(event, GroupCommand):
            return Step(session, walk, *self._group(event))
        if isinstance(event, Other):
            key = "edit_ignored" if event.kind == "edit" else "unsupported"
            note = Outgoing(self.script.say(key))
            return Step(session, walk, (note, *self._current(session, walk, ctx)))
        return self._result(session, walk, event, ctx)

    def _result(self, session: Session, walk: WalkState | None, event: object, ctx: Context
                ) -> Step:
        """What the service fed back after applying an effect."""
        s = self.script
        if isinstance(event, CodeFound | CodeNotFound | Created | Joined):
            result = self.forms.on_result(session.form, event)
            return self._form_result(session, walk, result, event, ctx)
        if isinstance(event, GroupResult):
            text = s.say(f"group.{event.outcome}", alliance=event.alliance_name)
            return Step(session, walk, (Outgoing(text),))
        if isinstance(event, SummaryData) and event.request.section == "g":
            return Step(session, walk, self.summaries.render(event, event.alliance_name, 0))
        if isinstance(event, Outcome):
            text = s.say(event.key, name=event.name, alliance=event.alliance)
            return Step(replace(session, form=None), walk, (Outgoing(text, edit=True),))
        if isinstance(event, PersonData):
            return Step(session, walk, (self.members.personal_data(event.json_text),))
        member, alliance, phase = ctx.member, ctx.alliance, ctx.phase
        if member is None or alliance is None or phase is None:
            return Step(session, walk, (Outgoing(s.say("no_alliance")),))
        if isinstance(event, SummaryData):
            return Step(session, walk, self.summaries.render(event, alliance.name, member.id))
        if isinstance(event, MembersData):
            shown = self.members.render(event, alliance.name, phase, member.id,
                                        member.role == "coordinator")
            return Step(session, walk, (shown,))
        if isinstance(event, DatesChanged):
            return Step(session, walk, self.deadlines.changed(alliance, phase, member.id))
        if isinstance(event, ExportData):
            return Step(session, walk, self.exports.render(event, alliance, phase, ctx.now))
        if isinstance(event, CodeReplaced):
            note = Outgoing(s.say("invite.replaced"), edit=True)
            return Step(replace(session, form=None), walk,
                        (note, self._invitation(ctx, event.code)))
        raise TypeError(f"not an event: {event!r}")

    # --- commands ---------------------------------------------------------------------------

    def _command(self, session: Session, walk: WalkState | None, cmd: Command,
                 ctx: Context) -> Step:
        s = self.script
        name = cmd.name
        if name == "start" and cmd.arg:
            name = "rejoindre"
        if name == "nouvelle":
            return self._form(session, walk, self.forms.start_new())
        if name == "rejoindre":
            return self._form(session, walk, self.forms.start_join(cmd.arg))
        if name == "annuler":
            had = session.form is not None or (walk is not None and walk.pending is not None)
            walk = replace(walk, pending=None) if walk else None
            key = "cancelled" if had else "nothing_to_cancel"
            return Step(replace(session, form=None), walk, (Outgoing(s.say(key)),))
        if name == "aide":
            return Step(session, walk, (Outgoing(s.say("help")), Outgoing(self._about())))
        if name == "confidentialite":
            return Step(session, walk, (Outgoing(s.say("privacy")),))
        if name == "mes_donnees":
            return Step(session, walk, (), (LoadPersonData(),))
        if name == "oubli":
            return Step(replace(session, form=Form("erase", "confirm")), walk,
                        (self.members.ask_erase(),))
        if name == "alliances":
            return Step(session, walk, self._alliances(ctx))
        if name == "start":
            if ctx.alliance is None:
                return Step(session, walk, (Outgoing(s.say("welcome")),))
            return Step(session, walk, (self._welcome_back(ctx),))
        if name in MEMBER_COMMANDS:
            if ctx.member is None or ctx.alliance is None or ctx.phase is None:
                return Step(session, walk, (Outgoing(s.say("no_alliance")),))
            if ctx.alliance.archived_at is not None and name in WRITE_COMMANDS:
                return Step(session, walk, (Outgoing(s.say("archive.read_only",
                                                           alliance=ctx.alliance.name)),))
            if name == "membres":
                return Step(session, walk, (), (LoadMembers(),))
            if name == "inviter":
                return Step(session, walk, (self._invitation(ctx, ctx.alliance.invite_code),))
            if name == "quitter":
                return Step(replace(session, form=Form("leave", "confirm")), walk,
                            (self.members.ask_leave(ctx.alliance.name, ctx.member.id),))
            if name == "archiver":
                if ctx.member.role != "coordinator":
                    return Step(session, walk, (Outgoing(s.say("settings.coordinator_only")),))
                if ctx.phase != "fin" or ctx.alliance.archived_at is not None:
                    return Step(session, walk, (Outgoing(s.say("archive.not_yet")),))
                return Step(replace(session, form=Form("archive", "confirm")), walk,
                            (self.members.ask_archive(ctx.alliance.name, ctx.member.id),))
            if name == "synthese":
                phase = self.summaries.parse_phase(cmd.arg, ctx.phase)
                return Step(session, walk, (), (LoadSummary(phase, "h", True, False),))
            if name == "mes_reponses":
                return Step(session, walk, self._my_answers(walk, ctx))
            if name == "export":
                return Step(session, walk, (), (LoadExport(),))
            if name == "reglages":
                return Step(session, walk, (self._settings(ctx),))
            if name == "echeances":
                shown = self.deadlines.show(ctx.alliance, ctx.phase, ctx.member.id,
                                            ctx.member.role == "coordinator")
                return Step(replace(session, form=None), walk, (shown,))
            session = replace(session, form=None)
            if name == "charte":
                same_phase = walk if walk is not None and walk.phase == ctx.phase else None
                view = self._view(same_phase, ctx)
                return self._walk(session, self.walks.start(walk, ctx.phase, view))
            return self._jump(session, walk, cmd.arg, ctx)
        return Step(session, walk, (Outgoing(s.say("unknown_command", command=cmd.name)),))

    def _jump(self, session: Session, walk: WalkState | None, typed: str, ctx: Context) -> Step:
        lever_id = typed.strip().lower() if typed.strip().lower() in self._ids() else None
        lever_id = lever_id or (self.walks.find_lever(typed) if typed.strip() else None)
        if lever_id is None:
            ids = ", ".join(self._ids())
            return Step(session, walk, (Outgoing(self.script.say("walk.unknown_lever", ids=ids)),))
        assert ctx.phase is not None
        if walk is None or walk.phase != ctx.phase:
            walk = WalkState(phase=ctx.phase)
        return self._walk(session, self.walks.jump(walk, lever_id, self._view(walk, ctx)))

    # --- buttons ----------------------------------------------------------------------------

    def _press(self, session: Session, walk: WalkState | None, data: str, ctx: Context) -> Step:
        kind = data.split(":", 1)[0]
        if kind == "w" and walk is not None and ctx.member is not None \
                and ctx.alliance is not None and ctx.alliance.archived_at is None:
            result = self.walks.on_press(walk, data, self._view(walk, ctx))
            if result is not None:
                return self._walk(session, result)
        elif kind == "d" and ctx.member is not None and ctx.alliance is not None \
                and ctx.phase is not None and ctx.member.role == "coordinator" \
                and data.startswith(f"d:{ctx.member.id}:"):
            result = self.deadlines.on_press(ctx.alliance, ctx.phase, data.rsplit(":", 1)[1])
            if result.form is not None:
                return self._deadline(session, walk, result)
        elif kind == "f" and session.form is not None and session.form.kind == "dates" \
                and data == "f:dates:open:yes" and ctx.alliance is not None and ctx.phase:
            return self._deadline(session, walk, self.deadlines.on_input(
                session.form, ctx.alliance, ctx.phase, "yes", ctx.now))
        elif kind == "f":
            form_result = self.forms.on_press(session.form, data)
            if form_result is not None:
                return self._form(session, walk, form_result)
        elif kind == "a":
            chosen = next((m for m in ctx.memberships if data == f"a:{m.member_id}"), None)
            if chosen is not None:
                text = self.script.say("alliances.switched", alliance=chosen.alliance_name)
                buttons = ((self._start_button(chosen.member_id),),)
                return Step(replace(session, member_id=chosen.member_id, form=None), None,
                            (Outgoing(text, buttons, edit=True),))
        elif kind == "s" and ctx.member is not None:
            request = self.summaries.parse_press(data, ctx.member.id)
            if request is not None:
                return Step(session, walk, (), (request,))
        elif kind == "g" and ctx.member is not None and ctx.alliance is not None \
                and ctx.member.role == "coordinator" \
                and data in (f"g:{ctx.member.id}:anon:1", f"g:{ctx.member.id}:anon:0"):
            anonymous = data.endswith(":1")
            shown = replace(ctx, alliance=replace(ctx.alliance, anonymous=anonymous))
            return Step(session, walk, (replace(self._settings(shown), edit=True),),
                        (SetAnonymous(anonymous),))
        elif kind == "m" and ctx.member is not None and ctx.member.role == "coordinator":
            parsed = self.members.parse_press(data, ctx.member.id)
            if isinstance(parsed, LoadMembers):
                return Step(session, walk, (), (parsed,))
            if parsed is not None:
                return Step(session, walk, (), (ManageMember(*parsed),))
        elif kind == "i" and ctx.member is not None and ctx.member.role == "coordinator" \
                and data == f"i:{ctx.member.id}:new":
            ask = Outgoing(self.script.say("invite.confirm"), (
                (Button(self.script.button("invite_yes"), f"i:{ctx.member.id}:yes"),
                 Button(self.script.button("cancel"), f"i:{ctx.member.id}:no")),), edit=True)
            return Step(replace(session, form=Form("invite", "confirm")), walk, (ask,))
        elif kind in ("q", "o", "x", "i") and session.form is not None:
            confirmed = self._confirm_own(session, data, ctx)
            if confirmed is not None:
                return confirmed
        elif kind == "c" and ctx.member is not None and data == f"c:{ctx.member.id}":
            return self._command(session, walk, Command("charte"), ctx)
        elif kind in ("c", "n"):
            mine = next((m for m in ctx.memberships if data == f"{kind}:{m.member_id}"), None)
            if mine is not None and kind == "c":  # a reminder from another alliance: switch
                return Step(replace(session, member_id=mine.member_id, form=None), None, (),
                            (Then(Command("charte")),))
            if mine is not None:
                text = self.script.say("reminder.nudges_off_done", alliance=mine.alliance_name)
                return Step(session, walk, (Outgoing(text, edit=True),),
                            (NudgesOff(mine.member_id),))
        stale = Outgoing(self.script.say("stale_button"))
        return Step(session, walk, (stale, *self._current(session, walk, ctx)))

    # --- text -------------------------------------------------------------------------------

    def _text(self, session: Session, walk: WalkState | None, text: str, ctx: Context) -> Step:
        if len(text) > self.script.text_max:
            note = self.script.say("text_too_long", length=len(text), max=self.script.text_max)
            return Step(session, walk, (Outgoing(note),))
        if session.form is not None and session.form.kind == "dates":
            if ctx.alliance is None or ctx.phase is None:
                return Step(replace(session, form=None), walk, self._current(session, walk, ctx))
            return self._deadline(session, walk, self.deadlines.on_input(
                session.form, ctx.alliance, ctx.phase, text, ctx.now))
        if session.form is not None and session.form.kind in ("new", "join"):
            return self._form(session, walk, self.forms.on_text(session.form, text))
        if session.form is not None:  # a yes/no question waits for its buttons
            return Step(session, walk, (Outgoing(self.script.say("walk.type_or_press")),))
        if walk is not None and ctx.member is not None and ctx.alliance is not None:
            if ctx.alliance.archived_at is not None:
                return Step(session, walk, (Outgoing(self.script.say(
                    "archive.read_only", alliance=ctx.alliance.name)),))
            return self._walk(session, self.walks.on_text(walk, text, self._view(walk, ctx)))
        return Step(session, walk, self._current(session, walk, ctx))

    # --- helpers ----------------------------------------------------------------------------

    def _current(self, session: Session, walk: WalkState | None, ctx: Context
                 ) -> tuple[Outgoing, ...]:
        """What the person should see to go on from here."""
        if session.form is not None and session.form.kind == "dates":
            return self.deadlines.prompt(session.form)
        if session.form is not None:
            return self.forms.prompt(session.form)
        if walk is not None and ctx.member is not None and ctx.alliance is not None:
            return self.walks.prompt(walk, self._view(walk, ctx))
        if ctx.alliance is not None and ctx.alliance.archived_at is not None:
            return (Outgoing(self.script.say("archive.read_only", alliance=ctx.alliance.name)),)
        if ctx.alliance is not None:
            return (self._welcome_back(ctx),)
        return (Outgoing(self.script.say("welcome")),)

    def _form(self, session: Session, walk: WalkState | None, result: FormResult) -> Step:
        session = replace(session, form=result.form)
        if result.member_id is not None:
            session = replace(session, member_id=result.member_id)
        return Step(session, walk, result.outgoing, result.effects)

    def _confirm_own(self, session: Session, data: str, ctx: Context) -> Step | None:
        """The yes/no of /quitter, /oubli and /archiver, valid only right after the question."""
        form = session.form
        assert form is not None
        me = ctx.member.id if ctx.member else None
        done = replace(session, form=None)
        if data.endswith(":no") and form.kind in ("leave", "erase", "archive", "invite"):
            return Step(done, None, (Outgoing(self.script.say("cancelled"), edit=True),))
        if form.kind == "leave" and data == f"q:{me}:yes":
            return Step(done, None, (), (Leave(),))
        if form.kind == "archive" and data == f"x:{me}:yes":
            return Step(done, None, (), (Archive(),))
        if form.kind == "invite" and data == f"i:{me}:yes":
            return Step(done, None, (), (ReplaceCode(),))
        if form.kind == "erase" and data in ("o:keep", "o:all"):
            return Step(Session(), None, (), (Erase(delete_answers=data == "o:all"),))
        return None

    def _deadline(self, session: Session, walk: WalkState | None, result: DeadlineResult
                  ) -> Step:
        return Step(replace(session, form=result.form), walk, result.outgoing, result.effects)

    def _form_result(self, session: Session, walk: WalkState | None, result: FormResult,
                     event: object, ctx: Context) -> Step:
        step = self._form(session, walk, result)
        if result.member_id is None:
            return step
        out = list(step.outgoing)
        if isinstance(event, Created) and ctx.invite_link:
            link = f"{ctx.invite_link}{event.code}"
            out.append(Outgoing(self.script.say("new.created_link", link=link)))
        out.append(Outgoing(self.script.say("walk.ready"),
                            ((self._start_button(result.member_id),),)))
        return replace(step, outgoing=tuple(out), walk=None)

    def _walk(self, session: Session, result: WalkResult) -> Step:
        return Step(session, result.walk, result.outgoing, result.effects)

    def _view(self, walk: WalkState | None, ctx: Context) -> WalkView:
        assert ctx.member is not None and ctx.alliance is not None
        phase = walk.phase if walk is not None else ctx.phase
        previous = self.script.phases[phase].previous if phase else None
        return WalkView(
            member_id=ctx.member.id,
            alliance_name=ctx.alliance.name,
            organisation_name=ctx.organisation.name if ctx.organisation else "",
            answers=ctx.answers_in(phase),
            previous=ctx.answers_in(previous),
        )

    def _my_answers(self, walk: WalkState | None, ctx: Context) -> tuple[Outgoing, ...]:
        """The member's own answers in the current phase, and changes since the previous one."""
        assert ctx.phase is not None
        current = walk if walk is not None and walk.phase == ctx.phase else None
        shown = current or WalkState(phase=ctx.phase, index=0)
        recap = self.walks.recap(replace(shown, index=0), self._view(current, ctx))
        return recap

    def _group(self, cmd: GroupCommand) -> tuple[tuple[Outgoing, ...], tuple[object, ...]]:
        """Commands in a group: /lier CODE and /synthese; anything else points to private."""
        if cmd.name == "lier":
            code = cmd.arg.strip()
            if not code:
                return (Outgoing(self.script.say("group.ask_code")),), ()
            return (), (LinkGroup(cmd.chat_id, code),)
        if cmd.name == "synthese":
            return (), (LoadGroupSummary(cmd.chat_id),)
        return (Outgoing(self.script.say("group.private_only")),), ()

    def _invitation(self, ctx: Context, code: str) -> Outgoing:
        """The code and link to send partners; the coordinator may replace the code."""
        assert ctx.member is not None and ctx.alliance is not None
        s = self.script
        lines = [s.say("invite.show", alliance=ctx.alliance.name, code=code)]
        if ctx.invite_link:
            lines.append(s.say("new.created_link", link=f"{ctx.invite_link}{code}"))
        buttons: tuple[tuple[Button, ...], ...] = ()
        if ctx.member.role == "coordinator":
            buttons = ((Button(s.button("invite_new"), f"i:{ctx.member.id}:new"),),)
        return Outgoing("\n\n".join(lines), buttons)

    def _settings(self, ctx: Context) -> Outgoing:
        assert ctx.member is not None and ctx.alliance is not None
        s = self.script
        if ctx.member.role != "coordinator":
            return Outgoing(s.say("settings.coordinator_only"))
        anonymous = ctx.alliance.anonymous
        mode = s.say("settings.mode.anonymous" if anonymous else "settings.mode.named")
        key, value = ("settings_named", 0) if anonymous else ("settings_anonymous", 1)
        button = Button(s.button(key), f"g:{ctx.member.id}:anon:{value}")
        return Outgoing(s.say("settings.show", alliance=ctx.alliance.name, mode=Html(mode)),
                        ((button,),))

    def _alliances(self, ctx: Context) -> tuple[Outgoing, ...]:
        s = self.script
        if not ctx.memberships:
            return (Outgoing(s.say("alliances.none")),)
        lines = [s.say("alliances.list")]
        rows = []
        for m in ctx.memberships:
            current = ctx.member is not None and m.member_id == ctx.member.id
            item = s.say("alliances.item", alliance=m.alliance_name,
                         organisation=m.organisation_name, role=s.roles[m.role])
            lines.append(f"• {item}" + (" ✓" if current else ""))
            rows.append((Button(cut(m.alliance_name, 40), f"a:{m.member_id}"),))
        return (Outgoing("\n".join(lines), tuple(rows)),)

    def _welcome_back(self, ctx: Context) -> Outgoing:
        assert ctx.alliance is not None and ctx.member is not None
        text = self.script.say("welcome_back", alliance=ctx.alliance.name)
        return Outgoing(text, ((self._start_button(ctx.member.id),),))

    def _start_button(self, member_id: int) -> Button:
        return Button(self.script.button("start_walk"), f"c:{member_id}")

    def _about(self) -> str:
        s = self.script
        c = self.charter
        families = "\n".join(f"• <b>{esc(f.title)}</b> — {esc(f.question)}" for f in c.families)
        usage = "\n".join(f"<b>{esc(u.title)}</b> {esc(u.text)}" for u in c.usage)
        return s.say("charter_about", title=c.title, intro=c.intro, families=Html(families),
                     usage=Html(usage))

    def _ids(self) -> list[str]:
        return [lever.id for lever in self.charter.levers]


__all__ = ["COMMANDS", "Engine", "Event", "Step", "clean"]
