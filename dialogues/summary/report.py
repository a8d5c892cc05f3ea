"""The meeting report (PDF): dates, partners, positions, divergences, agenda, evolution, texts."""

from __future__ import annotations

import os
from datetime import datetime

from dialogues.accord.document import Contrat, write_section
from dialogues.content.charter import Charter
from dialogues.content.dates import long_date
from dialogues.content.markup import plain_text
from dialogues.content.script import Script
from dialogues.core.domain import Alliance, Organisation
from dialogues.summary.compute import Summary

FONT = "dejavu"
# The markers of the summary, drawn as coloured dots (the font has no emoji).
MARKER_COLOURS = {"convergence": (46, 160, 67), "divergence": (215, 48, 39),
                  "too_few": (170, 170, 170)}
LEVEL_COLOURS = {1: (222, 235, 247), 2: (158, 202, 225), 3: (66, 146, 198), 4: (8, 81, 156)}
UNKNOWN_COLOUR = (221, 221, 221)
TABLE_COLUMNS = 8  # organisations per table: more are split into several tables


def _font_dir() -> str:
    import matplotlib

    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf")


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[: max(size - 1, 1)] + "…"


def _bmp(text: str) -> str:
    """The report's font has no emoji: keep the Basic Multilingual Plane only."""
    return "".join(ch for ch in text if ord(ch) <= 0xFFFF)


class Report:
    def __init__(self, charter: Charter, script: Script) -> None:
        self.charter = charter
        self.s = script

    def t(self, key: str, **values: object) -> str:
        return _bmp(plain_text(self.s.say(key, **values)))

    def pdf(
        self,
        alliance: Alliance,
        organisations: tuple[Organisation, ...],
        names: dict[int, str],
        summary: Summary,
        charts: tuple[bytes, ...],
        now: datetime,
        contrat: Contrat | None = None,
    ) -> bytes:
        from fpdf import FPDF

        s = self.s
        doc = FPDF(format="A4")
        doc.set_title(_bmp(f"{self.charter.title} — {alliance.name}"))
        doc.add_font(FONT, "", os.path.join(_font_dir(), "DejaVuSans.ttf"))
        doc.add_font(FONT, "B", os.path.join(_font_dir(), "DejaVuSans-Bold.ttf"))
        doc.set_auto_page_break(True, margin=15)
        doc.add_page()

        def heading(text: str, size: int = 13) -> None:
            doc.set_font(FONT, "B", size)
            doc.multi_cell(0, 7, _bmp(text), new_x="LMARGIN", new_y="NEXT")
            doc.ln(1)

        def para(text: str, size: int = 10) -> None:
            doc.set_font(FONT, "", size)
            doc.multi_cell(0, 5, _bmp(text), new_x="LMARGIN", new_y="NEXT")

        tz = alliance.timezone
        phase = s.phases[summary.phase].label
        heading(self.t("report.title", alliance=alliance.name), 16)
        para(self.t("report.subtitle", charter=self.charter.title, phase=phase,
                    date=long_date(now, s.dates, tz)))
        para(self.t("report.dates", start=long_date(alliance.start_at, s.dates, tz),
                    mid=long_date(alliance.mid_at, s.dates, tz),
                    end=long_date(alliance.end_at, s.dates, tz)))
        doc.ln(3)

        heading(self.t("report.partners"))
        total = len(self.charter.levers)
        status = {name: (st, n) for name, st, n in summary.progress}
        for org in organisations:
            st, count = status[names[org.id]]
            para(self.t("report.partner", organisation=names[org.id],
                        kind=s.org_kinds.get(org.kind, org.kind),
                        status=self.t(f"report.status.{st}", count=count, total=total)))
        doc.ln(2)

        def dot(marker: str) -> None:
            """A coloured dot in the running text: the marker of a lever."""
            doc.set_text_color(*MARKER_COLOURS[marker])
            doc.write(5, "● ")
            doc.set_text_color(0, 0, 0)

        doc.set_font(FONT, "", 10)
        for marker in ("convergence", "divergence", "too_few"):
            dot(marker)
            doc.write(5, self.t(f"report.count.{marker}", count=summary.count(marker)) + "   ")
        doc.ln(6)
        known = {item.lever.id: sum(1 for p in item.positions if p.position is not None)
                 for item in summary.levers}
        answering = sum(1 for _, _, count in summary.progress if count)
        if summary.count("too_few") and answering < 2:
            para(self.t("report.too_few.alone"), 9)
        elif summary.count("too_few"):
            para(self.t("report.too_few.why"), 9)
        doc.ln(3)

        heading(self.t("report.agenda"))
        if not summary.agenda:
            para(self.t("summary.agenda_empty"))
        for rank, item in enumerate(summary.agenda, start=1):
            reason = (self.t("report.agenda_divergence", spread=item.spread)
                      if item.marker == "divergence"
                      else self.t("report.agenda_unknown", organisations=", ".join(item.unknown)))
            doc.set_font(FONT, "B", 10)
            doc.multi_cell(0, 5, _bmp(f"{rank}. {item.lever.title} — {reason}"),
                           new_x="LMARGIN", new_y="NEXT")
            para(self._positions(item))
            para(item.lever.text, 9)
            doc.ln(2)

        for family in self.charter.families:
            heading(f"{family.title} — {family.question}", 12)
            for item in (x for x in summary.levers if x.lever.family_id == family.id):
                doc.set_font(FONT, "B", 10)
                marker = self.t(f"report.marker.{item.marker}")
                if item.marker == "too_few":
                    count = known[item.lever.id]
                    key = "report.too_few.none" if count == 0 else "report.too_few.one"
                    marker = f"{marker} : {self.t(key, count=count)}"
                dot(item.marker)
                doc.set_font(FONT, "B", 10)
                doc.multi_cell(0, 5, _bmp(f"{item.lever.number}. {item.lever.title} ({marker})"),
                               new_x="LMARGIN", new_y="NEXT")
                para(self._positions(item))
                if summary.previous is not None and item.changes:
                    para(self.t("report.changes", changes=" · ".join(
                        plain_text(s.say("summary.change",
                                         arrow=s.say(f"summary.arrow.{c.direction}"),
                                         organisation=c.organisation,
                                         before=s.position_label(c.before),
                                         after=s.position_label(c.after)))
                        for c in item.changes)), 9)
                labels = {st.field: st.label[summary.phase] for seq in s.sequences.values()
                          for st in seq
                          if st.field}
                for text in item.texts:
                    para(self.t("report.text", organisation=text.organisation,
                                label=labels.get(text.field, text.field), text=text.text), 9)
                doc.ln(1)
            doc.ln(2)

        if contrat is not None:
            write_section(doc, contrat, FONT, title=True)  # « Notre contrat de confiance »

        self._tables(doc, summary)
        for chart in charts:
            doc.add_page()
            doc.image(chart, w=doc.epw)
        return bytes(doc.output())

    def _tables(self, doc, summary: Summary) -> None:
        """Levers × organisations, each cell coloured by the organisation's level."""
        s = self.s
        names = list(summary.organisations)
        for start in range(0, max(len(names), 1), TABLE_COLUMNS):
            shown = names[start:start + TABLE_COLUMNS]
            doc.add_page()
            doc.set_font(FONT, "B", 12)
            doc.multi_cell(0, 7, self.t("report.table_title",
                                        phase=s.phases[summary.phase].name),
                           new_x="LMARGIN", new_y="NEXT")
            doc.set_font(FONT, "", 8)
            first = 46.0
            width = (doc.epw - first) / max(len(shown), 1)
            doc.set_font(FONT, "B", 7)
            doc.cell(first, 6, "", border=1)
            for name in shown:
                doc.cell(width, 6, _bmp(_cut(name, int(width / 1.6))), border=1, align="C")
            doc.ln()
            for item in summary.levers:
                by_org = {p.organisation: p.position for p in item.positions}
                doc.set_font(FONT, "", 7)
                doc.set_text_color(*MARKER_COLOURS[item.marker])
                doc.cell(4, 6, "●", border="LTB")
                doc.set_text_color(0, 0, 0)
                doc.cell(first - 4, 6, _bmp(f"{item.lever.number}. {item.lever.short}"),
                         border="RTB")
                for name in shown:
                    if name not in by_org:
                        doc.cell(width, 6, "", border=1)
                        continue
                    position = by_org[name]
                    colour = UNKNOWN_COLOUR if position is None else LEVEL_COLOURS[position]
                    doc.set_fill_color(*colour)
                    doc.set_text_color(*((255, 255, 255) if position in (3, 4) else (0, 0, 0)))
                    doc.cell(width, 6, "?" if position is None else str(position), border=1,
                             align="C", fill=True)
                    doc.set_text_color(0, 0, 0)
                doc.ln()
            doc.ln(2)
            doc.set_font(FONT, "", 8)
            legend = " · ".join(f"{n} = {s.levels[n]}" for n in (1, 2, 3, 4))
            doc.multi_cell(0, 4, self.t("report.table_legend", levels=legend,
                                        unknown=s.unknown_label),
                           new_x="LMARGIN", new_y="NEXT")

    def _positions(self, item) -> str:
        s = self.s
        if not item.positions:
            return self.t("summary.no_answer")
        return " · ".join(plain_text(s.say("summary.position", organisation=p.organisation,
                                           answer=s.position_label(p.position)))
                          for p in item.positions)
