"""Datetimes as ISO 8601 text: always aware, stored in UTC so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime


def to_text(value: datetime) -> str:
    """`2025-03-01T09:30:00.000000+00:00`; naive datetimes are refused."""
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()}: a timezone is required")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def from_text(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"stored datetime {text!r} has no offset")
    return value


def now_text() -> str:
    return to_text(datetime.now(UTC))
