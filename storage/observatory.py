"""The observatory's reads and writes: answers across alliances, the comparison consent,
suggestions about the charter's text."""

from __future__ import annotations

from datetime import datetime

from dialogues.core.domain import Answer, Suggestion
from storage import rows
from storage.answers import _COLUMNS
from storage.transaction import Transaction

_LATEST = "SELECT MAX(id) FROM answers GROUP BY member_id, phase, lever_id"
_LATEST_COMPARING = (
    "SELECT MAX(x.id) FROM answers AS x JOIN alliances AS al ON al.id = x.alliance_id"
    " WHERE al.comparison = 1 GROUP BY x.member_id, x.phase, x.lever_id"
)


class ObservatoryRepository(Transaction):
    def set_comparison(self, alliance_id: int, comparison: bool) -> None:
        self._execute("UPDATE alliances SET comparison = ? WHERE id = ?",
                      (int(comparison), alliance_id))

    def network_answers(self, comparing_only: bool = False) -> list[Answer]:
        """Latest answer per (member, phase, lever) of every alliance, or of the alliances
        whose coordination agreed to the comparison; by alliance."""
        latest = _LATEST_COMPARING if comparing_only else _LATEST
        found = self._rows(
            f"SELECT id, {_COLUMNS} FROM answers WHERE id IN ({latest})"
            " ORDER BY alliance_id, id")
        return [rows.answer(row) for row in found]

    def add_suggestion(self, person_id: int, lever_id: str | None, text: str,
                       charter_version: str, now: datetime) -> None:
        self._insert(
            "INSERT INTO suggestions (person_id, lever_id, text, charter_version, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (person_id, lever_id, text, charter_version, self._time(now)),
        )

    def suggestions(self) -> list[Suggestion]:
        """Every suggestion, oldest first, without who wrote it."""
        found = self._rows("SELECT id, lever_id, text, charter_version, created_at"
                           " FROM suggestions ORDER BY created_at, id")
        return [rows.suggestion(r) for r in found]
