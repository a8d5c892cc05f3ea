"""The contrat de confiance on paper: a section « Notre contrat de confiance » of the meeting
report, and a one-page PDF of the contrat alone, to sign and attach to the convention de
partenariat. The content is prepared here as plain text (`Contrat`, picklable); laying it out
is done after the transaction, off the update path, like every PDF."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

FONT = "dejavu"
SIZES = (10.0, 9.0, 8.0, 7.0, 6.5, 6.0)  # the one-page sheet: the largest size that fits
CUTS = (None, 900, 500, 300, 160, 80)  # then shortens the texts, at the smallest size


def _font_dir() -> str:
    import matplotlib

    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf")


def _bmp(text: str) -> str:
    """The PDF font has no emoji: keep the Basic Multilingual Plane only."""
    return "".join(ch for ch in text if ord(ch) <= 0xFFFF)


@dataclass(frozen=True, slots=True)
class ContratLever:
    title: str  # « 21. Gouvernance »
    text: str  # what the alliance retained (latest version)
    meta: str  # « Retenu le 12/03/2027 par Claire Dubois, tiers de confiance · version 2 »
    earlier: tuple[str, ...] = ()  # « Retenu au lancement : … »


@dataclass(frozen=True, slots=True)
class Contrat:
    """One phase's contrat de confiance, every text already worded (plain text)."""

    section: str  # « Notre contrat de confiance »
    heading: str  # « Contrat de confiance — Alliance du Port »
    subtitle: str  # charter version, phase, date
    seances: str  # who led the séances, and when
    families: tuple[tuple[str, tuple[ContratLever, ...]], ...]  # families with a retained text
    empty: str  # said when nothing was retained
    validations_title: str
    validations: tuple[str, ...]  # one line per organisation: validated in the bot, or not
    signatures_title: str
    signatures: tuple[tuple[str, str], ...]  # (organisation, the line to sign)
    shortened: str  # said when the one-page sheet had to shorten the texts

    @property
    def retained(self) -> int:
        return sum(len(levers) for _, levers in self.families)


# A block of the layout: (style, scale of the font size, text); an empty text is a gap.
Block = tuple[str, float, str]


def blocks(contrat: Contrat, cut: int | None = None, title: bool = False,
           sheet: bool = False) -> list[Block]:
    """What the contrat prints, in order. `title`: under the heading « Notre contrat de
    confiance » (a section of a report); `sheet`: the one-page version to sign (signature
    lines, no recall of earlier phases)."""

    def shorten(value: str) -> str:
        return value if cut is None or len(value) <= cut else value[: cut - 1].rstrip() + "…"

    out: list[Block] = []
    if title:
        out += [("B", 1.3, contrat.section), ("", 0.9, contrat.subtitle)]
    if contrat.seances:
        out.append(("", 0.9, contrat.seances))
    out.append(("", 0.5, ""))
    if not contrat.families:
        out.append(("", 1.0, contrat.empty))
    for family, levers in contrat.families:
        out.append(("B", 1.1, family))
        for lever in levers:
            out.append(("B", 1.0, lever.title))
            if sheet:  # compact: who retained it follows the text
                out.append(("", 1.0, f"{shorten(lever.text)} ({lever.meta})"))
            else:
                out += [("", 1.0, shorten(lever.text)), ("", 0.8, lever.meta),
                        *(("", 0.8, earlier) for earlier in lever.earlier)]
            out.append(("", 0.3, ""))
        out.append(("", 0.3, ""))
    out.append(("B", 1.1, contrat.validations_title))
    out += [("", 0.9, line) for line in contrat.validations]
    if sheet:
        out += [("", 0.5, ""), ("B", 1.1, contrat.signatures_title)]
        for organisation, blank in contrat.signatures:
            out += [("B", 0.9, organisation), ("", 0.9, blank), ("", 0.4, "")]
    return out


def lay_out(doc: Any, parts: list[Block], font: str, size: float,
            dry_run: bool = False) -> float:
    """Write the blocks on an fpdf2 document whose fonts `font` (regular and bold) exist;
    `dry_run`: write nothing, only measure. Returns the height used, in mm."""
    line = size * 0.5
    used = 0.0
    for style, scale, text in parts:
        if not text:
            used += line * scale
            if not dry_run:
                doc.ln(line * scale)
            continue
        doc.set_font(font, style, size * scale)
        if dry_run:
            used += doc.multi_cell(0, line * scale, _bmp(text), dry_run=True, output="HEIGHT")
        else:
            doc.multi_cell(0, line * scale, _bmp(text), new_x="LMARGIN", new_y="NEXT")
    return used


def write_section(doc: Any, contrat: Contrat, font: str = FONT, size: float = 10.0,
                  title: bool = False) -> None:
    """The contrat as a section of a larger document (the meeting report)."""
    lay_out(doc, blocks(contrat, title=title), font, size)


@dataclass(frozen=True, slots=True)
class ContratSheet:
    """The one-page PDF to sign (a Rendering): the largest type, then the longest texts, with
    which the whole contrat and the signature lines fit on one A4 page (measured first, then
    laid out once)."""

    contrat: Contrat

    def render(self) -> bytes:
        from fpdf import FPDF

        contrat = self.contrat
        doc = FPDF(format="A4")
        doc.set_title(_bmp(contrat.heading))
        doc.add_font(FONT, "", os.path.join(_font_dir(), "DejaVuSans.ttf"))
        doc.add_font(FONT, "B", os.path.join(_font_dir(), "DejaVuSans-Bold.ttf"))
        doc.set_margins(12, 10, 12)
        doc.set_auto_page_break(True, margin=10)
        doc.add_page()
        # From the largest type with whole texts to the smallest with the shortest texts: each
        # attempt takes less room than the one before, so the first that fits is found by
        # halving (a few measures, however long the texts).
        attempts = [(size, None) for size in SIZES] + [(SIZES[-1], cut) for cut in CUTS[1:]]

        def fits(i: int) -> bool:
            size, cut = attempts[i]
            return lay_out(doc, self._parts(cut), FONT, size, dry_run=True) <= doc.eph

        low, high = 0, len(attempts) - 1
        while low < high:
            middle = (low + high) // 2
            if fits(middle):
                high = middle
            else:
                low = middle + 1
        size, cut = attempts[low]  # the last one even if it does not fit: kept on two pages
        lay_out(doc, self._parts(cut), FONT, size)
        return bytes(doc.output())

    def _parts(self, cut: int | None) -> list[Block]:
        contrat = self.contrat
        head: list[Block] = [("B", 1.5, contrat.heading), ("", 0.9, contrat.subtitle)]
        if cut is not None:
            head.append(("", 0.9, contrat.shortened))
        return head + [("", 0.3, "")] + blocks(contrat, cut, sheet=True)
