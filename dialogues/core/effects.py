"""Effects the engine asks for, and the results the service feeds back as events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dialogues.core.domain import Answer, ExportRow, Organisation


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


@dataclass(frozen=True, slots=True)
class LookupCode:
    code: str


@dataclass(frozen=True, slots=True)
class JoinAlliance:
    alliance_id: int
    code: str  # checked again when joining: a code revoked meanwhile is refused
    organisation_id: int | None
    organisation_name: str | None = None
    organisation_kind: str | None = None


@dataclass(frozen=True, slots=True)
class LoadSummary:
    """Read every answer of the current alliance to summarise one phase."""

    phase: str
    section: str
    with_chart: bool
    edit: bool


@dataclass(frozen=True, slots=True)
class LoadExport:
    """Read the current alliance's latest answers for the documents of /export."""


@dataclass(frozen=True, slots=True)
class SetAnonymous:
    """Coordinator only: summaries, charts and exports show « Partenaire n » instead of names."""

    anonymous: bool


@dataclass(frozen=True, slots=True)
class LinkGroup:
    """Coordinator only, in a group: post this alliance's reminders and summaries here."""

    chat_id: int
    code: str


@dataclass(frozen=True, slots=True)
class LoadGroupSummary:
    """/synthese typed in a group: the summary of the alliance linked to it, for members."""

    chat_id: int


@dataclass(frozen=True, slots=True)
class NudgesOff:
    """« Ne plus me rappeler »: no more nudges for this membership."""

    member_id: int


@dataclass(frozen=True, slots=True)
class Then:
    """Run `event` next, once the context is re-read (e.g. after switching alliance)."""

    event: object


@dataclass(frozen=True, slots=True)
class ReplaceCode:
    """Coordinator only: a new invitation code; the old one stops working."""


@dataclass(frozen=True, slots=True)
class LoadMembers:
    """The alliance's members, for /membres; `focus` and `action` for a coordinator's choice."""

    focus: int | None = None
    action: str | None = None


@dataclass(frozen=True, slots=True)
class ManageMember:
    """Coordinator only: "remove" a member, "hand" them the role, or add them as "co"."""

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
class LoadPersonData:
    """Right of access: everything stored about the person."""


@dataclass(frozen=True, slots=True)
class Archive:
    """Coordinator only, in the fin phase: the alliance becomes read-only."""


# --- results, fed back to the engine as events --------------------------------------------


@dataclass(frozen=True, slots=True)
class Created:
    member_id: int
    alliance_name: str
    code: str


@dataclass(frozen=True, slots=True)
class CodeFound:
    alliance_id: int
    alliance_name: str
    organisations: tuple[tuple[int, str], ...]
    member_id: int | None  # set when the person is already a member


@dataclass(frozen=True, slots=True)
class CodeNotFound:
    pass


@dataclass(frozen=True, slots=True)
class Joined:
    member_id: int
    alliance_name: str
    organisation_name: str


@dataclass(frozen=True, slots=True)
class SummaryData:
    request: LoadSummary
    organisations: tuple[Organisation, ...]
    answers: tuple[Answer, ...]
    anonymous: bool
    alliance_name: str = ""


@dataclass(frozen=True, slots=True)
class MemberInfo:
    member_id: int
    name: str
    organisation: str
    role: str
    answered: int  # levers answered in the current phase


@dataclass(frozen=True, slots=True)
class MembersData:
    request: LoadMembers
    members: tuple[MemberInfo, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a membership action came to; `key` names the message to show."""

    key: str
    name: str = ""
    alliance: str = ""


@dataclass(frozen=True, slots=True)
class CodeReplaced:
    code: str


@dataclass(frozen=True, slots=True)
class PersonData:
    json_text: str


@dataclass(frozen=True, slots=True)
class DatesChanged:
    pass


@dataclass(frozen=True, slots=True)
class GroupResult:
    """What a group command came to: "linked", "refused" (reveals nothing) or "not_linked"."""

    outcome: str
    alliance_name: str = ""


@dataclass(frozen=True, slots=True)
class ExportData:
    rows: tuple[ExportRow, ...]
    organisations: tuple[Organisation, ...]
    answers: tuple[Answer, ...]
    anonymous: bool

