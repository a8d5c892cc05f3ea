"""The Telegram edge: update -> event -> service -> rendered messages. No business rules here."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import sys
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    InvalidToken,
    NetworkError,
    TelegramError,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    JobQueue,
    MessageHandler,
    filters,
)

from bot import texts
from bot.compose import App, build_app, default_instance
from bot.dispatcher import ReminderDispatcher
from bot.lanes import Lanes
from bot.logs import setup_logging
from bot.notifier import SENT, Sender, markup, merge, post
from bot.rendering import Renderer
from bot.split import split_html
from bot.throttle import SendBudget
from bot.webhook import (
    ANSWER_WITHIN,
    DEFAULT_LISTEN,
    LISTEN_ENV,
    SECRET_ENV,
    serve,
    webhook_secret,
)
from dialogues.app.engine import MENU
from dialogues.app.service import PersonRef
from dialogues.core.events import Command, Event, GroupCommand, GroupText, Other, Press, Text
from dialogues.core.outgoing import Outgoing

log = logging.getLogger("charte_bot.telegram")

DEFAULT_API = "https://api.telegram.org"
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
DEFAULT_SEND_RATE = 28.0  # new messages a second, everything included (Telegram: about 30)
WAKE_JOB = "reminders-wake"


class TelegramEdge:
    """Holds the app; each handler is a few lines: make an event, call the service, render.

    Handlers only queue the work in the person's lane (bot.lanes): one person's updates stay in
    order, other people are served at the same time.
    """

    def __init__(self, app: App, sender: Sender | None = None,
                 renderer: Renderer | None = None) -> None:
        self.app = app
        self.sender = sender or Sender()
        self.renderer = renderer
        self.lanes = Lanes()
        self.invite_link: str | None = None
        self.dispatcher: ReminderDispatcher | None = None
        self.jobs: JobQueue | None = None
        self.first_look: asyncio.Task[None] | None = None  # the reminders job's run at startup
        # Webhook mode: the lane task of each update being handled, so that the answer to
        # Telegram's POST waits for it (bot.webhook).
        self.by_update: dict[int, asyncio.Task[None]] | None = None

    def _submit(self, update: Update, key: int,
                work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        task = self.lanes.submit(key, work)
        if self.by_update is not None:
            self.by_update[update.update_id] = task

    async def process(self, application: Application, update: Update) -> None:
        """Webhook mode: handle one update; return once it is handled and answered."""
        if self.by_update is None:
            self.by_update = {}
        await application.process_update(update)
        task = self.by_update.pop(update.update_id, None)
        if task is not None:
            await asyncio.wait({task}, timeout=ANSWER_WITHIN)

    # --- jobs -------------------------------------------------------------------------------

    async def reminders_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.look_for_reminders()

    async def look_for_reminders(self) -> None:
        if self.dispatcher is not None:
            await self.dispatcher.run_due()
            await self.dispatcher.run_notifications()

    async def first_look_for_reminders(self) -> None:
        """The reminders job's run at startup (a task of its own, so its errors are logged)."""
        try:
            await self.look_for_reminders()
        except Exception:
            log.exception("the first look for due reminders failed; the job looks again later")

    async def retention_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self.dispatcher is not None:
            await self.dispatcher.run_retention()

    def wake_reminders(self, at: datetime | None) -> None:
        """A write planned a reminder due at `at`: look for due reminders then, not later.

        One named timer: a later wake-up request leaves an earlier one in place.
        """
        if at is None or self.jobs is None:
            return
        when = max(at, datetime.now(UTC))
        for job in self.jobs.get_jobs_by_name(WAKE_JOB):
            if job.next_t is not None and job.next_t <= when:
                return
            job.schedule_removal()
        self.jobs.run_once(self.reminders_job, when, name=WAKE_JOB)

    # --- handlers ---------------------------------------------------------------------------

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        user = update.effective_user
        if message is None or user is None:
            return
        if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
            self._submit(update, user.id, lambda: self._in_group(update, context))
            return
        if update.edited_message is not None:
            event: Event = Other("edit")
        elif message.text and message.text.startswith("/"):
            event = _command(message.text)
        elif message.text is not None:
            event = Text(message.text)
        else:
            event = Other(_kind(message))
        self._submit(update, user.id, lambda: self._run(update, context, event))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is None or update.effective_user is None:
            return
        self._submit(update, update.effective_user.id, lambda: self._pressed(update, context))

    async def _pressed(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await _answer(query)  # always, first: the phone shows a spinner until then
        if query.message is None:
            return
        await self._run(update, context, Press(query.data or "", query.message.chat.id,
                                               query.message.message_id))

    async def _in_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In a group the bot answers commands addressed to it (/lier and /synthese there, the
        others point to a private chat) and replies to its own messages; everything else gets
        silence."""
        message = update.effective_message
        text = message.text if message else None
        if not text or update.edited_message is not None:
            return
        replied = message.reply_to_message if message else None
        if not text.startswith("/"):
            if replied is not None and replied.from_user is not None \
                    and replied.from_user.id == context.bot.id:
                event = GroupText(replied.chat.id, text, replied.message_id)
                await self._run(update, context, event)
            return
        head, _, arg = text.strip().partition(" ")
        name, _, target = head[1:].partition("@")
        name = name.lower()
        groups = self.app.engine.group_command_names
        if name not in MENU and name != "start" and name not in groups:
            return
        if target and target.lower() != (context.bot.username or "").lower():
            return
        chat = update.effective_chat
        user = update.effective_user
        assert chat is not None and user is not None
        if name not in groups:
            await self._send(context.bot, chat.id, Outgoing(texts.say("tg.group_only")))
            return
        ref = PersonRef("telegram", str(user.id), user.full_name)
        handled = await asyncio.to_thread(self.app.service.handle, ref,
                                          GroupCommand(chat.id, name, arg.strip()), None,
                                          update.update_id)
        _log_skipped(update, handled.skipped)
        for out in merge(handled.outgoing):
            if not await self._send(context.bot, chat.id, await self._ready(out)):
                return

    async def _run(self, update: Update, context: ContextTypes.DEFAULT_TYPE, event: Event
                   ) -> None:
        user = update.effective_user
        chat = update.effective_chat
        assert user is not None and chat is not None
        ref = PersonRef("telegram", str(user.id), user.full_name)
        handled = await asyncio.to_thread(self.app.service.handle, ref, event, self.invite_link,
                                          update.update_id)
        _log_skipped(update, handled.skipped)
        self.wake_reminders(handled.wake_at)
        pressed = update.callback_query.message if update.callback_query else None
        for message in merge(handled.outgoing):
            if message.edit_message is not None and await self._edit(
                    context.bot, chat.id, message.edit_message, message):
                continue
            if (message.edit and isinstance(pressed, Message)
                    and await self._edit(context.bot, chat.id, pressed.message_id, message)):
                pressed = None  # only one message replaces the pressed one
                continue
            if not await self._send(context.bot, chat.id, await self._ready(message)):
                return  # blocked, or given up: the rest would fail the same way

    # --- rendering --------------------------------------------------------------------------

    async def _ready(self, message: Outgoing) -> Outgoing:
        """A chart or a PDF is made now, after the commit, in the worker process."""
        if self.renderer is None:
            attachment = message.attachment
            if attachment is not None and attachment.later is not None:
                return replace(message, attachment=await asyncio.to_thread(attachment.rendered))
            return message
        return await self.renderer.ready(message)

    async def _edit(self, bot: Bot, chat_id: int, message_id: int, message: Outgoing) -> bool:
        """Replace an earlier message; False when it has to be sent as a new one instead."""
        if message.attachment is not None or len(split_html(message.text)) != 1:
            return False
        try:
            await post(bot, "editMessageText", chat_id=chat_id, message_id=message_id,
                       text=message.text, parse_mode=ParseMode.HTML, reply_markup=markup(message))
        except BadRequest as err:
            if "not modified" in str(err).lower():
                return True
            log.info("edit failed, sending instead: %s", err)
            return False
        except TelegramError as err:  # network, 403, 429
            log.info("edit failed, sending instead: %s", err)
            return False
        return True

    async def _send(self, bot: Bot, chat_id: int, message: Outgoing) -> bool:
        return await self.sender.send(bot, chat_id, message) == SENT


def _log_skipped(update: Update, skipped: str | None) -> None:
    if skipped == "seen":
        log.info("update %d was already handled: ignored", update.update_id)
    elif skipped == "late":
        log.warning("update %d arrived after a later update of the same person: not applied",
                    update.update_id)


def _command(text: str) -> Command:
    head, _, arg = text.strip().partition(" ")
    name = head[1:].split("@", 1)[0].lower()
    return Command(name, arg.strip())


async def _answer(query: CallbackQuery) -> None:
    try:
        await query.answer()
    except TelegramError as err:
        log.info("callback answer failed: %s", err)


def _kind(message: Message) -> str:
    for kind in ("sticker", "photo", "voice", "video", "document", "audio", "animation",
                 "location", "contact", "poll", "video_note"):
        if getattr(message, kind, None):
            return kind
    return "other"


def menu_commands() -> list[BotCommand]:
    """The commands of Telegram's menu: those the engine knows and that have a description."""
    listed = []
    for name in MENU:
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


def send_rate_from_env() -> float:
    """New messages per second, everything included (CHARTE_SEND_RATE; Telegram: about 30)."""
    text = os.environ.get("CHARTE_SEND_RATE") or str(DEFAULT_SEND_RATE)
    try:
        rate = float(text)
    except ValueError:
        rate = 0
    return rate if 0 < rate <= 30 else DEFAULT_SEND_RATE


def chat_interval_from_env() -> float:
    """Seconds between two new messages in one private chat (CHARTE_CHAT_INTERVAL; Telegram
    allows one a second: lower it only against a test server)."""
    text = os.environ.get("CHARTE_CHAT_INTERVAL") or "1"
    try:
        return max(0.0, float(text))
    except ValueError:
        return 1.0


def poll_seconds_from_env() -> float:
    """How often the database is asked for due reminders (CHARTE_REMINDER_POLL_SECONDS)."""
    text = os.environ.get("CHARTE_REMINDER_POLL_SECONDS") or "30"
    try:
        return max(0.2, float(text))
    except ValueError:
        return 30.0


def build_application(app: App, token: str, api_url: str,
                      edge: TelegramEdge | None = None) -> Application:
    renderer = Renderer()
    edge = edge or TelegramEdge(app)
    edge.renderer = renderer
    root = api_url.rstrip("/")

    async def post_init(application: Application) -> None:
        edge.invite_link = f"https://t.me/{application.bot.username}?start="
        try:
            await application.bot.set_my_commands(menu_commands())
        except TelegramError as err:
            log.warning("setMyCommands failed: %s", err)
        renderer.warm()
        # Reminders this process was sending when it stopped go again now (with a word).
        resumed = await asyncio.to_thread(app.reminders.resume)
        if resumed:
            log.info("%d reminders were being sent when the bot stopped: sending them again",
                     resumed)
        edge.dispatcher = ReminderDispatcher(app.reminders, app.retention, application.bot,
                                             Sender(bulk=True),
                                             notifications=app.notifications)
        jobs = application.job_queue
        assert jobs is not None
        edge.jobs = jobs
        # One repeating job, named and carrying nothing: each run asks the database; a write
        # that plans a reminder sooner wakes it (WAKE_JOB). It also looks once at startup,
        # beside the first updates: what fell due while the bot was stopped goes out now, not
        # one interval later. (A repeating job's `first=0` would not fire: the scheduler starts
        # after post_init, and an interval whose start has passed waits for the next one.)
        jobs.run_repeating(edge.reminders_job, name="reminders",
                           interval=poll_seconds_from_env())
        edge.first_look = asyncio.create_task(edge.first_look_for_reminders())
        jobs.run_repeating(edge.retention_job, name="retention", first=60, interval=6 * 3600)

    async def post_stop(application: Application) -> None:
        if edge.first_look is not None and not edge.first_look.done():
            edge.first_look.cancel()  # what it claimed and did not send goes after the restart
            with contextlib.suppress(asyncio.CancelledError):
                await edge.first_look
        await edge.lanes.drain()  # what was received is answered before stopping
        renderer.close()

    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .rate_limiter(SendBudget(send_rate_from_env(), chat_interval_from_env()))
        .concurrent_updates(False)  # handlers only queue work in per-person lanes (bot.lanes)
        .post_init(post_init)
        .post_stop(post_stop)
        .build()
    )
    application.add_handler(CallbackQueryHandler(edge.on_button))
    application.add_handler(MessageHandler(filters.ALL, edge.on_message))
    application.add_error_handler(_on_error)
    return application


def run_bot(token: str, webhook: str | None = None, port: int = 8443) -> int:
    hidden = [token]  # replaced by a mask in every log record
    secret = None
    if webhook:
        secret = webhook_secret(token, os.environ.get(SECRET_ENV))
        hidden.append(secret)
    redact = setup_logging(os.environ.get("CHARTE_LOG_LEVEL", "INFO"),
                           secrets_to_hide=tuple(hidden))
    api_url = os.environ.get("TELEGRAM_API_URL") or DEFAULT_API
    app = build_app(instance=default_instance(port if webhook else None))
    edge = TelegramEdge(app)
    application = build_application(app, token, api_url, edge)
    log.info("charte-bot starting (%s)", "webhook" if webhook else "long polling")
    # Everything loaded so far (content, libraries) lives as long as the process: the garbage
    # collector need not walk it again at every full collection.
    gc.collect()
    gc.freeze()
    try:
        if webhook:
            assert secret is not None
            listen = os.environ.get(LISTEN_ENV) or DEFAULT_LISTEN
            asyncio.run(serve(application, lambda update: edge.process(application, update),
                              app.store, webhook, listen, port, secret, ALLOWED_UPDATES))
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:  # its message holds the token: never print it
        print(texts.say("tg.credentials_refused"), file=sys.stderr)
        return 2
    except NetworkError as err:  # Telegram unreachable at startup
        print(redact.redact(texts.say("tg.unreachable", error=err)), file=sys.stderr)
        return 2
    except OSError as err:  # the webhook port is taken, or cannot be listened on
        print(redact.redact(texts.say("tg.cannot_listen", port=port, error=err)),
              file=sys.stderr)
        return 2
    except Exception:
        log.exception("charte-bot stopped on an error")
        return 1
    finally:
        app.store.close()
    log.info("charte-bot stopped")
    return 0
