"""Dates typed by people: 15/01/2027, 2027-01-15 or « 15 janvier 2027 », optional HH:MM."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from dialogues.core.normalize import normalize

_TIME = re.compile(r"(?:\s*(?:a|à|,)?\s*(\d{1,2})\s*(?:h|:)\s*(\d{2})?\s*)$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = re.compile(r"^(?:le\s+)?(\d{1,2})(?:er)?\s+([a-z]+)\.?\s+(\d{4})$")


def parse_date(text: str, tz: str, months: Mapping[str, int]) -> datetime | None:
    """An aware datetime in `tz`, midnight when no time is given; None if not a valid date."""
    raw = text.strip().lower()
    if not raw or len(raw) > 60:
        return None
    hour, minute = 0, 0
    match = _TIME.search(raw)
    body = raw
    if match and (":" in match.group(0) or "h" in match.group(0)):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        body = raw[: match.start()].strip()
    day = _date(body, months)
    if day is None or hour > 23 or minute > 59:
        return None
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz))


def _date(body: str, months: Mapping[str, int]) -> date | None:
    try:
        if m := _NUMERIC.match(body):
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if m := _ISO.match(body):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        words = normalize(body)
        if m := _WORDS.match(words):
            month = months.get(m.group(2))
            return date(int(m.group(3)), month, int(m.group(1))) if month else None
    except ValueError:
        return None
    return None


def midpoint(start: datetime, end: datetime) -> datetime:
    return start + (end - start) / 2


def show_date(moment: datetime, tz: str | None = None) -> str:
    """15/01/2027, or 15/01/2027 14:30 when a time other than midnight was given.

    With `tz`, the moment is first shown in that time zone (the database keeps UTC).
    """
    if tz is not None:
        moment = moment.astimezone(ZoneInfo(tz))
    if moment.hour == 0 and moment.minute == 0:
        return moment.strftime("%d/%m/%Y")
    return moment.strftime("%d/%m/%Y %H:%M")
