"""The Telegram edge: update -> event -> service -> rendered messages. No business rules here."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import secrets
import sys
import warnings

from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from bot import texts
from bot.compose import App, build_app
from bot.logs import setup_logging
from bot.split import CAPTION_LIMIT, plain_text, split_html, visible_length
from dialogues.engine import COMMANDS
from dialogues.messages import Attachment, Command, Other, Outgoing, Press, Text
from dialogues.service import PersonRef

log = logging.getLogger("charte_bot.telegram")

DEFAULT_API = "https://api.telegram.org"
SEND_ATTEMPTS = 3  # tries of one message on a network error, a 5xx or a 429
RETRY_DELAY = 0.5  # seconds before the second try, twice that before the third
MAX_RETRY_AFTER = 60.0  # a longer 429 wait gives the message up instead of stalling everyone
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]


class TelegramEdge:
    """Holds the app; each handler is a few lines: make an event, call the service, render."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.invite_link: str | None = None

    # --- handlers ---------------------------------------------------------------------------

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or update.effective_user is None:
            return
        if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
            return await self._in_group(update, context)
        if update.edited_message is not None:
            event: object = Other("edit")
        elif message.text and message.text.startswith("/"):
            event = _command(message.text)
        elif message.text is not None:
            event = Text(message.text)
        else:
            event = Other(_kind(message))
        await self._run(update, context, event)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()  # always, first: the phone shows a spinner until then
        except TelegramError as err:
            log.info("callback answer failed: %s", err)
        if query.message is None or query.message.chat.type != ChatType.PRIVATE:
            return
        await self._run(update, context, Press(query.data or ""))

    async def _in_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In a group the bot answers only commands addressed to it, and points to private."""
        message = update.effective_message
        text = message.text if message else None
        if not text or not text.startswith("/") or update.edited_message is not None:
            return
        name, _, target = text.split()[0][1:].partition("@")
        if name.lower() not in COMMANDS:
            return
        if target and target.lower() != (context.bot.username or "").lower():
            return
        chat = update.effective_chat
        assert chat is not None
        await self._send(context.bot, chat.id, Outgoing(texts.say("tg.group_only")))

    async def _run(self, update: Update, context: ContextTypes.DEFAULT_TYPE, event: object
                   ) -> None:
        user = update.effective_user
        chat = update.effective_chat
        assert user is not None and chat is not None
        ref = PersonRef("telegram", str(user.id), user.full_name)
        outgoing = await asyncio.to_thread(self.app.service.handle, ref, event, self.invite_link)
        pressed = update.callback_query.message if update.callback_query else None
        for message in outgoing:
            if (message.edit and isinstance(pressed, Message)
                    and await self._edit(context.bot, pressed, message)):
                pressed = None  # only one message replaces the pressed one
                continue
            if not await self._send(context.bot, chat.id, message):
                return  # blocked, or given up: the rest would fail the same way

    # --- rendering --------------------------------------------------------------------------

    async def _edit(self, bot: Bot, pressed: Message, message: Outgoing) -> bool:
        """Replace the pressed message; False when it has to be sent as a new one instead."""
        if message.attachment is not None or len(split_html(message.text)) != 1:
            return False
        try:
            await bot.edit_message_text(
                chat_id=pressed.chat.id,
                message_id=pressed.message_id,
                text=message.text,
                parse_mode=ParseMode.HTML,
                reply_markup=_markup(message),
            )
        except BadRequest as err:
            if "not modified" in str(err).lower():
                return True
            log.info("edit failed, sending instead: %s", err)
            return False
        except TelegramError as err:  # network, 403, 429 after the rate limiter's retries
            log.info("edit failed, sending instead: %s", err)
            return False
        return True

    async def _send(self, bot: Bot, chat_id: int, message: Outgoing) -> bool:
        """Send one engine message (cut in pieces if long); False if it could not be delivered."""
        markup = _markup(message)
        if message.attachment is not None:
            if visible_length(message.text) <= CAPTION_LIMIT:
                return await self._send_piece(bot, chat_id, message.text, markup,
                                              message.attachment)
            if not await self._send_piece(bot, chat_id, "", None, message.attachment):
                return False
        pieces = split_html(message.text)
        if not pieces:
            if markup is not None:
                log.warning("a message with buttons and no text was not sent to chat %s",
                            chat_id)
            return True
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            if not await self._send_piece(bot, chat_id, piece, markup if last else None):
                return False
        return True

    async def _send_piece(self, bot: Bot, chat_id: int, text: str,
                          markup: InlineKeyboardMarkup | None,
                          attachment: Attachment | None = None) -> bool:
        as_html = True
        attempt = 0
        while True:
            attempt += 1
            try:
                await _deliver(bot, chat_id, text, markup, attachment, as_html)
                return True
            except Forbidden as err:
                log.warning("chat %s cannot be written to (%s); message not delivered",
                            chat_id, err)
                return False
            except RetryAfter as err:
                delay = _retry_after(err)
                if attempt >= SEND_ATTEMPTS or delay > MAX_RETRY_AFTER:
                    log.error("giving up sending to chat %s: 429, retry after %.0f s",
                              chat_id, delay)
                    return False
                log.warning("429 for chat %s: waiting %.1f s", chat_id, delay)
                await asyncio.sleep(delay)
            except BadRequest as err:  # before NetworkError: BadRequest is one of them
                if as_html and "parse entities" in str(err).lower():
                    log.error("Telegram refused the HTML of a message to chat %s (%s); "
                              "sending it as plain text", chat_id, err)
                    text, as_html = plain_text(text), False
                    continue
                log.error("Telegram refused a message to chat %s: %s", chat_id, err)
                return False
            except (TimedOut, NetworkError) as err:
                if attempt >= SEND_ATTEMPTS:
                    log.error("giving up sending to chat %s: %s", chat_id, err)
                    return False
                log.warning("send to chat %s failed (%s), retrying", chat_id, err)
                await asyncio.sleep(RETRY_DELAY * attempt)
            except TelegramError as err:
                log.error("could not send to chat %s: %s", chat_id, err)
                return False


async def _deliver(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None,
                   attachment: Attachment | None, as_html: bool) -> None:
    mode = ParseMode.HTML if as_html else None
    if attachment is None:
        await bot.send_message(chat_id=chat_id, text=text, parse_mode=mode, reply_markup=markup)
    elif attachment.kind == "photo":
        await bot.send_photo(chat_id=chat_id, photo=attachment.data,
                             filename=attachment.filename, caption=text or None,
                             parse_mode=mode, reply_markup=markup)
    else:
        await bot.send_document(chat_id=chat_id, document=attachment.data,
                                filename=attachment.filename, caption=text or None,
                                parse_mode=mode, reply_markup=markup)


def _retry_after(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that it will become a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def _markup(message: Outgoing) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
         for row in message.buttons]
    )


def _command(text: str) -> Command:
    head, _, arg = text.strip().partition(" ")
    name = head[1:].split("@", 1)[0].lower()
    return Command(name, arg.strip())


def _kind(message: Message) -> str:
    for kind in ("sticker", "photo", "voice", "video", "document", "audio", "animation",
                 "location", "contact", "poll", "video_note"):
        if getattr(message, kind, None):
            return kind
    return "other"


def menu_commands() -> list[BotCommand]:
    """The commands of Telegram's menu: those the engine knows and that have a description."""
    listed = []
    for name in COMMANDS:
        if name == "start":
            continue
        if texts.has(f"tg.command.{name}"):
            listed.append(BotCommand(name, texts.say(f"tg.command.{name}")))
        else:
            log.warning("command /%s has no description in bot/texts.yaml: not in the menu",
                        name)
    return listed


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update is None and isinstance(context.error, NetworkError):
        # Polling for updates failed (Telegram or the network hiccuped): PTB tries again.
        log.warning("polling for updates failed: %s", context.error)
        return
    log.error("error while handling an update: %s", context.error, exc_info=context.error)
    if (isinstance(update, Update) and update.effective_chat is not None
            and update.effective_chat.type == ChatType.PRIVATE):
        try:
            await context.bot.send_message(update.effective_chat.id, texts.say("tg.error"))
        except Exception as err:  # noqa: BLE001 - the error handler must never raise
            log.error("could not tell the user about the error: %s", err)


def build_application(app: App, token: str, api_url: str) -> Application:
    edge = TelegramEdge(app)
    root = api_url.rstrip("/")

    async def post_init(application: Application) -> None:
        edge.invite_link = f"https://t.me/{application.bot.username}?start="
        try:
            await application.bot.set_my_commands(menu_commands())
        except TelegramError as err:
            log.warning("setMyCommands failed: %s", err)

    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(False)  # one update at a time, in order: a person's steps stay ordered
        .post_init(post_init)
        .build()
    )
    application.add_handler(CallbackQueryHandler(edge.on_button))
    application.add_handler(MessageHandler(filters.ALL, edge.on_message))
    application.add_error_handler(_on_error)
    return application


def run_bot(token: str, webhook: str | None = None, port: int = 8443) -> int:
    redact = setup_logging(os.environ.get("CHARTE_LOG_LEVEL", "INFO"), secrets_to_hide=(token,))
    api_url = os.environ.get("TELEGRAM_API_URL") or DEFAULT_API
    app = build_app()
    application = build_application(app, token, api_url)
    log.info("charte-bot starting (%s)", "webhook" if webhook else "long polling")
    try:
        if webhook:
            path = secrets.token_urlsafe(16)
            application.run_webhook(listen="0.0.0.0", port=port, url_path=path,
                                    webhook_url=f"{webhook.rstrip('/')}/{path}",
                                    secret_token=secrets.token_urlsafe(24),
                                    allowed_updates=ALLOWED_UPDATES)
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:  # its message holds the token: never print it
        print(texts.say("tg.bad_token"), file=sys.stderr)
        return 2
    except NetworkError as err:  # Telegram unreachable at startup
        print(redact.redact(texts.say("tg.unreachable", error=err)), file=sys.stderr)
        return 2
    except Exception:
        log.exception("charte-bot stopped on an error")
        return 1
    finally:
        app.store.close()
    log.info("charte-bot stopped")
    return 0
