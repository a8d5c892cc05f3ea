"""Telegram's side of webhook mode, for tests: `charte-bot run --webhook URL --port N`.

The fake Bot API queues the updates people send; `TelegramWebhook` plays Telegram's webhook
sender (and, with several bot processes, the proxy in front of them): it POSTs each update,
as JSON with the secret token header, to a bot process, and confirms it once answered.

Like Telegram's sender, it keeps one queue per person and sends a person's next update only
once the previous one was answered (other people's go at the same time); an update that
fails (connection refused, 5xx) is tried again, at the next process. Like a round-robin
proxy, it spreads the updates over the processes in turn, so one person's consecutive updates
go to different processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout

from bot.webhook import SECRET_HEADER
from tests.e2e.bot_process import BotProcess, World, assert_no_token
from tests.e2e.fake_bot_api import FakeBotApi

PUBLIC_URL = "https://charte.example.org/telegram"  # what setWebhook is given
PATH = "/telegram"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def webhook_args(port: int) -> tuple[str, ...]:
    return ("run", "--webhook", PUBLIC_URL, "--port", str(port))


def sender_of(update: dict[str, Any]) -> int:
    """The person an update comes from: one delivery queue per person."""
    body = next(v for k, v in update.items() if k != "update_id")
    return int(body["from"]["id"])


@dataclass
class Post:
    target: str
    update_id: int
    status: int


@dataclass
class TelegramWebhook:
    server: FakeBotApi
    targets: Sequence[str]  # http://127.0.0.1:PORT/telegram of each process
    secret: str
    posts: list[Post] = field(default_factory=list)
    _turn: int = 0
    _task: asyncio.Task[None] | None = None
    _queues: dict[int, asyncio.Queue[dict[str, Any]]] = field(default_factory=dict)
    _workers: list[asyncio.Task[None]] = field(default_factory=list)
    _session: ClientSession | None = None

    async def start(self) -> None:
        self._session = ClientSession(timeout=ClientTimeout(total=60))
        self._task = asyncio.create_task(self._take())

    async def stop(self) -> None:
        for task in [self._task, *self._workers]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._session is not None:
            await self._session.close()

    def next_target(self) -> str:
        target = self.targets[self._turn % len(self.targets)]
        self._turn += 1
        return target

    async def post(self, target: str, update: dict[str, Any], secret: str | None = None
                   ) -> int:
        """POST one update to one process (the secret header unless `secret` says else)."""
        assert self._session is not None
        headers = {} if secret == "" else {SECRET_HEADER: secret or self.secret}
        async with self._session.post(target, json=update, headers=headers) as response:
            await response.read()
            self.posts.append(Post(target, update["update_id"], response.status))
            return response.status

    async def _take(self) -> None:
        last = 0
        while True:
            for update in await self.server.next_updates(last, timeout=5):
                last = update["update_id"]
                person = sender_of(update)
                if person not in self._queues:
                    self._queues[person] = asyncio.Queue()
                    self._workers.append(asyncio.create_task(self._deliver(person)))
                self._queues[person].put_nowait(update)

    async def _deliver(self, person: int) -> None:
        queue = self._queues[person]
        while True:
            update = await queue.get()
            while True:
                target = self.next_target()
                try:
                    status = await self.post(target, update)
                except (ClientError, TimeoutError):
                    status = 0  # that process is down: the next one
                if 200 <= status < 300:
                    self.server.confirm_update(update["update_id"])
                    break
                await asyncio.sleep(0.1)


class WebhookWorld(World):
    """A World whose bot process(es) run in webhook mode, fed by a TelegramWebhook."""

    def __init__(self, server: FakeBotApi, bots: Sequence[BotProcess], ports: Sequence[int],
                 secret: str) -> None:
        super().__init__(server, bots[0])
        self.bots = list(bots)
        self.ports = list(ports)
        self.webhook = TelegramWebhook(server, [f"http://127.0.0.1:{p}{PATH}" for p in ports],
                                       secret)

    def url(self, index: int, path: str = PATH) -> str:
        return f"http://127.0.0.1:{self.ports[index]}{path}"

    async def start_bot(self, timeout: float = 30) -> None:
        """Start every process; return once each answers /healthz."""
        for bot in self.bots:
            if not bot.alive:
                bot.start()
        for index, bot in enumerate(self.bots):
            await wait_healthy(self.url(index, "/healthz"), bot, timeout)
        if self.webhook._task is None:
            await self.webhook.start()

    async def settled(self) -> None:
        """Every process alive and answering, every press answered, no token printed."""
        await self.barrier()
        for bot in self.bots:
            assert bot.alive, bot.tail()
            assert_no_token(bot.output, bot.token)
            assert self.webhook.secret not in bot.output
        assert self.server.unanswered_callbacks() == []

    async def stop_bot(self) -> int | None:
        codes = [await asyncio.to_thread(bot.stop) for bot in self.bots]
        await self.webhook.stop()
        return codes[0]


async def wait_healthy(url: str, bot: BotProcess, timeout: float) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with ClientSession(timeout=ClientTimeout(total=5)) as session:
        while True:
            if not bot.alive:
                raise AssertionError(f"the bot exited at startup:\n{bot.tail()}")
            with contextlib.suppress(ClientError, TimeoutError):
                async with session.get(url) as response:
                    if response.status == 200:
                        return dict(await response.json())
            if loop.time() > deadline:
                raise AssertionError(f"the bot never answered {url}:\n{bot.tail()}")
            await asyncio.sleep(0.1)
