"""Sending engine messages to a Telegram chat: HTML, split, retried; the one way out to Telegram."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta

from aiolimiter import AsyncLimiter
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.split import split_html
from dialogues.messages import Outgoing

log = logging.getLogger("charte_bot.notifier")

ATTEMPTS = 4
SENT, BLOCKED, FAILED = "sent", "blocked", "failed"


def markup(message: Outgoing) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
         for row in message.buttons]
    )


def merge(messages: Sequence[Outgoing]) -> list[Outgoing]:
    """Consecutive texts without buttons join the next message: one message per chat and burst."""
    merged: list[Outgoing] = []
    pending: list[str] = []
    for message in messages:
        if message.attachment is not None:
            merged.append(message)
            continue
        pending.append(message.text)
        if message.buttons:
            merged.append(Outgoing("\n\n".join(pending), message.buttons))
            pending = []
    if pending:
        merged.append(Outgoing("\n\n".join(pending)))
    return merged


def _seconds(retry_after: int | float | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


class TelegramNotifier:
    """Sends with retries: 429 waits retry_after, 5xx and timeouts back off, 403 is final."""

    def __init__(self, bot: Bot, pace: AsyncLimiter | None = None) -> None:
        self.bot = bot
        self.pace = pace

    async def send(self, chat_id: int | str, messages: Sequence[Outgoing]) -> str:
        for message in messages:
            status = await self._one(chat_id, message)
            if status != SENT:
                return status
        return SENT

    async def _one(self, chat_id: int | str, message: Outgoing) -> str:
        if message.attachment is not None:
            return await self._call(chat_id, self._attachment, chat_id, message)
        pieces = split_html(message.text)
        for i, piece in enumerate(pieces):
            keyboard = markup(message) if i == len(pieces) - 1 else None
            status = await self._call(chat_id, self.bot.send_message, chat_id=chat_id,
                                      text=piece, parse_mode=ParseMode.HTML,
                                      reply_markup=keyboard)
            if status != SENT:
                return status
        return SENT

    async def _attachment(self, chat_id: int | str, message: Outgoing) -> None:
        attachment = message.attachment
        assert attachment is not None
        file = InputFile(attachment.data, filename=attachment.filename)
        caption = message.text if len(message.text) <= 1024 else None
        if attachment.kind == "photo":
            await self.bot.send_photo(chat_id=chat_id, photo=file, caption=caption,
                                      parse_mode=ParseMode.HTML, reply_markup=markup(message))
        else:
            await self.bot.send_document(chat_id=chat_id, document=file, caption=caption,
                                         parse_mode=ParseMode.HTML, reply_markup=markup(message))

    async def _call(self, chat_id: int | str, method, *args, **kwargs) -> str:  # noqa: ANN001
        for attempt in range(1, ATTEMPTS + 1):
            try:
                if self.pace is not None:
                    async with self.pace:
                        await method(*args, **kwargs)
                else:
                    await method(*args, **kwargs)
                return SENT
            except Forbidden:
                log.warning("chat %s blocked the bot", chat_id)
                return BLOCKED
            except RetryAfter as err:
                delay = _seconds(err.retry_after)
                log.warning("429 for chat %s: waiting %.1f s", chat_id, delay)
                await asyncio.sleep(delay)
            except BadRequest as err:
                log.error("Telegram refused a message for chat %s: %s", chat_id, err)
                return FAILED
            except (TimedOut, NetworkError) as err:
                if attempt == ATTEMPTS:
                    log.error("giving up on chat %s: %s", chat_id, err)
                    return FAILED
                log.warning("sending to chat %s failed (%s); retrying", chat_id, err)
                await asyncio.sleep(0.5 * 2 ** (attempt - 1))
        return FAILED
