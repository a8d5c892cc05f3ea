"""Leases: a job that must run in one process at a time (retention) takes one first.

The holder renews its lease at each run; another process gets it only once it has expired
(its holder stopped, or crashed). Works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

from storage.transaction import Transaction


class LeaseRepository(Transaction):
    def take_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """True when `holder` holds the lease `name` until `until` (taken or renewed)."""
        cursor = self._execute(
            "INSERT INTO job_leases (name, holder, lease_until) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE"
            " SET holder = excluded.holder, lease_until = excluded.lease_until"
            " WHERE job_leases.holder = excluded.holder OR job_leases.lease_until <= ?",
            (name, holder, self._time(until), self._time(now)),
        )
        return cursor.rowcount == 1
