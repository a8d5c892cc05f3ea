"""The observatory's outputs: rows for `charte-bot observatoire` (CSV or JSON), the
suggestions without names, and the comparison section of /synthese. Pure."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence

from dialogues.content.charter import Charter
from dialogues.content.markup import Html
from dialogues.content.script import Script
from dialogues.core.domain import POSITIONS, Answer, Suggestion
from dialogues.observatory.compute import MIN_ALLIANCES, LeverFigures, Shown, observe, own_means

COLUMNS = (
    "lever_number", "lever_id", "lever", "phase", "alliances", "organisations",
    *(f"share_{level}_pct" for level in POSITIONS), "share_unknown_pct", "mean_position",
    "divergence_pct", "change_mean", "change_up_pct", "change_down_pct",
)
SUGGESTION_COLUMNS = ("created_at", "lever_number", "lever_id", "lever", "charter_version",
                      "text")


class ObservatoryReport:
    def __init__(self, charter: Charter, script: Script) -> None:
        self.charter = charter
        self.s = script

    @property
    def too_few(self) -> str:
        return self.s.say("observatory.too_few", min=MIN_ALLIANCES)

    # --- charte-bot observatoire ------------------------------------------------------------

    def records(self, answers: Iterable[Answer]) -> list[dict[str, object]]:
        """One row per lever and phase, in COLUMNS order; hidden figures read too_few."""
        rows = []
        for f in observe(self.charter, answers):
            enough = f.alliances >= MIN_ALLIANCES
            row: dict[str, object] = {
                "lever_number": f.lever.number,
                "lever_id": f.lever.id,
                "lever": f.lever.title,
                "phase": f.phase,
                "alliances": f.alliances if enough else self.too_few,
                "organisations": f.organisations if enough else self.too_few,
            }
            for level in POSITIONS:
                row[f"share_{level}_pct"] = self._pct(f.shares[level])
            row["share_unknown_pct"] = self._pct(f.unknown)
            row["mean_position"] = self._number(f.mean, 2)
            row["divergence_pct"] = self._pct(f.divergence)
            row["change_mean"] = self._number(f.change, 2) if f.change else ""
            row["change_up_pct"] = self._pct(f.up) if f.up else ""
            row["change_down_pct"] = self._pct(f.down) if f.down else ""
            rows.append(row)
        return rows

    def suggestion_records(self, suggestions: Iterable[Suggestion]) -> list[dict[str, object]]:
        rows = []
        for item in suggestions:
            lever = None
            if item.lever_id is not None and item.lever_id in {x.id for x in self.charter.levers}:
                lever = self.charter.lever(item.lever_id)
            rows.append({
                "created_at": item.created_at.date().isoformat(),
                "lever_number": lever.number if lever else "",
                "lever_id": item.lever_id or "",
                "lever": lever.title if lever else self.s.say("observatory.whole_charter"),
                "charter_version": item.charter_version,
                "text": item.text,
            })
        return rows

    def _pct(self, shown: Shown) -> object:
        if shown.value is None:
            return self.too_few if shown.alliances < MIN_ALLIANCES else ""
        return round(100 * shown.value, 1)

    def _number(self, shown: Shown, digits: int) -> object:
        if shown.value is None:
            return self.too_few if shown.alliances < MIN_ALLIANCES else ""
        return round(shown.value, digits)

    # --- /synthese: how the other alliances stand -------------------------------------------

    def comparison(self, phase: str, own: Sequence[Answer], others: Iterable[Answer]
                   ) -> list[str]:
        """Lines of the /synthese section: per lever, this alliance's mean and the others'."""
        s = self.s
        theirs = {f.lever.id: f for f in observe(self.charter, others, (phase,))}
        mine = own_means(own, phase)
        lines = [s.say("summary.others_title", phase=s.phases[phase].label,
                       min=MIN_ALLIANCES)]
        for lever in self.charter.levers:
            here = mine.get(lever.id)
            lines.append(s.say(
                "summary.others_line", number=lever.number, title=lever.title,
                here=self._mean_text(here) if here is not None else "—",
                there=Html(self._others_text(theirs[lever.id]))))
        return lines

    def _others_text(self, f: LeverFigures) -> str:
        s = self.s
        if f.alliances < MIN_ALLIANCES:
            return self.too_few
        divergence = (s.say("summary.others_divergence",
                            share=self._percent_text(f.divergence.value))
                      if f.divergence.value is not None else self.too_few)
        return s.say("summary.others_figures", mean=self._mean_text(f.mean.value),
                     unknown=self._percent_text(f.unknown.value or 0.0),
                     divergence=divergence, alliances=f.alliances)

    @staticmethod
    def _mean_text(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f}".replace(".", ",")

    @staticmethod
    def _percent_text(value: float) -> str:
        return f"{round(100 * value)}\u00a0%"


def to_csv(rows: list[dict[str, object]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def to_json(rows: list[dict[str, object]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
