"""Sends due reminders and retention warnings. The job carries nothing: the database decides."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot

from bot.notifier import BLOCKED, SENT, Sender, merge
from dialogues.app.notification_jobs import NotificationService
from dialogues.app.reminder_jobs import Delivery, Notice, ReminderService
from dialogues.app.retention_job import RetentionService

log = logging.getLogger("charte_bot.reminders")

CHANNEL = "telegram"


# Reminders being sent at once. Telegram answers in tens of milliseconds (50 ms: at most 20
# messages a second one at a time): the send budget (bot.throttle) spaces the sends out,
# several in flight keep its pace. A reminder is claimed only when a slot is free, so a crash
# loses at most this many claimed reminders.
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

    async def run_due(self) -> int:
        """Send every reminder due now; never two runs at once. Returns how many were sent.

        Each reminder is re-read, re-checked and marked sent in the database just before it
        goes out, so a restart (even two quick ones) never sends one twice.
        """
        if self._lock.locked():
            return 0
        async with self._lock:
            slots = asyncio.Semaphore(self.in_flight)
            sending: list[asyncio.Task[bool]] = []

            async def deliver(delivery: Delivery) -> bool:
                try:
                    return await self._deliver(delivery)
                finally:
                    slots.release()

            seen: set[int] = set()
            try:
                # A reminder still due after `prepare` (it failed, or was left pending) is not
                # tried again in this run: the loop ends instead of spinning on it.
                while due := [i for i in await asyncio.to_thread(self.reminders.due)
                              if i not in seen]:
                    seen.update(due)
                    for reminder_id in due:
                        await slots.acquire()
                        try:
                            delivery = await asyncio.to_thread(self.reminders.prepare,
                                                               reminder_id)
                        except Exception:  # one broken reminder must not hold up the others
                            log.exception("reminder %s could not be prepared", reminder_id)
                            delivery = None
                        except BaseException:
                            slots.release()
                            raise
                        if delivery is None:
                            slots.release()
                            continue
                        sending.append(asyncio.create_task(deliver(delivery)))
            finally:
                results = await asyncio.gather(*sending, return_exceptions=True)
        sent = 0
        for result in results:
            if isinstance(result, BaseException):
                log.error("a reminder could not be sent: %r", result, exc_info=result)
            elif result:
                sent += 1
        if sent:
            log.info("%d reminders sent", sent)
        log.debug("looked for due reminders: %d prepared, %d sent", len(seen), sent)
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
