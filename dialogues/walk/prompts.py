"""The walk's messages: one question with its buttons, notes about what was just done, recaps.

A step of the walk shows ONE message: what was just recorded (a note) and the next question.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from dialogues.accord.recall import recalled
from dialogues.content.charter import Charter, Lever
from dialogues.content.markup import Html, cut, esc
from dialogues.content.script import Script, StepDef
from dialogues.core.outgoing import Button, Outgoing
from dialogues.core.session import WalkState
from dialogues.walk.buttons import WalkAction, WalkButton

RECAP_TEXT_MAX = 300


class AnswerLike(Protocol):
    position: int | None
    comment: str | None
    contribution: str | None
    expectation: str | None


@dataclass(frozen=True, slots=True)
class Walker:
    """Whose walk it is, and what it reads: their latest answers in its phase and the one before."""

    member_id: int
    alliance_name: str
    organisation_name: str
    answers: Mapping[str, AnswerLike]  # in the walk's phase
    previous: Mapping[str, AnswerLike]  # in the phase before it
    # what the alliance retained in a séance: phase -> lever id -> text
    retained: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


class Prompts:
    def __init__(self, charter: Charter, script: Script) -> None:
        self.charter = charter
        self.s = script
        self.total = len(charter.levers)

    def steps(self, lever: Lever) -> tuple[StepDef, ...]:
        return self.s.sequences[self.charter.family(lever.family_id).answer_kind]

    def lever(self, walk: WalkState) -> Lever:
        return self.charter.levers[walk.index]

    def step(self, walk: WalkState) -> StepDef:
        steps = self.steps(self.lever(walk))
        return steps[min(walk.step, len(steps) - 1)]

    def is_done(self, walk: WalkState) -> bool:
        return walk.index >= self.total

    # --- one screen ------------------------------------------------------------------------

    def screen(self, walk: WalkState, who: Walker, before: Sequence[str] = (),
               here: Sequence[str] = (), edit: bool = False) -> Outgoing:
        """The current question (or the end of the walk) as one message.

        `before`: notes about an earlier lever, shown above this one's title; `here`: notes
        about this lever, shown under its title.
        """
        if self.is_done(walk):
            return self.done(walk, who, before, edit)
        s = self.s
        lever = self.lever(walk)
        step = self.step(walk)
        old = who.answers.get(lever.id)
        lines = [*before, self.header(lever), *here]
        if step.kind == "position":
            lines.append(s.say("walk.lever_text", text=lever.text))
            previous = who.previous.get(lever.id)
            previous_phase = s.phases[walk.phase].previous
            if previous is not None and previous_phase:
                lines.append(s.say("walk.previous_answer",
                                   during=s.phases[previous_phase].during,
                                   answer=s.position_label(previous.position)))
            lines.extend(recalled(s, who.retained, walk.phase, lever.id))
            if old is not None:
                lines.append(s.say("walk.current_answer", answer=s.position_label(old.position)))
            if walk.draft:
                lines.append(s.say("walk.draft_kept", text=cut(walk.draft, RECAP_TEXT_MAX)))
            lines.append(f"<b>{esc(step.ask[walk.phase])}</b>")
            return Outgoing("\n\n".join(lines), self.scale_buttons(walk, who), edit=edit)
        current = getattr(old, step.field or "") if old else None
        lines.append(f"<b>{esc(step.ask[walk.phase])}</b>")
        if current:
            lines.append(s.say("walk.text_current", text=cut(current, RECAP_TEXT_MAX)))
        lines.append(esc(step.hint))
        buttons = ((self.button(walk, who, "skip"), self.button(walk, who, "back"),
                    self.button(walk, who, "pause")),)
        return Outgoing("\n\n".join(lines), buttons, edit=edit)

    def header(self, lever: Lever) -> str:
        family = self.charter.family(lever.family_id)
        return self.s.say("walk.header", number=lever.number, total=self.total,
                          family=family.singular, rank=lever.rank,
                          family_size=len(family.levers), title=lever.title)

    def paused(self, walk: WalkState, who: Walker, key: str, edit: bool = False) -> Outgoing:
        return Outgoing(self.s.say(key), ((self.button(walk, who, "resume"),),), edit=edit)

    def confirm(self, walk: WalkState, who: Walker, text: str, with_append: bool = False,
                edit: bool = False) -> Outgoing:
        """A « replace your answer? » question; its buttons name it (the pending nonce)."""
        return Outgoing(text, self.confirm_buttons(walk, who, with_append), edit=edit)

    # --- notes ------------------------------------------------------------------------------

    def saved_here(self, position: int | None) -> str:
        return self.s.say("walk.position_saved", answer=self.s.position_label(position))

    def saved_lever(self, lever: Lever, position: int | None) -> str:
        return self.s.say("walk.lever_saved", number=lever.number, title=lever.title,
                          answer=self.s.position_label(position))

    def skipped(self, lever: Lever) -> str:
        return self.s.say("walk.skipped", number=lever.number, title=lever.title)

    # --- the end and the recap ----------------------------------------------------------------

    def done(self, walk: WalkState, who: Walker, before: Sequence[str] = (),
             edit: bool = False) -> Outgoing:
        """The end of the walk in one message: the count, each lever's position, what next."""
        s = self.s
        lines = [*before, s.say("walk.done", phase=s.phases[walk.phase].label,
                                answered=len(who.answers), total=self.total)]
        lines.append("\n".join(self._position_lines(walk, who)))
        lines.append(s.say("walk.done_hint"))
        return Outgoing("\n\n".join(lines), ((self.button(walk, who, "back"),),), edit=edit)

    def recap(self, walk: WalkState, who: Walker) -> tuple[Outgoing, ...]:
        """The member's own answers in the walk's phase, texts included, one message a family."""
        s = self.s
        out = [Outgoing(s.say("walk.recap_title", phase=s.phases[walk.phase].label,
                              alliance=who.alliance_name, organisation=who.organisation_name))]
        for family in self.charter.families:
            lines = [s.say("walk.recap_family", family=family.title)]
            for lever in family.levers:
                lines.append(self._position_line(walk, who, lever))
                answer = who.answers.get(lever.id)
                if answer is None:
                    continue
                for step in self.steps(lever):
                    value = getattr(answer, step.field) if step.field else None
                    if value:
                        lines.append(s.say("walk.recap_text", label=step.label,
                                           text=cut(value, RECAP_TEXT_MAX)))
            out.append(Outgoing("\n".join(lines)))
        return tuple(out)

    def _position_lines(self, walk: WalkState, who: Walker) -> list[str]:
        return [self._position_line(walk, who, lever) for lever in self.charter.levers]

    def _position_line(self, walk: WalkState, who: Walker, lever: Lever) -> str:
        s = self.s
        answer = who.answers.get(lever.id)
        label = s.position_label(answer.position) if answer else s.say("walk.recap_empty")
        line = s.say("walk.recap_line", number=lever.number, title=lever.title, answer=label)
        before = who.previous.get(lever.id)
        previous_phase = s.phases[walk.phase].previous
        if before is not None and previous_phase is not None and (
                answer is None or before.position != answer.position):
            line += s.say("walk.recap_change", during=s.phases[previous_phase].during,
                          answer=s.position_label(before.position))
        return line

    # --- buttons ----------------------------------------------------------------------------

    def scale_buttons(self, walk: WalkState, who: Walker) -> tuple[tuple[Button, ...], ...]:
        s = self.s

        def level(n: int) -> Button:
            return self.data(walk, who, str(n)).button(f"{n} · {s.levels[n]}")  # type: ignore[arg-type]

        return (
            (level(1), level(2)),
            (level(3), level(4)),
            (self.data(walk, who, "u").button(s.unknown_label),),
            (self.button(walk, who, "skip"), self.button(walk, who, "back"),
             self.button(walk, who, "pause")),
        )

    def confirm_buttons(self, walk: WalkState, who: Walker, with_append: bool = False
                        ) -> tuple[tuple[Button, ...], ...]:
        nonce = walk.pending.nonce if walk.pending else 0
        row = [self.button(walk, who, "yes", "yes_replace", nonce)]
        if with_append:
            row.append(self.button(walk, who, "append", "append", nonce))
        row.append(self.button(walk, who, "no", "no_keep", nonce))
        return (tuple(row),)

    def button(self, walk: WalkState, who: Walker, action: WalkAction, label_key: str = "",
               nonce: int | None = None) -> Button:
        return self.data(walk, who, action, nonce).button(self.s.button(label_key or action))

    @staticmethod
    def data(walk: WalkState, who: Walker, action: WalkAction, nonce: int | None = None
             ) -> WalkButton:
        return WalkButton(who.member_id, walk.phase, walk.index, walk.step,  # type: ignore[arg-type]
                          action, nonce)

    def too_long(self, text: str) -> Outgoing | None:
        if len(text) <= self.s.text_max:
            return None
        return Outgoing(self.s.say("text_too_long", length=len(text), max=self.s.text_max))

    def note(self, key: str, **values: object) -> Html:
        return Html(self.s.say(key, **values))
