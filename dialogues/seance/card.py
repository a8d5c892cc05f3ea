"""A séance's card: one message that the whole meeting looks at, updated in place.

It shows the lever being discussed: the charter's text, every organisation's position and
texts (with the alliance's anonymity), what was retained at earlier phases and in this one,
the organisations' reactions, and who is writing what the alliance retains. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from dialogues.accord.naming import author, organisation_names
from dialogues.accord.recall import recalled
from dialogues.content.charter import Charter
from dialogues.content.dates import show_date
from dialogues.content.markup import Html, cut, plain_text
from dialogues.content.script import Script
from dialogues.core import rules
from dialogues.core.agreements import Accord, Seance, latest_by_phase
from dialogues.core.outgoing import Button, Outgoing
from dialogues.seance.buttons import SeanceButton, VoteButton
from dialogues.summary.compute import (
    DIVERGENCE,
    LeverSummary,
    Summary,
    agenda,
    summarise,
)

NAMES_INLINE = 6  # above this many organisations, positions are counted, not named
TEXT_CUT = 200  # characters of one organisation's text on the card
RETAINED_CUT = 1500  # characters of the retained text on the card (/accord shows it whole)
RECALL_CUT = 300
CARD_BUDGET = 3800  # visible characters, under Telegram's 4,096


@dataclass(frozen=True)
class Board:
    """The alliance's answers as the séance sees them now: the latest, at every card."""

    phase: str
    summary: Summary
    agenda: tuple[LeverSummary, ...]  # largest divergences first, then « je ne sais pas »

    def lever(self, lever_id: str) -> LeverSummary:
        return next(x for x in self.summary.levers if x.lever.id == lever_id)

    def next_after(self, seen: tuple[str, ...]) -> str | None:
        """The next lever to discuss: the first of the agenda not discussed yet."""
        return next((x.lever.id for x in self.agenda if x.lever.id not in seen), None)

    def left(self, seen: tuple[str, ...]) -> int:
        return sum(1 for x in self.agenda if x.lever.id not in seen)


class Card:
    def __init__(self, charter: Charter, script: Script) -> None:
        self.charter = charter
        self.s = script

    def board(self, accord: Accord, phase: str) -> Board:
        names = self.names(accord)
        summary = summarise(self.charter, accord.organisations, accord.answers, phase,
                            self.s.phases[phase].previous, names)
        return Board(phase, summary, agenda(summary.levers, size=len(self.charter.levers)))

    def names(self, accord: Accord) -> dict[int, str]:
        return organisation_names(self.s, accord)

    def who(self, accord: Accord, member_id: int) -> Html:
        return author(self.s, accord, member_id)

    # --- the card ---------------------------------------------------------------------------

    def render(self, accord: Accord, seance: Seance, board: Board, group: bool,
               before: tuple[str, ...] = (), edit: bool = False,
               edit_message: int | None = None) -> Outgoing:
        s = self.s
        alliance = accord.alliance
        title = s.say("seance.card_title", alliance=alliance.name,
                      phase=s.phases[seance.phase].label)
        lines = [*before, title]
        rows: list[tuple[Button, ...]] = []
        if seance.ended_at is not None:
            count = sum(1 for a in accord.agreements if a.seance_id == seance.id)
            lines.append(s.say("seance.ended", count=count))
        elif seance.paused:
            lines.append(s.say("seance.paused"))
            rows = [(self._button(seance, "resume", "resume"),
                     self._button(seance, "end", "seance_end"))]
        elif seance.lever_id is None:
            lines.append(s.say("seance.agenda_done" if seance.seen else "seance.agenda_empty"))
            if group:
                lines.append(s.say("seance.agenda_done_group"))
            rows = [(self._button(seance, "back", "back"),
                     self._button(seance, "end", "seance_end"))]
        else:
            lines.extend(self._lever(accord, seance, board, group))
            rows = self._buttons(accord, seance, group)
        text = self._fit(lines)
        return Outgoing(text, tuple(rows), edit=edit, edit_message=edit_message)

    def _lever(self, accord: Accord, seance: Seance, board: Board, group: bool) -> list[str]:
        s = self.s
        assert seance.lever_id is not None
        item = board.lever(seance.lever_id)
        lever = item.lever
        number = seance.seen.index(lever.id) + 1 if lever.id in seance.seen else 1
        in_agenda = any(x.lever.id == lever.id for x in board.agenda)
        if in_agenda and item.marker == DIVERGENCE:
            point = s.say("seance.point_divergence", n=number, spread=item.spread)
        elif in_agenda:
            point = s.say("seance.point_unknown", n=number, organisations=", ".join(item.unknown))
        else:
            point = s.say("seance.point_chosen", n=number)
        family = self.charter.family(lever.family_id)
        lines = [point, s.say("seance.lever", number=lever.number, title=lever.title,
                              family=family.title),
                 s.say("seance.lever_text", text=lever.text),
                 s.say("seance.positions", positions=Html(self._positions(item, accord)))]
        earlier = recalled(s, latest_by_phase(accord.agreements), seance.phase, lever.id,
                           RECALL_CUT)
        lines.extend(earlier)
        lines.extend(self._retained(accord, seance, lever.id, group))
        writers = [w for w in seance.writing if w.lever_id == lever.id]
        if writers:
            names = Html(", ".join(self.who(accord, w.member_id) for w in writers))
            key = "seance.writing_group" if group else "seance.writing_private"
            lines.append(s.say(key, names=names))
        left = board.left(seance.seen)
        lines.append(s.say("seance.left", count=left) if left else s.say("seance.last"))
        lines.extend(self._texts(item))
        return lines

    def _positions(self, item: LeverSummary, accord: Accord) -> str:
        s = self.s
        if not item.positions:
            return s.say("summary.no_answer")
        if len(item.positions) <= NAMES_INLINE:
            shown = " · ".join(s.say("summary.position", organisation=p.organisation,
                                     answer=s.position_label(p.position))
                               for p in item.positions)
        else:
            counts: dict[int | None, int] = {}
            for p in item.positions:
                counts[p.position] = counts.get(p.position, 0) + 1
            shown = " · ".join(s.say("summary.count", answer=s.position_label(k), count=counts[k])
                               for k in (1, 2, 3, 4, None) if k in counts)
        answered = {p.organisation for p in item.positions}
        missing = [name for name in self.names(accord).values() if name not in answered]
        if missing:
            shown += "\n" + s.say("seance.missing", count=len(missing))
        return shown

    def _retained(self, accord: Accord, seance: Seance, lever_id: str, group: bool
                  ) -> list[str]:
        s = self.s
        versions = accord.versions(seance.phase, lever_id)
        if not versions:
            return [s.say("seance.retained_nothing")]
        latest = versions[-1]
        tz = accord.alliance.timezone
        lines = [s.say("seance.retained", who=self.who(accord, latest.member_id),
                       date=show_date(latest.retained_at, tz), version=len(versions),
                       text=cut(latest.text, RETAINED_CUT))]
        if group:
            votes = [v for v in accord.votes if v.agreement_id == latest.id]
            agree = sum(1 for v in votes if v.vote == "agree")
            rework = sum(1 for v in votes if v.vote == "rework")
            lines.append(s.say("seance.votes", agree=agree, rework=rework,
                               silent=max(0, len(accord.organisations) - agree - rework)))
        return lines

    def _texts(self, item: LeverSummary) -> list[str]:
        if not item.texts:
            return []
        s = self.s
        labels_ = {step.field: step.label for seq in s.sequences.values() for step in seq
                   if step.field}
        return [s.say("seance.texts_title"),
                *(s.say("summary.text_line", organisation=t.organisation,
                        label=labels_.get(t.field, t.field), text=cut(t.text, TEXT_CUT))
                  for t in item.texts)]

    def _fit(self, lines: list[str]) -> str:
        """One message: the organisations' texts come last and are the part that is cut."""
        kept: list[str] = []
        used = 0
        for i, line in enumerate(lines):
            size = len(plain_text(line)) + 2
            if used + size > CARD_BUDGET:
                kept.append(self.s.say("seance.more", count=len(lines) - i))
                break
            kept.append(line)
            used += size
        return "\n\n".join(kept)

    # --- buttons ----------------------------------------------------------------------------

    def _buttons(self, accord: Accord, seance: Seance, group: bool
                 ) -> list[tuple[Button, ...]]:
        s = self.s
        assert seance.lever_id is not None
        rows: list[tuple[Button, ...]] = []
        if not rules.read_only(accord.alliance):
            rows.append((self._button(seance, "retain", "seance_retain"),))
        versions = accord.versions(seance.phase, seance.lever_id)
        if group and versions and not rules.read_only(accord.alliance):
            index = self.charter.index_of(seance.lever_id)
            vote = VoteButton(accord.alliance.id, seance.phase, index,  # type: ignore[arg-type]
                              len(versions), "agree")
            rows.append((vote.button(s.button("vote_agree")),
                         VoteButton(vote.alliance, vote.phase, index, len(versions),
                                    "rework").button(s.button("vote_rework"))))
        move = "seance_next" if versions else "skip"
        rows.append((self._button(seance, "next", move), self._button(seance, "back", "back"),
                     self._button(seance, "pause", "pause")))
        rows.append((self._button(seance, "end", "seance_end"),))
        return rows

    def _button(self, seance: Seance, action: str, label: str) -> Button:
        data = SeanceButton(seance.alliance_id, seance.turn, action)  # type: ignore[arg-type]
        return data.button(self.s.button(label))
