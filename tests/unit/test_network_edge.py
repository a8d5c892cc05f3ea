"""The edge pieces of a network deployment: sending what a job claims (bot.deliveries), the
webhook's secret and its health route (bot.webhook)."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.deliveries import ClaimedJob, drain
from bot.webhook import derived_secret, make_web_app, served_path, webhook_secret
from dialogues.core.errors import ContentError


class Rows:
    """Due rows 1..n claimed in order, as the store would."""

    def __init__(self, n: int, broken: frozenset[int] = frozenset()) -> None:
        self.due = list(range(1, n + 1))
        self.broken = broken
        self.confirmed: list[int] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.full = asyncio.Event()  # set once `limit` sends are in flight together
        self.limit = 0

    def claim(self) -> int | None:
        return self.due.pop(0) if self.due else None

    def prepare(self, row: int) -> str:
        if row in self.broken:
            raise RuntimeError("a bug")
        return f"message {row}"

    async def send(self, message: str) -> bool:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        if self.in_flight >= self.limit:
            self.full.set()
        await self.full.wait()  # the first sends wait for each other, whatever the machine's speed
        await asyncio.sleep(0.005)  # time for a drain that ignored its limit to start more
        self.in_flight -= 1
        return True

    def job(self) -> ClaimedJob[str]:
        return ClaimedJob("row", self.claim, self.prepare, self.send, self.confirmed.append)


async def test_every_due_row_is_sent_then_confirmed_with_at_most_n_in_flight():
    rows = Rows(20)
    rows.limit = 3
    assert await asyncio.wait_for(drain(rows.job(), in_flight=3), timeout=30) == (20, 20)
    assert sorted(rows.confirmed) == list(range(1, 21))
    assert rows.most_in_flight == 3


async def test_a_row_that_cannot_be_prepared_keeps_its_claim_and_holds_up_nothing():
    rows = Rows(5, broken=frozenset({2}))
    assert await drain(rows.job(), in_flight=2) == (4, 4)
    assert sorted(rows.confirmed) == [1, 3, 4, 5]  # 2 stays claimed: retried once it expires


async def test_a_delivery_cut_short_by_the_process_stopping_is_not_confirmed():
    rows = Rows(1)
    started = asyncio.Event()

    async def hangs(message: str) -> bool:
        started.set()
        await asyncio.Event().wait()
        return True

    job = ClaimedJob("row", rows.claim, rows.prepare, hangs, rows.confirmed.append)
    task = asyncio.create_task(drain(job, in_flight=1))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert rows.confirmed == []  # sent again after the restart, saying it may repeat


def test_the_webhook_secret_is_the_configured_one_or_derived_from_the_token():
    assert webhook_secret("123:abc", "mon-secret_2") == "mon-secret_2"
    derived = webhook_secret("123:abc", None)
    assert derived == derived_secret("123:abc") != derived_secret("123:abd")
    assert "abc" not in derived and len(derived) == 43
    with pytest.raises(ContentError, match="CHARTE_WEBHOOK_SECRET"):
        webhook_secret("123:abc", "avec des espaces")


def test_the_webhook_listens_on_its_urls_path():
    assert served_path("https://bot.example.org/charte/telegram") == "/charte/telegram"
    assert served_path("https://bot.example.org") == "/"


class DownStore:
    def schema_version(self) -> int:
        raise OSError("connection refused")


class UpStore:
    def schema_version(self) -> int:
        return 6


@pytest.mark.parametrize("store, status, body", [
    (UpStore(), 200, {"status": "ok", "database": "ok", "schema_version": 6}),
    (DownStore(), 503, {"status": "unavailable", "database": "unreachable"}),
])
async def test_healthz_tells_a_load_balancer_whether_the_database_answers(store, status, body):
    async def never(update: object) -> None:
        raise AssertionError("no update here")

    app = make_web_app(None, never, store, "secret", "/telegram")  # type: ignore[arg-type]
    async with TestClient(TestServer(app)) as client:
        answer = await client.get("/healthz")
        assert answer.status == status
        assert await answer.json() == body
        refused = await client.post("/telegram", json={"update_id": 1})
        assert refused.status == 403
