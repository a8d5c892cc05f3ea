"""The charter walk: one member, one phase, lever by lever. Pure: no I/O.

/charte starts or resumes it, /levier jumps, /mes_reponses shows the member's answers; between
commands, whatever the member types or presses answers the current question. Each step shows
one message: a press that stays on the lever edits the pressed message, a step to another
lever sends a new one that starts with what was just recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dialogues.content.charter import Charter, Lever
from dialogues.content.markup import Html, cut
from dialogues.content.reading import Interpreter, Reading
from dialogues.content.script import Script, StepDef
from dialogues.core import rules
from dialogues.core.agreements import latest_by_phase
from dialogues.core.context import Need
from dialogues.core.effects import SaveAnswer
from dialogues.core.events import Command
from dialogues.core.outgoing import Outgoing
from dialogues.core.routes import Access, ButtonRoute, CommandRoute, needs
from dialogues.core.session import DONT_KNOW, WalkState
from dialogues.core.step import Step, Turn
from dialogues.walk.buttons import CONFIRMATIONS, StartWalk, WalkButton
from dialogues.walk.prompts import RECAP_TEXT_MAX, Prompts, Walker


@dataclass(frozen=True, slots=True)
class Given:
    """An answer as the walk knows it (a stored Answer has the same fields)."""

    position: int | None
    comment: str | None
    contribution: str | None
    expectation: str | None


@dataclass(frozen=True, slots=True)
class Moved:
    """What a walk step comes to."""

    walk: WalkState
    outgoing: tuple[Outgoing, ...] = ()
    effects: tuple[SaveAnswer, ...] = ()


class Walk:
    def __init__(self, charter: Charter, script: Script, reader: Interpreter) -> None:
        self.charter = charter
        self.s = script
        self.read = reader
        self.p = Prompts(charter, script)
        self.total = len(charter.levers)
        # Beyond the base context, a lever's card reads what the alliance retained earlier.
        self.reads = (Need.RETAINED,)
        self.commands = {
            "charte": CommandRoute(self._cmd_walk, Access.WRITE, needs(*self.reads)),
            "levier": CommandRoute(self._cmd_jump, Access.WRITE, needs(*self.reads)),
            "mes_reponses": CommandRoute(self._cmd_my_answers, Access.MEMBER),
        }
        self.buttons = {
            WalkButton: ButtonRoute(self._on_button, needs(*self.reads)),
            StartWalk: ButtonRoute(self._on_start, needs(Need.MEMBERSHIPS, *self.reads)),
        }
        self.forms: dict = {}
        self.group_commands: dict = {}

    # --- routes -----------------------------------------------------------------------------

    def _tiers(self, turn: Turn) -> Step:
        """A tiers de confiance belongs to no organisation: there is no charter to walk."""
        alliance = turn.ctx.alliance.name if turn.ctx.alliance else ""
        return turn.reply(Outgoing(self.s.say("walk.tiers", alliance=alliance)))

    def _cmd_walk(self, turn: Turn, cmd: Command) -> Step:
        ctx = turn.ctx
        assert ctx.phase is not None
        if rules.is_tiers(ctx.member):
            return self._tiers(turn)
        walk = turn.walk if turn.walk is not None and turn.walk.phase == ctx.phase else None
        return self._step(turn, self.start(turn.walk, ctx.phase, self.walker(turn, walk)),
                          form=None)

    def _cmd_jump(self, turn: Turn, cmd: Command) -> Step:
        if rules.is_tiers(turn.ctx.member):
            return self._tiers(turn)
        typed = cmd.arg.strip()
        ids = [lever.id for lever in self.charter.levers]
        lever_id = typed.lower() if typed.lower() in ids else None
        lever_id = lever_id or (self.read.find_lever(typed) if typed else None)
        if lever_id is None:
            text = self.s.say("walk.unknown_lever")
            return turn.reply(Outgoing(text))
        phase = turn.ctx.phase
        assert phase is not None
        walk = turn.walk if turn.walk is not None and turn.walk.phase == phase else None
        walk = walk or WalkState(phase=phase)
        return self._step(turn, self.jump(walk, lever_id, self.walker(turn, walk)), form=None)

    def _cmd_my_answers(self, turn: Turn, cmd: Command) -> Step:
        """The member's own answers in the current phase, and changes since the previous one."""
        phase = turn.ctx.phase
        assert phase is not None
        if rules.is_tiers(turn.ctx.member):
            return self._tiers(turn)
        current = turn.walk if turn.walk is not None and turn.walk.phase == phase else None
        shown = WalkState(phase=phase, index=0)
        return turn.reply(*self.p.recap(shown, self.walker(turn, current)))

    def _on_button(self, turn: Turn, data: WalkButton) -> Step | None:
        ctx = turn.ctx
        if turn.walk is None or not rules.may_answer(ctx.member, ctx.alliance):
            return None
        moved = self.press(turn.walk, data, self.walker(turn, turn.walk))
        return None if moved is None else self._step(turn, moved)

    def _on_start(self, turn: Turn, data: StartWalk) -> Step | None:
        ctx = turn.ctx
        if ctx.member is not None and data.member == ctx.member.id:
            alliance = ctx.alliance.name if ctx.alliance else ""
            if rules.is_tiers(ctx.member):
                return self._tiers(turn)
            if not rules.may_read_alliance(ctx.member):
                return turn.reply(Outgoing(self.s.say("arrivals.waiting", alliance=alliance)))
            return self._cmd_walk(turn, Command("charte")) if rules.may_answer(
                ctx.member, ctx.alliance) else turn.reply(Outgoing(self.s.say(
                    "archive.read_only", alliance=alliance)))
        mine = next((m for m in ctx.loaded.memberships if m.member_id == data.member), None)
        if mine is None:
            return None
        # A reminder from another alliance: switch to it, then walk there.
        return Step(turn.with_session(member_id=mine.member_id, form=None), None,
                    then=Command("charte"))

    def on_text(self, turn: Turn, text: str) -> Step | None:
        """Typed text outside any form answers the current question; None without a walk."""
        ctx = turn.ctx
        if turn.walk is None or ctx.member is None or ctx.alliance is None:
            return None
        if rules.read_only(ctx.alliance):
            return turn.reply(Outgoing(self.s.say("archive.read_only", alliance=ctx.alliance.name)))
        return self._step(turn, self.text(turn.walk, text, self.walker(turn, turn.walk)))

    def current(self, turn: Turn, note: str | None = None) -> tuple[Outgoing, ...] | None:
        """The current question again (under `note`, in the same message); None without a
        walk."""
        ctx = turn.ctx
        if turn.walk is None or ctx.member is None or ctx.alliance is None:
            return None
        return self.prompt(turn.walk, self.walker(turn, turn.walk), note)

    def walker(self, turn: Turn, walk: WalkState | None) -> Walker:
        ctx = turn.ctx
        assert ctx.member is not None and ctx.alliance is not None
        phase = walk.phase if walk is not None else ctx.phase
        # The latest earlier answer per lever: the phase before, else the one before it.
        previous: dict[str, object] = {}
        previous_phase: dict[str, str] = {}
        earlier = self.s.phases[phase].previous if phase else None
        while earlier is not None:
            for lever_id, answer in ctx.answers_in(earlier).items():
                if lever_id not in previous:
                    previous[lever_id] = answer
                    previous_phase[lever_id] = earlier
            earlier = self.s.phases[earlier].previous
        return Walker(
            member_id=ctx.member.id,
            alliance_name=ctx.alliance.name,
            organisation_name=ctx.organisation.name if ctx.organisation else "",
            answers=ctx.answers_in(phase),
            previous=previous,  # type: ignore[arg-type]
            previous_phase=previous_phase,
            retained=latest_by_phase(ctx.loaded.retained),
        )

    @staticmethod
    def _step(turn: Turn, moved: Moved, **session: object) -> Step:
        changed = turn.with_session(**session) if session else turn.session
        return turn.reply(*moved.outgoing, effects=moved.effects, session=changed,
                          walk=moved.walk)

    # --- entry points -----------------------------------------------------------------------

    def start(self, walk: WalkState | None, phase: str, who: Walker) -> Moved:
        """/charte: resume where the member left off, or start the phase's walk."""
        s = self.s
        if walk is None or walk.phase != phase:
            walk = WalkState(phase=phase, index=self._first_unanswered(who))
            key = "walk.started_again" if who.previous else "walk.started"
            intro = s.say(key, phase=s.phases[phase].name, alliance=who.alliance_name,
                          levels=Html(s.say("walk.levels")))
            return Moved(walk, (self.p.screen(walk, who, before=(intro,)),))
        walk = replace(walk, paused=False)
        return Moved(walk, (self.p.screen(walk, who),))

    def prompt(self, walk: WalkState, who: Walker, note: str | None = None
               ) -> tuple[Outgoing, ...]:
        """The current question again (after help, a stale button, a sticker, /annuler...)."""
        notes = (note,) if note else ()
        if walk.paused:
            return (*(Outgoing(n) for n in notes), self.p.paused(walk, who, "walk.still_paused"))
        if self.p.is_done(walk):
            return (Outgoing("\n\n".join((*notes, self.s.say("walk.recap_hint")))),)
        return (self.p.screen(walk, who, before=notes),)

    def text(self, walk: WalkState, text: str, who: Walker) -> Moved:
        if walk.paused:
            reading = self.read.read_free_text(text)
            if reading.kind == "nav" and reading.nav in ("resume", "next"):
                return self._nav(walk, "resume", who, pressed=False)
            return Moved(walk, self.prompt(walk, who))
        if walk.pending is not None:
            return self._on_confirmation_text(walk, text, who)
        if self.p.is_done(walk):
            return self._on_done_text(walk, text, who)
        step = self.p.step(walk)
        if step.kind == "position":
            return self._on_position_text(walk, text, who)
        return self._on_free_text(walk, step, text, who)

    def press(self, walk: WalkState, data: WalkButton, who: Walker) -> Moved | None:
        """A walk button; None when it is stale or forged."""
        if (data.member != who.member_id or data.phase != walk.phase
                or data.index != walk.index or data.step != walk.step):
            return None
        action = data.action
        if walk.paused:
            return self._nav(walk, "resume", who, pressed=True) if action == "resume" else None
        if action in CONFIRMATIONS:
            if walk.pending is None or data.nonce != walk.pending.nonce:
                return None  # under an older question, or none is pending
            if action == "append" and walk.pending.kind != "text":
                return None  # never shown under a position question
            return self._confirm(walk, action, who, pressed=True)
        if self.p.is_done(walk):
            if action == "gaps":
                return self._gaps(walk, who)
            return self._nav(walk, action, who, pressed=True) if action == "back" else None
        kind = self.p.step(walk).kind
        if action in ("1", "2", "3", "4", "u"):
            if kind != "position":
                return None
            position = None if action == "u" else int(action)
            return self._choose(replace(walk, pending=None), position, who, pressed=True)
        if action == "same":
            if kind != "position" or self.p.earlier(who, self.p.lever(walk)) is None:
                return None
            return self._keep(replace(walk, pending=None), who, pressed=True)
        if action == "note":
            if kind != "text" or walk.draft is None:
                return None
            return self._keep_note(replace(walk, pending=None), who, pressed=True)
        if action in ("skip", "back", "pause"):
            return self._nav(replace(walk, pending=None), action, who, pressed=True)
        return None

    def jump(self, walk: WalkState, lever_id: str, who: Walker) -> Moved:
        """Go to a lever; once it is answered, the walk comes back to where it was."""
        lever = self.charter.lever(lever_id)
        target = self.charter.index_of(lever_id)
        queue = tuple(i for i in walk.queue if i != target)
        if target != walk.index:
            queue = (walk.index, *queue)
        moved = replace(walk.at(target), queue=queue)
        note = self.s.say("walk.jump", title=lever.title)
        return Moved(moved, (self.p.screen(moved, who, before=(note,)),))

    # --- typed text ------------------------------------------------------------------------

    def _on_position_text(self, walk: WalkState, text: str, who: Walker) -> Moved:
        s = self.s
        earlier = self.p.earlier(who, self.p.lever(walk))
        reading = self.read.read_scale_again(text) if earlier else self.read.read_scale(text)
        if reading.kind == "keep" and earlier is not None:
            old = who.answers.get(self.p.lever(walk).id)
            if old is not None and (old.position, old.comment, old.contribution,
                                    old.expectation) != (earlier[1].position, earlier[1].comment,
                                                         earlier[1].contribution,
                                                         earlier[1].expectation):
                walk = walk.asking("keep")
                ask = s.say("walk.confirm_keep", old=s.position_label(old.position),
                            during=s.phases[earlier[0]].during,
                            new=s.position_label(earlier[1].position))
                return Moved(walk, (self.p.confirm(walk, who, ask),))
            return self._keep(walk, who, pressed=False)
        if reading.kind in ("level", "unknown"):
            position = reading.level if reading.kind == "level" else None
            old = who.answers.get(self.p.lever(walk).id)
            if old is not None and old.position != position:
                walk = walk.asking("position", DONT_KNOW if position is None else position)
                ask = s.say("walk.confirm_position", old=s.position_label(old.position),
                            new=s.position_label(position))
                return Moved(walk, (self.p.confirm(walk, who, ask),))
            return self._choose(walk, position, who, pressed=False)
        if reading.kind == "nav":
            return self._nav(walk, reading.nav or "", who, pressed=False)
        if reading.kind in ("empty", "keep"):  # nothing to read (blank, « euh », « bonjour »)
            return self._again(walk, who, "not_understood")
        lever_id = self.read.find_lever(text)
        if lever_id is not None:
            return self.jump(walk, lever_id, who)
        draft = text if walk.draft is None else f"{walk.draft}\n{text}"
        too_long = self.p.too_long(draft)
        if too_long:
            return Moved(walk, (too_long,))
        walk = replace(walk, draft=draft)
        return Moved(walk, (self.p.screen(walk, who),))  # the question quotes the note

    def _on_free_text(self, walk: WalkState, step: StepDef, text: str, who: Walker) -> Moved:
        reading = self.read.read_free_text(text)
        if reading.kind == "nav":
            return self._nav(walk, reading.nav or "", who, pressed=False)
        if reading.kind == "empty":
            return self._again(walk, who, "text_empty")
        too_long = self.p.too_long(text)
        if too_long:
            return Moved(walk, (too_long,))
        old = who.answers.get(self.p.lever(walk).id)
        old_text = getattr(old, step.field or "") if old else None
        if old_text and old_text != text:
            walk = walk.asking("text", text=text)
            ask = self.s.say("walk.confirm_text", old=cut(old_text, RECAP_TEXT_MAX))
            return Moved(walk, (self.p.confirm(walk, who, ask, with_append=True),))
        return self._save_text(walk, step, text, who, pressed=False)

    def _on_confirmation_text(self, walk: WalkState, text: str, who: Walker) -> Moved:
        reading: Reading = self.read.read_confirmation(text)
        if reading.kind == "nav" and reading.nav in ("yes", "no", "cancel"):
            answer = "no" if reading.nav == "cancel" else reading.nav
            return self._confirm(walk, answer, who, pressed=False)
        with_append = walk.pending is not None and walk.pending.kind == "text"
        ask = self.p.confirm(walk, who, self.s.say("walk.type_or_press"), with_append)
        return Moved(walk, (ask,))

    def _on_done_text(self, walk: WalkState, text: str, who: Walker) -> Moved:
        reading = self.read.read_free_text(text)
        if reading.kind == "nav" and reading.nav in ("back", "summary", "help"):
            return self._nav(walk, reading.nav, who, pressed=False)
        lever_id = self.read.find_lever(text)
        if lever_id is not None:
            return self.jump(walk, lever_id, who)
        return Moved(walk, (Outgoing(self.s.say("walk.recap_hint")),))

    # --- actions ---------------------------------------------------------------------------

    def _choose(self, walk: WalkState, position: int | None, who: Walker, pressed: bool
                ) -> Moved:
        """Store a position and move to the lever's next question; a sentence typed before
        choosing is offered there as the answer (never stored without being asked)."""
        lever = self.p.lever(walk)
        old = who.answers.get(lever.id)
        effect = SaveAnswer(
            phase=walk.phase,
            lever_id=lever.id,
            position=position,
            comment=old.comment if old else None,
            contribution=old.contribution if old else None,
            expectation=old.expectation if old else None,
        )
        who = _with_answer(who, effect)
        moved = self._advance(walk, lever, 1)
        if moved.index == walk.index and walk.draft is not None:
            moved = replace(moved, draft=walk.draft)
        shown = self._after(walk, moved, who, pressed, here=self.p.saved_here(position),
                            before=self.p.saved_lever(lever, position))
        return Moved(moved, (shown,), (effect,))

    def _keep(self, walk: WalkState, who: Walker, pressed: bool) -> Moved:
        """« Inchangé »: the earlier phase's answer, position and texts, stored as this phase's
        answer (marked unchanged); the walk goes on to the next lever."""
        lever = self.p.lever(walk)
        found = self.p.earlier(who, lever)
        assert found is not None
        _, earlier = found
        effect = SaveAnswer(phase=walk.phase, lever_id=lever.id, position=earlier.position,
                            comment=earlier.comment, contribution=earlier.contribution,
                            expectation=earlier.expectation, unchanged=True)
        who = _with_answer(who, effect)
        moved = self._next_lever(walk)
        note = self.p.saved_lever(lever, earlier.position, unchanged=True)
        return Moved(moved, (self._after(walk, moved, who, pressed, here=note, before=note),),
                     (effect,))

    def _keep_note(self, walk: WalkState, who: Walker, pressed: bool) -> Moved:
        """« Garder ma note »: the sentence typed at the scale question answers this one."""
        step = self.p.step(walk)
        note = walk.draft or ""
        old = who.answers.get(self.p.lever(walk).id)
        old_text = getattr(old, step.field or "") if old else None
        text = note if not old_text or note in old_text else f"{old_text}\n{note}"
        too_long = self.p.too_long(text)
        if too_long:
            return Moved(walk, (too_long,))
        return self._save_text(walk, step, text, who, pressed)

    def _gaps(self, walk: WalkState, who: Walker) -> Moved | None:
        """« Répondre aux N leviers restants »: visit only those, then the end again."""
        gaps = [self.charter.index_of(lever.id) for lever in self.p.gaps(who)]
        if not gaps:
            return None
        moved = replace(walk.at(gaps[0]), queue=(*gaps[1:], self.total))
        note = self.s.say("walk.gaps_start", count=len(gaps))
        return Moved(moved, (self.p.screen(moved, who, before=(note,)),))

    def _save_text(self, walk: WalkState, step: StepDef, text: str, who: Walker, pressed: bool
                   ) -> Moved:
        lever = self.p.lever(walk)
        old = who.answers.get(lever.id)
        values = {
            "comment": old.comment if old else None,
            "contribution": old.contribution if old else None,
            "expectation": old.expectation if old else None,
        }
        values[step.field or "comment"] = text
        effect = SaveAnswer(phase=walk.phase, lever_id=lever.id,
                            position=old.position if old else None, **values)
        who = _with_answer(who, effect)
        moved = self._advance(walk, lever, walk.step + 1)
        saved = self.s.say("walk.text_saved")
        shown = self._after(walk, moved, who, pressed, here=saved, before=saved)
        return Moved(moved, (shown,), (effect,))

    def _confirm(self, walk: WalkState, value: str, who: Walker, pressed: bool) -> Moved:
        pending = walk.pending
        assert pending is not None
        walk = replace(walk, pending=None)
        if value == "no":
            kept = self.s.say("walk.kept")
            if pending.kind in ("position", "keep"):
                return Moved(walk, (self.p.screen(walk, who, before=(kept,), edit=pressed),))
            moved = self._advance(walk, self.p.lever(walk), walk.step + 1)
            return Moved(moved, (self._after(walk, moved, who, pressed, here=kept,
                                             before=kept),))
        if pending.kind == "position":
            position = None if pending.position == DONT_KNOW else pending.position
            return self._choose(walk, position, who, pressed)
        if pending.kind == "keep":
            if self.p.earlier(who, self.p.lever(walk)) is None:
                return Moved(walk, self.prompt(walk, who))
            return self._keep(walk, who, pressed)
        step = self.p.step(walk)
        text = pending.text or ""
        if value == "append":
            old = who.answers.get(self.p.lever(walk).id)
            old_text = getattr(old, step.field or "") if old else None
            text = f"{old_text}\n{text}" if old_text else text
            too_long = self.p.too_long(text)
            if too_long:
                return Moved(replace(walk, pending=pending), (too_long,))
        return self._save_text(walk, step, text, who, pressed)

    def _nav(self, walk: WalkState, nav: str, who: Walker, pressed: bool) -> Moved:
        s = self.s
        if nav == "resume" or (walk.paused and nav == "next"):
            walk = replace(walk, paused=False)
            return Moved(walk, (self.p.screen(walk, who, before=(s.say("walk.resumed"),),
                                              edit=pressed),))
        if nav == "pause":
            walk = replace(walk, paused=True, pending=None)
            return Moved(walk, (self.p.paused(walk, who, "walk.paused", pressed),))
        if nav == "help":
            help_text = s.say("help_walk", levels=Html(s.say("walk.levels")))
            return Moved(walk, (Outgoing(help_text), *self.prompt(walk, who)))
        if nav == "cancel":  # « annuler » typed: nothing to cancel in a question
            return self._again(walk, who, "walk.cancel_nothing")
        if nav == "summary":
            return Moved(walk, (*self.p.recap(walk, who), *self.prompt(walk, who)))
        if nav == "back":
            return self._back(walk, who, pressed)
        if nav in ("next", "skip"):
            if self.p.is_done(walk):
                return Moved(walk, (self.p.done(walk, who),))
            lever = self.p.lever(walk)
            if self.p.step(walk).kind == "position":
                moved = self._next_lever(walk)
            else:
                moved = self._advance(walk, lever, walk.step + 1)
            skipped = self.p.skipped(lever)
            return Moved(moved, (self._after(walk, moved, who, pressed, here=skipped,
                                             before=skipped),))
        return self._again(walk, who, "not_understood")

    def _back(self, walk: WalkState, who: Walker, pressed: bool) -> Moved:
        if walk.step > 0 and not self.p.is_done(walk):
            moved = replace(walk.at(walk.index), step=walk.step - 1)
        elif walk.index > 0:  # the walk comes back here once the lever before is answered
            moved = replace(walk.at(walk.index - 1), queue=(walk.index, *walk.queue))
        else:
            first = walk.at(0)
            note = self.s.say("walk.first_lever")
            return Moved(first, (self.p.screen(first, who, before=(note,), edit=pressed),))
        return Moved(moved, (self.p.screen(moved, who, edit=pressed),))

    def _after(self, walk: WalkState, moved: WalkState, who: Walker, pressed: bool, here: str,
               before: str) -> Outgoing:
        """The next question, with a note on what was just done.

        On the same lever the note goes under its title, and a pressed message is edited in
        place; on another lever (or at the end) a new message starts with the note.
        """
        if moved.index == walk.index and not self.p.is_done(moved):
            return self.p.screen(moved, who, here=(here,), edit=pressed)
        return self.p.screen(moved, who, before=(before,))

    def _advance(self, walk: WalkState, lever: Lever, next_step: int) -> WalkState:
        if next_step < len(self.p.steps(lever)):
            return replace(walk.at(walk.index), step=next_step)
        return self._next_lever(walk)

    def _next_lever(self, walk: WalkState) -> WalkState:
        """The lever after this one: where a jump left off, the next gap, else the next."""
        if walk.queue:
            return replace(walk.at(walk.queue[0]), queue=walk.queue[1:])
        return walk.at(min(walk.index + 1, self.total))

    def _again(self, walk: WalkState, who: Walker, key: str) -> Moved:
        if walk.paused or self.p.is_done(walk):
            return Moved(walk, (Outgoing(self.s.say(key)), *self.prompt(walk, who)))
        return Moved(walk, (self.p.screen(walk, who, before=(self.s.say(key),)),))

    def _first_unanswered(self, who: Walker) -> int:
        for i, lever in enumerate(self.charter.levers):
            if lever.id not in who.answers:
                return i
        return 0


def _with_answer(who: Walker, effect: SaveAnswer) -> Walker:
    """The walker as they will be once `effect` is stored (for what is shown right after)."""
    given = Given(effect.position, effect.comment, effect.contribution, effect.expectation)
    return replace(who, answers={**who.answers, effect.lever_id: given})
