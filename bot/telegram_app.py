"""The Telegram edge: update -> event -> service -> rendered messages. No business rules here."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import texts
from bot.compose import App, build_app
from bot.logs import setup_logging
from bot.split import split_html
from dialogues.engine import COMMANDS
from dialogues.messages import Command, Other, Outgoing, Press, Text
from dialogues.service import PersonRef

log = logging.getLogger("charte_bot.telegram")

DEFAULT_API = "https://api.telegram.org"
SEND_ATTEMPTS = 3


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
            await query.answer()
        except (BadRequest, NetworkError) as err:
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
        await self._send(context, chat.id, Outgoing(texts.say("tg.group_only")))

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
                    and await self._edit(context, pressed, message)):
                pressed = None  # only one message replaces the pressed one
                continue
            await self._send(context, chat.id, message)

    # --- rendering --------------------------------------------------------------------------

    async def _edit(self, context: ContextTypes.DEFAULT_TYPE, pressed: Message,
                    message: Outgoing) -> bool:
        pieces = split_html(message.text)
        if len(pieces) > 1:
            return False
        try:
            await context.bot.edit_message_text(
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
        except (NetworkError, Forbidden) as err:
            log.info("edit failed: %s", err)
            return False
        return True

    async def _send(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, message: Outgoing
                    ) -> None:
        pieces = split_html(message.text)
        for i, piece in enumerate(pieces):
            markup = _markup(message) if i == len(pieces) - 1 else None
            await self._send_piece(context, chat_id, piece, markup)

    async def _send_piece(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str,
                          markup: InlineKeyboardMarkup | None) -> None:
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                await context.bot.send_message(chat_id=chat_id, text=text,
                                               parse_mode=ParseMode.HTML, reply_markup=markup)
                return
            except Forbidden:
                log.warning("chat %s blocked the bot; message not delivered", chat_id)
                return
            except RetryAfter as err:
                delay = float(err.retry_after if isinstance(err.retry_after, int | float)
                              else err.retry_after.total_seconds())
                log.warning("429 for chat %s: waiting %.1f s", chat_id, delay)
                await asyncio.sleep(delay)
            except (TimedOut, NetworkError) as err:
                if attempt == SEND_ATTEMPTS:
                    log.error("giving up sending to chat %s: %s", chat_id, err)
                    return
                log.warning("send to chat %s failed (%s), retrying", chat_id, err)
                await asyncio.sleep(0.5 * attempt)


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


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("error while handling an update: %s", context.error, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, texts.say("tg.error"))
        except Exception as err:  # noqa: BLE001 - the error handler must never raise
            log.error("could not tell the user about the error: %s", err)


def build_application(app: App, token: str, api_url: str) -> Application:
    edge = TelegramEdge(app)
    root = api_url.rstrip("/")

    async def post_init(application: Application) -> None:
        me = await application.bot.get_me()
        edge.invite_link = f"https://t.me/{me.username}?start="
        commands = [BotCommand(name, texts.say(f"tg.command.{name}"))
                    for name in COMMANDS if name != "start"]
        try:
            await application.bot.set_my_commands(commands)
        except (BadRequest, NetworkError) as err:
            log.warning("setMyCommands failed: %s", err)

    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(post_init)
        .build()
    )
    application.add_handler(CallbackQueryHandler(edge.on_button))
    application.add_handler(MessageHandler(filters.ALL, edge.on_message))
    application.add_error_handler(_on_error)
    return application


def run_bot(token: str, webhook: str | None = None, port: int = 8443) -> int:
    setup_logging(os.environ.get("CHARTE_LOG_LEVEL", "INFO"), secrets_to_hide=(token,))
    api_url = os.environ.get("TELEGRAM_API_URL") or DEFAULT_API
    app = build_app()
    application = build_application(app, token, api_url)
    allowed = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
    log.info("charte-bot starting (%s)", "webhook" if webhook else "long polling")
    try:
        if webhook:
            path = secrets.token_urlsafe(16)
            application.run_webhook(listen="0.0.0.0", port=port, url_path=path,
                                    webhook_url=f"{webhook.rstrip('/')}/{path}",
                                    secret_token=secrets.token_urlsafe(24),
                                    allowed_updates=allowed)
        else:
            application.run_polling(allowed_updates=allowed)
    finally:
        app.store.close()
    log.info("charte-bot stopped")
    return 0
