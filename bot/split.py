"""Cut long HTML messages into Telegram-sized pieces (4,096 characters each)."""

from __future__ import annotations

import re

LIMIT = 4096
_ENTITY_OR_TAG = re.compile(r"&[#a-zA-Z0-9]+;|<[^>]*>")


def _one(match: re.Match[str]) -> str:
    return "" if match.group().startswith("<") else "x"


def visible_length(text_html: str) -> int:
    """Characters Telegram counts: tags removed, each entity one character."""
    return len(_ENTITY_OR_TAG.sub(_one, text_html))


def split_html(text_html: str, limit: int = LIMIT) -> list[str]:
    """Pieces of at most `limit` visible characters, cut between lines where possible.

    A single line longer than the limit is cut between characters, never inside a tag or an
    entity; tags open at a cut are closed and reopened so that every piece is valid HTML.
    """
    if visible_length(text_html) <= limit:
        return [text_html]
    pieces: list[str] = []
    current = ""
    for line in text_html.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if visible_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = ""
        while visible_length(line) > limit:
            head, line = _cut_line(line, limit)
            pieces.append(head)
        current = line
    if current:
        pieces.append(current)
    return pieces


def _cut_line(line: str, limit: int) -> tuple[str, str]:
    """Cut one line after `limit` visible characters, keeping tags balanced on both sides."""
    open_tags: list[str] = []
    count = 0
    i = 0
    while i < len(line) and count < limit:
        match = _ENTITY_OR_TAG.match(line, i)
        if match and match.group().startswith("<"):
            tag = match.group()
            name = re.match(r"</?\s*([a-zA-Z-]+)", tag)
            if name:
                if tag.startswith("</"):
                    if open_tags:
                        open_tags.pop()
                else:
                    open_tags.append(tag)
            i = match.end()
            continue
        i = match.end() if match else i + 1
        count += 1
    closing = "".join(f"</{_name(t)}>" for t in reversed(open_tags))
    return line[:i] + closing, "".join(open_tags) + line[i:]


def _name(tag: str) -> str:
    match = re.match(r"<\s*([a-zA-Z-]+)", tag)
    return match.group(1) if match else ""
