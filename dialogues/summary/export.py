"""The answers export: CSV (default) or JSON, one row per latest answer."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from dialogues.content.charter import Charter
from dialogues.content.script import Script
from dialogues.core.domain import ExportRow

COLUMNS = (
    "alliance",
    "organisation",
    "member",
    "role",
    "phase",
    "lever_id",
    "family",
    "position",
    "position_label",
    "comment",
    "contribution",
    "expectation",
    "charter_version",
    "answered_at",
)


def records(rows: Iterable[ExportRow], charter: Charter, script: Script) -> list[dict[str, object]]:
    """Rows as dicts in COLUMNS order (then `unchanged`, for JSON), levers in the charter's
    order within each group."""
    rows = list(rows)
    groups: dict[tuple[str, str, str, str], int] = {}
    for row in rows:
        groups.setdefault((row.alliance, row.organisation, row.member, row.phase), len(groups))

    def order(row: ExportRow) -> tuple[int, int]:
        key = (row.alliance, row.organisation, row.member, row.phase)
        return groups[key], charter.index_of(row.lever_id)

    out = []
    for row in sorted(rows, key=order):
        lever = charter.lever(row.lever_id)
        out.append({
            "alliance": row.alliance,
            "organisation": row.organisation,
            "member": row.member,
            "role": row.role,
            "phase": row.phase,
            "lever_id": row.lever_id,
            "family": lever.family_id,
            "position": row.position,
            "position_label": script.position_label(row.position),
            "comment": row.comment,
            "contribution": row.contribution,
            "expectation": row.expectation,
            "charter_version": row.charter_version,
            "answered_at": row.answered_at.isoformat(),
            # JSON only (the CSV keeps its columns): « Inchangé » at mid-course or at the end.
            "unchanged": row.unchanged,
        })
    return out


def to_csv(items: list[dict[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    for item in items:
        writer.writerow({k: "" if v is None else v for k, v in item.items()})
    return buffer.getvalue()


def to_json(items: list[dict[str, object]],
            agreements: list[dict[str, object]] | None = None) -> str:
    """{"answers": the rows of the CSV, "agreements": what the alliances retained in séances}."""
    document = {"answers": items, "agreements": agreements or []}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
