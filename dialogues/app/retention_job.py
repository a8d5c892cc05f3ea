"""Retention: an alliance is deleted some months after its end; coordinators are warned first.

With several processes on one database, the job runs in one of them at a time: the one that
holds the "retention" lease (storage/leases.py), renewed at each run; another process takes
it over once it expires. The same run forgets the update ids older than UPDATES_KEPT.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import datetime, timedelta

from dialogues.app.reminder_jobs import Notice
from dialogues.app.service import UPDATES_KEPT
from dialogues.content.dates import long_date
from dialogues.content.script import Script
from dialogues.core import rules
from dialogues.core.outgoing import Outgoing
from dialogues.core.ports import Store

WARNING = timedelta(days=30)
LEASE = "retention"
# The job runs every 6 hours (bot/telegram_app.py): its holder renews the lease well before
# it ends; another process takes over within a run or two of the holder stopping.
LEASE_TIME = timedelta(hours=7)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later (the month's last day when it is shorter)."""
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


class RetentionService:
    def __init__(self, store: Store, script: Script, clock: Callable[[], datetime],
                 months: int = 24, holder: str = "charte-bot") -> None:
        self.store = store
        self.s = script
        self.clock = clock
        self.months = months
        self.holder = holder  # this process's name (dialogues.app.claimant)

    def run(self) -> list[Notice]:
        """Delete what is past retention; warn the coordinators of what will be within 30 days.

        Nothing when another process holds the lease (it runs the job)."""
        now = self.clock()
        notices: list[Notice] = []
        deleted = False
        with self.store.unit_of_work() as uow:
            if not uow.take_lease(LEASE, self.holder, now, now + LEASE_TIME):
                return []
            uow.forget_updates(now - UPDATES_KEPT)
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
