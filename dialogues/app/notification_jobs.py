"""Notifications to other people than the one acting: an arrival told to each coordinator (the
arrivals of a few minutes in one message), the coordination's decision told to the newcomer.

Rows in the database, written in the transaction of the event that caused them; a job sends
the due ones. Each is re-read and re-checked when it fires (the newcomer may have left, the
coordinator handed over the role), and marked sent in its own transaction before it goes, so
none is sent twice, across restarts too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from dialogues.app.loading import arrivals
from dialogues.app.reminder_jobs import Notice
from dialogues.arrivals.flow import Arrivals
from dialogues.core import rules
from dialogues.core.ports import Store

BATCH = 200  # due notifications read at once


class NotificationService:
    def __init__(self, store: Store, messages: Arrivals,
                 clock: Callable[[], datetime]) -> None:
        self.store = store
        self.say = messages
        self.clock = clock

    def due(self, limit: int = BATCH) -> list[int]:
        with self.store.unit_of_work() as uow:
            return uow.due_notifications(self.clock(), limit)

    def prepare(self, notification_id: int) -> Notice | None:
        """Claim the notification and the others of its message; what to send, if it still
        applies."""
        now = self.clock()
        with self.store.unit_of_work() as uow:
            found = uow.get_notification(notification_id)
            if found is None or found.sent_at is not None:
                return None
            batch = found.batch if found.batch is not None else found.id
            if not uow.claim_batch(batch, now):
                return None  # another run took it
            person = uow.get_person(found.person_id)
            alliance = uow.get_alliance(found.alliance_id)
            if person is None or alliance is None:
                return None
            if found.kind == "arrival":
                told = arrivals(uow, person.id, batch)
                if told is None or not rules.is_coordinator(told.actor) or all(
                        a.member.left_at is not None for a in told.arrivals):
                    return None  # no longer coordinating, or nobody left to tell about
                return Notice(person.channel, person.external_id, self.say.message(told))
            # A decision told to the newcomer: nothing of it is kept once sent.
            uow.delete_notification(found.id)
            if found.kind == "refused":
                return Notice(person.channel, person.external_id, self.say.refused(alliance))
            member = uow.get_member(found.member_id) if found.member_id is not None else None
            if member is None or member.person_id != person.id \
                    or not rules.may_read_alliance(member):
                return None  # left or removed since
            org = uow.get_organisation(member.organisation_id) \
                if member.organisation_id is not None else None
            return Notice(person.channel, person.external_id,
                          self.say.accepted(alliance, member, org.name if org else ""))
