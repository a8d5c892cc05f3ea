"""Narrow interfaces the core needs; storage/ implements them, tests fake them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from dialogues.core.domain import (
    Alliance,
    Answer,
    ExportRow,
    Member,
    NewAnswer,
    Organisation,
    Person,
    Reminder,
    Suggestion,
)

# A JSON-serialisable mapping: dialogue states are stored as JSON.
JsonDict = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class UpdateMark:
    """The channel's id of the update an event came in, to record with the event's writes:
    an update is applied once, and never after a later one of the same person."""

    update_id: int
    now: datetime
    kept_since: datetime  # ids recorded before this no longer count (storage/updates.py)


@dataclass(frozen=True, slots=True)
class MembershipView:
    """A membership with its alliance, organisation, walk state and latest answers (phase ->
    lever id -> answer), read at once: what every event of a member needs."""

    member: Member
    alliance: Alliance
    organisation: Organisation
    walk: dict[str, Any] | None
    answers: dict[str, dict[str, Answer]]


class Alliances(Protocol):
    def add_alliance(
        self,
        name: str,
        start_at: datetime,
        end_at: datetime,
        mid_at: datetime,
        invite_code: str,
        timezone: str,
        now: datetime,
    ) -> Alliance: ...
    def get_alliance(self, alliance_id: int) -> Alliance | None: ...
    def find_by_code(self, code: str) -> Alliance | None: ...
    def find_by_name(self, name: str) -> list[Alliance]: ...
    def find_by_group(self, chat_id: int) -> Alliance | None: ...
    def all_alliances(self) -> list[Alliance]: ...
    def replace_invite_code(self, alliance_id: int, code: str) -> None: ...
    def update_dates(self, alliance_id: int, start_at: datetime, mid_at: datetime,
                     end_at: datetime) -> None: ...
    def set_anonymous(self, alliance_id: int, anonymous: bool) -> None: ...
    def link_group(self, alliance_id: int, chat_id: int | None) -> None: ...
    def add_organisation(self, alliance_id: int, name: str, kind: str) -> Organisation: ...
    def get_organisation(self, organisation_id: int) -> Organisation | None: ...
    def organisations(self, alliance_id: int) -> list[Organisation]: ...
    def add_member(
        self, alliance_id: int, organisation_id: int, person_id: int, role: str, now: datetime
    ) -> Member: ...
    def get_member(self, member_id: int) -> Member | None: ...
    def members(self, alliance_id: int) -> list[Member]: ...
    def members_of_person(self, person_id: int) -> list[Member]: ...
    def membership_view(self, member_id: int) -> MembershipView | None:
        """The membership with its alliance, organisation, walk and latest answers."""
        ...


class People(Protocol):
    def get_or_create_person(self, channel: str, external_id: str, display_name: str) -> Person: ...
    def get_person(self, person_id: int) -> Person | None: ...
    def person_with_session(self, channel: str, external_id: str, display_name: str,
                            update: UpdateMark | None = None
                            ) -> tuple[Person, dict[str, Any] | None, str]:
        """get_or_create_person, load_session and record_update at once (one round trip per
        event); the last is "new" (apply the event), "seen" or "late" ("new" without update)."""
        ...


class Answers(Protocol):
    def add_answer(self, answer: NewAnswer) -> Answer: ...
    def latest_answers(self, member_id: int, phase: str) -> dict[str, Answer]:
        """Latest answer per lever id of one member in one phase."""
        ...
    def alliance_answers(self, alliance_id: int) -> list[Answer]:
        """Latest answer per member, phase and lever of one alliance, oldest first."""
        ...
    def answer_history(self, member_id: int, phase: str, lever_id: str) -> list[Answer]:
        """Every answer of one member to one lever in one phase, oldest first."""
        ...
    def export_rows(self, alliance_id: int | None = None) -> list[ExportRow]:
        """Latest answer per member, lever and phase, in a stable order."""
        ...


class DialogueStates(Protocol):
    def load_session(self, person_id: int) -> dict[str, Any] | None: ...
    def save_session(self, person_id: int, state: JsonDict) -> None: ...
    def load_walk(self, member_id: int) -> dict[str, Any] | None: ...
    def save_walk(self, member_id: int, state: JsonDict) -> None: ...


class Reminders(Protocol):
    def plan_reminder(self, alliance_id: int, member_id: int, kind: str, phase: str, seq: int,
                      due_at: datetime) -> None:
        """Create, or move while still pending (a sent or cancelled one is left alone)."""
        ...
    def get_reminder(self, reminder_id: int) -> Reminder | None: ...
    def due_reminders(self, now: datetime, limit: int) -> list[int]: ...
    def next_due_at(self) -> datetime | None: ...
    # At-least-once delivery (storage/claims.py): claim, start, deliver, confirm.
    def claim_due_reminder(self, now: datetime, holder: str, until: datetime) -> int | None:
        """The oldest due reminder that nobody holds, now held by `holder` until `until`."""
        ...
    def start_reminder(self, reminder_id: int) -> None:
        """Its delivery starts (counted before anything goes out)."""
        ...
    def unclaim_reminder(self, reminder_id: int) -> None: ...
    def confirm_reminder(self, reminder_id: int, now: datetime) -> bool:
        """Delivery is over; False when already confirmed or deleted."""
        ...
    def release_reminders(self, holder: str, now: datetime) -> int:
        """Claims `holder` held before a restart: due again now."""
        ...
    def cancel_reminder(self, reminder_id: int, now: datetime) -> None: ...
    def reminders_of(self, member_id: int) -> list[Reminder]: ...
    def set_nudges_off(self, member_id: int) -> None: ...
    def mark_unreachable(self, member_id: int, now: datetime) -> bool: ...
    def mark_reachable(self, member_ids: list[int]) -> None: ...


class Memberships(Protocol):
    def set_role(self, member_id: int, role: str) -> None: ...
    def leave(self, member_id: int, now: datetime) -> None:
        """Detach the membership from the person; the organisation keeps its answers."""
        ...
    def erase_person(self, person_id: int, delete_answers: bool, now: datetime) -> None: ...
    def person_data(self, person_id: int) -> dict[str, Any]: ...
    def archive_alliance(self, alliance_id: int, now: datetime) -> None: ...
    def alliances_ended_before(self, moment: datetime) -> list[Alliance]: ...
    def retention_warned(self, alliance_id: int) -> bool: ...
    def mark_retention_warned(self, alliance_id: int, now: datetime) -> None: ...
    def delete_alliance(self, alliance_id: int) -> None: ...
    def stats(self) -> dict[str, Any]: ...


class Updates(Protocol):
    def record_update(self, channel: str, external_id: str, update_id: int, now: datetime,
                      kept_since: datetime) -> str:
        """"new" (apply it), "seen" (handled already) or "late" (a later one was handled)."""
        ...
    def forget_updates(self, before: datetime) -> int: ...


class Leases(Protocol):
    def take_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Taken or renewed by `holder`; False while another holder's lease runs."""
        ...


class Observatory(Protocol):
    def set_comparison(self, alliance_id: int, comparison: bool) -> None: ...
    def network_answers(self, comparing_only: bool = False) -> list[Answer]:
        """Latest answers of every alliance (or of those that agreed to the comparison)."""
        ...
    def add_suggestion(self, person_id: int, lever_id: str | None, text: str,
                       charter_version: str, now: datetime) -> None: ...
    def suggestions(self) -> list[Suggestion]: ...


class UnitOfWork(Alliances, People, Answers, DialogueStates, Reminders, Memberships, Updates,
                 Leases, Observatory, Protocol):
    """One transaction over every repository; `with uow:` commits on success."""

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *exc: object) -> None: ...


class Store(Protocol):
    """Opens units of work; one per handled event."""

    def unit_of_work(self, exclusive: bool = True) -> UnitOfWork:
        """`exclusive=False`: a job's claims, made safe by row locks instead of the
        database-wide lock (storage.transaction)."""
        ...
    def schema_version(self) -> int:
        """A read that proves the database answers (health checks)."""
        ...
    def checkpoint(self) -> None:
        """Make erased data unrecoverable from the journal too."""
        ...
    def close(self) -> None: ...


__all__ = [
    "Alliances",
    "Answers",
    "DialogueStates",
    "Memberships",
    "Iterator",
    "Leases",
    "MembershipView",
    "UpdateMark",
    "Observatory",
    "People",
    "Reminders",
    "Store",
    "UnitOfWork",
    "Updates",
]
