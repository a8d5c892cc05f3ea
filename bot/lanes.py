"""One lane per person: their updates are handled in order, different people at the same time.

PTB hands updates over one at a time; the handler only puts the work in the person's lane and
returns, so one person's slow /export never holds up anybody else.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable

log = logging.getLogger("charte_bot.lanes")

MAX_RUNNING = 64  # people served at the same time; the others wait for a slot


class Lanes:
    def __init__(self, running: int = MAX_RUNNING) -> None:
        self._tails: dict[Hashable, asyncio.Task[None]] = {}
        self._running = running
        self._slots: asyncio.Semaphore | None = None

    def submit(self, key: Hashable, work: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        """Run `work` after everything already submitted for `key`."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._running)
        task = asyncio.create_task(self._run(self._tails.get(key), work))
        self._tails[key] = task
        task.add_done_callback(lambda done: self._forget(key, done))
        return task

    async def _run(self, previous: asyncio.Task[None] | None,
                   work: Callable[[], Awaitable[None]]) -> None:
        if previous is not None:
            await asyncio.wait([previous])  # its outcome is its own: only the order matters
        assert self._slots is not None
        async with self._slots:
            try:
                await work()
            except Exception:  # one failed update must not stop the person's next ones
                log.exception("an update could not be handled")

    def _forget(self, key: Hashable, done: asyncio.Task[None]) -> None:
        if self._tails.get(key) is done:
            del self._tails[key]

    async def drain(self) -> None:
        """Wait for everything submitted so far (at shutdown)."""
        while self._tails:
            await asyncio.gather(*list(self._tails.values()), return_exceptions=True)
