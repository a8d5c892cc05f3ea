"""Answers: append-only; the latest (highest id) per (member, phase, lever) counts."""

from __future__ import annotations

from dialogues.core.domain import PHASES, POSITIONS, Answer, ExportRow, NewAnswer
from storage import rows
from storage.dialect import Row
from storage.times import from_stored
from storage.transaction import Transaction

_PHASE_RANK = (
    "CASE a.phase "
    + " ".join(f"WHEN '{phase}' THEN {rank}" for rank, phase in enumerate(PHASES))
    + " END"
)

_COLUMNS = (
    "alliance_id, organisation_id, member_id, phase, lever_id, position, comment,"
    " contribution, expectation, charter_version, answered_at, unchanged"
)

_EXPORT = f"""
SELECT al.name AS alliance, o.name AS organisation, p.display_name AS member, m.role,
       a.phase, a.lever_id, a.position, a.comment, a.contribution, a.expectation,
       a.charter_version, a.answered_at, a.unchanged
FROM answers AS a
JOIN members AS m ON m.id = a.member_id
JOIN people AS p ON p.id = m.person_id
JOIN organisations AS o ON o.id = a.organisation_id
JOIN alliances AS al ON al.id = a.alliance_id
WHERE a.id IN ({{latest}})
ORDER BY a.alliance_id, a.organisation_id, a.member_id, {_PHASE_RANK}, a.lever_id
"""
_LATEST_ALL = "SELECT MAX(id) FROM answers GROUP BY member_id, phase, lever_id"
_LATEST_OF_ALLIANCE = (
    "SELECT MAX(x.id) FROM members AS mm JOIN answers AS x ON x.member_id = mm.id"
    " WHERE mm.alliance_id = ? GROUP BY x.member_id, x.phase, x.lever_id"
)


# Latest answer per phase and lever of one member (phase -> lever id -> answer: by_phase).
LATEST_BY_PHASE = (
    f"SELECT id, {_COLUMNS} FROM answers WHERE id IN ("
    " SELECT MAX(id) FROM answers WHERE member_id = ? GROUP BY phase, lever_id"
    ") ORDER BY lever_id"
)


def by_phase(found: list[Row]) -> dict[str, dict[str, Answer]]:
    grouped: dict[str, dict[str, Answer]] = {}
    for row in found:
        grouped.setdefault(row["phase"], {})[row["lever_id"]] = rows.answer(row)
    return grouped


def _check(answer: NewAnswer) -> None:
    if answer.phase not in PHASES:
        raise ValueError(f"unknown phase {answer.phase!r}; expected one of {PHASES}")
    if answer.position is not None and (
        isinstance(answer.position, bool) or answer.position not in POSITIONS
    ):
        raise ValueError(f"position must be one of {POSITIONS} or None, not {answer.position!r}")
    if not answer.lever_id:
        raise ValueError("an answer needs a lever id")
    if not answer.charter_version:
        raise ValueError("an answer needs the charter version it answers")


class AnswerRepository(Transaction):
    def add_answer(self, answer: NewAnswer) -> Answer:
        """Append one answer; the member must belong to that organisation and alliance."""
        _check(answer)
        answered_at = self._time(answer.answered_at)
        answer_id = self._insert(
            f"INSERT INTO answers ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                answer.alliance_id,
                answer.organisation_id,
                answer.member_id,
                answer.phase,
                answer.lever_id,
                answer.position,
                answer.comment,
                answer.contribution,
                answer.expectation,
                answer.charter_version,
                answered_at,
                1 if answer.unchanged else 0,
            ),
        )
        return Answer(
            id=answer_id,
            alliance_id=answer.alliance_id,
            organisation_id=answer.organisation_id,
            member_id=answer.member_id,
            phase=answer.phase,
            lever_id=answer.lever_id,
            position=answer.position,
            comment=answer.comment,
            contribution=answer.contribution,
            expectation=answer.expectation,
            charter_version=answer.charter_version,
            answered_at=from_stored(answered_at),
            unchanged=answer.unchanged,
        )

    def latest_answers(self, member_id: int, phase: str) -> dict[str, Answer]:
        """Latest answer per lever id of one member in one phase, keyed in lever id order."""
        found = self._rows(
            f"SELECT id, {_COLUMNS} FROM answers WHERE id IN ("
            " SELECT MAX(id) FROM answers WHERE member_id = ? AND phase = ? GROUP BY lever_id"
            ") ORDER BY lever_id",
            (member_id, phase),
        )
        return {row["lever_id"]: rows.answer(row) for row in found}

    def alliance_answers(self, alliance_id: int) -> list[Answer]:
        """Latest answer per (member, phase, lever) of every member of one alliance."""
        found = self._rows(
            f"SELECT id, {_COLUMNS} FROM answers WHERE id IN ({_LATEST_OF_ALLIANCE})"
            " ORDER BY id",
            (alliance_id,),
        )
        return [rows.answer(row) for row in found]

    def answer_history(self, member_id: int, phase: str, lever_id: str) -> list[Answer]:
        """Every answer of one member to one lever in one phase, oldest first."""
        found = self._rows(
            f"SELECT id, {_COLUMNS} FROM answers"
            " WHERE member_id = ? AND phase = ? AND lever_id = ? ORDER BY id",
            (member_id, phase, lever_id),
        )
        return [rows.answer(row) for row in found]

    def export_rows(self, alliance_id: int | None = None) -> list[ExportRow]:
        """Latest answer per (member, phase, lever), of one alliance or of all.

        Ordered by alliance id, organisation id, member id, phase (lancement, mi-parcours,
        fin) then lever id: storage does not know the charter's lever order, so the export
        code re-sorts levers (and names, if it wants them) itself.
        """
        if alliance_id is None:
            found = self._rows(_EXPORT.format(latest=_LATEST_ALL))
        else:
            found = self._rows(_EXPORT.format(latest=_LATEST_OF_ALLIANCE), (alliance_id,))
        return [rows.export_row(row) for row in found]
