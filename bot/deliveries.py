"""Send what a job claims, at least once: claim, prepare, send, confirm (storage/claims.py).

    sent = await drain(ClaimedJob(claim=..., prepare=..., send=..., confirm=...), in_flight=8)

`claim`, `prepare` and `confirm` are blocking calls (a transaction each), run in a thread;
`send` is the coroutine that talks to Telegram. A row is claimed only when a slot is free, so
at most `in_flight` claims are unconfirmed at any time: a crash can make at most that many
rows come twice (each saying so), and loses none. A row whose `prepare` fails keeps its claim
until it expires, then is tried again; it does not hold up the others. A delivery is
confirmed whatever its outcome (sent, refused, given up), except when it is cancelled (the
process is stopping): then it stays claimed and goes again after the restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger("charte_bot.deliveries")

T = TypeVar("T")


@dataclass(frozen=True)
class ClaimedJob(Generic[T]):
    name: str  # for the logs: "reminder", "notice"…
    claim: Callable[[], int | None]  # the next due row, now held by this process; None: done
    prepare: Callable[[int], T | None]  # re-read and re-check; None: nothing to send
    send: Callable[[T], Awaitable[bool]]  # True when it reached the person
    confirm: Callable[[int], None]  # delivery over: never again


async def drain(job: ClaimedJob[T], in_flight: int) -> tuple[int, int]:
    """Send every row due now; returns (rows prepared for sending, rows that reached)."""
    slots = asyncio.Semaphore(in_flight)
    sending: list[asyncio.Task[bool]] = []
    prepared = 0

    async def deliver(row_id: int, delivery: T) -> bool:
        try:
            reached = await job.send(delivery)
        except asyncio.CancelledError:
            raise  # stopping: not confirmed, sent again after the restart
        except Exception:
            log.exception("%s %s could not be sent", job.name, row_id)
            reached = False
        try:
            await asyncio.to_thread(job.confirm, row_id)
        finally:
            slots.release()
        return reached

    try:
        while True:
            await slots.acquire()
            try:
                row_id = await asyncio.to_thread(job.claim)
            except BaseException:
                slots.release()
                raise
            if row_id is None:
                slots.release()
                break
            try:
                delivery = await asyncio.to_thread(job.prepare, row_id)
            except Exception:  # one broken row must not hold up the others
                log.exception("%s %s could not be prepared", job.name, row_id)
                delivery = None
            except BaseException:
                slots.release()
                raise
            if delivery is None:
                slots.release()
                continue
            prepared += 1
            sending.append(asyncio.create_task(deliver(row_id, delivery)))
    except asyncio.CancelledError:
        for task in sending:  # stopping: what is in flight stays claimed, unconfirmed
            task.cancel()
        raise
    finally:
        results = await asyncio.gather(*sending, return_exceptions=True)
    reached = 0
    for result in results:
        if isinstance(result, BaseException):
            log.error("a %s could not be confirmed: %r", job.name, result, exc_info=result)
        elif result:
            reached += 1
    return prepared, reached
