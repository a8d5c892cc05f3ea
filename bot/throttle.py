"""One send budget under Telegram's limits, where replies go before bulk sends.

Telegram allows about 30 new messages a second overall, one a second in a private chat and 20
a minute in a group, and answers 429 beyond. Every new message waits for its chat's turn, then
for a slot of the overall budget; when several wait for a slot, a reply to someone's action
goes before a reminder (`rate_limit_args="bulk"`). Edits and button answers send no new
message and are not held back.
"""

from __future__ import annotations

import asyncio
import bisect
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
        # waiting sends, in the order they go when their chat is ready: (priority, arrival,
        # chat id or None, future); a handful at a time (a wave keeps at most 8 in flight)
        self._waiting: list[tuple[int, int, int | None, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._releaser: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
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
        await self._turn(LATER if rate_limit_args == BULK else REPLY, chat_id)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as error:  # should not happen; if it does, everyone waits it out
            delay = error.retry_after
            seconds = delay.total_seconds() if hasattr(delay, "total_seconds") else float(delay)
            self._paused_until = max(self._paused_until, self.clock() + seconds)
            log.warning("Telegram answered 429 (retry after %.0f s) for chat %s", seconds,
                        chat_id)
            raise

    async def _turn(self, priority: int, chat_id: int | None) -> None:
        """Wait until both the overall budget and the chat (private: 1/s; group: 20/min) allow
        one more new message. A chat's next turn counts from the moment its message was let
        through, so a message held up by the budget never brings the next one closer."""
        if not self._waiting and self._free_now(chat_id):
            self._let_through(chat_id)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        bisect.insort(self._waiting, (priority, next(self._order), chat_id, future),
                      key=lambda waiting: waiting[:2])
        self._wake.set()
        if self._releaser is None or self._releaser.done():
            self._releaser = asyncio.create_task(self._release())
        await future

    def _free_now(self, chat_id: int | None) -> bool:
        now = self.clock()
        return (now >= max(self._next_slot, self._paused_until)
                and (chat_id is None or now >= self._chats.get(chat_id, 0.0)))

    def _let_through(self, chat_id: int | None) -> None:
        now = self.clock()
        self._next_slot = now + self.interval
        if chat_id is not None:
            self._chats[chat_id] = now + (GROUP_INTERVAL if chat_id < 0
                                          else self.private_interval)
            if len(self._chats) > 10_000:
                self._chats = {c: t for c, t in self._chats.items() if t > now}

    async def _release(self) -> None:
        """Let the waiting sends through one slot at a time: the first in (priority, arrival)
        order whose chat is ready; a reply goes before a reminder even in the same chat."""
        while self._waiting:
            self._waiting = [w for w in self._waiting if not w[3].done()]  # senders gone
            if not self._waiting:
                break
            now = self.clock()
            delay = max(self._next_slot, self._paused_until) - now
            if delay <= 0:
                ready = next((w for w in self._waiting
                              if w[2] is None or self._chats.get(w[2], 0.0) <= now), None)
                if ready is not None:
                    self._waiting.remove(ready)
                    self._let_through(ready[2])
                    ready[3].set_result(None)
                    continue
                delay = min(self._chats.get(w[2], 0.0) for w in self._waiting
                            if w[2] is not None) - now
            self._wake.clear()  # woken when the delay is over, or sooner by a new send
            timer = asyncio.get_running_loop().call_later(max(delay, 0.0), self._wake.set)
            try:
                await self._wake.wait()
            finally:
                timer.cancel()


def _chat_id(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
