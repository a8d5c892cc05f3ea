"""Telegram's HTML subset as the engine writes it: escaping, cutting, and back to plain text."""

from __future__ import annotations

import html
import re


class Html(str):
    """A fragment that is already safe HTML; `Script.say` inserts it as is."""


_TAG = re.compile(r"<[^>]+>")


def plain_text(text_html: str) -> str:
    """A message without its HTML: tags removed, entities decoded."""
    return html.unescape(_TAG.sub("", text_html))


def esc(text: str) -> str:
    """User-provided or content text made safe for Telegram's HTML."""
    return html.escape(text, quote=False)


def cut(text: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis showing what was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
