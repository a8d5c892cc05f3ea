"""Cut long HTML messages into Telegram-sized pieces (4,096 characters each).

Telegram counts the characters of a message after its HTML is parsed: tags count for nothing,
an entity such as ``&amp;`` for the character it stands for. Lengths here are counted in
UTF-16 code units (an emoji counts 2), which is never less than what Telegram counts.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

LIMIT = 4096
CAPTION_LIMIT = 1024

_TOKEN = re.compile(r"<[^>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);|.", re.DOTALL)
_TAG_NAME = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9-]*)")
_TAGS = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class _Token:
    raw: str
    width: int = 0  # visible width in UTF-16 code units; 0 for a tag
    tag: str = ""  # the tag's name, lower case; "" for text
    closing: bool = False


def _width(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _tokens(text_html: str) -> list[_Token]:
    out = []
    for match in _TOKEN.finditer(text_html):
        raw = match.group()
        if raw.startswith("<") and len(raw) > 1:
            name = _TAG_NAME.match(raw)
            if name:
                closing = raw[1:].lstrip().startswith("/")
                out.append(_Token(raw, 0, name.group(1).lower(), closing))
                continue
        shown = html.unescape(raw) if raw.startswith("&") else raw
        out.append(_Token(raw, _width(shown)))
    return out


def visible_length(text_html: str) -> int:
    """Characters Telegram counts (UTF-16 code units): tags removed, each entity one character."""
    return sum(t.width for t in _tokens(text_html))


def plain_text(text_html: str) -> str:
    """The text a reader sees: tags removed, entities decoded (a fallback without HTML)."""
    return "".join(html.unescape(t.raw) for t in _tokens(text_html) if not t.tag)


def split_html(text_html: str, limit: int = LIMIT) -> list[str]:
    """Pieces of at most `limit` visible characters, none of them blank.

    Cuts go between lines where possible, else between words, else between characters; never
    inside a tag or an entity. Tags open at a cut are closed at the end of the piece and opened
    again (with their attributes) at the start of the next, so every piece is valid HTML.
    The line break or space at a cut, and blanks at either end of a piece, are dropped. A text
    with nothing visible gives no piece.
    """
    if _width(text_html) <= limit:  # a tag counts nothing, an entity one: it fits as it is
        return [text_html] if html.unescape(_TAGS.sub("", text_html)).strip() else []
    tokens = _tokens(text_html)
    if sum(t.width for t in tokens) <= limit:
        return [text_html] if _visible(tokens) else []
    pieces: list[str] = []
    prefix: list[_Token] = []  # the tags reopened at the start of the current piece
    start = 0
    while start < len(tokens):
        end, skip, stack = _cut(tokens, start, limit, prefix)
        body = _trim(prefix + tokens[start:end])
        if _visible(body):
            closing = "".join(f"</{t.tag}>" for t in reversed(stack))
            pieces.append("".join(t.raw for t in body) + closing)
        prefix = list(stack)
        start = end + skip
    return pieces


def _trim(tokens: list[_Token]) -> list[_Token]:
    """Drop the blanks at both ends of a piece (the tags stay)."""
    solid = [i for i, t in enumerate(tokens) if not t.tag and not t.raw.isspace()]
    if not solid:
        return tokens
    first, last = solid[0], solid[-1]
    return [t for i, t in enumerate(tokens)
            if t.tag or first <= i <= last or not t.raw.isspace()]


def _visible(tokens: list[_Token]) -> bool:
    return any(t.width and not t.raw.isspace() for t in tokens if not t.tag)


def _cut(tokens: list[_Token], start: int, limit: int, prefix: list[_Token]
         ) -> tuple[int, int, list[_Token]]:
    """Where the piece starting at `start` ends: (end index, tokens to skip, tags open there)."""
    stack = list(prefix)
    width = 0
    newline: tuple[int, list[_Token]] | None = None
    space: tuple[int, list[_Token]] | None = None
    i = start
    while i < len(tokens):
        token = tokens[i]
        if token.tag:
            _track(stack, token)
            i += 1
            continue
        if width + token.width > limit:
            break
        if token.raw == "\n":
            newline = (i, list(stack))
        elif token.raw.isspace():
            space = (i, list(stack))
        width += token.width
        i += 1
    else:
        return len(tokens), 0, stack
    # A line break in the second half of the piece, else a space there, else a hard cut.
    half = limit // 2
    for found in (newline, space):
        if found is not None and _width_between(tokens, start, found[0]) >= half:
            return found[0], 1, found[1]
    end = i
    # Tags opened just before the cut belong to the next piece (no empty <b></b> at the end).
    while end > start and tokens[end - 1].tag and not tokens[end - 1].closing:
        end -= 1
    if not _visible_width(tokens, start, end):  # one character wider than the limit
        return i + 1, 0, _stack_after(tokens, start, i + 1, prefix)
    return end, 0, _stack_after(tokens, start, end, prefix)


def _visible_width(tokens: list[_Token], start: int, end: int) -> int:
    return sum(t.width for t in tokens[start:end])


def _stack_after(tokens: list[_Token], start: int, end: int, prefix: list[_Token]
                 ) -> list[_Token]:
    stack = list(prefix)
    for token in tokens[start:end]:
        if token.tag:
            _track(stack, token)
    return stack


def _width_between(tokens: list[_Token], start: int, end: int) -> int:
    return sum(t.width for t in tokens[start:end])


def _track(stack: list[_Token], tag: _Token) -> None:
    if not tag.closing:
        stack.append(tag)
        return
    for j in range(len(stack) - 1, -1, -1):
        if stack[j].tag == tag.tag:
            del stack[j]
            return
