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


# --- French typography: checked on every text when the content is loaded -------------------

_NO_BREAK = "\u00a0\u202f"  # no-break space, narrow no-break space
_TAG = re.compile(r"<[^>]+>")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_PUNCTUATION = re.compile(r"[;:?!»]")
_SENTENCE_END = re.compile(r"[.·•()?!;]")  # what separates two « label : value » in a line


def typography_problems(text: str) -> list[str]:
    """What breaks French typography in a text of the script: a plain (or no) space before
    « : ; ? ! » or inside « », where a no-break space belongs; two « : » in one sentence.

    Tags and {placeholders} are left out; a time (14:30), a URL (https://) and a lone
    symbol (« ? » as a whole text) are not punctuation.
    """
    problems = []
    for line in _PLACEHOLDER.sub("X", _TAG.sub("", text)).split("\n"):
        last_colon: int | None = None
        for found in _PUNCTUATION.finditer(line):
            i, mark = found.start(), found.group()
            before, after = line[i - 1] if i else "", line[i + 1:i + 3]
            time_or_url = after.startswith("//") or (before.isdigit() and after[:1].isdigit())
            if mark == ":" and time_or_url:
                continue
            if mark == ":":
                if last_colon is not None and not _SENTENCE_END.search(line[last_colon:i]):
                    problems.append(f"two « : » in one sentence: « {line[:70]} »")
                last_colon = i
            if i == 0 or before in _NO_BREAK:
                continue
            shown = line[max(0, i - 12):i + 1]
            problems.append(f"a no-break space belongs before « {mark} » in « {shown} »")
        for found in re.finditer("«", line):
            if line[found.end():found.end() + 1] not in tuple(_NO_BREAK):
                problems.append(f"a no-break space belongs after « in "
                                f"« {line[found.start():found.start() + 12]} »")
    return problems
