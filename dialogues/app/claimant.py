"""Who sends what a job delivers, and for how long a claim holds (see storage/claims.py).

Each process names itself (`Claimant.name`: CHARTE_INSTANCE, else host and port) and keeps
that name across restarts: after a restart it frees the claims its previous run left, and
sends those rows again at once; another process takes them once the claim expires
(`ttl`, longer than any delivery: a send is tried 3 times with waits of at most a minute).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

CLAIM_TTL = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Claimant:
    name: str
    ttl: timedelta = CLAIM_TTL

    def until(self, now: datetime) -> datetime:
        return now + self.ttl
