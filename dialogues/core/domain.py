"""Entities of the core: alliances, organisations, people, members, answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

PHASES: Final = ("lancement", "mi-parcours", "fin")
ORG_KINDS: Final = ("association", "entreprise", "collectivite", "fondation", "autre")
# A tiers de confiance (a facilitator, e.g. a catalyseur territorial) accompanies an alliance:
# no organisation, no walk; reads the answers, leads a séance.
ROLES: Final = ("coordinator", "partner", "tiers")
# An alliance's invitations: partners join an organisation; a tiers de confiance joins none.
INVITE_KINDS: Final = ("partner", "tiers")

# An answer's position: 1..4 on the scale, or None for « je ne sais pas ».
POSITIONS: Final = (1, 2, 3, 4)


@dataclass(frozen=True, slots=True)
class Alliance:
    id: int
    name: str
    start_at: datetime
    end_at: datetime
    mid_at: datetime
    timezone: str
    created_at: datetime
    anonymous: bool = False  # summaries show « Partenaire 1, 2… » instead of names
    group_chat_id: int | None = None  # a Telegram group linked with /lier
    archived_at: datetime | None = None  # read-only: no reminders, no new answers
    approval: bool = False  # « Valider les nouveaux membres »: the coordination confirms each
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
    """A person in one organisation of one alliance, or accompanying it as its tiers de
    confiance (role "tiers": no organisation, `organisation_id` None)."""

    id: int
    alliance_id: int
    organisation_id: int | None
    person_id: int
    role: str  # one of ROLES
    joined_at: datetime
    nudges_off: bool = False  # « ne plus me rappeler »
    unreachable_at: datetime | None = None  # Telegram answered 403: the person blocked the bot
    left_at: datetime | None = None  # left or was removed: detached from the person
    # Joined while the alliance asks to confirm newcomers, and not yet accepted: sees nothing.
    pending_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class Invite:
    """An invitation code of an alliance, for partners or for a tiers de confiance."""

    id: int
    alliance_id: int
    kind: str  # one of INVITE_KINDS
    code: str
    created_at: datetime
    expires_at: datetime | None = None  # no longer opens anything from then on
    max_uses: int | None = None  # no longer opens anything once used that many times
    uses: int = 0
    replaced_at: datetime | None = None  # a newer code replaced it


@dataclass(frozen=True, slots=True)
class Notification:
    """A message due to someone else than the person acting: an arrival told to a coordinator
    ("arrival", `member_id` who arrived; arrivals close together share a `batch`, told in one
    message), or the coordination's decision told to the newcomer ("accepted", "refused")."""

    id: int
    alliance_id: int
    person_id: int  # who receives it
    kind: str  # "arrival" | "accepted" | "refused"
    member_id: int | None
    batch: int | None
    due_at: datetime
    sent_at: datetime | None = None


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
    # « Inchangé »: the earlier phase's answer, confirmed as it was (mid-course, end).
    unchanged: bool = field(default=False, kw_only=True)


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
    unchanged: bool = False  # « Inchangé » (see NewAnswer)


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
