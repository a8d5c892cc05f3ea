"""The one way out to Telegram: HTML, cut in pieces, retried; used by the edge and reminders."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import warnings
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning

from bot.split import CAPTION_LIMIT, plain_text, split_html, visible_length
from bot.throttle import BULK
from dialogues.core.outgoing import Attachment, Outgoing

log = logging.getLogger("charte_bot.sender")

SEND_ATTEMPTS = 3  # tries of one message on a network error, a 5xx or a 429
RETRY_DELAY = 0.5  # seconds before the second try, twice that before the third
MAX_RETRY_AFTER = 60.0  # a longer 429 wait gives the message up instead of stalling everyone
SENT, BLOCKED, FAILED = "sent", "blocked", "failed"


def markup(message: Outgoing) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
         for row in message.buttons]
    )


def merge(messages: Sequence[Outgoing]) -> list[Outgoing]:
    """Texts without buttons join the next message, or the previous one when they come last
    (its buttons stay under it): one message per reply where possible. Telegram allows one new
    message a second in a private chat. A merged message replaces the pressed one when its
    first part was meant to."""
    merged: list[Outgoing] = []
    pending: list[Outgoing] = []

    def joined(parts: list[Outgoing], buttons: tuple = ()) -> Outgoing:
        return Outgoing("\n\n".join(p.text for p in parts), buttons, edit=parts[0].edit)

    for message in messages:
        if message.edit_message is not None:  # replaces an earlier message: kept as it is
            if pending:
                merged.append(joined(pending))
                pending = []
            merged.append(message)
            continue
        if message.attachment is not None:
            merged.append(message)
            continue
        pending.append(message)
        if message.buttons:
            merged.append(joined(pending, message.buttons))
            pending = []
    if pending and merged and merged[-1].attachment is None and merged[-1].edit_message is None:
        last = merged[-1]
        merged[-1] = joined([last, *pending], last.buttons)
    elif pending:
        merged.append(joined(pending))
    return merged


class Sender:
    """Sends engine messages; a bulk sender's messages wait behind replies (bot.throttle)."""

    def __init__(self, bulk: bool = False) -> None:
        self.bulk = bulk

    async def send_all(self, bot: Bot, chat_id: int, messages: Sequence[Outgoing]) -> str:
        """Send in order; stops at the first message that cannot be delivered."""
        for message in messages:
            status = await self.send(bot, chat_id, message)
            if status != SENT:
                return status
        return SENT

    async def send(self, bot: Bot, chat_id: int, message: Outgoing) -> str:
        """Send one engine message (cut in pieces if long): SENT, BLOCKED or FAILED."""
        keyboard = markup(message)
        if message.attachment is not None:
            if visible_length(message.text) <= CAPTION_LIMIT:
                return await self.send_piece(bot, chat_id, message.text, keyboard,
                                             message.attachment)
            status = await self.send_piece(bot, chat_id, "", None, message.attachment)
            if status != SENT:
                return status
        pieces = split_html(message.text)
        if not pieces:
            if keyboard is not None:
                log.warning("a message with buttons and no text was not sent to chat %s",
                            chat_id)
            return SENT
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            status = await self.send_piece(bot, chat_id, piece, keyboard if last else None)
            if status != SENT:
                return status
        return SENT

    async def send_piece(self, bot: Bot, chat_id: int, text: str,
                         keyboard: InlineKeyboardMarkup | None,
                         attachment: Attachment | None = None) -> str:
        as_html = True
        attempt = 0
        while True:
            attempt += 1
            try:
                await _deliver(bot, chat_id, text, keyboard, attachment, as_html, self.bulk)
                return SENT
            except Forbidden as err:
                log.warning("chat %s cannot be written to (%s); message not delivered",
                            chat_id, err)
                return BLOCKED
            except RetryAfter as err:
                delay = _retry_after(err)
                if attempt >= SEND_ATTEMPTS or delay > MAX_RETRY_AFTER:
                    log.error("giving up sending to chat %s: 429, retry after %.0f s",
                              chat_id, delay)
                    return FAILED
                log.warning("429 for chat %s: waiting %.1f s", chat_id, delay)
                await asyncio.sleep(delay)
            except BadRequest as err:  # before NetworkError: BadRequest is one of them
                if as_html and "parse entities" in str(err).lower():
                    log.error("Telegram refused the HTML of a message to chat %s (%s); "
                              "sending it as plain text", chat_id, err)
                    text, as_html = plain_text(text), False
                    continue
                log.error("Telegram refused a message to chat %s: %s", chat_id, err)
                return FAILED
            except (TimedOut, NetworkError) as err:
                if attempt >= SEND_ATTEMPTS:
                    log.error("giving up sending to chat %s: %s", chat_id, err)
                    return FAILED
                log.warning("send to chat %s failed (%s), retrying", chat_id, err)
                await asyncio.sleep(RETRY_DELAY * attempt)
            except TelegramError as err:
                log.error("could not send to chat %s: %s", chat_id, err)
                return FAILED


async def _deliver(bot: Bot, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None,
                   attachment: Attachment | None, as_html: bool, bulk: bool) -> None:
    mode = ParseMode.HTML if as_html else None
    # The send budget (bot.throttle) lives on the application's bot: tell it what can wait.
    extra: dict = {"rate_limit_args": BULK} if bulk and isinstance(bot, ExtBot) else {}
    if attachment is None:
        await bot.send_message(chat_id=chat_id, text=text, parse_mode=mode, reply_markup=keyboard,
                               **extra)
    elif attachment.kind == "photo":
        await bot.send_photo(chat_id=chat_id, photo=attachment.data,
                             filename=attachment.filename, caption=text or None,
                             parse_mode=mode, reply_markup=keyboard, **extra)
    else:
        await bot.send_document(chat_id=chat_id, document=attachment.data,
                                filename=attachment.filename, caption=text or None,
                                parse_mode=mode, reply_markup=keyboard, **extra)


def _retry_after(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that it will become a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
