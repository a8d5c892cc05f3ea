"""Webhook mode: a small web server of our own (aiohttp) in front of the PTB application.

    POST <the path of the webhook URL>   an update from Telegram (or the proxy in front)
    GET  /healthz                        for a load balancer: database reachable, schema version

This follows PTB's "customwebhookbot" example (PTB's own webhook server cannot add a route),
with one difference: instead of putting the update in `application.update_queue` and
answering at once, the handler processes it and answers once it is handled (committed, and
its replies sent). Telegram sends a chat's updates one at a time and waits for that answer
before sending the next one of the same chat; answering after the work means that when
several processes share the load behind a proxy, a person's next update reaches whichever
process only after the previous one is done: their answers stay in order. It also means an
update Telegram saw answered was really handled (a crash before that makes Telegram send it
again; its id is recorded with the writes, so it is applied once: storage/updates.py).

Every POST must carry Telegram's `X-Telegram-Bot-Api-Secret-Token` header with the secret
given to `setWebhook`, else 403 and nothing happens. The secret is CHARTE_WEBHOOK_SECRET, or
else derived from the bot token (HMAC-SHA256 with a fixed label): every process started
with the same token gets the same secret without configuring anything, and the secret reveals
nothing of the token (whoever has the token controls the bot anyway). It is never printed.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import re
import signal
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from dialogues.core.errors import ContentError
from dialogues.core.ports import Store

log = logging.getLogger("charte_bot.webhook")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_ENV = "CHARTE_WEBHOOK_SECRET"
LISTEN_ENV = "CHARTE_WEBHOOK_LISTEN"
DEFAULT_LISTEN = "0.0.0.0"
HEALTH_PATH = "/healthz"
# Telegram gives up on an answer after about a minute and sends the update again: answer
# before that even if the work (a large PDF) is still going on.
ANSWER_WITHIN = 50.0
_SECRET_CHARS = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts


def derived_secret(token: str) -> str:
    """The default secret: the same for every process with this bot token."""
    digest = hmac.new(token.encode(), b"charte-bot webhook secret", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def webhook_secret(token: str, configured: str | None) -> str:
    if not configured:
        return derived_secret(token)
    if not _SECRET_CHARS.fullmatch(configured):
        raise ContentError("environment", SECRET_ENV,
                           "expected 1 to 256 characters among A-Z, a-z, 0-9, _ and -")
    return configured


def served_path(url: str) -> str:
    """The path Telegram POSTs to: the webhook URL's own path ("/" when it has none)."""
    return urlsplit(url).path or "/"


Handle = Callable[[Update], Awaitable[None]]


def make_web_app(application: Application, handle: Handle, store: Store, secret: str,
                 path: str) -> web.Application:
    """The web application: the webhook route and /healthz."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook POST refused: wrong or missing secret token")
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
            update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        except (ValueError, TypeError, KeyError):
            update = None
        if update is None:
            return web.Response(status=400, text="not an update")
        await handle(update)
        return web.Response(text="ok")

    async def healthz(request: web.Request) -> web.Response:
        try:
            version = await asyncio.to_thread(store.schema_version)
        except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
            log.warning("health check: the database did not answer: %s", error)
            body = {"status": "unavailable", "database": "unreachable"}
            return web.json_response(body, status=503, dumps=json.dumps)
        body = {"status": "ok", "database": "ok", "schema_version": version}
        return web.json_response(body, dumps=json.dumps)

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post(path, receive)
    app.router.add_get(HEALTH_PATH, healthz)
    return app


async def serve(application: Application, handle: Handle, store: Store, url: str,
                listen: str, port: int, secret: str, allowed_updates: list[str]) -> None:
    """Run the bot in webhook mode until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        # Every process sets the same URL and secret: harmless when several do.
        await application.bot.set_webhook(url=url, secret_token=secret,
                                          allowed_updates=allowed_updates)
        await application.start()
        runner = web.AppRunner(make_web_app(application, handle, store, secret,
                                            served_path(url)),
                               access_log=None, shutdown_timeout=ANSWER_WITHIN)
        await runner.setup()
        try:
            await web.TCPSite(runner, listen, port).start()
            log.info("webhook: listening on %s:%d, %s and %s", listen, port, served_path(url),
                     HEALTH_PATH)
            await stop.wait()
            log.info("stopping: no new updates; finishing those in hand")
        finally:
            await runner.cleanup()  # waits for the requests being handled
            if application.running:
                await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
