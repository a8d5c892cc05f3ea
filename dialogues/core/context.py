"""The read-only snapshot the service hands to the engine for one event."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from dialogues.core.domain import Alliance, Answer, Member, Organisation


@dataclass(frozen=True, slots=True)
class Membership:
    member_id: int
    alliance_name: str
    organisation_name: str
    role: str


@dataclass(frozen=True)
class Context:
    now: datetime
    timezone: str
    member: Member | None = None
    alliance: Alliance | None = None
    organisation: Organisation | None = None
    phase: str | None = None  # the alliance's current phase
    # latest answers of the member: phase -> lever id -> answer
    answers: Mapping[str, Mapping[str, Answer]] = field(default_factory=dict)
    memberships: tuple[Membership, ...] = ()
    invite_link: str | None = None  # e.g. "https://t.me/charte_bot?start=" (Telegram only)

    def answers_in(self, phase: str | None) -> Mapping[str, Answer]:
        return self.answers.get(phase, {}) if phase else {}
