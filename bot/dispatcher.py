"""Sends due reminders. One repeating job carries nothing: the database says what is due."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from bot.notifier import BLOCKED, SENT, merge
from dialogues.messages import Outgoing
from dialogues.reminder_service import Delivery, ReminderService

log = logging.getLogger("charte_bot.reminders")

JOB_NAME = "reminders"


class Notifier(Protocol):
    async def send(self, chat_id: int | str, messages: list[Outgoing]) -> str: ...


class ReminderDispatcher:
    def __init__(self, reminders: ReminderService, notifier: Notifier,
                 channel: str = "telegram") -> None:
        self.reminders = reminders
        self.notifier = notifier
        self.channel = channel
        self._lock = asyncio.Lock()
        self.sent = 0

    async def run_due(self) -> int:
        """Send every reminder due now; returns how many were delivered. Never runs twice at once.

        Each reminder is re-read and claimed in the database just before it is sent.
        """
        if self._lock.locked():
            return 0
        delivered = 0
        async with self._lock:
            while True:
                due = await asyncio.to_thread(self.reminders.due)
                if not due:
                    break
                for reminder_id in due:
                    delivery = await asyncio.to_thread(self.reminders.prepare, reminder_id)
                    if delivery is not None and await self._deliver(delivery):
                        delivered += 1
        self.sent += delivered
        return delivered

    async def _deliver(self, delivery: Delivery) -> bool:
        if delivery.channel != self.channel:
            return False  # a console user: nothing can reach them
        status = await self.notifier.send(int(delivery.chat), merge(delivery.messages))
        if status == BLOCKED:
            notices = await asyncio.to_thread(self.reminders.unreachable, delivery.member_id)
            for notice in notices:
                if notice.channel == self.channel:
                    await self.notifier.send(int(notice.chat), [notice.message])
        if delivery.group_chat_id is not None and delivery.group_messages:
            await self.notifier.send(delivery.group_chat_id, list(delivery.group_messages))
        return status == SENT
