"""Dates typed by people, read with dateparser (French settings), and dates shown in full.

Read: « 15/01/2027 », « 2027-01-15 », « 15 janvier 2027 », « 12/01/27 », « 12 janvier » (the
next 12 January), « lundi 12 janvier », « mardi » (next Tuesday), each with an optional time
(« 14:30 », « 14h30 », « à 9 h »). Shown: « mardi 12 janvier 2027 à 9 h ».
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialogues.core.normalize import normalize

MAX_CHARS = 60
# « 9 h », « 9h30 », « 14 h 30 », « 14:30 »: a time of day.
_TIME = re.compile(r"(?<![\d/.\-])(\d{1,2})\s*(?:h|:)\s*(\d{2})?(?![\d/.\-])", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}")
_SETTINGS = {
    "DATE_ORDER": "DMY",
    "PREFER_DATES_FROM": "future",  # « 12 janvier »: the next one
    "REQUIRE_PARTS": ["day", "month"],  # « mars 2027 » or « 12 » is not a date
    "RETURN_AS_TIMEZONE_AWARE": False,
}


@dataclass(frozen=True, slots=True)
class DateWords:
    """French names for reading weekdays and showing dates (from the script)."""

    weekdays: Sequence[str]  # Monday first
    months: Sequence[str]  # January first


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A weekday typed with a date that falls on another day (« lundi 12 janvier 2027 »)."""

    day: date
    weekday: int  # the day it really falls on, Monday = 0


def parse_date(text: str, tz: str, now: datetime, words: DateWords
               ) -> datetime | Mismatch | None:
    """An aware datetime in `tz` (midnight when no time is typed), a Mismatch, or None."""
    raw = " ".join(text.split())
    if not raw or len(raw) > MAX_CHARS:
        return None
    local_now = now.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    typed_time = _time_of(raw)
    if typed_time is False:
        return None
    body = _TIME.sub(" ", raw).replace(" à ", " ").strip(" ,àa") if typed_time else raw
    weekday = _weekday(body, words)
    if weekday is not None and _only_weekday(body, words):
        day = local_now.date() + timedelta(days=(weekday - local_now.weekday() - 1) % 7 + 1)
    else:
        if not any(ch.isdigit() for ch in body):  # « demain », « janvier »: not a date
            return None
        day = _parse_day(body, local_now)
        if day is None:
            return None
        if weekday is not None and day.weekday() != weekday:
            earlier = _same_day_a_year_before(day)
            if _YEAR.search(body) is None and earlier is not None \
                    and earlier >= local_now.date() and earlier.weekday() == weekday:
                day = earlier
            else:
                return Mismatch(day, day.weekday())
    return datetime.combine(day, typed_time or time(0, 0), tzinfo=ZoneInfo(tz))


def _time_of(raw: str) -> time | None | bool:
    """The time typed, None when there is none, False when it is not a time of day."""
    found = _TIME.search(raw)
    if found is None:
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    if hour > 23 or minute > 59:
        return False
    return time(hour, minute)


def _parse_day(body: str, local_now: datetime) -> date | None:
    import dateparser

    found = dateparser.parse(body, languages=["fr"],
                             settings={**_SETTINGS, "RELATIVE_BASE": local_now})
    return found.date() if found is not None else None


def _weekday(body: str, words: DateWords) -> int | None:
    names = {normalize(name): i for i, name in enumerate(words.weekdays)}
    found = [names[w] for w in normalize(body).split() if w in names]
    return found[0] if len(found) == 1 else None


def _only_weekday(body: str, words: DateWords) -> bool:
    """« mardi », « mardi prochain », « le mardi »: a weekday and nothing else."""
    names = {normalize(name) for name in words.weekdays}
    rest = [w for w in normalize(body).split() if w not in names and w not in ("le", "prochain")]
    return not rest


def _same_day_a_year_before(day: date) -> date | None:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return None


def midpoint(start: datetime, end: datetime, at: time, tz: str) -> datetime:
    """The middle day between two dates, at the reminders' time of day in `tz`."""
    middle = (start + (end - start) / 2).astimezone(ZoneInfo(tz))
    return datetime.combine(middle.date(), at, tzinfo=ZoneInfo(tz))


def show_date(moment: datetime, tz: str | None = None) -> str:
    """15/01/2027, or 15/01/2027 14:30 when a time other than midnight was given.

    With `tz`, the moment is first shown in that time zone (the database keeps UTC).
    """
    if tz is not None:
        moment = moment.astimezone(ZoneInfo(tz))
    if moment.hour == 0 and moment.minute == 0:
        return moment.strftime("%d/%m/%Y")
    return moment.strftime("%d/%m/%Y %H:%M")


def long_date(moment: datetime, words: DateWords, tz: str | None = None) -> str:
    """« mardi 12 janvier 2027 à 9 h », « … à 14 h 30 »; without a time at midnight."""
    if tz is not None:
        moment = moment.astimezone(ZoneInfo(tz))
    day = moment.day
    shown = (f"{words.weekdays[moment.weekday()]} {'1er' if day == 1 else day} "
             f"{words.months[moment.month - 1]} {moment.year}")
    if moment.hour == 0 and moment.minute == 0:
        return shown
    minutes = f" {moment.minute:02d}" if moment.minute else ""
    return f"{shown} à {moment.hour}\u00a0h{minutes}"
