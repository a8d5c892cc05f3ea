"""What the engine may read for one event: loaded by the service before `Engine.step`.

Every event gets the base (who is talking, in which alliance and phase, their own answers);
a command or a button declares what else it reads (`Need`), and only that is loaded.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from dialogues.core.agreements import Accord, Agreement
from dialogues.core.domain import Alliance, Answer, ExportRow, Invite, Member, Organisation


class Need(enum.Enum):
    """A read beyond the base context."""

    MEMBERSHIPS = "memberships"  # the person's alliances
    ANSWERS = "answers"  # the current alliance's organisations and latest answers
    MEMBERS = "members"  # the current alliance's members, with names and progress
    PERSON_DATA = "person_data"  # everything stored about the person (right of access)
    EXPORT = "export"  # the current alliance's export rows (with ANSWERS)
    FRESH_CODE = "fresh_code"  # an invitation code no alliance uses
    RETAINED = "retained"  # the current alliance's retained texts, latest version per lever
    INVITATIONS = "invitations"  # the current alliance's invitation codes and their limits
    CODE_TRIES = "code_tries"  # the person's recent wrong invitation codes
    NETWORK = "network"  # latest answers of the alliances that agreed to the comparison


@dataclass(frozen=True, slots=True)
class CodeLookup:
    """The alliance an invitation code opens, if any."""

    code: str


@dataclass(frozen=True, slots=True)
class GroupLookup:
    """The alliance linked to a group chat, if the person is one of its members."""

    chat_id: int


@dataclass(frozen=True, slots=True)
class AccordLookup:
    """An alliance's séances, retained texts, votes and validations, and the person's
    membership there: the alliance linked to `chat_id`, else alliance `alliance_id`, else the
    current one. Nothing is loaded for someone who is not one of its members. `answers`: its
    latest answers too (a séance's card shows them)."""

    alliance_id: int | None = None
    chat_id: int | None = None
    answers: bool = False


@dataclass(frozen=True, slots=True)
class ArrivalLookup:
    """The arrivals told in one message (a batch of notifications) to the person pressing."""

    batch: int


Needs = tuple[Need | CodeLookup | GroupLookup | AccordLookup | ArrivalLookup, ...]


@dataclass(frozen=True, slots=True)
class AllianceAnswers:
    """An alliance's organisations and the latest answer per member, phase and lever."""

    alliance: Alliance
    organisations: tuple[Organisation, ...]
    answers: tuple[Answer, ...]


@dataclass(frozen=True, slots=True)
class Membership:
    member_id: int
    alliance_id: int
    alliance_name: str
    organisation_name: str  # "" for a tiers de confiance
    role: str
    pending: bool = False  # waiting for the coordination to accept them
    # A tiers de confiance's alliances come with their answers (an overview of each).
    answers: AllianceAnswers | None = None


@dataclass(frozen=True, slots=True)
class MemberInfo:
    member: Member
    name: str
    organisation: str
    answered: int  # levers answered in the current phase

    @property
    def member_id(self) -> int:
        return self.member.id

    @property
    def role(self) -> str:
        return self.member.role


@dataclass(frozen=True, slots=True)
class Invitation:
    """What an invitation code opens, and the person's membership there if they have one.

    Only an open code (core.rules.invitation_open) is loaded: an expired, used-up or replaced
    one opens nothing, exactly like an unknown one."""

    alliance: Alliance
    organisations: tuple[Organisation, ...]
    member: Member | None
    invite: Invite | None = None  # the code's row: its kind (partners or tiers de confiance)

    @property
    def kind(self) -> str:
        return self.invite.kind if self.invite is not None else "partner"


@dataclass(frozen=True, slots=True)
class Arrival:
    """One newcomer of an arrivals message, as they are now."""

    member: Member  # left_at set: gone since (left, removed, erased)
    name: str
    organisation: str | None  # None for a tiers de confiance
    new_organisation: bool  # they brought this organisation in when joining


@dataclass(frozen=True, slots=True)
class ArrivalBatch:
    """An arrivals message (a batch), for the coordinator it was sent to."""

    batch: int
    alliance: Alliance
    actor: Member | None  # the reader's membership in that alliance (None: no longer in it)
    members: tuple[Member, ...]  # the alliance's current members
    arrivals: tuple[Arrival, ...]  # refused newcomers are gone from it


@dataclass(frozen=True, slots=True)
class Loaded:
    """The declared reads; a field stays at its default when it was not asked for."""

    memberships: tuple[Membership, ...] = ()
    answers: AllianceAnswers | None = None
    members: tuple[MemberInfo, ...] = ()
    person_data: str | None = None  # JSON text
    export_rows: tuple[ExportRow, ...] = ()
    fresh_code: str | None = None
    invitation: Invitation | None = None  # CodeLookup: None when the code opens nothing
    group: AllianceAnswers | None = None  # GroupLookup: None unless linked and a member
    retained: tuple[Agreement, ...] = ()  # Need.RETAINED
    accord: Accord | None = None  # AccordLookup: None unless the person is a member there
    invites: tuple[Invite, ...] = ()  # INVITATIONS: current codes of the current alliance
    code_failures: tuple[datetime, ...] = ()  # CODE_TRIES: wrong codes within the hour
    arrivals: ArrivalBatch | None = None  # ArrivalLookup: None unless sent to this person
    network: tuple[Answer, ...] = ()  # NETWORK: answers of the alliances that compare


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
    invite_link: str | None = None  # e.g. "https://t.me/charte_bot?start=" (Telegram only)
    loaded: Loaded = field(default_factory=Loaded)
    # Where the person talks: "telegram", or "console" (the terminal sends no reminders).
    channel: str = "telegram"

    def answers_in(self, phase: str | None) -> Mapping[str, Answer]:
        return self.answers.get(phase, {}) if phase else {}
