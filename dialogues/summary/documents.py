"""/export: a PDF report for the meeting and a spreadsheet (.xlsx) of the answers. Pure: both
are described here (`PdfReport`, `Workbook`) and made after the transaction, off the update
path."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dialogues.accord.document import Contrat
from dialogues.content.charter import Charter
from dialogues.content.markup import plain_text
from dialogues.content.script import Script
from dialogues.core.context import AllianceAnswers
from dialogues.core.domain import Alliance, ExportRow, Organisation
from dialogues.core.normalize import normalize
from dialogues.core.outgoing import Attachment, Outgoing
from dialogues.summary.charts import RadarChart
from dialogues.summary.compute import TOO_FEW, Summary
from dialogues.summary.report import Report
from dialogues.summary.spreadsheet import LEVEL_FILLS, MARKER_FILLS, UNKNOWN_FILL, Sheet, Workbook

if TYPE_CHECKING:
    from dialogues.summary.flow import Summaries


@dataclass(frozen=True, slots=True)
class PdfReport:
    """Everything the meeting report shows; `render` draws its charts and lays it out."""

    charter: Charter
    script: Script
    alliance: Alliance
    organisations: tuple[Organisation, ...]
    names: tuple[tuple[int, str], ...]
    summary: Summary
    charts: tuple[RadarChart, ...]
    now: datetime
    contrat: Contrat | None = None  # « Notre contrat de confiance »

    def render(self) -> bytes:
        charts = tuple(chart.render() for chart in self.charts)
        return Report(self.charter, self.script).pdf(
            self.alliance, self.organisations, dict(self.names), self.summary, charts, self.now,
            self.contrat)


class Documents:
    def __init__(self, charter: Charter, script: Script, summaries: Summaries) -> None:
        self.charter = charter
        self.s = script
        self.summaries = summaries

    def render(self, data: AllianceAnswers, rows: tuple[ExportRow, ...], phase: str,
               now: datetime, contrat: Contrat | None = None) -> tuple[Outgoing, ...]:
        alliance = data.alliance
        names = self.summaries.names(data)
        if alliance.anonymous:
            shown = {o.name: names[o.id] for o in data.organisations}
            rows = tuple(replace(r, organisation=shown.get(r.organisation, ""), member="")
                         for r in rows)
        summary = self.summaries.summary(data, phase)
        answered = tuple(p for p in self.s.phases if any(a.phase == p for a in data.answers))
        charts = self.summaries.chart_jobs(data, summary, answered)
        report = PdfReport(self.charter, self.s, alliance, data.organisations,
                           tuple(names.items()), summary, charts, now, contrat)
        book = Workbook((self.answers_sheet(rows, alliance.timezone), self.summary_sheet(summary)))
        slug = _slug(alliance.name)
        return (
            Outgoing(self.s.say("export.report_caption", alliance=alliance.name),
                     attachment=Attachment("document", f"rapport-{slug}.pdf", later=report)),
            Outgoing(self.s.say("export.xlsx_caption", alliance=alliance.name),
                     attachment=Attachment("document", f"charte-{slug}.xlsx", later=book)),
        )

    # --- the spreadsheet --------------------------------------------------------------------

    def _columns(self, key: str, **values: object) -> tuple[str, ...]:
        return tuple(plain_text(self.s.say(key, **values)).split("|"))

    def answers_sheet(self, rows: tuple[ExportRow, ...], tz: str) -> Sheet:
        """One row per latest answer, in the charter's order; times in the alliance's zone."""
        s = self.s
        labels = {step.field: " / ".join(dict.fromkeys(step.label.values()))
                  for seq in s.sequences.values() for step in seq if step.field}
        headers = self._columns("xlsx.answer_columns", comment=labels["comment"],
                                contribution=labels["contribution"],
                                expectation=labels["expectation"])
        zone = ZoneInfo(tz)
        order = {lever.id: i for i, lever in enumerate(self.charter.levers)}
        phases = list(s.phases)
        table = []
        for row in sorted(rows, key=lambda r: (r.organisation, r.member, phases.index(r.phase),
                                               order.get(r.lever_id, 99))):
            lever = self.charter.lever(row.lever_id)
            family = self.charter.family(lever.family_id)
            table.append((
                row.alliance, row.organisation, row.member, s.roles.get(row.role, row.role),
                s.phases[row.phase].label, lever.number, family.title, lever.title,
                row.position, s.position_label(row.position),
                plain_text(s.say("xlsx.yes")) if row.unchanged else None,
                row.comment, row.contribution, row.expectation, row.charter_version,
                row.answered_at.astimezone(zone).replace(tzinfo=None),
            ))
        assert len(headers) == len(table[0]) if table else True, "xlsx.answer_columns"
        return Sheet(plain_text(s.say("xlsx.sheet_answers")), headers, tuple(table))

    def summary_sheet(self, summary: Summary) -> Sheet:
        """One row per lever of the phase: the marker, the spread, each organisation's level."""
        s = self.s
        fixed = self._columns("xlsx.summary_columns")
        headers = (*fixed, *summary.organisations)
        rows, fills = [], []
        for item in summary.levers:
            family = self.charter.family(item.lever.family_id)
            by_org = {p.organisation: p.position for p in item.positions}
            known = sum(1 for p in item.positions if p.position is not None)
            marker = plain_text(self.s.say(f"report.marker.{item.marker}"))
            cells = [item.lever.number, family.title, item.lever.title,
                     marker[:1].upper() + marker[1:],
                     item.spread if known else None, len(item.unknown) or None]
            colours = ["", "", "", MARKER_FILLS[item.marker], "", ""]
            if item.marker == TOO_FEW:
                cells[3] = f"{cells[3]} ({plain_text(s.say(self.too_few_key(known), count=known))})"
            for name in summary.organisations:
                if name not in by_org:
                    cells.append(None)
                    colours.append("")
                    continue
                position = by_org[name]
                cells.append(s.position_label(position))
                colours.append(UNKNOWN_FILL if position is None else LEVEL_FILLS[position])
            rows.append(tuple(cells))
            fills.append(tuple(colours))
        assert len(fixed) == 6, "xlsx.summary_columns"
        title = plain_text(s.say("xlsx.sheet_summary", phase=s.phases[summary.phase].label))
        return Sheet(title, headers, tuple(rows), tuple(fills))

    @staticmethod
    def too_few_key(known: int) -> str:
        """Why a lever cannot be compared yet."""
        return "report.too_few.none" if known == 0 else "report.too_few.one"


def _slug(name: str) -> str:
    words = normalize(name).split()
    return "-".join(words)[:40] or "alliance"
