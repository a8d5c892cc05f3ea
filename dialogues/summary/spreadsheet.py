"""/export's spreadsheet for French offices: an .xlsx (openpyxl) with French headers, local
times, one sheet of answers and one sheet of the summary per lever.

Pure until `render`: the engine describes the workbook (`Workbook`, picklable); the channel
makes the bytes after the commit, like the charts and the PDF.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

Cell = str | int | datetime | None
DATE_FORMAT = "dd/mm/yyyy hh:mm"
LEVEL_FILLS = {1: "DEEBF7", 2: "9ECAE1", 3: "4292C6", 4: "08519C"}  # light to dark blue
UNKNOWN_FILL = "DDDDDD"
MARKER_FILLS = {"convergence": "C7E9C0", "divergence": "FCBBA1", "too_few": "EEEEEE"}
MAX_WIDTH = 60


@dataclass(frozen=True, slots=True)
class Sheet:
    title: str  # at most 31 characters (Excel)
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    # Per row, per column: a fill colour (hex) or "" (the levels and markers of the summary).
    fills: tuple[tuple[str, ...], ...] = ()
    widths: tuple[int, ...] = ()  # column widths in characters; computed when empty


@dataclass(frozen=True, slots=True)
class Workbook:
    """What the .xlsx holds; `render` writes it."""

    sheets: tuple[Sheet, ...]

    def render(self) -> bytes:
        from openpyxl import Workbook as Book
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        book = Book()
        book.remove(book.active)
        for sheet in self.sheets:
            page = book.create_sheet(sheet.title[:31])
            page.append(list(sheet.headers))
            for cell in page[1]:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for r, row in enumerate(sheet.rows, start=2):
                page.append(list(row))
                fills = sheet.fills[r - 2] if sheet.fills else ()
                for c, value in enumerate(row, start=1):
                    cell = page.cell(row=r, column=c)
                    cell.alignment = Alignment(wrap_text=isinstance(value, str),
                                               vertical="top")
                    if isinstance(value, datetime):
                        cell.number_format = DATE_FORMAT
                    colour = fills[c - 1] if c - 1 < len(fills) else ""
                    if colour:
                        cell.fill = PatternFill("solid", start_color=colour, end_color=colour)
                        if colour in (LEVEL_FILLS[3], LEVEL_FILLS[4]):
                            cell.font = Font(color="FFFFFF")
            widths = sheet.widths or _widths(sheet.headers, sheet.rows)
            for c, width in enumerate(widths, start=1):
                page.column_dimensions[get_column_letter(c)].width = width
            page.freeze_panes = "A2"
            page.auto_filter.ref = page.dimensions
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


def _widths(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> tuple[int, ...]:
    widths = [len(h) + 2 for h in headers]
    for row in rows:
        for c, value in enumerate(row):
            size = 16 if isinstance(value, datetime) else len(str(value or ""))
            widths[c] = min(MAX_WIDTH, max(widths[c], size + 2))
    return tuple(widths)
