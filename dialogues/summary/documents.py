"""/export: the alliance's answers as a CSV file and a PDF report for the meeting. Pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from dialogues.content.charter import Charter
from dialogues.content.script import Script
from dialogues.core.domain import Alliance
from dialogues.core.effects import ExportData, LoadSummary, SummaryData
from dialogues.core.outgoing import Attachment, Outgoing
from dialogues.summary.compute import labels
from dialogues.summary.export import records, to_csv
from dialogues.summary.flow import Summaries
from dialogues.summary.report import Report


class Exports:
    def __init__(self, charter: Charter, script: Script, summaries: Summaries) -> None:
        self.charter = charter
        self.s = script
        self.summaries = summaries
        self.report = Report(charter, script)

    def render(self, data: ExportData, alliance: Alliance, phase: str, now: datetime
               ) -> tuple[Outgoing, ...]:
        names = labels(data.organisations, data.anonymous,
                       self.s.messages["summary.anonymous_name"])
        rows = data.rows
        if data.anonymous:
            shown = {o.name: names[o.id] for o in data.organisations}
            rows = tuple(replace(r, organisation=shown.get(r.organisation, ""), member="")
                         for r in rows)
        csv_bytes = to_csv(records(rows, self.charter, self.s)).encode("utf-8-sig")
        request = LoadSummary(phase, "h", True, False)
        summary_data = SummaryData(request, data.organisations, data.answers, data.anonymous)
        summary = self.summaries.summary(summary_data)
        answered = tuple(p for p in self.s.phases if any(a.phase == p for a in data.answers))
        charts = tuple(m.attachment.data for m in
                       self.summaries.charts(summary_data, summary, alliance.name, answered)
                       if m.attachment)
        pdf = self.report.pdf(alliance, data.organisations, names, summary, charts, now)
        slug = _slug(alliance.name)
        return (
            Outgoing(self.s.say("export.csv_caption", alliance=alliance.name),
                     attachment=Attachment("document", f"charte-{slug}.csv", csv_bytes)),
            Outgoing(self.s.say("export.report_caption", alliance=alliance.name),
                     attachment=Attachment("document", f"rapport-{slug}.pdf", pdf)),
        )


def _slug(name: str) -> str:
    from dialogues.content.normalize import normalize

    words = normalize(name).split()
    return "-".join(words)[:40] or "alliance"
