"""Datetimes: always aware, stored in UTC (SQLite: ISO 8601 text, so text order is time order;
PostgreSQL: timestamptz)."""

from __future__ import annotations

from datetime import UTC, datetime


def to_utc(value: datetime) -> datetime:
    """The same instant in UTC; naive datetimes are refused."""
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()}: a timezone is required")
    return value.astimezone(UTC)


def to_text(value: datetime) -> str:
    """`2025-03-01T09:30:00.000000+00:00`; naive datetimes are refused."""
    return to_utc(value).isoformat(timespec="microseconds")


def from_text(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"stored datetime {text!r} has no offset")
    return value


def from_stored(value: str | datetime) -> datetime:
    """A stored moment as an aware datetime, whichever way the database keeps it."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"stored datetime {value.isoformat()} has no offset")
        return value
    return from_text(value)


def now_text() -> str:
    return to_text(datetime.now(UTC))
