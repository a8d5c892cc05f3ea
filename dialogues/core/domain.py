"""Entities of the core: alliances, organisations, people, members, answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

PHASES: Final = ("lancement", "mi-parcours", "fin")
ORG_KINDS: Final = ("association", "entreprise", "collectivite", "fondation", "autre")
# A tiers de confiance (a facilitator, e.g. a catalyseur territorial) accompanies an alliance:
# no organisation, no walk; reads the answers, leads a séance.
ROLES: Final = ("coordinator", "partner", "tiers")

# An answer's position: 1..4 on the scale, or None for « je ne sais pas ».
POSITIONS: Final = (1, 2, 3, 4)


@dataclass(frozen=True, slots=True)
class Alliance:
    id: int
    name: str
    start_at: datetime
    end_at: datetime
    mid_at: datetime
    invite_code: str
    timezone: str
    created_at: datetime
    anonymous: bool = False  # summaries show « Partenaire 1, 2… » instead of names
    group_chat_id: int | None = None  # a Telegram group linked with /lier
    archived_at: datetime | None = None  # read-only: no reminders, no new answers
    # The coordination agreed to compare the alliance with the other alliances that agreed
    # (/reglages; the observatory's comparison in /synthese).
    comparison: bool = False


@dataclass(frozen=True, slots=True)
class Organisation:
    id: int
    alliance_id: int
    name: str
    kind: str  # one of ORG_KINDS


@dataclass(frozen=True, slots=True)
class Person:
    """Someone who talks to the bot on one channel (telegram user, console user)."""

    id: int
    channel: str
    external_id: str
    display_name: str


@dataclass(frozen=True, slots=True)
class Member:
    """A person in one organisation of one alliance."""

    id: int
    alliance_id: int
    organisation_id: int
    person_id: int
    role: str  # one of ROLES
    joined_at: datetime
    nudges_off: bool = False  # « ne plus me rappeler »
    unreachable_at: datetime | None = None  # Telegram answered 403: the person blocked the bot
    left_at: datetime | None = None  # left or was removed: detached from the person


@dataclass(frozen=True, slots=True)
class NewAnswer:
    alliance_id: int
    organisation_id: int
    member_id: int
    phase: str
    lever_id: str
    position: int | None  # None means « je ne sais pas »
    comment: str | None
    contribution: str | None
    expectation: str | None
    charter_version: str
    answered_at: datetime  # timezone-aware


@dataclass(frozen=True, slots=True)
class Answer(NewAnswer):
    id: int


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One latest answer with the names needed by the CSV/JSON export."""

    alliance: str
    organisation: str
    member: str
    role: str
    phase: str
    lever_id: str
    position: int | None
    comment: str | None
    contribution: str | None
    expectation: str | None
    charter_version: str
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class Reminder:
    """A message due to a member: a phase opening, or a nudge to finish a walk."""

    id: int
    alliance_id: int
    member_id: int
    kind: str  # "phase" | "nudge"
    phase: str
    seq: int  # 0 for a phase reminder, 1.. for the nudges
    due_at: datetime
    sent_at: datetime | None = None
    cancelled_at: datetime | None = None
    # Claimed before it is sent, confirmed (sent_at) once delivered (storage/claims.py).
    claimed_by: str | None = None
    claim_expires_at: datetime | None = None
    attempts: int = 0  # deliveries started: more than 0 when claimed means it may be a repeat


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A suggestion about the charter's text (/suggestion), as its publisher reads it:
    no name, no alliance."""

    id: int
    lever_id: str | None  # None: about the charter as a whole
    text: str
    charter_version: str
    created_at: datetime
