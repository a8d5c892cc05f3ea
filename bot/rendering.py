"""Charts and PDFs are made in a worker process, after the transaction has committed.

Drawing a chart takes 0.3-0.6 s of CPU; in the bot's own process it would hold up every other
person's update. The engine describes the file (a picklable `Rendering`); one worker process,
started once, draws it while the bot keeps answering.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

from dialogues.core.outgoing import Outgoing

log = logging.getLogger("charte_bot.rendering")


def _exit_with(parent: int) -> None:
    """In the worker: exit when the bot's process is gone (even killed with -9). The worker's
    own copy of the task queue's pipe would otherwise keep it waiting forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _warm() -> None:
    """Import the drawing libraries in the worker before anyone waits for them."""
    import fpdf  # noqa: F401
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.figure  # noqa: F401


class Renderer:
    def __init__(self, workers: int = 1) -> None:
        self._pool = ProcessPoolExecutor(max_workers=workers,
                                         mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_exit_with, initargs=(os.getpid(),))

    def warm(self) -> None:
        self._pool.submit(_warm)

    async def ready(self, message: Outgoing) -> Outgoing:
        """The message with its attachment made, if it had one still to make."""
        attachment = message.attachment
        if attachment is None or attachment.later is None:
            return message
        loop = asyncio.get_running_loop()
        data = await loop.run_in_executor(self._pool, attachment.later.render)
        return replace(message, attachment=replace(attachment, data=data, later=None))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
