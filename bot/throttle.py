"""One send budget under Telegram's limits, where replies go before bulk sends.

Telegram allows about 30 new messages a second overall, one a second in a private chat and 20
a minute in a group, and answers 429 beyond. Every new message waits for its chat's turn, then
for a slot of the overall budget; when several wait for a slot, a reply to someone's action
goes before a reminder (`rate_limit_args="bulk"`). Edits and button answers send no new
message and are not held back.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger("charte_bot.throttle")

BULK = "bulk"  # rate_limit_args of a bulk send (reminders, notices)
REPLY, LATER = 0, 1  # priorities: lower goes first
PRIVATE_INTERVAL = 1.0  # seconds between two new messages in one private chat
GROUP_INTERVAL = 3.0  # 20 a minute in a group
NEW_MESSAGE = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup",
                         "sendAnimation", "sendAudio", "sendVideo", "sendVoice", "sendSticker",
                         "sendLocation", "sendContact", "sendPoll", "copyMessage",
                         "forwardMessage"})


class SendBudget(BaseRateLimiter[str]):
    def __init__(self, per_second: float = 28.0, private_interval: float = PRIVATE_INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / per_second
        self.private_interval = private_interval
        self.clock = clock
        self._next_slot = 0.0
        self._chats: dict[int, float] = {}  # chat id -> when its next new message may go
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._releaser: asyncio.Task[None] | None = None
        self._paused_until = 0.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        if self._releaser is not None:
            self._releaser.cancel()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: str | None,
    ) -> Any:
        if endpoint not in NEW_MESSAGE:
            return await callback(*args, **kwargs)
        chat_id = _chat_id(data.get("chat_id"))
        if chat_id is not None:
            await self._chat_turn(chat_id)
        await self._slot(LATER if rate_limit_args == BULK else REPLY)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as error:  # should not happen; if it does, everyone waits it out
            delay = error.retry_after
            seconds = delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay)
            self._paused_until = max(self._paused_until, self.clock() + seconds)
            log.warning("Telegram answered 429 (retry after %.0f s) for chat %s", seconds,
                        chat_id)
            raise

    async def _chat_turn(self, chat_id: int) -> None:
        """Reserve the chat's next turn (private: 1/s; group: 20/min) and wait for it."""
        interval = GROUP_INTERVAL if chat_id < 0 else self.private_interval
        now = self.clock()
        turn = max(now, self._chats.get(chat_id, 0.0))
        self._chats[chat_id] = turn + interval
        if len(self._chats) > 10_000:
            self._chats = {c: t for c, t in self._chats.items() if t > now}
        if turn > now:
            await asyncio.sleep(turn - now)

    async def _slot(self, priority: int) -> None:
        """One slot of the overall budget; replies are served before bulk sends."""
        now = self.clock()
        if not self._waiting and now >= max(self._next_slot, self._paused_until):
            self._next_slot = now + self.interval
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), future))
        if self._releaser is None or self._releaser.done():
            self._releaser = asyncio.create_task(self._release())
        await future

    async def _release(self) -> None:
        while self._waiting:
            delay = max(self._next_slot, self._paused_until) - self.clock()
            if delay > 0:
                await asyncio.sleep(delay)
                continue
            _, _, future = heapq.heappop(self._waiting)
            if future.done():  # its sender gave up (cancelled)
                continue
            self._next_slot = self.clock() + self.interval
            future.set_result(None)


def _chat_id(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
