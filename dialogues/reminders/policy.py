"""When reminders and nudges fall due, and whether one still applies when it fires. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialogues.core import rules
from dialogues.core.domain import PHASES, Alliance, Member, Reminder


@dataclass(frozen=True, slots=True)
class Policy:
    reminder_time: time = time(9, 0)  # when a date was given without a time
    nudge_days: tuple[int, ...] = (3, 7)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)


@dataclass(frozen=True, slots=True)
class Planned:
    member_id: int
    kind: str  # "phase" | "nudge"
    phase: str
    seq: int
    due_at: datetime


def parse_time(text: str) -> time:
    """« 09:00 » -> time(9, 0); raises ValueError."""
    hours, _, minutes = text.strip().partition(":")
    return time(int(hours), int(minutes or 0))


def phase_opens(alliance: Alliance) -> dict[str, datetime]:
    return {"lancement": alliance.created_at, "mi-parcours": alliance.mid_at,
            "fin": alliance.end_at}


def at_reminder_time(moment: datetime, tz: str, policy: Policy) -> datetime:
    """A date typed without a time (local midnight) is reminded at the policy's time."""
    local = moment.astimezone(ZoneInfo(tz))
    if local.time() == time(0, 0):  # exactly midnight: a typed date without a time
        local = datetime.combine(local.date(), policy.reminder_time, tzinfo=ZoneInfo(tz))
    return local


def out_of_quiet_hours(moment: datetime, tz: str, policy: Policy) -> datetime:
    """Between 21:00 and 08:00 local time a nudge waits for the morning."""
    zone = ZoneInfo(tz)
    local = moment.astimezone(zone)
    if local.time() >= policy.quiet_start:
        return datetime.combine(local.date() + timedelta(days=1), policy.quiet_end, tzinfo=zone)
    if local.time() < policy.quiet_end:
        return datetime.combine(local.date(), policy.quiet_end, tzinfo=zone)
    return local


def plan(alliance: Alliance, member: Member, policy: Policy) -> list[Planned]:
    """Every reminder a member should get: the two phase openings, and nudges in each phase.

    A tiers de confiance walks no charter: the phase openings only. A newcomer the
    coordination has not accepted yet: nothing (planned when accepted)."""
    if rules.is_pending(member):
        return []
    tz = alliance.timezone
    opens = phase_opens(alliance)
    planned = [
        Planned(member.id, "phase", phase, 0, at_reminder_time(opens[phase], tz, policy))
        for phase in ("mi-parcours", "fin")
    ]
    if rules.is_tiers(member):
        return planned
    for phase in PHASES:
        start = max(at_reminder_time(opens[phase], tz, policy), member.joined_at)
        for seq, days in enumerate(policy.nudge_days, start=1):
            due = out_of_quiet_hours(start + timedelta(days=days), tz, policy)
            planned.append(Planned(member.id, "nudge", phase, seq, due))
    return planned


@dataclass(frozen=True, slots=True)
class Decision:
    action: str  # "send" | "skip" | "later"
    when: datetime | None = None
    late: bool = False


def decide(
    reminder: Reminder,
    alliance: Alliance | None,
    member: Member | None,
    current_phase: str | None,
    finished: bool,
    now: datetime,
    policy: Policy,
    started_at: datetime,
) -> Decision:
    """Whether a reminder that fires now still applies (the database may have changed).

    It is late when it fell due before this process started: the bot was stopped then.
    """
    if reminder.sent_at is not None or reminder.cancelled_at is not None:
        return Decision("skip")
    if alliance is None or member is None or current_phase is None:
        return Decision("skip")
    wanted, reached = PHASES.index(reminder.phase), PHASES.index(current_phase)
    if reached < wanted:  # the date moved later: its row was moved too, or will be
        return Decision("skip")
    if reminder.kind == "nudge":
        if finished or member.nudges_off or reached > wanted:
            return Decision("skip")
        morning = out_of_quiet_hours(now, alliance.timezone, policy)
        if morning > now:
            return Decision("later", morning)
    elif reached > wanted:  # a phase reminder overtaken by the next phase
        return Decision("skip")
    return Decision("send", late=reminder.due_at < started_at)
