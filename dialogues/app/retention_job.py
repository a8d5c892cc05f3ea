"""Retention: an alliance is deleted some months after its end; coordinators are warned first."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import datetime, timedelta

from dialogues.app.reminder_jobs import Notice
from dialogues.content.dates import long_date
from dialogues.content.script import Script
from dialogues.core import rules
from dialogues.core.outgoing import Outgoing
from dialogues.core.ports import Store

WARNING = timedelta(days=30)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later (the month's last day when it is shorter)."""
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


class RetentionService:
    def __init__(self, store: Store, script: Script, clock: Callable[[], datetime],
                 months: int = 24) -> None:
        self.store = store
        self.s = script
        self.clock = clock
        self.months = months

    def run(self) -> list[Notice]:
        """Delete what is past retention; warn the coordinators of what will be within 30 days."""
        now = self.clock()
        notices: list[Notice] = []
        deleted = False
        with self.store.unit_of_work() as uow:
            horizon = add_months(now + WARNING, -self.months)
            for alliance in uow.alliances_ended_before(horizon):
                deletion = add_months(alliance.end_at, self.months)
                if deletion <= now:
                    uow.delete_alliance(alliance.id)
                    deleted = True
                    continue
                if uow.retention_warned(alliance.id):
                    continue
                uow.mark_retention_warned(alliance.id, now)
                text = self.s.say("retention.warning", alliance=alliance.name,
                                  date=long_date(deletion, self.s.dates, alliance.timezone),
                                  months=self.months)
                for member in uow.members(alliance.id):
                    person = uow.get_person(member.person_id)
                    if rules.is_coordinator(member) and person is not None:
                        notices.append(Notice(person.channel, person.external_id, Outgoing(text)))
        if deleted:
            self.store.checkpoint()
        return notices
