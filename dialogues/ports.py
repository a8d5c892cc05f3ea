"""Narrow interfaces the core needs; storage/ implements them, tests fake them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol

from dialogues.domain import (
    Alliance,
    Answer,
    ExportRow,
    Member,
    NewAnswer,
    Organisation,
    Person,
)

# A JSON-serialisable mapping: dialogue states are stored as JSON.
JsonDict = Mapping[str, Any]


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
    def all_alliances(self) -> list[Alliance]: ...
    def replace_invite_code(self, alliance_id: int, code: str) -> None: ...
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


class People(Protocol):
    def get_or_create_person(self, channel: str, external_id: str, display_name: str) -> Person: ...
    def get_person(self, person_id: int) -> Person | None: ...


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


class UnitOfWork(Alliances, People, Answers, DialogueStates, Protocol):
    """One transaction over every repository; `with uow:` commits on success."""

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *exc: object) -> None: ...


class Store(Protocol):
    """Opens units of work; one per handled event."""

    def unit_of_work(self) -> UnitOfWork: ...
    def close(self) -> None: ...


__all__ = [
    "Alliances",
    "Answers",
    "DialogueStates",
    "Iterator",
    "People",
    "Store",
    "UnitOfWork",
]
