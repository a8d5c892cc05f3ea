"""Reminders and the member flags they depend on."""

from __future__ import annotations

from datetime import datetime

from dialogues.core.domain import Reminder
from storage import rows
from storage.claims import Claims
from storage.times import from_stored


class ReminderRepository(Claims):
    def plan_reminder(self, alliance_id: int, member_id: int, kind: str, phase: str, seq: int,
                      due_at: datetime) -> None:
        """Create the reminder, or move it if it is still pending; a sent one stays as it is."""
        self._execute(
            "INSERT INTO reminders (alliance_id, member_id, kind, phase, seq, due_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (member_id, kind, phase, seq) DO UPDATE SET due_at = excluded.due_at"
            " WHERE reminders.sent_at IS NULL AND reminders.cancelled_at IS NULL",
            (alliance_id, member_id, kind, phase, seq, self._time(due_at)),
        )

    def get_reminder(self, reminder_id: int) -> Reminder | None:
        row = self._row("SELECT * FROM reminders WHERE id = ?", (reminder_id,))
        return rows.reminder(row) if row else None

    def due_reminders(self, now: datetime, limit: int) -> list[int]:
        """Ids of pending reminders due at `now` or before, oldest due first."""
        found = self._rows(
            "SELECT id FROM reminders WHERE sent_at IS NULL AND cancelled_at IS NULL"
            " AND due_at <= ? ORDER BY due_at, id LIMIT ?",
            (self._time(now), limit),
        )
        return [r["id"] for r in found]

    def next_due_at(self) -> datetime | None:
        row = self._row(
            "SELECT MIN(due_at) AS due FROM reminders WHERE sent_at IS NULL"
            " AND cancelled_at IS NULL"
        )
        return from_stored(row["due"]) if row and row["due"] else None

    def claim_due_reminder(self, now: datetime, holder: str, until: datetime) -> int | None:
        """The oldest due reminder nobody holds, now held by `holder` (storage/claims.py)."""
        return self._claim_next("reminders", now, holder, until)

    def start_reminder(self, reminder_id: int) -> None:
        """Its delivery starts: a later claim of it may be a repeat."""
        self._start_delivery("reminders", reminder_id)

    def unclaim_reminder(self, reminder_id: int) -> None:
        self._unclaim("reminders", reminder_id)

    def confirm_reminder(self, reminder_id: int, now: datetime) -> bool:
        """Delivery is over: sent. False if it was already confirmed or deleted."""
        return self._confirm("reminders", reminder_id, now)

    def release_reminders(self, holder: str, now: datetime) -> int:
        """The claims `holder` held before it restarted: due again now."""
        return self._release("reminders", holder, now)

    def cancel_reminder(self, reminder_id: int, now: datetime) -> None:
        self._execute(
            "UPDATE reminders SET cancelled_at = ? WHERE id = ? AND sent_at IS NULL"
            " AND cancelled_at IS NULL",
            (self._time(now), reminder_id),
        )

    def reminders_of(self, member_id: int) -> list[Reminder]:
        found = self._rows("SELECT * FROM reminders WHERE member_id = ? ORDER BY id",
                           (member_id,))
        return [rows.reminder(r) for r in found]

    def set_nudges_off(self, member_id: int) -> None:
        self._execute("UPDATE members SET nudges_off = 1 WHERE id = ?", (member_id,))

    def mark_unreachable(self, member_id: int, now: datetime) -> bool:
        """Record that Telegram refused (403); True the first time only."""
        cursor = self._execute(
            "UPDATE members SET unreachable_at = ? WHERE id = ? AND unreachable_at IS NULL",
            (self._time(now), member_id),
        )
        return cursor.rowcount == 1

    def mark_reachable(self, member_ids: list[int]) -> None:
        """The person wrote to the bot again: they can be reached."""
        marks = ",".join("?" * len(member_ids))
        self._execute(f"UPDATE members SET unreachable_at = NULL WHERE id IN ({marks})",
                      member_ids)
