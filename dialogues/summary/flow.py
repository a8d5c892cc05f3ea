"""/synthese and /mes_reponses: from loaded answers to messages and charts. Pure."""

from __future__ import annotations

from collections.abc import Iterable

from dialogues.content.charter import Charter
from dialogues.content.script import Script
from dialogues.core.domain import PHASES, Answer
from dialogues.core.effects import LoadSummary, SummaryData
from dialogues.core.outgoing import Attachment, Outgoing
from dialogues.summary.charts import radar_png
from dialogues.summary.compute import Summary, by_organisation, labels, summarise
from dialogues.summary.view import PHASE_CODES, SummaryView

CODE_PHASES = {v: k for k, v in PHASE_CODES.items()}


class Summaries:
    def __init__(self, charter: Charter, script: Script) -> None:
        self.charter = charter
        self.s = script
        self.view = SummaryView(charter, script)

    def parse_press(self, data: str, member_id: int) -> LoadSummary | None:
        """`s:<member>:<phase>:<section>` from this member's own summary, else None."""
        parts = data.split(":")
        if len(parts) != 4 or parts[0] != "s" or parts[1] != str(member_id):
            return None
        phase = CODE_PHASES.get(parts[2])
        if phase is None:
            return None
        return LoadSummary(phase, parts[3], with_chart=parts[3] == "h", edit=parts[3] != "h")

    def parse_phase(self, typed: str, current: str) -> str:
        """/synthese [phase]: a phase named by id or label, else the current one."""
        wanted = typed.strip().casefold()
        for phase, definition in self.s.phases.items():
            if wanted in (phase, definition.label.casefold()):
                return phase
        return current

    def summary(self, data: SummaryData) -> Summary:
        template = self.s.messages["summary.anonymous_name"]
        names = labels(data.organisations, data.anonymous, template)
        phase = data.request.phase
        return summarise(self.charter, data.organisations, data.answers, phase,
                         self.s.phases[phase].previous, names)

    def render(self, data: SummaryData, alliance: str, member_id: int) -> tuple[Outgoing, ...]:
        summary = self.summary(data)
        answered = tuple(p for p in PHASES if any(a.phase == p for a in data.answers))
        if data.request.section == "g":  # in a group: no buttons, anyone could press them
            messages = tuple(Outgoing(m.text) for m in (
                *self.view.render(summary, "h", alliance, member_id, answered),
                *self.view.render(summary, "a", alliance, member_id, answered)))
        else:
            messages = self.view.render(summary, data.request.section, alliance, member_id,
                                        answered)
        if data.request.edit:
            messages = tuple(Outgoing(m.text, m.buttons, edit=True) for m in messages)
        if not data.request.with_chart:
            return messages
        return (*self.charts(data, summary, alliance, answered), *messages)

    def charts(self, data: SummaryData, summary: Summary, alliance: str,
               answered: tuple[str, ...]) -> tuple[Outgoing, ...]:
        s = self.s
        phase = data.request.phase
        grouped = by_organisation(data.answers)
        names = dict(zip((o.id for o in data.organisations), summary.organisations, strict=True))
        series = [(names[o.id], {lever: a.position for lever, a in
                                 grouped.get(o.id, {}).get(phase, {}).items()})
                  for o in data.organisations if grouped.get(o.id, {}).get(phase)]
        spread = (s.say("summary.chart_min"), s.say("summary.chart_mean"),
                  s.say("summary.chart_max"))
        png = radar_png(self.charter, series, s.say("summary.chart_title",
                                                    phase=s.phases[phase].label),
                        s.levels, spread)
        out = [Outgoing(s.say("summary.chart_caption", phase=s.phases[phase].label,
                              alliance=alliance),
                        attachment=Attachment("photo", f"synthese-{phase}.png", png))]
        if len(answered) >= 2:
            by_phase = [(s.phases[p].label, _mean_positions(data.answers, p)) for p in answered]
            png = radar_png(self.charter, by_phase, s.say("summary.chart_phases_title"),
                            s.levels, spread)
            out.append(Outgoing(s.say("summary.chart_phases_caption", alliance=alliance),
                                attachment=Attachment("photo", "synthese-phases.png", png)))
        return tuple(out)


def _mean_positions(answers: Iterable[Answer], phase: str) -> dict[str, float | None]:
    """Average position per lever over the organisations (their latest answers) in a phase."""
    grouped = by_organisation(answers)
    values: dict[str, list[int]] = {}
    for phases in grouped.values():
        for lever, answer in phases.get(phase, {}).items():
            if answer.position is not None:
                values.setdefault(lever, []).append(answer.position)
    return {lever: sum(v) / len(v) for lever, v in values.items()}
