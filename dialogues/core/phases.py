"""Which phase an alliance is in."""

from __future__ import annotations

from datetime import datetime

from dialogues.core.domain import PHASES, Alliance


def current_phase(alliance: Alliance, now: datetime) -> str:
    if now >= alliance.end_at:
        return "fin"
    if now >= alliance.mid_at:
        return "mi-parcours"
    return "lancement"


def previous_phase(phase: str) -> str | None:
    """The phase before `phase`, None for the first."""
    index = PHASES.index(phase)
    return PHASES[index - 1] if index > 0 else None
