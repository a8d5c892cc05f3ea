"""Writes the engine asks for, applied by the service in the event's transaction.

Reads never come back as effects: a command declares what it reads (core.context.Need) and
the service loads it before `Engine.step`. Two writes create something whose id the engine
cannot know beforehand; their outcome comes back as an event (`Created`, `Joined`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SaveAnswer:
    """Append an answer of the current member (never overwrite)."""

    phase: str
    lever_id: str
    position: int | None  # None: « je ne sais pas »
    comment: str | None
    contribution: str | None
    expectation: str | None


@dataclass(frozen=True, slots=True)
class CreateAlliance:
    name: str
    organisation_name: str
    organisation_kind: str
    start_at: datetime
    end_at: datetime
    mid_at: datetime
    code: str  # a fresh invitation code (Need.FRESH_CODE)


@dataclass(frozen=True, slots=True)
class JoinAlliance:
    """Join the alliance of a valid invitation (checked in this very transaction)."""

    alliance_id: int
    organisation_id: int | None  # an organisation already there, or a new one:
    organisation_name: str | None = None
    organisation_kind: str | None = None


@dataclass(frozen=True, slots=True)
class ChangeDates:
    """New dates for the current alliance; its reminders move with them."""

    start_at: datetime
    mid_at: datetime
    end_at: datetime


@dataclass(frozen=True, slots=True)
class SetAnonymous:
    """Summaries, charts and exports show « Partenaire n » instead of names."""

    anonymous: bool


@dataclass(frozen=True, slots=True)
class LinkGroup:
    """Post this alliance's reminders and summaries in a group chat too."""

    alliance_id: int
    chat_id: int


@dataclass(frozen=True, slots=True)
class NudgesOff:
    """« Ne plus me rappeler »: no more nudges for this membership of the person."""

    member_id: int


@dataclass(frozen=True, slots=True)
class ReplaceCode:
    """A new invitation code for the current alliance; the old one stops working."""

    code: str


@dataclass(frozen=True, slots=True)
class ChangeMember:
    """A coordinator's decision about another member: "remove", "hand" the role, or "co"."""

    target: int
    action: str


@dataclass(frozen=True, slots=True)
class Leave:
    """The current member leaves the alliance."""


@dataclass(frozen=True, slots=True)
class Erase:
    """Right to erasure: everything about the person; their answers too if they say so."""

    delete_answers: bool


@dataclass(frozen=True, slots=True)
class Archive:
    """The current alliance becomes read-only."""


@dataclass(frozen=True, slots=True)
class SetComparison:
    """The coordination agrees (or no longer) to compare the alliance with the others that
    agreed: /synthese then shows how they stand, and this alliance counts in their figures."""

    comparison: bool


@dataclass(frozen=True, slots=True)
class AddSuggestion:
    """A suggestion about the charter's text, for its publisher (read without a name)."""

    lever_id: str | None  # None: about the charter as a whole
    text: str


Effect = (SaveAnswer | CreateAlliance | JoinAlliance | ChangeDates | SetAnonymous | LinkGroup
          | NudgesOff | ReplaceCode | ChangeMember | Leave | Erase | Archive | SetComparison
          | AddSuggestion)


# --- outcomes of the writes that create something, fed back to the engine as events ----------


@dataclass(frozen=True, slots=True)
class Created:
    member_id: int
    alliance_name: str
    code: str


@dataclass(frozen=True, slots=True)
class Joined:
    member_id: int
    alliance_name: str
    organisation_name: str


Outcome = Created | Joined
