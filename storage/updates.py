"""Updates already handled: one person's updates are applied once each, and in order.

Telegram may deliver an update twice (a webhook answer that got lost, a process that died
before confirming it), and with several processes two of them may receive the same one.
Each update id is recorded in the transaction that handles the update, so a second delivery
finds it and changes nothing. An update older than one already handled for the same person
arrived out of order: it is recorded and not applied (applying it now would put its answer
after a later one). Ids are kept `HANDLED_UPDATES_KEPT` (storage only compares with those
recorded since `kept_since`): Telegram restarts its ids at random after a week without
updates, so no old id may count then.
"""

from __future__ import annotations

from datetime import datetime

from storage.transaction import Transaction

NEW, SEEN, LATE = "new", "seen", "late"


class UpdateRepository(Transaction):
    def record_update(self, channel: str, update_id: int, person_id: int, now: datetime,
                      kept_since: datetime) -> str:
        """NEW (apply it), SEEN (handled already) or LATE (a later one was handled)."""
        since = self._time(kept_since)
        cursor = self._execute(
            "INSERT INTO handled_updates (channel, update_id, person_id, handled_at)"
            " VALUES (?, ?, ?, ?)"
            " ON CONFLICT (channel, update_id) DO UPDATE"
            " SET person_id = excluded.person_id, handled_at = excluded.handled_at"
            " WHERE handled_updates.handled_at <= ?",
            (channel, update_id, person_id, self._time(now), since),
        )
        if cursor.rowcount != 1:
            return SEEN
        later = self._row(
            "SELECT update_id FROM handled_updates WHERE person_id = ? AND channel = ?"
            " AND update_id > ? AND handled_at > ? LIMIT 1",
            (person_id, channel, update_id, since),
        )
        return LATE if later is not None else NEW

    def forget_updates(self, before: datetime) -> int:
        cursor = self._execute("DELETE FROM handled_updates WHERE handled_at <= ?",
                               (self._time(before),))
        return cursor.rowcount
