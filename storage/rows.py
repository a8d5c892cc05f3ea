"""Database rows to domain objects."""

from __future__ import annotations

import sqlite3

from dialogues.domain import (
    Alliance,
    Answer,
    ExportRow,
    Member,
    Organisation,
    Person,
    Reminder,
)
from storage.times import from_text


def alliance(row: sqlite3.Row) -> Alliance:
    return Alliance(
        id=row["id"],
        name=row["name"],
        start_at=from_text(row["start_at"]),
        end_at=from_text(row["end_at"]),
        mid_at=from_text(row["mid_at"]),
        invite_code=row["invite_code"],
        timezone=row["timezone"],
        created_at=from_text(row["created_at"]),
        anonymous=bool(row["anonymous"]),
        group_chat_id=row["group_chat_id"],
        archived_at=from_text(row["archived_at"]) if row["archived_at"] else None,
    )


def organisation(row: sqlite3.Row) -> Organisation:
    return Organisation(
        id=row["id"], alliance_id=row["alliance_id"], name=row["name"], kind=row["kind"]
    )


def person(row: sqlite3.Row) -> Person:
    return Person(
        id=row["id"],
        channel=row["channel"],
        external_id=row["external_id"],
        display_name=row["display_name"],
    )


def member(row: sqlite3.Row) -> Member:
    return Member(
        id=row["id"],
        alliance_id=row["alliance_id"],
        organisation_id=row["organisation_id"],
        person_id=row["person_id"],
        role=row["role"],
        joined_at=from_text(row["joined_at"]),
        nudges_off=bool(row["nudges_off"]),
        unreachable_at=from_text(row["unreachable_at"]) if row["unreachable_at"] else None,
        left_at=from_text(row["left_at"]) if row["left_at"] else None,
    )


def reminder(row: sqlite3.Row) -> Reminder:
    return Reminder(
        id=row["id"],
        alliance_id=row["alliance_id"],
        member_id=row["member_id"],
        kind=row["kind"],
        phase=row["phase"],
        seq=row["seq"],
        due_at=from_text(row["due_at"]),
        sent_at=from_text(row["sent_at"]) if row["sent_at"] else None,
        cancelled_at=from_text(row["cancelled_at"]) if row["cancelled_at"] else None,
    )


def answer(row: sqlite3.Row) -> Answer:
    return Answer(
        id=row["id"],
        alliance_id=row["alliance_id"],
        organisation_id=row["organisation_id"],
        member_id=row["member_id"],
        phase=row["phase"],
        lever_id=row["lever_id"],
        position=row["position"],
        comment=row["comment"],
        contribution=row["contribution"],
        expectation=row["expectation"],
        charter_version=row["charter_version"],
        answered_at=from_text(row["answered_at"]),
    )


def export_row(row: sqlite3.Row) -> ExportRow:
    return ExportRow(
        alliance=row["alliance"],
        organisation=row["organisation"],
        member=row["member"],
        role=row["role"],
        phase=row["phase"],
        lever_id=row["lever_id"],
        position=row["position"],
        comment=row["comment"],
        contribution=row["contribution"],
        expectation=row["expectation"],
        charter_version=row["charter_version"],
        answered_at=from_text(row["answered_at"]),
    )
