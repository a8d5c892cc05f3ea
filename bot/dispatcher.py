"""Sends due reminders and retention warnings. The job carries nothing: the database decides."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot

from bot.notifier import BLOCKED, SENT, Sender, merge
from dialogues.reminder_service import Delivery, Notice, ReminderService
from dialogues.retention import RetentionService

log = logging.getLogger("charte_bot.reminders")

CHANNEL = "telegram"


class ReminderDispatcher:
    def __init__(self, reminders: ReminderService, retention: RetentionService, bot: Bot,
                 sender: Sender) -> None:
        self.reminders = reminders
        self.retention = retention
        self.bot = bot
        self.sender = sender
        self._lock = asyncio.Lock()
        self.delivered = 0

    async def run_due(self) -> int:
        """Send every reminder due now; never two runs at once. Returns how many were sent.

        Each reminder is re-read, re-checked and marked sent in the database just before it
        goes out, so a restart (even two quick ones) never sends one twice.
        """
        if self._lock.locked():
            return 0
        sent = 0
        async with self._lock:
            while due := await asyncio.to_thread(self.reminders.due):
                for reminder_id in due:
                    delivery = await asyncio.to_thread(self.reminders.prepare, reminder_id)
                    if delivery is not None and await self._deliver(delivery):
                        sent += 1
        self.delivered += sent
        if sent:
            log.info("%d reminders sent", sent)
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
