"""The charter walk: one member, one phase, lever by lever. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from dialogues.content.charter import Charter, Lever
from dialogues.content.markup import Html, cut, esc
from dialogues.content.reading import Interpreter, Reading
from dialogues.content.script import Script, StepDef
from dialogues.core.domain import PHASES
from dialogues.core.effects import SaveAnswer
from dialogues.core.outgoing import Button, Outgoing
from dialogues.walk.state import UNKNOWN, WalkState

PHASE_CODES = {"lancement": "l", "mi-parcours": "m", "fin": "f"}
CODE_PHASES = {v: k for k, v in PHASE_CODES.items()}
RECAP_TEXT_MAX = 300


class AnswerLike(Protocol):
    position: int | None
    comment: str | None
    contribution: str | None
    expectation: str | None


@dataclass(frozen=True, slots=True)
class Given:
    """An answer as the walk knows it (a stored Answer has the same fields)."""

    position: int | None
    comment: str | None
    contribution: str | None
    expectation: str | None


@dataclass(frozen=True, slots=True)
class WalkView:
    """What a walk step reads: whose walk it is and their latest answers."""

    member_id: int
    alliance_name: str
    organisation_name: str
    answers: Mapping[str, AnswerLike]  # in the walk's phase
    previous: Mapping[str, AnswerLike]  # in the phase before it


@dataclass(frozen=True, slots=True)
class WalkResult:
    walk: WalkState
    outgoing: tuple[Outgoing, ...] = ()
    effects: tuple[SaveAnswer, ...] = ()


class Walk:
    def __init__(self, charter: Charter, script: Script, interpreter: Interpreter) -> None:
        self.charter = charter
        self.script = script
        self.read = interpreter
        self.total = len(charter.levers)

    # --- queries ---------------------------------------------------------------------------

    def steps(self, lever: Lever) -> tuple[StepDef, ...]:
        return self.script.sequences[self.charter.family(lever.family_id).answer_kind]

    def is_done(self, walk: WalkState) -> bool:
        return walk.index >= self.total

    # --- entry points -----------------------------------------------------------------------

    def start(self, walk: WalkState | None, phase: str, view: WalkView) -> WalkResult:
        """/charte: resume where the member left off, or start the phase's walk."""
        s = self.script
        if walk is None or walk.phase != phase:
            walk = WalkState(phase=phase, index=self._first_unanswered(view))
            intro = Outgoing(s.say("walk.started", phase=s.phases[phase].label,
                                   alliance=view.alliance_name))
            return WalkResult(walk, (intro, *self._prompt(walk, view)))
        if walk.paused:
            walk = replace(walk, paused=False)
        if self.is_done(walk):
            return WalkResult(walk, self.recap(walk, view))
        return WalkResult(walk, tuple(self._prompt(walk, view)))

    def prompt(self, walk: WalkState, view: WalkView) -> tuple[Outgoing, ...]:
        """The current question again (after help, a stale button, a sticker...)."""
        if walk.paused:
            return (self._paused_message(walk, view, "walk.still_paused"),)
        if self.is_done(walk):
            return (Outgoing(self.script.say("walk.recap_hint")),)
        return tuple(self._prompt(walk, view))

    def on_text(self, walk: WalkState, text: str, view: WalkView) -> WalkResult:
        if walk.paused:
            reading = self.read.read_free_text(text)
            if reading.kind == "nav" and reading.nav in ("resume", "next"):
                return self._nav(walk, "resume", view, pressed=False)
            return WalkResult(walk, self.prompt(walk, view))
        if walk.pending is not None:
            return self._on_confirmation_text(walk, text, view)
        if self.is_done(walk):
            return self._on_done_text(walk, text, view)
        step = self._step(walk)
        if step.kind == "position":
            return self._on_position_text(walk, text, view)
        return self._on_free_text(walk, step, text, view)

    def on_press(self, walk: WalkState, data: str, view: WalkView) -> WalkResult | None:
        """A walk button; None when the button is stale or forged."""
        parts = data.split(":")
        if len(parts) != 6 or parts[0] != "w":
            return None
        _, member, phase_code, index, step, value = parts
        if (
            member != str(view.member_id)
            or CODE_PHASES.get(phase_code) != walk.phase
            or index != str(walk.index)
            or step != str(walk.step)
        ):
            return None
        if walk.paused:
            return self._nav(walk, "resume", view, pressed=True) if value == "resume" else None
        answer, _, nonce = value.partition(".")
        if answer in ("yes", "no", "append"):
            if walk.pending is None or nonce != str(walk.pending.nonce):
                return None  # under an older question, or none is pending
            if answer == "append" and walk.pending.kind != "text":
                return None  # never shown under a position question
            return self._confirm(walk, answer, view, pressed=True)
        if self.is_done(walk):
            return self._nav(walk, value, view, pressed=True) if value == "back" else None
        if value in ("1", "2", "3", "4", "u"):
            if self._step(walk).kind != "position":
                return None
            position = None if value == "u" else int(value)
            return self._choose(replace(walk, pending=None), position, view, pressed=True)
        if value in ("skip", "back", "pause"):
            return self._nav(replace(walk, pending=None), value, view, pressed=True)
        return None

    def jump(self, walk: WalkState, lever_id: str, view: WalkView) -> WalkResult:
        lever = self.charter.lever(lever_id)
        moved = walk.at(self.charter.index_of(lever_id))
        note = Outgoing(self.script.say("walk.jump", title=lever.title))
        return WalkResult(moved, (note, *self._prompt(moved, view)))

    def find_lever(self, text: str) -> str | None:
        return self.read.find_lever(text)

    # --- typed text ------------------------------------------------------------------------

    def _on_position_text(self, walk: WalkState, text: str, view: WalkView) -> WalkResult:
        s = self.script
        reading = self.read.read_scale(text)
        if reading.kind == "level" or reading.kind == "unknown":
            position = reading.level if reading.kind == "level" else None
            lever = self._lever(walk)
            old = view.answers.get(lever.id)
            if old is not None and old.position != position:
                walk = walk.asking("position", UNKNOWN if position is None else position)
                ask = s.say("walk.confirm_position", old=s.position_label(old.position),
                            new=s.position_label(position))
                return WalkResult(walk, (Outgoing(ask, self._confirm_buttons(walk, view)),))
            return self._choose(walk, position, view, pressed=False)
        if reading.kind == "nav":
            return self._nav(walk, reading.nav or "", view, pressed=False)
        if reading.kind == "empty":
            return self._again(walk, view, "walk.ask_position")
        lever_id = self.read.find_lever(text)
        if lever_id is not None:
            return self.jump(walk, lever_id, view)
        too_long = self._too_long(text)
        if too_long:
            return WalkResult(walk, (too_long,))
        draft = text if walk.draft is None else f"{walk.draft}\n{text}"
        old = view.answers.get(self._lever(walk).id)
        kept = f"{old.comment}\n{draft}" if old is not None and old.comment else draft
        too_long = self._too_long(kept)  # the draft will be added to the comment already there
        if too_long:
            return WalkResult(walk, (too_long,))
        walk = replace(walk, draft=draft)
        return WalkResult(walk, tuple(self._prompt(walk, view)))  # the prompt quotes the draft

    def _on_free_text(
        self, walk: WalkState, step: StepDef, text: str, view: WalkView
    ) -> WalkResult:
        reading = self.read.read_free_text(text)
        if reading.kind == "nav":
            return self._nav(walk, reading.nav or "", view, pressed=False)
        if reading.kind == "empty":
            return self._again(walk, view, "text_empty")
        too_long = self._too_long(text)
        if too_long:
            return WalkResult(walk, (too_long,))
        lever = self._lever(walk)
        old = view.answers.get(lever.id)
        old_text = getattr(old, step.field or "") if old else None
        if old_text and old_text != text:
            walk = walk.asking("text", text=text)
            ask = self.script.say("walk.confirm_text", old=cut(old_text, RECAP_TEXT_MAX))
            buttons = self._confirm_buttons(walk, view, with_append=True)
            return WalkResult(walk, (Outgoing(ask, buttons),))
        return self._save_text(walk, step, text, view, pressed=False)

    def _on_confirmation_text(self, walk: WalkState, text: str, view: WalkView) -> WalkResult:
        reading: Reading = self.read.read_confirmation(text)
        if reading.kind == "nav" and reading.nav in ("yes", "no"):
            return self._confirm(walk, reading.nav, view, pressed=False)
        ask = Outgoing(self.script.say("walk.type_or_press"), self._confirm_buttons(
            walk, view, with_append=walk.pending is not None and walk.pending.kind == "text"))
        return WalkResult(walk, (ask,))

    def _on_done_text(self, walk: WalkState, text: str, view: WalkView) -> WalkResult:
        reading = self.read.read_free_text(text)
        if reading.kind == "nav" and reading.nav in ("back", "summary", "help"):
            return self._nav(walk, reading.nav, view, pressed=False)
        lever_id = self.read.find_lever(text)
        if lever_id is not None:
            return self.jump(walk, lever_id, view)
        return WalkResult(walk, (Outgoing(self.script.say("walk.recap_hint")),))

    # --- actions ---------------------------------------------------------------------------

    def _choose(
        self, walk: WalkState, position: int | None, view: WalkView, pressed: bool
    ) -> WalkResult:
        """Store a position (with any kept draft) and move to the lever's next question."""
        s = self.script
        lever = self._lever(walk)
        old = view.answers.get(lever.id)
        comment = old.comment if old else None
        if walk.draft is not None:  # a sentence typed before choosing adds to, never replaces
            if not comment:
                comment = walk.draft
            elif walk.draft not in comment:
                comment = f"{comment}\n{walk.draft}"
        effect = SaveAnswer(
            phase=walk.phase,
            lever_id=lever.id,
            position=position,
            comment=comment,
            contribution=old.contribution if old else None,
            expectation=old.expectation if old else None,
        )
        saved = Outgoing(
            s.say("walk.position_saved", header=Html(self._header(lever)),
                  answer=s.position_label(position)),
            edit=pressed,
        )
        view = _with_answer(view, effect)
        steps = self.steps(lever)
        # A sentence typed before choosing already is the comment: no need to ask for it again.
        next_step = 1
        while (
            next_step < len(steps)
            and walk.draft is not None
            and steps[next_step].field == "comment"
        ):
            next_step += 1
        moved = self._advance(walk, lever, next_step)
        return WalkResult(moved, (saved, *self._prompt_or_recap(moved, view)), (effect,))

    def _save_text(
        self, walk: WalkState, step: StepDef, text: str, view: WalkView, pressed: bool
    ) -> WalkResult:
        lever = self._lever(walk)
        old = view.answers.get(lever.id)
        values = {
            "comment": old.comment if old else None,
            "contribution": old.contribution if old else None,
            "expectation": old.expectation if old else None,
        }
        values[step.field or "comment"] = text
        effect = SaveAnswer(
            phase=walk.phase,
            lever_id=lever.id,
            position=old.position if old else None,
            **values,
        )
        view = _with_answer(view, effect)
        saved = Outgoing(self.script.say("walk.text_saved"), edit=pressed)
        moved = self._advance(walk, lever, walk.step + 1)
        return WalkResult(moved, (saved, *self._prompt_or_recap(moved, view)), (effect,))

    def _confirm(self, walk: WalkState, value: str, view: WalkView, pressed: bool) -> WalkResult:
        pending = walk.pending
        assert pending is not None
        walk = replace(walk, pending=None)
        if value == "no":
            kept = Outgoing(self.script.say("walk.kept"), edit=pressed)
            if pending.kind == "position":
                return WalkResult(walk, (kept, *self._prompt(walk, view)))
            moved = self._advance(walk, self._lever(walk), walk.step + 1)
            return WalkResult(moved, (kept, *self._prompt_or_recap(moved, view)))
        if pending.kind == "position":
            position = None if pending.position == UNKNOWN else pending.position
            return self._choose(walk, position, view, pressed)
        step = self._step(walk)
        text = pending.text or ""
        if value == "append":
            old = view.answers.get(self._lever(walk).id)
            old_text = getattr(old, step.field or "") if old else None
            text = f"{old_text}\n{text}" if old_text else text
            if len(text) > self.script.text_max:
                return WalkResult(replace(walk, pending=pending), (self._too_long(text) or
                                                                   Outgoing(""),))
        return self._save_text(walk, step, text, view, pressed)

    def _nav(self, walk: WalkState, nav: str, view: WalkView, pressed: bool) -> WalkResult:
        s = self.script
        if nav == "resume" or (walk.paused and nav == "next"):
            walk = replace(walk, paused=False)
            note = Outgoing(s.say("walk.resumed"), edit=pressed)
            if self.is_done(walk):
                return WalkResult(walk, (note, *self.recap(walk, view)))
            return WalkResult(walk, (note, *self._prompt(walk, view)))
        if nav == "pause":
            walk = replace(walk, paused=True, pending=None)
            return WalkResult(walk, (self._paused_message(walk, view, "walk.paused", pressed),))
        if nav == "help":
            return WalkResult(walk, (Outgoing(s.say("help_walk")), *self.prompt(walk, view)))
        if nav == "summary":
            return WalkResult(walk, (*self.recap(walk, view), *self.prompt(walk, view)))
        if nav == "back":
            return self._back(walk, view, pressed)
        if nav in ("next", "skip"):
            if self.is_done(walk):
                return WalkResult(walk, self.recap(walk, view))
            lever = self._lever(walk)
            note = Outgoing(s.say("walk.skipped", header=Html(self._header(lever))), edit=pressed)
            if self._step(walk).kind == "position":
                moved = walk.at(walk.index + 1)
            else:
                moved = self._advance(walk, lever, walk.step + 1)
            return WalkResult(moved, (note, *self._prompt_or_recap(moved, view)))
        return self._again(walk, view, "not_understood")

    def _back(self, walk: WalkState, view: WalkView, pressed: bool) -> WalkResult:
        if walk.step > 0 and not self.is_done(walk):
            moved = replace(walk.at(walk.index), step=walk.step - 1)
        elif walk.index > 0:
            moved = walk.at(walk.index - 1)
        else:
            note = Outgoing(self.script.say("walk.first_lever"))
            return WalkResult(walk.at(0), (note, *self._prompt(walk.at(0), view)))
        prompts = self._prompt(moved, view)
        if pressed:
            prompts[0] = replace(prompts[0], edit=True)
        return WalkResult(moved, tuple(prompts))

    def _advance(self, walk: WalkState, lever: Lever, next_step: int) -> WalkState:
        if next_step < len(self.steps(lever)):
            return replace(walk.at(walk.index), step=next_step)
        return walk.at(walk.index + 1)

    def _again(self, walk: WalkState, view: WalkView, key: str) -> WalkResult:
        return WalkResult(walk, (Outgoing(self.script.say(key)), *self.prompt(walk, view)))

    # --- rendering -------------------------------------------------------------------------

    def _prompt_or_recap(self, walk: WalkState, view: WalkView) -> list[Outgoing]:
        if self.is_done(walk):
            return list(self.recap(walk, view))
        return self._prompt(walk, view)

    def _prompt(self, walk: WalkState, view: WalkView) -> list[Outgoing]:
        if self.is_done(walk):
            return list(self.recap(walk, view))
        s = self.script
        lever = self._lever(walk)
        step = self._step(walk)
        old = view.answers.get(lever.id)
        lines = [self._header(lever)]
        if step.kind == "position":
            lines.append(s.say("walk.lever_text", text=lever.text))
            previous = view.previous.get(lever.id)
            phase_def = s.phases[walk.phase]
            if previous is not None and phase_def.previous:
                lines.append(s.say("walk.previous_answer",
                                   during=s.phases[phase_def.previous].during,
                                   answer=s.position_label(previous.position)))
            if old is not None:
                lines.append(s.say("walk.current_answer", answer=s.position_label(old.position)))
            if walk.draft:
                lines.append(s.say("walk.draft_kept", text=cut(walk.draft, RECAP_TEXT_MAX)))
            lines.append(f"<b>{esc(step.ask[walk.phase])}</b>")
            return [Outgoing("\n\n".join(lines), self._scale_buttons(walk, view))]
        current = getattr(old, step.field or "") if old else None
        lines.append(f"<b>{esc(step.ask[walk.phase])}</b>")
        if current:
            lines.append(s.say("walk.text_current", text=cut(current, RECAP_TEXT_MAX)))
        lines.append(esc(step.hint))
        buttons = ((self._button(walk, view, "skip"), self._button(walk, view, "back"),
                    self._button(walk, view, "pause")),)
        return [Outgoing("\n\n".join(lines), buttons)]

    def recap(self, walk: WalkState, view: WalkView) -> tuple[Outgoing, ...]:
        """The member's own answers in the walk's phase, one message per family."""
        s = self.script
        answered, total = len(view.answers), self.total
        out = [Outgoing(s.say("walk.recap_title", phase=s.phases[walk.phase].label,
                              alliance=view.alliance_name,
                              organisation=view.organisation_name))]
        if self.is_done(walk):
            out.insert(0, Outgoing(s.say("walk.done", phase=s.phases[walk.phase].label,
                                         answered=answered, total=total)))
        for family in self.charter.families:
            lines = [s.say("walk.recap_family", family=family.title)]
            for lever in family.levers:
                answer = view.answers.get(lever.id)
                label = s.position_label(answer.position) if answer else s.say("walk.recap_empty")
                line = s.say("walk.recap_line", number=lever.number, title=lever.title,
                             answer=label)
                before = view.previous.get(lever.id)
                previous_phase = s.phases[walk.phase].previous
                if before is not None and previous_phase is not None and (
                        answer is None or before.position != answer.position):
                    line += s.say("walk.recap_change", during=s.phases[previous_phase].during,
                                  answer=s.position_label(before.position))
                lines.append(line)
                if answer is None:
                    continue
                for step in self.steps(lever):
                    value = getattr(answer, step.field) if step.field else None
                    if value:
                        lines.append(s.say("walk.recap_text", label=step.label,
                                           text=cut(value, RECAP_TEXT_MAX)))
            out.append(Outgoing("\n".join(lines)))
        if self.is_done(walk):
            out.append(Outgoing(s.say("walk.recap_hint"),
                                ((self._button(walk, view, "back"),),)))
        return tuple(out)

    def _paused_message(
        self, walk: WalkState, view: WalkView, key: str, edit: bool = False
    ) -> Outgoing:
        return Outgoing(self.script.say(key), ((self._button(walk, view, "resume"),),), edit=edit)

    def _header(self, lever: Lever) -> str:
        family = self.charter.family(lever.family_id)
        return self.script.say("walk.header", number=lever.number, total=self.total,
                               family=family.singular, rank=lever.rank,
                               family_size=len(family.levers), title=lever.title)

    def _scale_buttons(self, walk: WalkState, view: WalkView) -> tuple[tuple[Button, ...], ...]:
        s = self.script

        def level(n: int) -> Button:
            return Button(f"{n} · {s.levels[n]}", self._data(walk, view, str(n)))

        return (
            (level(1), level(2)),
            (level(3), level(4)),
            (Button(s.unknown_label, self._data(walk, view, "u")),),
            (self._button(walk, view, "skip"), self._button(walk, view, "back"),
             self._button(walk, view, "pause")),
        )

    def _confirm_buttons(
        self, walk: WalkState, view: WalkView, with_append: bool = False
    ) -> tuple[tuple[Button, ...], ...]:
        nonce = walk.pending.nonce if walk.pending else 0
        row = [self._button(walk, view, "yes_replace", f"yes.{nonce}")]
        if with_append:
            row.append(self._button(walk, view, "append", f"append.{nonce}"))
        row.append(self._button(walk, view, "no_keep", f"no.{nonce}"))
        return (tuple(row),)

    def _button(self, walk: WalkState, view: WalkView, key: str, value: str = "") -> Button:
        return Button(self.script.button(key), self._data(walk, view, value or key))

    @staticmethod
    def _data(walk: WalkState, view: WalkView, value: str) -> str:
        return f"w:{view.member_id}:{PHASE_CODES[walk.phase]}:{walk.index}:{walk.step}:{value}"

    # --- helpers ---------------------------------------------------------------------------

    def _lever(self, walk: WalkState) -> Lever:
        return self.charter.levers[walk.index]

    def _step(self, walk: WalkState) -> StepDef:
        steps = self.steps(self._lever(walk))
        return steps[min(walk.step, len(steps) - 1)]

    def _first_unanswered(self, view: WalkView) -> int:
        for i, lever in enumerate(self.charter.levers):
            if lever.id not in view.answers:
                return i
        return 0

    def _too_long(self, text: str) -> Outgoing | None:
        if len(text) <= self.script.text_max:
            return None
        return Outgoing(self.script.say("text_too_long", length=len(text),
                                        max=self.script.text_max))


def _with_answer(view: WalkView, effect: SaveAnswer) -> WalkView:
    """The view as it will be once `effect` is stored (for the recap shown right after)."""
    given = Given(effect.position, effect.comment, effect.contribution, effect.expectation)
    return replace(view, answers={**view.answers, effect.lever_id: given})


assert set(PHASE_CODES) == set(PHASES)
