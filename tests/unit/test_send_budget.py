"""The Telegram edge's own scheduling, without Telegram: one send budget where replies go before
bulk sends and no private chat gets two new messages within its interval; one lane per person,
in order, with other people served meanwhile."""

from __future__ import annotations

import asyncio
import time

from bot.lanes import Lanes
from bot.throttle import BULK, SendBudget


class Recorder:
    """Stands for the Bot API: records which request went out, and when."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, float]] = []

    def call(self, name: str):
        async def callback() -> bool:
            self.sent.append((name, time.monotonic()))
            return True
        return callback


async def send(budget: SendBudget, api: Recorder, name: str, chat: int,
               method: str = "sendMessage", bulk: bool = False) -> None:
    await budget.process_request(api.call(name), (), {}, method, {"chat_id": chat},
                                 BULK if bulk else None)


async def test_replies_waiting_for_the_budget_go_before_bulk_sends():
    # 5 a second: the waiting sends are all queued long before the next slot, even on a busy machine
    budget, api = SendBudget(per_second=5, private_interval=0), Recorder()
    first = asyncio.create_task(send(budget, api, "first", 1))
    await asyncio.sleep(0)
    bulk = [asyncio.create_task(send(budget, api, f"bulk{i}", 100 + i, bulk=True))
            for i in range(5)]
    await asyncio.sleep(0)
    replies = [asyncio.create_task(send(budget, api, f"reply{i}", 200 + i)) for i in range(3)]
    await asyncio.gather(first, *bulk, *replies)
    order = [name for name, _ in api.sent]
    assert order == ["first", "reply0", "reply1", "reply2", "bulk0", "bulk1", "bulk2", "bulk3",
                     "bulk4"]


async def test_the_budget_spaces_every_new_message():
    budget, api = SendBudget(per_second=50, private_interval=0), Recorder()
    await asyncio.gather(*(send(budget, api, str(i), i) for i in range(10)))
    times = [at for _, at in api.sent]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.02 * 0.9, gaps  # 50 a second: 20 ms apart (timer slack aside)


async def test_a_private_chat_gets_one_new_message_per_interval_edits_are_not_held():
    budget, api = SendBudget(per_second=1000, private_interval=0.2), Recorder()
    await asyncio.gather(send(budget, api, "a", 7), send(budget, api, "b", 7),
                         send(budget, api, "edit", 7, method="editMessageText"),
                         send(budget, api, "other chat", 8))
    at = dict(api.sent)
    assert at["b"] - at["a"] >= 0.2 * 0.9
    assert at["edit"] < at["b"] and at["other chat"] < at["b"]


async def wave_then(budget: SendBudget, api: Recorder, *sends: tuple[str, bool]) -> dict:
    """Five reminders to other people take the next slots; then `sends` (name, bulk) to chat 7,
    queued one after the other. Returns when each request went out."""
    tasks = [asyncio.create_task(send(budget, api, f"bulk{i}", 100 + i, bulk=True))
             for i in range(5)]
    for name, bulk in sends:
        await asyncio.sleep(0)
        tasks.append(asyncio.create_task(send(budget, api, name, 7, bulk=bulk)))
    await asyncio.gather(*tasks)
    return dict(api.sent)


async def test_a_message_held_by_the_budget_keeps_its_chat_to_one_per_interval():
    budget, api = SendBudget(per_second=5, private_interval=0.3), Recorder()
    at = await wave_then(budget, api, ("reminder 1", True), ("reminder 2", True))
    assert at["bulk4"] < at["reminder 1"] < at["reminder 2"]
    assert at["reminder 2"] - at["reminder 1"] >= 0.3 * 0.9, "counted from when it went"


async def test_a_reply_does_not_wait_behind_its_own_chats_reminder():
    budget, api = SendBudget(per_second=5, private_interval=0.3), Recorder()
    at = await wave_then(budget, api, ("reminder", True), ("reply", False))
    assert at["reply"] < at["bulk1"], "the reply goes at the next slot, before the wave"
    assert at["reminder"] - at["reply"] >= 0.3 * 0.9


async def test_a_group_gets_20_messages_a_minute():
    budget, api = SendBudget(per_second=1000, private_interval=0), Recorder()
    started = time.monotonic()
    first = asyncio.create_task(send(budget, api, "group 1", -42))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(send(budget, api, "group 2", -42))
    await asyncio.sleep(0.3)
    assert [name for name, _ in api.sent] == ["group 1"], "the second waits its 3 s"
    second.cancel()
    await asyncio.gather(first, second, return_exceptions=True)
    assert api.sent[0][1] - started < 1, "the first goes without waiting its 3 s"


async def test_a_persons_updates_run_in_order_and_others_meanwhile():
    lanes, done, bob_served = Lanes(), [], asyncio.Event()

    async def alice_slow() -> None:
        await bob_served.wait()  # only finishes once bob was served meanwhile
        done.append("alice 1 (slow)")

    async def alice_next() -> None:
        done.append("alice 2")

    async def bob() -> None:
        done.append("bob 1")
        bob_served.set()

    lanes.submit("alice", alice_slow)
    lanes.submit("alice", alice_next)
    lanes.submit("bob", bob)
    await asyncio.wait_for(lanes.drain(), timeout=30)
    assert done == ["bob 1", "alice 1 (slow)", "alice 2"]


async def test_a_failed_update_does_not_stop_the_next_ones():
    lanes, done = Lanes(), []

    async def broken() -> None:
        raise RuntimeError("boom")

    async def fine() -> None:
        done.append("next")

    lanes.submit(1, broken)
    lanes.submit(1, fine)
    await lanes.drain()
    assert done == ["next"]
