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
EARLIER_TEXT_MAX = 160  # an earlier phase's text, recalled under the question


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
    # The latest earlier answer per lever (the phase before, else the one before it), and the
    # phase it was given in.
    previous: Mapping[str, AnswerLike]
    previous_phase: Mapping[str, str] = field(default_factory=dict)
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
            lines.extend(self._earlier(walk, who, lever))
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
        rows: list[tuple[Button, ...]] = []
        if walk.draft:
            lines.append(s.say("walk.note_offer", text=cut(walk.draft, RECAP_TEXT_MAX)))
            rows.append((self.button(walk, who, "note"),))
        else:
            lines.append(esc(step.hint))
        rows.append((self.button(walk, who, "skip"), self.button(walk, who, "back"),
                     self.button(walk, who, "pause")))
        return Outgoing("\n\n".join(lines), tuple(rows), edit=edit)

    def earlier(self, who: Walker, lever: Lever) -> tuple[str, AnswerLike] | None:
        """The phase and answer of this lever's latest earlier answer, if any."""
        answer = who.previous.get(lever.id)
        phase = who.previous_phase.get(lever.id)
        return (phase, answer) if answer is not None and phase is not None else None

    def _earlier(self, walk: WalkState, who: Walker, lever: Lever) -> list[str]:
        """The earlier phase's answer, position and texts: what « Inchangé » keeps."""
        found = self.earlier(who, lever)
        if found is None:
            return []
        s = self.s
        phase, answer = found
        lines = [s.say("walk.previous_answer", during=s.phases[phase].during,
                       answer=s.position_label(answer.position))]
        for step in self.steps(lever):
            value = getattr(answer, step.field) if step.field else None
            if value:
                lines.append(s.say("walk.previous_text", label=step.label[phase],
                                   text=cut(value, EARLIER_TEXT_MAX)))
        return ["\n".join(lines)]

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

    def saved_lever(self, lever: Lever, position: int | None, unchanged: bool = False) -> str:
        key = "walk.lever_kept" if unchanged else "walk.lever_saved"
        return self.s.say(key, number=lever.number, title=lever.title,
                          answer=self.s.position_label(position))

    def skipped(self, lever: Lever) -> str:
        return self.s.say("walk.skipped", number=lever.number, title=lever.title)

    # --- the end and the recap ----------------------------------------------------------------

    def done(self, walk: WalkState, who: Walker, before: Sequence[str] = (),
             edit: bool = False) -> Outgoing:
        """The end of the walk in one message: the count, each lever's position, the levers
        still without an answer (and a button that visits only those), what next."""
        s = self.s
        answered = len(who.answers)
        lines = [*before, s.say("walk.done", phase=s.phases[walk.phase].name,
                                answered=answered, total=self.total)]
        lines.append("\n".join(self._position_lines(walk, who)))
        gaps = self.gaps(who)
        rows: list[tuple[Button, ...]] = []
        if gaps:
            names = ", ".join(f"{lever.number}. {lever.title}" for lever in gaps)
            lines.append(s.say("walk.gaps", count=len(gaps), levers=names))
            label = s.button("gaps", count=len(gaps))
            rows.append((self.data(walk, who, "gaps").button(label),))
        lines.append(s.say("walk.done_hint"))
        rows.append((self.button(walk, who, "back"),))
        return Outgoing("\n\n".join(lines), tuple(rows), edit=edit)

    def gaps(self, who: Walker) -> list[Lever]:
        """The levers without an answer in the walk's phase, in the charter's order."""
        return [lever for lever in self.charter.levers if lever.id not in who.answers]

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
                        lines.append(s.say("walk.recap_text", label=step.label[walk.phase],
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
        earlier = self.earlier(who, lever)
        if earlier is not None and (answer is None or earlier[1].position != answer.position):
            line += s.say("walk.recap_change", during=s.phases[earlier[0]].during,
                          answer=s.position_label(earlier[1].position))
        return line

    # --- buttons ----------------------------------------------------------------------------

    def scale_buttons(self, walk: WalkState, who: Walker) -> tuple[tuple[Button, ...], ...]:
        s = self.s

        def level(n: int) -> Button:
            return self.data(walk, who, str(n)).button(f"{n} · {s.levels[n]}")  # type: ignore[arg-type]

        rows: list[tuple[Button, ...]] = []
        earlier = self.earlier(who, self.lever(walk))
        if earlier is not None:
            label = s.button("same", answer=s.position_label(earlier[1].position))
            rows.append((self.data(walk, who, "same").button(label),))
        return (
            *rows,
            (level(1), level(2)),
            (level(3), level(4)),
            (self.data(walk, who, "u").button(s.unknown_label),),
            (self.button(walk, who, "skip"), self.button(walk, who, "back"),
             self.button(walk, who, "pause")),
        )

    def confirm_buttons(self, walk: WalkState, who: Walker, with_append: bool = False
                        ) -> tuple[tuple[Button, ...], ...]:
        nonce = walk.pending.nonce if walk.pending else 0
        row = (self.button(walk, who, "yes", "yes_replace", nonce),
               self.button(walk, who, "no", "no_keep", nonce))
        if with_append:  # on its own row: three labels do not fit a phone's width
            return (row, (self.button(walk, who, "append", "append", nonce),))
        return (row,)

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
