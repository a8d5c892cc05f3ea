"""What an alliance agrees on: séances, the texts it retains, its votes and its validations.

A séance walks the levers to discuss; its leader (the coordination or the tiers de confiance)
records what the alliance retains for a lever. Retained texts are append-only: a correction is
a new version, the history stays. Together, the latest version of each lever in a phase is the
alliance's own charter for that phase, its « contrat de confiance », which each organisation
validates (« Nous validons »).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from dialogues.core.domain import Alliance, Answer, Member, Organisation

VOTES: Final = ("agree", "rework")  # « D'accord », « À retravailler »
RETAINED_MAX: Final = 2000  # characters in one retained text


@dataclass(frozen=True, slots=True)
class Agreement:
    """One version of what the alliance retained for one lever in one phase."""

    id: int
    alliance_id: int
    phase: str
    lever_id: str
    text: str
    member_id: int  # who recorded it (the séance's leader)
    seance_id: int | None
    charter_version: str
    retained_at: datetime


@dataclass(frozen=True, slots=True)
class Validation:
    """« Nous validons »: an organisation validates the contrat of a phase as it stood then.

    `covers` is the id of the newest retained text at that moment: a text retained later is
    not covered, and the organisation may validate again.
    """

    id: int
    alliance_id: int
    phase: str
    organisation_id: int
    member_id: int
    covers: int
    validated_at: datetime


@dataclass(frozen=True, slots=True)
class Vote:
    """An organisation's reaction to one retained text; one per organisation, changeable."""

    agreement_id: int
    organisation_id: int
    member_id: int
    vote: str  # one of VOTES
    voted_at: datetime


@dataclass(frozen=True, slots=True)
class Writing:
    """A leader pressed « Retenir »: their next text is what the alliance retains for `lever_id`.

    `base` is the id of the lever's latest retained text when they pressed (0: none): if
    someone else retains a text first, theirs is not recorded over it and they are told.
    """

    member_id: int
    lever_id: str
    base: int


@dataclass(frozen=True, slots=True)
class Seance:
    id: int
    alliance_id: int
    phase: str
    led_by: int  # the member who started it
    chat_id: int | None  # the group chat it runs in; None: a private chat
    card_message_id: int | None  # the card's message, once known (a button pressed on it)
    started_at: datetime
    ended_at: datetime | None
    paused: bool
    turn: int  # grows at every move, never reused in the alliance: buttons carry it
    lever_id: str | None  # the lever on the card; None once the agenda is done
    seen: tuple[str, ...] = ()  # levers shown so far, in order (« Retour » goes back)
    writing: tuple[Writing, ...] = ()

    @property
    def open(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True, slots=True)
class Named:
    """A member as documents show them."""

    member_id: int
    name: str  # empty once they left or erased their data
    role: str


@dataclass(frozen=True, slots=True)
class Accord:
    """Everything the séance, /accord and the documents read about one alliance."""

    alliance: Alliance
    member: Member | None  # the person's own membership in this alliance
    organisations: tuple[Organisation, ...]
    agreements: tuple[Agreement, ...]  # every version, oldest first
    validations: tuple[Validation, ...]
    votes: tuple[Vote, ...]
    seances: tuple[Seance, ...]  # oldest first
    people: tuple[Named, ...] = ()  # leaders, authors and validators
    answers: tuple[Answer, ...] = ()  # latest answers, when the reader asked for them

    def named(self, member_id: int) -> Named | None:
        return next((p for p in self.people if p.member_id == member_id), None)

    def open_seance(self) -> Seance | None:
        return next((s for s in reversed(self.seances) if s.open), None)

    def latest(self, phase: str) -> dict[str, Agreement]:
        """Lever id -> its latest retained text in `phase`."""
        found: dict[str, Agreement] = {}
        for agreement in self.agreements:
            if agreement.phase == phase:
                found[agreement.lever_id] = agreement
        return found

    def versions(self, phase: str, lever_id: str) -> tuple[Agreement, ...]:
        return tuple(a for a in self.agreements if a.phase == phase and a.lever_id == lever_id)

    def newest_id(self, phase: str) -> int:
        """The id of the newest retained text of the phase (0: none): what a validation covers."""
        return max((a.id for a in self.agreements if a.phase == phase), default=0)


def latest_by_phase(agreements: tuple[Agreement, ...] | list[Agreement]
                    ) -> dict[str, dict[str, str]]:
    """phase -> lever id -> the latest retained text."""
    found: dict[str, dict[str, Agreement]] = {}
    for agreement in agreements:
        levers = found.setdefault(agreement.phase, {})
        current = levers.get(agreement.lever_id)
        if current is None or agreement.id > current.id:
            levers[agreement.lever_id] = agreement
    return {phase: {lever: a.text for lever, a in levers.items()}
            for phase, levers in found.items()}
