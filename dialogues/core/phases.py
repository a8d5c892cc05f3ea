"""Which phase an alliance is in."""

from __future__ import annotations

from datetime import datetime

from dialogues.core.domain import Alliance


def current_phase(alliance: Alliance, now: datetime) -> str:
    if now >= alliance.end_at:
        return "fin"
    if now >= alliance.mid_at:
        return "mi-parcours"
    return "lancement"
