"""Sends due reminders and retention warnings. The job carries nothing: the database decides."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot

from bot.deliveries import ClaimedJob, drain
from bot.notifier import BLOCKED, SENT, Sender, merge
from dialogues.app.notification_jobs import NotificationService
from dialogues.app.reminder_jobs import Delivery, Notice, ReminderService
from dialogues.app.retention_job import RetentionService

log = logging.getLogger("charte_bot.reminders")

CHANNEL = "telegram"


# Reminders being sent at once. Telegram answers in tens of milliseconds (50 ms: at most 20
# messages a second one at a time): the send budget (bot.throttle) spaces the sends out,
# several in flight keep its pace. A reminder is claimed only when a slot is free, so at most
# this many are claimed and unconfirmed: a crash can repeat that many (bot.deliveries).
IN_FLIGHT = 8


class ReminderDispatcher:
    def __init__(self, reminders: ReminderService, retention: RetentionService, bot: Bot,
                 sender: Sender, in_flight: int = IN_FLIGHT,
                 notifications: NotificationService | None = None) -> None:
        self.reminders = reminders
        self.retention = retention
        self.notifications = notifications
        self.bot = bot
        self.sender = sender
        self.in_flight = in_flight
        self._lock = asyncio.Lock()
        self._notifying = asyncio.Lock()
        self.job = ClaimedJob("reminder", reminders.claim_next, reminders.prepare,
                              self._deliver, reminders.confirm)

    async def run_due(self) -> int:
        """Send every reminder due now; never two runs at once. Returns how many were sent.

        Each reminder is claimed, re-read and re-checked just before it goes out, and
        confirmed once delivered: at least once, even across a crash (bot.deliveries), and
        never twice otherwise, even with several processes on one database.
        """
        if self._lock.locked():
            return 0
        async with self._lock:
            prepared, sent = await drain(self.job, self.in_flight)
        if sent:
            log.info("%d reminders sent", sent)
        log.debug("looked for due reminders: %d prepared, %d sent", prepared, sent)
        return sent

    async def run_notifications(self) -> int:
        """Send the due notifications (arrivals to coordinators, decisions to newcomers), each
        claimed in the database just before it goes; never two runs at once."""
        if self.notifications is None or self._notifying.locked():
            return 0
        sent = 0
        async with self._notifying:
            for notification_id in await asyncio.to_thread(self.notifications.due):
                try:
                    notice = await asyncio.to_thread(self.notifications.prepare, notification_id)
                except Exception:  # one broken notification must not hold up the others
                    log.exception("notification %s could not be prepared", notification_id)
                    continue
                if notice is not None:
                    await self._notify(notice)
                    sent += 1
        if sent:
            log.info("%d notifications sent", sent)
        return sent

    async def run_retention(self) -> None:
        for notice in await asyncio.to_thread(self.retention.run):
            await self._notify(notice)

    async def _deliver(self, delivery: Delivery) -> bool:
        if delivery.channel != CHANNEL:
            return False  # a console user: nothing can reach them
        status = await self.sender.send_all(self.bot, int(delivery.chat),
                                            merge(delivery.messages))
        if status == BLOCKED:
            for notice in await asyncio.to_thread(self.reminders.unreachable, delivery.member_id):
                await self._notify(notice)
        if delivery.group_chat_id is not None and delivery.group_messages:
            await self.sender.send_all(self.bot, delivery.group_chat_id,
                                       list(delivery.group_messages))
        return status == SENT

    async def _notify(self, notice: Notice) -> None:
        if notice.channel == CHANNEL:
            await self.sender.send(self.bot, int(notice.chat), notice.message)
