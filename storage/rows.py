"""Database rows to domain objects: columns map to fields of the same name."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from dialogues.core.domain import (
    Alliance,
    Answer,
    ExportRow,
    Invite,
    Member,
    Notification,
    Organisation,
    Person,
    Reminder,
    Suggestion,
)
from storage.dialect import Row
from storage.times import from_stored

T = TypeVar("T")
FLAGS = frozenset({"anonymous", "nudges_off", "approval", "unchanged", "comparison"})  # 0/1


def _converter(name: str) -> Callable[[Any], Any] | None:
    if name.endswith(("_at", "_since")):  # ISO 8601 text with offset (SQLite) or datetime
        return from_stored
    if name in FLAGS:
        return bool
    return None


@cache
def _plan(cls: type) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    return tuple((f.name, _converter(f.name)) for f in dataclasses.fields(cls))


def _build(cls: type[T], row: Row) -> T:
    """The dataclass `cls` from the columns of the same names (every field must be selected)."""
    values = {}
    for name, convert in _plan(cls):
        value = row[name]
        values[name] = convert(value) if convert is not None and value is not None else value
    return cls(**values)


def alliance(row: Row) -> Alliance:
    return _build(Alliance, row)


def organisation(row: Row) -> Organisation:
    return _build(Organisation, row)


def person(row: Row) -> Person:
    return _build(Person, row)


def member(row: Row) -> Member:
    return _build(Member, row)


def reminder(row: Row) -> Reminder:
    return _build(Reminder, row)


def answer(row: Row) -> Answer:
    return _build(Answer, row)


def export_row(row: Row) -> ExportRow:
    return _build(ExportRow, row)


def invite(row: Row) -> Invite:
    return _build(Invite, row)


def notification(row: Row) -> Notification:
    return _build(Notification, row)
def suggestion(row: Row) -> Suggestion:
    return _build(Suggestion, row)
