"""Writes the engine asks for, applied by the service in the event's transaction.

Reads never come back as effects: a command declares what it reads (core.context.Need) and
the service loads it before `Engine.step`. Two writes create something whose id the engine
cannot know beforehand; their outcome comes back as an event (`Created`, `Joined`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dialogues.core.agreements import Seance


@dataclass(frozen=True, slots=True)
class SaveAnswer:
    """Append an answer of the current member (never overwrite)."""

    phase: str
    lever_id: str
    position: int | None  # None: « je ne sais pas »
    comment: str | None
    contribution: str | None
    expectation: str | None
    unchanged: bool = False  # « Inchangé »: the earlier phase's answer, kept as it was


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
    """A new invitation code for the current alliance; the old one stops working. `kind`:
    the partners' invitation, or the tiers de confiance one (made the first time)."""

    code: str
    kind: str = "partner"


@dataclass(frozen=True, slots=True)
class LimitInvitation:
    """The current alliance's invitation of this kind ends at `expires_at`, or after `uses`
    more arrivals; with neither, its limits are lifted."""

    kind: str
    expires_at: datetime | None = None
    uses: int | None = None


@dataclass(frozen=True, slots=True)
class SetApproval:
    """« Valider les nouveaux membres »: newcomers wait for the coordination to accept them."""

    approval: bool


@dataclass(frozen=True, slots=True)
class WrongCode:
    """The person sent an invitation code that opens nothing (guessing is slowed)."""


@dataclass(frozen=True, slots=True)
class DecideArrival:
    """A coordinator of `alliance_id` about a newcomer: "accept", "refuse" or "remove"."""

    alliance_id: int
    target: int
    action: str


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


# --- the séance and the contrat de confiance (issue 11) ---------------------------------------


@dataclass(frozen=True, slots=True)
class OpenSeance:
    """Start a séance of the alliance (one still open is ended first)."""

    alliance_id: int
    phase: str
    chat_id: int | None  # the group it runs in; None: the leader's private chat
    lever_id: str | None
    turn: int  # above every turn the alliance's séances have had


@dataclass(frozen=True, slots=True)
class SaveSeance:
    """A séance's new state (moved, paused, ended, a leader writing), written only if it still
    stood at `turn` when the leader acted."""

    turn: int
    seance: Seance


@dataclass(frozen=True, slots=True)
class RetainText:
    """What the alliance retains for a lever: a new version, if nobody retained one since
    the leader pressed « Retenir » (`base`: the latest version they saw, 0 for none)."""

    seance_id: int
    lever_id: str
    text: str
    base: int


@dataclass(frozen=True, slots=True)
class CastVote:
    """« D'accord » or « À retravailler » on a retained text, for the voter's organisation."""

    alliance_id: int
    agreement_id: int
    vote: str


@dataclass(frozen=True, slots=True)
class ValidateAccord:
    """« Nous validons »: the member's organisation validates the phase's contrat as it stands
    (`covers`: its newest retained text)."""

    alliance_id: int
    phase: str
    covers: int


# --- the observatory (issue 13) -------------------------------------------------------------


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
          | NudgesOff | ReplaceCode | ChangeMember | Leave | Erase | Archive
          | OpenSeance | SaveSeance | RetainText | CastVote | ValidateAccord
          | LimitInvitation | SetApproval | WrongCode | DecideArrival
          | SetComparison | AddSuggestion)


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
    organisation_name: str  # "" for a tiers de confiance
    tiers: bool = False  # joined as the alliance's tiers de confiance
    pending: bool = False  # waits for the coordination to accept them


Outcome = Created | Joined
