"""What the engine may read for one event: loaded by the service before `Engine.step`.

Every event gets the base (who is talking, in which alliance and phase, their own answers);
a command or a button declares what else it reads (`Need`), and only that is loaded.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from dialogues.core.domain import Alliance, Answer, ExportRow, Member, Organisation


class Need(enum.Enum):
    """A read beyond the base context."""

    MEMBERSHIPS = "memberships"  # the person's alliances
    ANSWERS = "answers"  # the current alliance's organisations and latest answers
    MEMBERS = "members"  # the current alliance's members, with names and progress
    PERSON_DATA = "person_data"  # everything stored about the person (right of access)
    EXPORT = "export"  # the current alliance's export rows (with ANSWERS)
    FRESH_CODE = "fresh_code"  # an invitation code no alliance uses
    NETWORK = "network"  # latest answers of the alliances that agreed to the comparison


@dataclass(frozen=True, slots=True)
class CodeLookup:
    """The alliance an invitation code opens, if any."""

    code: str


@dataclass(frozen=True, slots=True)
class GroupLookup:
    """The alliance linked to a group chat, if the person is one of its members."""

    chat_id: int


Needs = tuple[Need | CodeLookup | GroupLookup, ...]


@dataclass(frozen=True, slots=True)
class Membership:
    member_id: int
    alliance_id: int
    alliance_name: str
    organisation_name: str
    role: str


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
class AllianceAnswers:
    """An alliance's organisations and the latest answer per member, phase and lever."""

    alliance: Alliance
    organisations: tuple[Organisation, ...]
    answers: tuple[Answer, ...]


@dataclass(frozen=True, slots=True)
class Invitation:
    """What an invitation code opens, and the person's membership there if they have one."""

    alliance: Alliance
    organisations: tuple[Organisation, ...]
    member: Member | None


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

    def answers_in(self, phase: str | None) -> Mapping[str, Answer]:
        return self.answers.get(phase, {}) if phase else {}
