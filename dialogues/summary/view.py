"""Render a Summary as phone-sized messages: a headline with buttons, then one section each."""

from __future__ import annotations

from collections.abc import Mapping

from dialogues.accord.recall import evolution_lines
from dialogues.content.charter import Charter, Family
from dialogues.content.markup import Html, cut, plain_text
from dialogues.content.script import Script
from dialogues.core.outgoing import Button, Outgoing
from dialogues.summary.buttons import Section, SummaryButton
from dialogues.summary.compute import DIVERGENCE, LeverSummary, Summary

NAMES_INLINE = 6  # above this many organisations, a lever shows counts instead of names
TEXT_CUT = 300
MESSAGE_BUDGET = 3800  # visible characters per message, under Telegram's 4,096


class SummaryView:
    def __init__(self, charter: Charter, script: Script) -> None:
        self.charter = charter
        self.s = script

    def render(self, summary: Summary, section: Section, alliance: str, member_id: int,
               phases_with_answers: tuple[str, ...],
               retained: Mapping[str, Mapping[str, str]] | None = None,
               comparison: bool = False) -> tuple[Outgoing, ...]:
        """`section`: h (headline), f0..f2 (a family), a (agenda), e (evolution), t0..t2.

        `retained`: what the alliance retained in séances (phase -> lever id -> text), which
        the evolution section recalls; `comparison`: the alliance agreed to compare itself with
        the other alliances (a button to their figures)."""
        if section.startswith("f") and section[1:].isdigit():
            return (self._family(summary, self._family_at(section), member_id),)
        if section.startswith("t") and section[1:].isdigit():
            return (self._texts(summary, self._family_at(section), member_id),)
        if section == "a":
            return (self._agenda(summary, member_id),)
        if section == "e":
            return (self._evolution(summary, member_id, retained or {}),)
        return (self._headline(summary, alliance, member_id, phases_with_answers, comparison),)

    def others(self, summary: Summary, member_id: int, lines: list[str]) -> Outgoing:
        """The observatory's comparison (dialogues.observatory.report), with « ⬅ Synthèse »."""
        return Outgoing(self._fit(lines), self._back(summary, member_id))

    # --- sections ---------------------------------------------------------------------------

    def _headline(self, summary: Summary, alliance: str, member_id: int,
                  phases_with_answers: tuple[str, ...], comparison: bool = False) -> Outgoing:
        s = self.s
        total = len(self.charter.levers)
        lines = [s.say("summary.title", phase=s.phases[summary.phase].label, alliance=alliance),
                 s.say("summary.progress_title")]
        for organisation, status, count in summary.progress:
            lines.append(s.say(f"summary.progress.{status}", organisation=organisation,
                               count=count, total=total))
        lines.append("")
        lines.append(s.say("summary.counts", convergence=summary.count("convergence"),
                           divergence=summary.count("divergence"),
                           too_few=summary.count("too_few")))
        if summary.agenda:
            titles = ", ".join(x.lever.title for x in summary.agenda)
            lines.append(s.say("summary.agenda_short", levers=titles))
        lines.append(s.say("summary.legend"))
        rows: list[tuple[Button, ...]] = [
            tuple(self._data(member_id, summary.phase, f"f{i}").button(
                      s.button("summary_family", family=_short(f.title)))
                  for i, f in enumerate(self.charter.families)),
            (self._data(member_id, summary.phase, "a").button(s.button("summary_agenda")),
             self._data(member_id, summary.phase, "e").button(s.button("summary_evolution"))),
            tuple(self._data(member_id, summary.phase, f"t{i}").button(
                      s.button("summary_texts", family=_short(f.title)))
                  for i, f in enumerate(self.charter.families)),
        ]
        if comparison:
            rows.append((self._data(member_id, summary.phase, "o").button(
                s.button("summary_others")),))
        others = [p for p in phases_with_answers if p != summary.phase]
        rows.extend((self._data(member_id, p, "h").button(
            s.button("summary_phase", phase=s.phases[p].label)),) for p in others)
        return Outgoing("\n".join(lines), tuple(rows))

    def _family(self, summary: Summary, index: int, member_id: int) -> Outgoing:
        s = self.s
        family = self.charter.families[index]
        lines = [s.say("summary.family_title", family=family.title, question=family.question,
                       phase=s.phases[summary.phase].label)]
        for item in self._levers_of(summary, family):
            lines.append(s.say("summary.lever_line", marker=s.say(f"summary.marker.{item.marker}"),
                               number=item.lever.number, title=item.lever.title,
                               positions=Html(self._positions(item))))
        return Outgoing("\n\n".join(lines), self._back(summary, member_id))

    def _agenda(self, summary: Summary, member_id: int) -> Outgoing:
        s = self.s
        lines = [s.say("summary.agenda_title", phase=s.phases[summary.phase].label)]
        if not summary.agenda:
            lines.append(s.say("summary.agenda_empty"))
        for rank, item in enumerate(summary.agenda, start=1):
            if item.marker == DIVERGENCE:
                head = s.say("summary.agenda_divergence", rank=rank, title=item.lever.title,
                             spread=item.spread, positions=Html(self._positions(item)))
            else:
                head = s.say("summary.agenda_unknown", rank=rank, title=item.lever.title,
                             organisations=", ".join(item.unknown))
            lines.append(head + "\n" + s.say("summary.agenda_text", text=item.lever.text))
        return Outgoing("\n\n".join(lines), self._back(summary, member_id))

    def _evolution(self, summary: Summary, member_id: int,
                   retained: Mapping[str, Mapping[str, str]]) -> Outgoing:
        s = self.s
        if summary.previous is None:
            return Outgoing(s.say("summary.evolution_first"), self._back(summary, member_id))
        lines = [s.say("summary.evolution_title", phase=s.phases[summary.phase].label,
                       previous=s.phases[summary.previous].label)]
        found = False
        for item in summary.levers:
            if not item.changes:
                continue
            found = True
            if len(item.changes) <= NAMES_INLINE:
                changes = " · ".join(
                    s.say("summary.change", arrow=s.say(f"summary.arrow.{c.direction}"),
                          organisation=c.organisation, before=s.position_label(c.before),
                          after=s.position_label(c.after))
                    for c in item.changes)
            else:
                directions = [c.direction for c in item.changes]
                changes = " · ".join(
                    s.say("summary.change_count", arrow=s.say(f"summary.arrow.{d}"),
                          count=directions.count(d))
                    for d in ("up", "down", "same", "unknown") if d in directions)
            lines.append(s.say("summary.evolution_line", number=item.lever.number,
                               title=item.lever.title, changes=Html(changes)))
        if not found:
            lines.append(s.say("summary.evolution_empty"))
        lines.extend(evolution_lines(s, self.charter, retained, summary.phase))
        return Outgoing(self._fit(lines), self._back(summary, member_id))

    def _texts(self, summary: Summary, index: int, member_id: int) -> Outgoing:
        s = self.s
        family = self.charter.families[index]
        lines = [s.say("summary.texts_title", family=family.title,
                       phase=s.phases[summary.phase].label)]
        labels = {step.field: step.label[summary.phase] for seq in s.sequences.values()
                  for step in seq
                  if step.field}
        found = False
        for item in self._levers_of(summary, family):
            if not item.texts:
                continue
            found = True
            lines.append("")
            lines.append(s.say("summary.texts_lever", number=item.lever.number,
                               title=item.lever.title))
            for text in item.texts:
                lines.append(s.say("summary.text_line", organisation=text.organisation,
                                   label=labels.get(text.field, text.field),
                                   text=cut(text.text, TEXT_CUT)))
        if not found:
            lines.append(s.say("summary.texts_empty"))
        return Outgoing(self._fit(lines), self._back(summary, member_id))

    # --- helpers ----------------------------------------------------------------------------

    def _fit(self, lines: list[str]) -> str:
        """Join lines into one phone-sized message; what does not fit is counted, not lost."""
        kept: list[str] = []
        used = 0
        for i, line in enumerate(lines):
            size = len(plain_text(line)) + 1
            if used + size > MESSAGE_BUDGET:
                rest = sum(1 for x in lines[i:] if x)
                kept.append(self.s.say("summary.more", count=rest))
                break
            kept.append(line)
            used += size
        return "\n".join(kept)

    def _positions(self, item: LeverSummary) -> str:
        s = self.s
        if not item.positions:
            return s.say("summary.no_answer")
        if len(item.positions) <= NAMES_INLINE:
            return " · ".join(s.say("summary.position", organisation=p.organisation,
                                    answer=s.position_label(p.position))
                              for p in item.positions)
        counts: dict[int | None, int] = {}
        for p in item.positions:
            counts[p.position] = counts.get(p.position, 0) + 1
        order = [1, 2, 3, 4, None]
        return " · ".join(s.say("summary.count", answer=s.position_label(k), count=counts[k])
                          for k in order if k in counts)

    def _levers_of(self, summary: Summary, family: Family) -> list[LeverSummary]:
        return [x for x in summary.levers if x.lever.family_id == family.id]

    def _family_at(self, section: str) -> int:
        index = int(section[1:])
        return index if 0 <= index < len(self.charter.families) else 0

    def _back(self, summary: Summary, member_id: int) -> tuple[tuple[Button, ...], ...]:
        back = self._data(member_id, summary.phase, "h")
        return ((back.button(self.s.button("summary_back")),),)

    @staticmethod
    def _data(member_id: int, phase: str, section: str) -> SummaryButton:
        return SummaryButton(member_id, phase, section)  # type: ignore[arg-type]


def _short(family_title: str) -> str:
    """« Principes d’action » -> « Principes »: three family buttons fit in one phone row."""
    return family_title.split()[0]
