"""Fixtures of the end-to-end tests: one fake Bot API and one real `charte-bot run` per module.

A module's tests share the bot process (it starts in about a second); each test makes its own
people, so that no test depends on another's dialogue. Modules whose tests use these fixtures
run on one event loop per module: `pytestmark = pytest.mark.asyncio(loop_scope="module")`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.e2e.bot_process import TOKEN, BotProcess, World, running_world
from tests.e2e.fake_bot_api import FakeBotApi


@pytest.fixture(scope="module")
def bot_env() -> dict[str, str]:
    """Extra environment of the module's bot (a module may override this fixture)."""
    return {}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(TOKEN) as fake:
        yield fake


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(server: FakeBotApi, bot_env: dict[str, str],
                tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    bot = BotProcess(tmp_path_factory.mktemp("bot"), server.url, **bot_env)
    async with running_world(server, bot) as here:
        yield here
