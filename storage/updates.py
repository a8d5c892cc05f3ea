"""Updates already handled: one person's updates are applied once each, and in order.

Telegram may deliver an update twice (a webhook answer that got lost, a process that died
before confirming it), and with several processes two of them may receive the same one.
Each update id is recorded in the transaction that handles the update, so a second delivery
finds it and changes nothing. An update older than one already handled for the same person
arrived out of order: it is not applied (applying it now would put its answer after a later
one). Ids are kept a few days (dialogues.app.service.UPDATES_KEPT; only those recorded since
`kept_since` count): Telegram starts its ids again at random after a week without updates,
so no older id may count then.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage.transaction import Transaction

NEW, SEEN, LATE = "new", "seen", "late"


# Records an update unless a later one of the same person was recorded (kept_since on): one
# row changed means "new". Parameters: see record_params.
RECORD = (
    "INSERT INTO handled_updates (channel, update_id, external_id, handled_at)"
    " SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM handled_updates"
    "  WHERE channel = ? AND external_id = ? AND update_id > ? AND handled_at > ?)"
    " ON CONFLICT (channel, update_id) DO UPDATE"
    " SET external_id = excluded.external_id, handled_at = excluded.handled_at"
    " WHERE handled_updates.handled_at <= ?"
)


class UpdateRepository(Transaction):
    def record_params(self, channel: str, external_id: str, update_id: int, now: datetime,
                      kept_since: datetime) -> tuple[Any, ...]:
        since = self._time(kept_since)
        return (channel, update_id, external_id, self._time(now),
                channel, external_id, update_id, since, since)

    def record_update(self, channel: str, external_id: str, update_id: int, now: datetime,
                      kept_since: datetime) -> str:
        """NEW (apply it), SEEN (handled already) or LATE (a later one was handled).

        One statement when the update is new (every event pays it); a second read tells a
        repeat from a late one. A late update is not recorded: it is late again if it comes
        again.
        """
        cursor = self._execute(RECORD, self.record_params(channel, external_id, update_id, now,
                                                          kept_since))
        if cursor.rowcount == 1:
            return NEW
        return self.not_new(channel, update_id, kept_since)

    def not_new(self, channel: str, update_id: int, kept_since: datetime) -> str:
        """SEEN or LATE, for an update RECORD did not record."""
        seen = self._row(
            "SELECT update_id FROM handled_updates WHERE channel = ? AND update_id = ?"
            " AND handled_at > ?", (channel, update_id, self._time(kept_since)))
        return SEEN if seen is not None else LATE

    def forget_updates(self, before: datetime) -> int:
        cursor = self._execute("DELETE FROM handled_updates WHERE handled_at <= ?",
                               (self._time(before),))
        return cursor.rowcount
