"""At-least-once sending of rows a job delivers: claim, deliver, confirm.

Reminders use it; any table of rows that a job sends to people (e.g. notices to
coordinators) can use it the same way. Such a table has

    due_at       {time} NOT NULL   when the row falls due
    sent_at      {time}            set once delivery is over (confirmed)
    cancelled_at {time}            set when the row no longer applies
    claimed_by   {text}            who is sending it (a process name, see dialogues.app.claimant)
    claim_expires_at  {time}            until when that claim holds
    attempts     INTEGER NOT NULL DEFAULT 0   deliveries started

and an index on (due_at) WHERE sent_at IS NULL AND cancelled_at IS NULL. A job then:

1. `claim_next`: in its own short transaction, takes the oldest due row that nobody holds
   (never claimed, or its claim expired) and marks it held until `until`. On PostgreSQL the
   row is picked with FOR UPDATE SKIP LOCKED, so two processes claiming at the same moment
   take different rows, without waiting for each other.
2. re-reads the row and decides (in a second transaction); when it sends, `start_delivery`
   counts the attempt before anything goes out; when it postpones, `unclaim` frees it.
3. delivers, outside any transaction;
4. `confirm`: sent_at, whatever the channel answered (delivered, refused, given up).

A process that dies between 2 and 4 leaves a claim that is never confirmed: the row is taken
again when the claim expires (by any process), or at once by the same claimant after a
restart (`release`). `attempts` above 0 at that point says the person may already have it:
the sender says so. Only deliveries that were in flight can come twice; none is lost.
"""

from __future__ import annotations

from datetime import datetime

from storage.transaction import Transaction


class Claims(Transaction):
    """Claim, confirm and release rows of a table shaped as above (the module docstring)."""

    def _claim_next(self, table: str, now: datetime, holder: str, until: datetime
                    ) -> int | None:
        at = self._time(now)
        row = self._row(
            f"UPDATE {table} SET claimed_by = ?, claim_expires_at = ?"
            f" WHERE id = (SELECT id FROM {table}"
            "  WHERE sent_at IS NULL AND cancelled_at IS NULL AND due_at <= ?"
            "  AND (claim_expires_at IS NULL OR claim_expires_at <= ?)"
            f"  ORDER BY due_at, id LIMIT 1{self._db.skip_locked})"
            " RETURNING id",
            (holder, self._time(until), at, at),
        )
        return int(row["id"]) if row else None

    def _start_delivery(self, table: str, row_id: int) -> None:
        self._execute(f"UPDATE {table} SET attempts = attempts + 1 WHERE id = ?", (row_id,))

    def _unclaim(self, table: str, row_id: int) -> None:
        self._execute(f"UPDATE {table} SET claimed_by = NULL, claim_expires_at = NULL WHERE id = ?",
                      (row_id,))

    def _confirm(self, table: str, row_id: int, now: datetime) -> bool:
        """False when the row was confirmed (by another holder) or deleted meanwhile."""
        cursor = self._execute(
            f"UPDATE {table} SET sent_at = ?, claim_expires_at = NULL"
            " WHERE id = ? AND sent_at IS NULL",
            (self._time(now), row_id),
        )
        return cursor.rowcount == 1

    def _release(self, table: str, holder: str, now: datetime) -> int:
        """Free the claims `holder` still holds (after its restart): due again at once."""
        at = self._time(now)
        cursor = self._execute(
            f"UPDATE {table} SET claim_expires_at = ?"
            " WHERE claimed_by = ? AND claim_expires_at > ? AND sent_at IS NULL"
            " AND cancelled_at IS NULL",
            (at, holder, at),
        )
        return cursor.rowcount
