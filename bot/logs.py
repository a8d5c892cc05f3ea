"""Logging setup; secrets (the bot token) are replaced in every record before it is written."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterable

MASK = "<token>"


def secret_parts(token: str) -> list[str]:
    """What must never be printed: the token, and its secret half (after the bot id)."""
    parts = [token]
    _, _, secret = token.partition(":")
    if len(secret) >= 8:
        parts.append(secret)
    return [p for p in parts if p]


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        found: list[str] = []
        for secret in secrets:
            found.extend(secret_parts(secret) if secret else [])
        self.secrets = sorted(set(found), key=len, reverse=True)  # the whole token first

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a badly formatted record is still written, redacted
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def setup_logging(level: str, secrets_to_hide: Iterable[str] = ()) -> RedactSecrets:
    """One handler on standard error, redacting; uncaught errors go through it too.

    Returns the redacting filter, for text printed without logging.
    """
    redact = RedactSecrets(secrets_to_hide)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redact)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    wanted = logging.getLevelName(level.upper()) if isinstance(level, str) else None
    root.setLevel(wanted if isinstance(wanted, int) else logging.INFO)
    # httpx logs every request URL, and the URL contains the token: keep it quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # Charts and PDF reports: their libraries log every font and glyph at INFO and DEBUG.
    # The reminder job runs every few seconds: APScheduler would log two lines each time.
    for chatty in ("fontTools", "matplotlib", "PIL", "fpdf", "apscheduler"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    crash = logging.getLogger("charte_bot.crash")

    def on_uncaught(kind: type[BaseException], error: BaseException, tb: object) -> None:
        if issubclass(kind, KeyboardInterrupt):
            return
        crash.critical("uncaught error", exc_info=(kind, error, tb))  # type: ignore[arg-type]

    def on_thread_error(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            crash.critical("uncaught error in thread %s", args.thread.name if args.thread else "?",
                           exc_info=(args.exc_type, args.exc_value, args.exc_traceback))

    sys.excepthook = on_uncaught
    threading.excepthook = on_thread_error
    return redact
