"""/export: the alliance's answers as a CSV file and a PDF report for the meeting. Pure: the PDF
is described here (`PdfReport`) and made after the transaction, off the update path."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from dialogues.accord.document import Contrat
from dialogues.content.charter import Charter
from dialogues.content.script import Script
from dialogues.core.context import AllianceAnswers
from dialogues.core.domain import Alliance, ExportRow, Organisation
from dialogues.core.normalize import normalize
from dialogues.core.outgoing import Attachment, Outgoing
from dialogues.summary.charts import RadarChart
from dialogues.summary.compute import Summary
from dialogues.summary.export import records, to_csv
from dialogues.summary.report import Report

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
        csv_bytes = to_csv(records(rows, self.charter, self.s)).encode("utf-8-sig")
        summary = self.summaries.summary(data, phase)
        answered = tuple(p for p in self.s.phases if any(a.phase == p for a in data.answers))
        charts = self.summaries.chart_jobs(data, summary, answered)
        report = PdfReport(self.charter, self.s, alliance, data.organisations,
                           tuple(names.items()), summary, charts, now, contrat)
        slug = _slug(alliance.name)
        return (
            Outgoing(self.s.say("export.csv_caption", alliance=alliance.name),
                     attachment=Attachment("document", f"charte-{slug}.csv", csv_bytes)),
            Outgoing(self.s.say("export.report_caption", alliance=alliance.name),
                     attachment=Attachment("document", f"rapport-{slug}.pdf", later=report)),
        )


def _slug(name: str) -> str:
    words = normalize(name).split()
    return "-".join(words)[:40] or "alliance"
