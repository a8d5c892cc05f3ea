"""A small fake Telegram Bot API server speaking real HTTP, for end-to-end tests and benchmarks.

In-process (pytest)::

    async with FakeBotApi() as server:
        bot = telegram.Bot(server.token, base_url=server.base_url,
                           base_file_url=server.base_file_url)
        alice = server.user(1001, "Alice", "alice")
        server.send_text(alice, "bonjour")
        reply = await server.wait_for_message(alice, contains="bonjour")

As a separate process (the first stdout line is ``FAKE_BOT_API_URL=http://127.0.0.1:PORT``)::

    python -m tests.e2e.fake_bot_api --port 0

and driven through the HTTP control API under ``/_test/`` (see :class:`FakeBotApiClient`).

PTB posts every call to ``<url>/bot<token>/<method>``: parameters are form fields
(``application/x-www-form-urlencoded``, or ``multipart/form-data`` when a file is uploaded)
where strings are sent raw and every other value is JSON-encoded (ints, bools, reply_markup...).
JSON bodies and query strings are accepted too, as Telegram does.

Known differences from Telegram: a bare ``&`` that does not start an entity is rejected in
HTML (Telegram keeps it as text; set ``strict_ampersand=False`` to match it), Markdown parse
modes are not parsed (the raw text is kept), lengths are counted in code points, and only the
methods listed in :meth:`FakeBotApi._build_dispatch` exist.

Flood limits (``enforce_limits=True``), as Telegram's bot FAQ states them: about 30 messages a
second overall, one message a second in a private chat with short bursts allowed (a token
bucket: ``private_burst`` messages at once, default 3, refilled at one a second), 20 messages a
minute in a group. Over a limit the call is answered 429 with ``parameters.retry_after`` (whole
seconds) and is not recorded as sent. What counts is explicit: :data:`MESSAGE_METHODS` (the
calls that create a message: ``send*``, ``copy*``, ``forward*``) always; :data:`EDIT_METHODS`
only with ``count_edits=True``, because Telegram publishes no limit for edits (off by default,
so that an edit is free, as the FAQ's figures suggest; turn it on for the pessimistic view, where
an edit costs like a message); never anything else (``answerCallbackQuery``,
``sendChatAction``, ``getUpdates``, settings). Every call is kept in :attr:`FakeBotApi.call_log`
(method, chat, time, status, retry_after), so a benchmark can count calls per user step and 429
answers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import math
import mimetypes
import re
import signal
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple, Self

from aiohttp import ClientSession, ClientTimeout, web

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "ApiErrorRecord",
    "ApiRequest",
    "CallRecord",
    "ControlError",
    "FakeBotApi",
    "FakeBotApiClient",
    "FakeGroup",
    "FakeUser",
    "EDIT_METHODS",
    "HtmlParseError",
    "MESSAGE_METHODS",
    "RateLimiter",
    "SentMessage",
    "UploadedFile",
    "main",
    "parse_html",
]

JsonDict = dict[str, Any]

_LOGGER = logging.getLogger(__name__)

DEFAULT_TOKEN: Final = "123456789:AAFakeTokenForTestsOnly-charte-bot"

MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64
MAX_UPLOAD_BYTES: Final = 50 * 1024 * 1024

NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD: Final = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)

# Update types Telegram delivers when allowed_updates is unset or empty.
_DEFAULT_ALLOWED_UPDATES: Final = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# Methods that create a message: the ones Telegram's flood limits are stated for. Only some are
# implemented by the fake (see _build_dispatch); the others are listed so that the rule is
# written down in one place, and any method added later is counted without another edit.
MESSAGE_METHODS: Final = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVoice",
        "sendVideoNote",
        "sendSticker",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "sendInvoice",
        "sendGame",
        "sendPaidMedia",
        "sendMediaGroup",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
    }
)
# Methods that change a message already sent. Telegram publishes no flood limit for them: they
# count like a message only when the fake is built with count_edits=True.
EDIT_METHODS: Final = frozenset(
    {
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "editMessageMedia",
        "editMessageLiveLocation",
    }
)
# Kept for existing callers: the methods counted whatever count_edits says.
RATE_LIMITED_METHODS: Final = MESSAGE_METHODS

# Form fields that are always strings (PTB sends strings raw, everything else JSON-encoded).
_STRING_PARAMS: Final = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "action",
        "language_code",
        "photo",
        "document",
        "file_id",
        "secret_token",
        "ip_address",
        "description",
        "short_description",
        "name",
        "emoji",
        "title",
        "business_connection_id",
        "message_effect_id",
    }
)
# Form fields holding a JSON object or array.
_JSON_PARAMS: Final = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "menu_button",
        "link_preview_options",
        "reply_parameters",
        "media",
        "rights",
    }
)

_INLINE_BUTTON_ACTIONS: Final = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


# --------------------------------------------------------------------------------------------
# Errors and small value types
# --------------------------------------------------------------------------------------------


class ApiError(Exception):
    """A Bot API error answered as ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, status: int, description: str, parameters: JsonDict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JsonDict:
        """Return the JSON body Telegram would send."""
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


class ApiRequest(NamedTuple):
    """One Bot API call received by the fake: canonical method name and decoded parameters."""

    method: str
    params: JsonDict


class ApiErrorRecord(NamedTuple):
    """One error answered by the fake."""

    method: str
    params: JsonDict
    status: int
    description: str


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One Bot API call as the fake saw it, for counting calls per step and 429 answers.

    ``at`` is when the request arrived and ``done`` when it was answered, both on the fake's
    ``clock``; ``chat_id`` is the chat the call acts on (for ``answerCallbackQuery``, the chat of
    the pressed message), None for calls without a chat (``getUpdates``, settings);
    ``message_id`` is the message it created or edited; ``counted`` tells whether it counted
    against the flood limits (limits enforced and a counted method, accepted or refused 429).
    """

    method: str
    chat_id: int | None
    at: float
    done: float
    status: int
    retry_after: int | None = None
    message_id: int | None = None
    counted: bool = False

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class FakeUser:
    """A Telegram user talking to the bot; their private chat has ``id == user.id``."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = "fr"
    is_bot: bool = False

    @property
    def chat_id(self) -> int:
        return self.id

    def to_dict(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat_dict(self) -> JsonDict:
        """Return the private Chat object for this user."""
        data: JsonDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class FakeGroup:
    """A group or supergroup chat the bot is a member of."""

    chat_id: int
    title: str
    type: str = "supergroup"
    username: str | None = None

    @property
    def id(self) -> int:
        return self.chat_id

    def chat_dict(self) -> JsonDict:
        data: JsonDict = {"id": self.chat_id, "type": self.type, "title": self.title}
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class UploadedFile:
    """A file known to the fake: uploaded by the bot or sent by a simulated user."""

    file_id: str
    file_unique_id: str
    kind: str
    filename: str | None
    mime_type: str | None
    size: int
    data: bytes = field(repr=False)
    file_path: str = ""

    def summary(self) -> JsonDict:
        """Return a JSON-friendly description without the bytes."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "kind": self.kind,
            "filename": self.filename,
            "mime_type": self.mime_type,
            "size": self.size,
        }


@dataclass
class SentMessage:
    """The current state of one message sent by the bot."""

    chat_id: int
    message_id: int
    method: str
    date: int
    text: str | None = None
    caption: str | None = None
    raw_text: str | None = None
    parse_mode: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    reply_markup: JsonDict | None = None
    photo: UploadedFile | None = None
    document: UploadedFile | None = None
    reply_to_message_id: int | None = None
    edits: int = 0
    edit_date: int | None = None
    deleted: bool = False
    history: list[str] = field(default_factory=list)
    payload: JsonDict = field(default_factory=dict, repr=False)
    sent_at: float | None = None  # the fake's clock when it was sent, then last edited
    edited_at: float | None = None

    @property
    def shown_at(self) -> float | None:
        """When its current state appeared (the last edit, else the send), on the fake's clock."""
        return self.edited_at if self.edited_at is not None else self.sent_at

    @property
    def content(self) -> str:
        """Return the visible text or caption ("" when there is none)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """Return all keyboard buttons flattened as (text, callback_data)."""
        return [button for row in self.button_rows for button in row]

    @property
    def button_rows(self) -> list[list[tuple[str, str | None]]]:
        """Return keyboard buttons row by row as (text, callback_data)."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        result: list[list[tuple[str, str | None]]] = []
        for row in rows:
            result.append(
                [
                    (b, None) if isinstance(b, str) else (b.get("text", ""), b.get("callback_data"))
                    for b in row
                ]
            )
        return result

    def matches(self, contains: str | None) -> bool:
        """Tell whether ``contains`` is in the visible or the raw (markup) text."""
        if contains is None:
            return True
        return contains in self.content or contains in (self.raw_text or "")

    def to_dict(self) -> JsonDict:
        """Return a JSON-friendly snapshot (used by the HTTP control API)."""
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "method": self.method,
            "date": self.date,
            "text": self.text,
            "caption": self.caption,
            "raw_text": self.raw_text,
            "parse_mode": self.parse_mode,
            "entities": self.entities,
            "reply_markup": self.reply_markup,
            "buttons": [list(b) for b in self.buttons],
            "photo": self.photo.summary() if self.photo else None,
            "document": self.document.summary() if self.document else None,
            "reply_to_message_id": self.reply_to_message_id,
            "edits": self.edits,
            "deleted": self.deleted,
            "history": self.history,
            "sent_at": self.sent_at,
            "edited_at": self.edited_at,
        }


@dataclass
class _Fault:
    method: str
    status: int | None
    times: int
    delay: float
    retry_after: int | None
    description: str | None


@dataclass
class _Callback:
    query_id: str
    chat_id: int
    message_id: int
    user_id: int
    data: str | None
    created: float
    answered: bool = False


ChatRef = int | FakeUser | FakeGroup


def _chat_id_of(chat: ChatRef) -> int:
    if isinstance(chat, FakeUser):
        return chat.id
    if isinstance(chat, FakeGroup):
        return chat.chat_id
    return int(chat)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------------------------
# Broadcast: a lock-free condition usable from synchronous control methods
# --------------------------------------------------------------------------------------------


class _Broadcast:
    """Wake every waiter on each notify; like ``asyncio.Condition.notify_all`` without a lock."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify_all(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> bool:
        """Wait for the next notification; False on timeout."""
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def wait_until(self, predicate: Callable[[], Any], timeout: float) -> Any:
        """Return the first truthy value of ``predicate()``, re-checked on each notification."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout} s")
            await self.wait(remaining)


# --------------------------------------------------------------------------------------------
# HTML parse mode, following tdlib's parser and error messages
# --------------------------------------------------------------------------------------------


class HtmlParseError(ValueError):
    """Malformed HTML; str(error) is Telegram's text after "can't parse entities: "."""


_HTML_ENTITY_TYPES: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE: Final = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{2,8}));")


@dataclass
class _OpenTag:
    name: str
    offset: int
    attrs: dict[str, str]


def _decode_entity_at(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the HTML entity starting at ``text[pos] == "&"`` into (char, end)."""
    match = _ENTITY_RE.match(text, pos)
    if match is None:
        return None
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        return (char, match.end()) if char is not None else None
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _unescape_attribute(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&" and (decoded := _decode_entity_at(value, i)) is not None:
            out.append(decoded[0])
            i = decoded[1]
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def parse_html(text: str, *, strict_ampersand: bool = True) -> tuple[str, list[JsonDict]]:
    """Parse Telegram HTML into (plain text, entities); raise HtmlParseError like Telegram."""
    out: list[str] = []
    length = 0  # in UTF-16 code units, as entity offsets are
    stack: list[_OpenTag] = []
    entities: list[JsonDict] = []
    n = len(text)
    i = 0

    def at(pos: int) -> str:
        return f"at byte offset {len(text[:pos].encode('utf-8'))}"

    while i < n:
        char = text[i]
        if char == "&":
            decoded = _decode_entity_at(text, i)
            if decoded is None:
                if strict_ampersand:
                    raise HtmlParseError(f'Unescaped "&" {at(i)}; write "&amp;"')
                decoded = ("&", i + 1)
            out.append(decoded[0])
            length += _utf16_len(decoded[0])
            i = decoded[1]
            continue
        if char != "<":
            out.append(char)
            length += 2 if ord(char) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        i += 1
        if i < n and text[i] == "/":
            if not stack:
                raise HtmlParseError(f"Unexpected end tag {at(begin)}")
            j = i + 1
            while j < n and not text[j].isspace() and text[j] != ">":
                j += 1
            end_name = text[i + 1 : j].lower()
            while j < n and text[j].isspace():
                j += 1
            if j >= n or text[j] != ">":
                raise HtmlParseError(f"Unclosed end tag {at(begin)}")
            open_tag = stack[-1]
            if end_name and end_name != open_tag.name:
                raise HtmlParseError(
                    f'Unmatched end tag {at(begin)}, expected "</{open_tag.name}>", '
                    f'found "</{end_name}>"'
                )
            stack.pop()
            _close_entity(open_tag, length, entities)
            i = j + 1
            continue

        j = i
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        name = text[i:j].lower()
        if name not in _HTML_ENTITY_TYPES:
            raise HtmlParseError(f'Unsupported start tag "{name}" {at(begin)}')
        attrs: dict[str, str] = {}
        i = j
        while True:
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise HtmlParseError(f"Unclosed start tag {at(begin)}")
            if text[i] == ">":
                i += 1
                break
            k = i
            while k < n and not text[k].isspace() and text[k] not in "=>":
                k += 1
            attr_name = text[i:k].lower()
            if not attr_name:
                raise HtmlParseError(f'Empty attribute name in the tag "{name}" {at(begin)}')
            i = k
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise HtmlParseError(f"Unclosed start tag {at(begin)}")
            if text[i] != "=":
                attrs[attr_name] = ""
                continue
            i += 1
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise HtmlParseError(f"Unclosed start tag {at(begin)}")
            if text[i] in "\"'":
                end = text.find(text[i], i + 1)
                if end == -1:
                    raise HtmlParseError(f"Unclosed start tag {at(begin)}")
                raw_value = text[i + 1 : end]
                i = end + 1
            else:
                k = i
                while k < n and not text[k].isspace() and text[k] != ">":
                    k += 1
                raw_value = text[i:k]
                i = k
            attrs[attr_name] = _unescape_attribute(raw_value)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" {at(begin)}')
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise HtmlParseError(f'Tag "tg-emoji" must have attribute "emoji-id" {at(begin)}')
        stack.append(_OpenTag(name, length, attrs))

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        entity.pop("_language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close_entity(tag: _OpenTag, end: int, entities: list[JsonDict]) -> None:
    size = end - tag.offset
    if size <= 0:
        return
    entity: JsonDict = {"type": _HTML_ENTITY_TYPES[tag.name], "offset": tag.offset, "length": size}
    if tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return
        entity["url"] = href
    elif tag.name == "code":
        language = tag.attrs.get("class", "")
        if language.startswith("language-"):
            entity["_language"] = language.removeprefix("language-")
    elif tag.name == "pre":
        for inner in entities:
            same_span = inner["offset"] == tag.offset and inner["length"] == size
            if inner["type"] == "code" and same_span:
                entities.remove(inner)
                if "_language" in inner:
                    entity["language"] = inner["_language"]
                break
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    entities.append(entity)


# --------------------------------------------------------------------------------------------
# Rate limits
# --------------------------------------------------------------------------------------------


class RateLimiter:
    """Telegram's flood limits, measured with an injectable monotonic clock.

    - overall: ``global_limit`` messages in any ``global_window`` seconds (30 in 1 s);
    - a private chat: a token bucket holding ``private_burst`` messages, one token back every
      ``private_interval`` seconds (3, and 1 s: a burst of 3, then one a second);
      ``private_burst=1`` is the strict « at most one message a second »;
    - a group: ``group_limit`` messages in any ``group_window`` seconds (20 in 60 s).
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        private_interval: float = 1.0,
        private_burst: int = 3,
        group_limit: int = 20,
        group_window: float = 60.0,
        global_limit: int = 30,
        global_window: float = 1.0,
    ) -> None:
        if private_burst < 1:
            raise ValueError("private_burst must be at least 1")
        self.clock = clock
        self.private_interval = private_interval
        self.private_burst = private_burst
        self.group_limit = group_limit
        self.group_window = group_window
        self.global_limit = global_limit
        self.global_window = global_window
        self._private: dict[int, tuple[float, float]] = {}  # chat -> (tokens, when counted)
        self._groups: defaultdict[int, deque[float]] = defaultdict(deque)
        self._global: deque[float] = deque()

    def reset(self) -> None:
        self._private.clear()
        self._groups.clear()
        self._global.clear()

    def private_tokens(self, chat_id: int) -> float:
        """Messages the private chat may still send right now (fractional while refilling)."""
        return self._tokens(chat_id, self.clock())

    def _tokens(self, chat_id: int, now: float) -> float:
        tokens, then = self._private.get(chat_id, (float(self.private_burst), now))
        return min(float(self.private_burst), tokens + (now - then) / self.private_interval)

    def acquire(self, chat_id: int, *, private: bool) -> int | None:
        """Record one message and return None, or return retry_after seconds (not recorded)."""
        now = self.clock()
        wait = 0.0
        _prune(self._global, now - self.global_window)
        if len(self._global) >= self.global_limit:
            wait = max(wait, self._global[0] + self.global_window - now)
        tokens = 0.0
        if private:
            tokens = self._tokens(chat_id, now)
            if tokens < 1 - 1e-9:
                wait = max(wait, (1 - tokens) * self.private_interval)
        else:
            window = self._groups[chat_id]
            _prune(window, now - self.group_window)
            if len(window) >= self.group_limit:
                wait = max(wait, window[0] + self.group_window - now)
        if wait > 0:
            return max(1, math.ceil(wait))
        self._global.append(now)
        if private:
            self._private[chat_id] = (max(0.0, tokens - 1), now)
        else:
            self._groups[chat_id].append(now)
        return None


def _prune(window: deque[float], oldest_allowed: float) -> None:
    while window and window[0] <= oldest_allowed:
        window.popleft()


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class _Chat:
    """Server-side state of one chat."""

    def __init__(self, peer: FakeUser | FakeGroup) -> None:
        self.peer = peer
        self.next_message_id = 1
        self.bot_messages: dict[int, SentMessage] = {}
        self.user_messages: dict[int, JsonDict] = {}

    @property
    def id(self) -> int:
        return self.peer.id

    @property
    def is_private(self) -> bool:
        return isinstance(self.peer, FakeUser)

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


Handler = Callable[[JsonDict], Awaitable[Any]]


class FakeBotApi:
    """Fake Telegram Bot API on aiohttp, with a Python and an HTTP control API for tests.

    All methods must run on the event loop that serves the HTTP requests.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "charte_test_bot",
        bot_first_name: str = "Charte (test)",
        enforce_limits: bool = False,
        private_burst: int = 3,
        count_edits: bool = False,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        strict_ampersand: bool = True,
        callback_query_ttl: float | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_id = int(prefix) if prefix.isdigit() else 123456789
        self.bot_user: JsonDict = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.enforce_limits = enforce_limits
        self.count_edits = count_edits
        self.clock = clock
        self.wall_clock = wall_clock
        self.strict_ampersand = strict_ampersand
        self.callback_query_ttl = callback_query_ttl
        self.limiter = RateLimiter(clock, private_burst=private_burst)
        self.host = host
        self.port = port

        self.requests: list[ApiRequest] = []
        self.call_log: list[CallRecord] = []
        self.errors: list[ApiErrorRecord] = []
        self.rate_limit_hits = 0
        self.answered_callbacks: dict[str, JsonDict] = {}
        self.webhook: JsonDict | None = None
        # hold_answers(): chats whose next sendMessage is delivered but never answered
        self.held: list[int] = []
        self._to_hold: set[int] = set()
        self.menu_buttons: dict[int | None, JsonDict] = {}
        self.bot_settings: dict[str, JsonDict] = {}

        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, _Chat] = {}
        self._blocked: set[int] = set()
        self._commands: dict[tuple[str, str], list[JsonDict]] = {}
        self._updates: list[JsonDict] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] = _DEFAULT_ALLOWED_UPDATES
        self._poll_generation = 0
        self._callbacks: dict[str, _Callback] = {}
        self._callback_ids = itertools.count(4_000_000_000_000_000_001)
        self._files: dict[str, UploadedFile] = {}
        self._file_paths: dict[str, UploadedFile] = {}
        self._file_counter = itertools.count(1)
        self._faults: list[_Fault] = []

        self._updates_changed = _Broadcast()
        self._activity = _Broadcast()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._dispatch = self._build_dispatch()

    # ---------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:45678`` (after start)."""
        if self._url is None:
            raise RuntimeError("FakeBotApi is not started")
        return self._url

    @property
    def base_url(self) -> str:
        """Value for PTB's ``base_url`` (``<url>/bot``)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for PTB's ``base_file_url`` (``<url>/file/bot``)."""
        return f"{self.url}/file/bot"

    def make_app(self) -> web.Application:
        """Build the aiohttp application (exposed for aiohttp's own test utilities)."""
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/_test/{action}", self._handle_control)
        return app

    async def start(self, host: str | None = None, port: int | None = None) -> str:
        """Listen on host:port (port 0 picks a free one) and return :attr:`url`."""
        if self._runner is not None:
            return self.url
        self._closing = asyncio.Event()
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host or self.host, self.port if port is None else port)
        await site.start()
        self._runner = runner
        sockets = runner.addresses
        bound_host, bound_port = sockets[0][0], sockets[0][1]
        self._url = f"http://{bound_host}:{bound_port}"
        _LOGGER.debug("fake Bot API listening on %s", self._url)
        return self._url

    async def stop(self) -> None:
        """Answer pending long polls and close the server."""
        self._closing.set()
        self._updates_changed.notify_all()
        self._activity.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def reset(self) -> None:
        """Forget messages, requests, updates, faults and limits; keep users and groups."""
        self.requests.clear()
        self.call_log.clear()
        self.errors.clear()
        self.rate_limit_hits = 0
        self.answered_callbacks.clear()
        self._callbacks.clear()
        self._updates.clear()
        self._faults.clear()
        self._commands.clear()
        self._blocked.clear()
        self.limiter.reset()
        for chat in self._chats.values():
            chat.bot_messages.clear()
            chat.user_messages.clear()
        self._activity.notify_all()

    # ---------------------------------------------------------------- switches

    def block_user(self, user: FakeUser | int, *, notify: bool = True) -> None:
        """Make sends to this user fail with 403; optionally queue a my_chat_member update."""
        user_id = _chat_id_of(user)
        self._blocked.add(user_id)
        if notify and user_id in self._users:
            self._push_member_update(self._users[user_id], old="member", new="kicked")

    def unblock_user(self, user: FakeUser | int, *, notify: bool = True) -> None:
        user_id = _chat_id_of(user)
        self._blocked.discard(user_id)
        if notify and user_id in self._users:
            self._push_member_update(self._users[user_id], old="kicked", new="member")

    def fail_next(
        self,
        method: str,
        status: int | None = 502,
        times: int = 1,
        *,
        delay: float = 0.0,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` ("*" for any) wait ``delay`` s then fail.

        ``status=None`` only delays (to provoke client timeouts); ``status=429`` sends
        ``retry_after`` (default 1).
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        self._faults.append(_Fault(method.lower(), status, times, delay, retry_after, description))

    # ---------------------------------------------------------------- simulated users

    def user(
        self,
        user_id: int = 1001,
        first_name: str = "Alice",
        username: str | None = None,
        *,
        last_name: str | None = None,
        language_code: str | None = "fr",
    ) -> FakeUser:
        """Register (or replace) a user and their private chat."""
        user = FakeUser(user_id, first_name, username, last_name, language_code)
        self._users[user_id] = user
        chat = self._chats.get(user_id)
        if chat is None:
            self._chats[user_id] = _Chat(user)
        else:
            chat.peer = user
        return user

    def group(
        self, chat_id: int = -100123, title: str = "Groupe de test", *, type: str | None = None
    ) -> FakeGroup:
        """Register (or replace) a group; ``-100…`` ids are supergroups unless ``type`` says."""
        kind = type or ("supergroup" if str(chat_id).startswith("-100") else "group")
        group = FakeGroup(chat_id, title, kind)
        chat = self._chats.get(chat_id)
        if chat is None:
            self._chats[chat_id] = _Chat(group)
        else:
            chat.peer = group
        return group

    def send_text(
        self,
        user: FakeUser,
        text: str,
        *,
        chat: FakeGroup | None = None,
        reply_to: SentMessage | int | None = None,
        entities: list[JsonDict] | None = None,
    ) -> JsonDict:
        """Queue a text message from ``user`` (in their private chat or ``chat``)."""
        extra: JsonDict = {"text": text}
        if entities:
            extra["entities"] = entities
        return self._push_user_message(user, chat, extra, reply_to=reply_to)

    def send_text_in_group(self, user: FakeUser, group: FakeGroup, text: str) -> JsonDict:
        return self.send_text(user, text, chat=group)

    def send_command(
        self,
        user: FakeUser,
        command: str,
        payload: str | None = None,
        *,
        chat: FakeGroup | None = None,
    ) -> JsonDict:
        """Queue a command such as ``/start`` (with a ``bot_command`` entity)."""
        if not command.startswith("/"):
            command = "/" + command
        text = f"{command} {payload}" if payload else command
        entity = {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
        return self._push_user_message(user, chat, {"text": text, "entities": [entity]})

    def send_sticker(
        self, user: FakeUser, *, emoji: str = "👍", chat: FakeGroup | None = None
    ) -> JsonDict:
        file = self._register_file("sticker", "sticker.webp", "image/webp", b"RIFF\0\0\0\0WEBP")
        sticker = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": file.size,
        }
        return self._push_user_message(user, chat, {"sticker": sticker})

    def send_photo(
        self,
        user: FakeUser,
        *,
        caption: str | None = None,
        data: bytes = b"\xff\xd8\xff\xe0fake-jpeg",
        chat: FakeGroup | None = None,
    ) -> JsonDict:
        file = self._register_file("photo", "photo.jpg", "image/jpeg", data)
        extra: JsonDict = {"photo": self._photo_sizes(file)}
        if caption:
            extra["caption"] = caption
        return self._push_user_message(user, chat, extra)

    def send_voice(
        self,
        user: FakeUser,
        *,
        duration: int = 3,
        data: bytes = b"OggSfake-voice",
        chat: FakeGroup | None = None,
    ) -> JsonDict:
        file = self._register_file("voice", "voice.ogg", "audio/ogg", data)
        voice = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": file.size,
        }
        return self._push_user_message(user, chat, {"voice": voice})

    def send_document(
        self,
        user: FakeUser,
        *,
        filename: str = "document.pdf",
        data: bytes = b"%PDF-1.4 fake",
        mime_type: str | None = None,
        caption: str | None = None,
        chat: FakeGroup | None = None,
    ) -> JsonDict:
        mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        file = self._register_file("document", filename, mime, data)
        extra: JsonDict = {"document": self._document_dict(file)}
        if caption:
            extra["caption"] = caption
        return self._push_user_message(user, chat, extra)

    def edit_text(
        self, user: FakeUser, message_id: int, new_text: str, *, chat: FakeGroup | None = None
    ) -> JsonDict:
        """Queue an ``edited_message`` update for a message the user sent earlier."""
        state = self._chat_state(chat.chat_id if chat else user.id)
        original = state.user_messages.get(message_id)
        if original is None:
            raise ValueError(f"user message {message_id} not found in chat {state.id}")
        edited = {**original, "text": new_text, "edit_date": self._now()}
        edited.pop("entities", None)
        state.user_messages[message_id] = edited
        return self._push_update("edited_message", edited)

    def press(
        self,
        user: FakeUser,
        message: SentMessage | int,
        callback_data: str,
        *,
        chat: FakeGroup | None = None,
        force: bool = False,
    ) -> str:
        """Press an inline button; queue a callback_query update and return its id.

        Raises ValueError when the message has no such button (unless ``force``).
        """
        if isinstance(message, SentMessage):
            chat_id, message_id = message.chat_id, message.message_id
        else:
            chat_id, message_id = (chat.chat_id if chat else user.id), int(message)
        sent = self._chat_state(chat_id).bot_messages.get(message_id)
        if sent is None:
            raise ValueError(f"bot message {message_id} not found in chat {chat_id}")
        if not force:
            if sent.deleted:
                raise ValueError(f"message {message_id} was deleted")
            inline = (sent.reply_markup or {}).get("inline_keyboard")
            if not inline or callback_data not in [data for _, data in sent.buttons]:
                raise ValueError(
                    f"message {message_id} has no button with callback_data {callback_data!r}; "
                    f"buttons: {sent.buttons}"
                )
        query_id = str(next(self._callback_ids))
        self._callbacks[query_id] = _Callback(
            query_id, chat_id, message_id, user.id, callback_data, self.clock()
        )
        query = {
            "id": query_id,
            "from": user.to_dict(),
            "message": sent.payload,
            "chat_instance": str(abs(chat_id) * 7919 + self.bot_id),
            "data": callback_data,
        }
        self._push_update("callback_query", query)
        return query_id

    def push_update(self, update: JsonDict) -> JsonDict:
        """Queue a raw update (``update_id`` is assigned)."""
        kind, body = next((k, v) for k, v in update.items() if k != "update_id")
        return self._push_update(kind, body)

    # ---------------------------------------------------------------- webhook delivery

    async def next_updates(self, after: int, timeout: float) -> list[JsonDict]:
        """Queued updates with an id above ``after``, waiting up to ``timeout`` s for one.

        For a test that plays Telegram's webhook sender (the fake never POSTs by itself): it
        takes the updates from here, and confirms each once a bot answered it.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = [u for u in self._updates if u["update_id"] > after]
            remaining = deadline - loop.time()
            if found or remaining <= 0 or self._closing.is_set():
                return found
            await self._updates_changed.wait(remaining)

    def hold_answers(self, chats: Iterable[ChatRef]) -> None:
        """The next sendMessage to each of these chats is delivered (the person sees it) but
        its HTTP answer never comes, as when the bot process dies right after sending: the
        test kills the bot while these are held (``held`` lists them). Once per chat."""
        self._to_hold.update(_chat_id_of(chat) for chat in chats)

    async def _maybe_hold(self, method: str, params: JsonDict) -> None:
        chat_id = _as_int(params.get("chat_id"), 0)
        if method != "sendMessage" or chat_id not in self._to_hold:
            return
        self._to_hold.discard(chat_id)
        self.held.append(chat_id)
        self._activity.notify_all()
        await self._closing.wait()

    def confirm_update(self, update_id: int) -> None:
        """The update was delivered: it leaves the queue (``pending_updates``)."""
        self._updates = [u for u in self._updates if u["update_id"] != update_id]
        self._activity.notify_all()

    # ---------------------------------------------------------------- reading

    def messages(self, chat: ChatRef, *, include_deleted: bool = True) -> list[SentMessage]:
        """Bot messages in a chat, oldest first, in their current state."""
        state = self._chats.get(_chat_id_of(chat))
        if state is None:
            return []
        found = sorted(state.bot_messages.values(), key=lambda m: m.message_id)
        return [m for m in found if include_deleted or not m.deleted]

    def last_message(self, chat: ChatRef) -> SentMessage | None:
        found = self.messages(chat)
        return found[-1] if found else None

    def calls(self, method: str) -> list[JsonDict]:
        """Parameters of every received call of ``method`` (case-insensitive)."""
        wanted = method.lower()
        return [r.params for r in self.requests if r.method.lower() == wanted]

    @property
    def commands(self) -> list[JsonDict]:
        """Commands set for the default scope and no language."""
        return self._commands.get(('{"type": "default"}', ""), [])

    def commands_for(
        self, scope: JsonDict | None = None, language_code: str = ""
    ) -> list[JsonDict]:
        return self._commands.get((_scope_key(scope), language_code), [])

    @property
    def pending_updates(self) -> list[JsonDict]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    @property
    def pressed_callbacks(self) -> list[str]:
        return list(self._callbacks)

    def unanswered_callbacks(self) -> list[str]:
        return [q.query_id for q in self._callbacks.values() if not q.answered]

    def is_blocked(self, user: FakeUser | int) -> bool:
        return _chat_id_of(user) in self._blocked

    @property
    def files(self) -> dict[str, UploadedFile]:
        return dict(self._files)

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Return the first truthy ``predicate()``, re-evaluated after every bot request."""
        try:
            return await self._activity.wait_until(self._unless_closed(predicate), timeout)
        except TimeoutError:
            recent = ", ".join(r.method for r in self.requests[-10:])
            raise TimeoutError(
                f"condition not met within {timeout} s; last bot calls: [{recent}]"
            ) from None

    async def wait_for_message(
        self,
        chat: ChatRef,
        contains: str | None = None,
        after: int = 0,
        timeout: float = 10.0,
    ) -> SentMessage:
        """Wait for a bot message with ``message_id > after`` whose text contains ``contains``."""

        def find() -> SentMessage | None:
            for message in self.messages(chat):
                if message.message_id > after and message.matches(contains):
                    return message
            return None

        try:
            return await self._activity.wait_until(self._unless_closed(find), timeout)
        except TimeoutError:
            seen = [m.content[:80] for m in self.messages(chat)]
            raise TimeoutError(
                f"no bot message in chat {_chat_id_of(chat)} after id {after} containing "
                f"{contains!r} within {timeout} s; messages: {seen}"
            ) from None

    def _unless_closed(self, predicate: Callable[[], Any]) -> Callable[[], Any]:
        """Wrap a predicate so that waiting stops with an error once the server is stopped."""

        def check() -> Any:
            result = predicate()
            if not result and self._closing.is_set():
                raise RuntimeError("FakeBotApi was stopped while waiting")
            return result

        return check

    async def wait_for_call(
        self, method: str, count: int = 1, timeout: float = 10.0
    ) -> list[JsonDict]:
        """Wait until ``method`` was called ``count`` times; return their parameters."""
        return await self.wait_for(
            lambda: (calls := self.calls(method)) and len(calls) >= count and calls, timeout
        )

    # ---------------------------------------------------------------- internals: updates

    def _now(self) -> int:
        return int(self.wall_clock())

    def _chat_state(self, chat_id: int) -> _Chat:
        state = self._chats.get(chat_id)
        if state is None:
            raise ValueError(f"unknown chat {chat_id}; create it with user() or group()")
        return state

    def _push_update(self, kind: str, body: JsonDict) -> JsonDict:
        update = {"update_id": self._next_update_id, kind: body}
        self._next_update_id += 1
        self._updates.append(update)
        self._updates_changed.notify_all()
        self._activity.notify_all()
        return update

    def _push_user_message(
        self,
        user: FakeUser,
        chat: FakeGroup | None,
        content: JsonDict,
        *,
        reply_to: SentMessage | int | None = None,
    ) -> JsonDict:
        if user.id not in self._users:
            self._users[user.id] = user
            self._chats.setdefault(user.id, _Chat(user))
        state = self._chat_state(chat.chat_id if chat else user.id)
        message: JsonDict = {
            "message_id": state.new_message_id(),
            "from": user.to_dict(),
            "chat": state.peer.chat_dict(),
            "date": self._now(),
            **content,
        }
        if reply_to is not None:
            reply_id = reply_to.message_id if isinstance(reply_to, SentMessage) else reply_to
            replied = state.bot_messages.get(reply_id)
            if replied is not None:
                message["reply_to_message"] = replied.payload
            elif reply_id in state.user_messages:
                message["reply_to_message"] = state.user_messages[reply_id]
        state.user_messages[message["message_id"]] = message
        return self._push_update("message", message)

    def _push_member_update(self, user: FakeUser, *, old: str, new: str) -> None:
        bot = dict(self.bot_user)
        member_update = {
            "chat": user.chat_dict(),
            "from": user.to_dict(),
            "date": self._now(),
            "old_chat_member": {"status": old, "user": bot, **_until(old)},
            "new_chat_member": {"status": new, "user": bot, **_until(new)},
        }
        self._push_update("my_chat_member", member_update)

    def _register_file(
        self, kind: str, filename: str | None, mime_type: str | None, data: bytes
    ) -> UploadedFile:
        number = next(self._file_counter)
        suffix = ""
        if filename and "." in filename:
            suffix = "." + filename.rsplit(".", 1)[1]
        file = UploadedFile(
            file_id=f"FAKE-{kind}-{number:06d}",
            file_unique_id=f"U{number:06d}",
            kind=kind,
            filename=filename,
            mime_type=mime_type,
            size=len(data),
            data=data,
            file_path=f"{kind}s/file_{number}{suffix}",
        )
        self._files[file.file_id] = file
        self._file_paths[file.file_path] = file
        return file

    @staticmethod
    def _photo_sizes(file: UploadedFile) -> list[JsonDict]:
        return [
            {
                "file_id": file.file_id,
                "file_unique_id": file.file_unique_id,
                "width": 800,
                "height": 600,
                "file_size": file.size,
            }
        ]

    @staticmethod
    def _document_dict(file: UploadedFile) -> JsonDict:
        document: JsonDict = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_size": file.size,
        }
        if file.filename:
            document["file_name"] = file.filename
        if file.mime_type:
            document["mime_type"] = file.mime_type
        return document

    # ---------------------------------------------------------------- HTTP: Bot API

    def _build_dispatch(self) -> dict[str, tuple[str, Handler]]:
        handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "setMyDescription": self._store_setting("setMyDescription"),
            "setMyShortDescription": self._store_setting("setMyShortDescription"),
            "setMyName": self._store_setting("setMyName"),
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getFile": self._get_file,
            "close": self._return_true,
            "logOut": self._return_true,
        }
        return {name.lower(): (name, handler) for name, handler in handlers.items()}

    async def _handle_api(self, request: web.Request) -> web.Response:
        method_name = request.match_info["method"]
        entry = self._dispatch.get(method_name.lower())
        canonical = entry[0] if entry else method_name
        params: JsonDict = {}
        arrived = self.clock()
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            params = await self._read_params(request)
            self.requests.append(ApiRequest(canonical, params))
            self._activity.notify_all()
            await self._apply_fault(canonical)
            if entry is None:
                raise ApiError(404, "Not Found: method not found")
            result = await entry[1](params)
            await self._maybe_hold(canonical, params)
        except ApiError as error:
            self.errors.append(ApiErrorRecord(canonical, params, error.status, error.description))
            if error.status == 429:
                self.rate_limit_hits += 1
            self._log_call(canonical, params, arrived, error.status, None, error.parameters)
            self._activity.notify_all()
            return web.json_response(error.payload(), status=error.status)
        except Exception as bug:  # a bug in the fake must not look like a network glitch
            _LOGGER.exception("fake Bot API failed on %s", canonical)
            description = f"Internal Server Error: fake Bot API bug: {bug!r}"
            self.errors.append(ApiErrorRecord(canonical, params, 500, description))
            self._log_call(canonical, params, arrived, 500, None, None)
            self._activity.notify_all()
            return web.json_response(
                {"ok": False, "error_code": 500, "description": description}, status=500
            )
        self._log_call(canonical, params, arrived, 200, result, None)
        self._activity.notify_all()
        return web.json_response({"ok": True, "result": result})

    def counts_against_limits(self, method: str) -> bool:
        """Whether a call of ``method`` is counted by the flood limits (when enforced)."""
        return method in MESSAGE_METHODS or (self.count_edits and method in EDIT_METHODS)

    def _log_call(
        self,
        method: str,
        params: JsonDict,
        arrived: float,
        status: int,
        result: Any,
        error_parameters: JsonDict | None,
    ) -> None:
        chat_id: int | None = None
        if method == "answerCallbackQuery":
            query = self._callbacks.get(str(params.get("callback_query_id") or ""))
            chat_id = query.chat_id if query is not None else None
        elif "chat_id" in params:
            with contextlib.suppress(TypeError, ValueError):
                chat_id = int(params["chat_id"])
        message_id: int | None = None
        if isinstance(result, dict) and isinstance(result.get("message_id"), int):
            message_id = result["message_id"]
        elif "message_id" in params:
            message_id = _as_int(params.get("message_id"), 0) or None
        retry_after = (error_parameters or {}).get("retry_after") if status == 429 else None
        counted = (
            self.enforce_limits
            and self.counts_against_limits(method)
            and (status == 200 or (status == 429 and retry_after is not None))
        )
        self.call_log.append(
            CallRecord(
                method, chat_id, arrived, self.clock(), status, retry_after, message_id, counted
            )
        )

    async def _read_params(self, request: web.Request) -> JsonDict:
        params: JsonDict = {}
        for key, value in request.query.items():
            params[key] = _decode_form_value(key, value)
        if request.method not in ("POST", "PUT") or not request.can_read_body:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _bad_request("can't parse JSON body") from None
            if not isinstance(body, dict):
                raise _bad_request("JSON body must be an object")
            for key, value in body.items():
                params[key] = _decode_form_value(key, value) if key in _JSON_PARAMS else value
            return params
        form = await request.post()
        uploads: dict[str, web.FileField] = {}
        for key, value in form.items():
            if isinstance(value, web.FileField):
                uploads[key] = value
            else:
                params[key] = _decode_form_value(key, str(value))
        for key, upload in uploads.items():
            data = upload.file.read()
            params[key] = ("upload", upload.filename, upload.content_type, data)
        # attach://name references point at another multipart field
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                target = params.get(value.removeprefix("attach://"))
                if isinstance(target, tuple):
                    params[key] = target
        return params

    async def _apply_fault(self, method: str) -> None:
        lowered = method.lower()
        for fault in self._faults:
            if fault.method in (lowered, "*") and fault.times > 0:
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                break
        else:
            return
        if fault.delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), fault.delay)
        if fault.status is None:
            return
        if fault.status == 429:
            retry_after = fault.retry_after or 1
            raise ApiError(
                429,
                fault.description or f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        raise ApiError(fault.status, fault.description or _status_description(fault.status))

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        file = self._file_paths.get(request.match_info["path"])
        if file is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        mime_type = file.mime_type or "application/octet-stream"
        return web.Response(body=file.data, content_type=mime_type)

    # ---------------------------------------------------------------- Bot API methods

    async def _return_true(self, params: JsonDict) -> bool:
        return True

    def _store_setting(self, method: str) -> Handler:
        async def store(params: JsonDict) -> bool:
            self.bot_settings[method] = params
            return True

        return store

    async def _get_me(self, params: JsonDict) -> JsonDict:
        return dict(self.bot_user)

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _as_int(params.get("offset"), 0)
        limit = min(max(_as_int(params.get("limit"), 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else _DEFAULT_ALLOWED_UPDATES
        self._confirm_updates(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_changed.notify_all()  # terminate an older long poll with 409

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = self._deliverable(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closing.is_set():
                return batch
            await self._updates_changed.wait(remaining)

    def _confirm_updates(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _deliverable(self, limit: int) -> list[JsonDict]:
        kept = []
        for update in self._updates:
            kind = next(k for k in update if k != "update_id")
            if kind in self._allowed_updates:
                kept.append(update)
        self._updates = kept
        return kept[:limit]

    async def _delete_webhook(self, params: JsonDict) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _set_webhook(self, params: JsonDict) -> bool:
        url = params.get("url") or ""
        if not url:
            self.webhook = None
            return True
        if not url.startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {"url": url, **{k: v for k, v in params.items() if k != "url"}}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request('parameter "commands" is required')
        if len(commands) > 100:
            raise _bad_request("too many commands")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand")
            name = command.get("command")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad_request("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = (_scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        key = (_scope_key(params.get("scope")), str(params.get("language_code") or ""))
        return self._commands.get(key, [])

    async def _delete_my_commands(self, params: JsonDict) -> bool:
        key = (_scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self._commands.pop(key, None)
        return True

    async def _set_chat_menu_button(self, params: JsonDict) -> bool:
        chat_id = params.get("chat_id")
        key = _as_int(chat_id, 0) if chat_id is not None else None
        self.menu_buttons[key] = params.get("menu_button") or {"type": "default"}
        return True

    async def _get_chat_menu_button(self, params: JsonDict) -> JsonDict:
        chat_id = params.get("chat_id")
        key = _as_int(chat_id, 0) if chat_id is not None else None
        return self.menu_buttons.get(key) or self.menu_buttons.get(None) or {"type": "commands"}

    async def _send_message(self, params: JsonDict) -> JsonDict:
        chat = self._target_chat(params)
        if "text" not in params or params["text"] is None:
            raise _bad_request("message text is empty")
        raw_text = str(params["text"])
        parse_mode = _parse_mode(params)
        plain, entities = self._render(raw_text, parse_mode, params.get("entities"), "text")
        markup = _validate_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        self._rate_limit("sendMessage", chat)
        sent = SentMessage(
            chat_id=chat.id,
            message_id=chat.new_message_id(),
            method="sendMessage",
            date=self._now(),
            text=plain,
            raw_text=raw_text,
            parse_mode=parse_mode,
            entities=entities,
            reply_markup=markup,
            reply_to_message_id=reply_to,
        )
        return self._store_sent(chat, sent)

    async def _send_photo(self, params: JsonDict) -> JsonDict:
        return self._send_media(params, "photo", "sendPhoto")

    async def _send_document(self, params: JsonDict) -> JsonDict:
        return self._send_media(params, "document", "sendDocument")

    def _send_media(self, params: JsonDict, kind: str, method: str) -> JsonDict:
        chat = self._target_chat(params)
        file = self._resolve_input_file(params.get(kind), kind)
        parse_mode = _parse_mode(params)
        caption: str | None = None
        entities: list[JsonDict] = []
        raw_caption = params.get("caption")
        if raw_caption:
            caption, entities = self._render(
                str(raw_caption), parse_mode, params.get("caption_entities"), "caption"
            )
        markup = _validate_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        self._rate_limit(method, chat)
        sent = SentMessage(
            chat_id=chat.id,
            message_id=chat.new_message_id(),
            method=method,
            date=self._now(),
            caption=caption or None,
            raw_text=str(raw_caption) if raw_caption else None,
            parse_mode=parse_mode,
            entities=entities,
            reply_markup=markup,
            reply_to_message_id=reply_to,
            **{kind: file},
        )
        return self._store_sent(chat, sent)

    def _resolve_input_file(self, value: Any, kind: str) -> UploadedFile:
        if isinstance(value, tuple) and value and value[0] == "upload":
            _, filename, content_type, data = value
            if not data:
                raise _bad_request("file must be non-empty")
            return self._register_file(kind, filename, content_type, data)
        if isinstance(value, str) and value:
            if value in self._files:
                return self._files[value]
            if value.startswith(("http://", "https://")):
                name = value.rstrip("/").rsplit("/", 1)[-1] or kind
                return self._register_file(kind, name, mimetypes.guess_type(name)[0], b"")
            raise _bad_request("wrong file identifier/HTTP URL specified")
        raise _bad_request(f"there is no {kind} in the request")

    async def _edit_message_text(self, params: JsonDict) -> JsonDict:
        chat, sent = self._message_to_edit(params)
        if sent.text is None:
            raise _bad_request("there is no text in the message to edit")
        if not params.get("text"):
            raise _bad_request("message text is empty")
        raw_text = str(params["text"])
        parse_mode = _parse_mode(params)
        plain, entities = self._render(raw_text, parse_mode, params.get("entities"), "text")
        markup = _edited_markup(sent, params.get("reply_markup"))
        if plain == sent.text and entities == sent.entities and markup == sent.reply_markup:
            raise _bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        self._rate_limit("editMessageText", chat)
        sent.history.append(sent.text)
        sent.text, sent.raw_text, sent.parse_mode, sent.entities = (
            plain,
            raw_text,
            parse_mode,
            entities,
        )
        sent.reply_markup = markup
        return self._mark_edited(chat, sent)

    async def _edit_message_caption(self, params: JsonDict) -> JsonDict:
        chat, sent = self._message_to_edit(params)
        if sent.text is not None:
            raise _bad_request("there is no caption in the message to edit")
        raw_caption = str(params.get("caption") or "")
        parse_mode = _parse_mode(params)
        caption, entities = ("", [])
        if raw_caption:
            caption, entities = self._render(
                raw_caption, parse_mode, params.get("caption_entities"), "caption"
            )
        markup = _edited_markup(sent, params.get("reply_markup"))
        if (
            (caption or None) == sent.caption
            and entities == sent.entities
            and (markup == sent.reply_markup)
        ):
            raise _bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        self._rate_limit("editMessageCaption", chat)
        sent.history.append(sent.caption or "")
        sent.caption, sent.raw_text, sent.parse_mode, sent.entities = (
            caption or None,
            raw_caption or None,
            parse_mode,
            entities,
        )
        sent.reply_markup = markup
        return self._mark_edited(chat, sent)

    async def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict:
        chat, sent = self._message_to_edit(params)
        markup = _edited_markup(sent, params.get("reply_markup"))
        if markup == sent.reply_markup:
            raise _bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        self._rate_limit("editMessageReplyMarkup", chat)
        sent.reply_markup = markup
        return self._mark_edited(chat, sent)

    async def _delete_message(self, params: JsonDict) -> bool:
        chat = self._target_chat(params)
        message_id = _as_int(params.get("message_id"), 0)
        sent = chat.bot_messages.get(message_id)
        if sent is not None and not sent.deleted:
            sent.deleted = True
            return True
        if message_id in chat.user_messages:
            del chat.user_messages[message_id]
            return True
        raise _bad_request("message to delete not found")

    async def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        query = self._callbacks.get(query_id)
        if query is None or query.answered:
            raise ApiError(400, QUERY_TOO_OLD)
        ttl = self.callback_query_ttl
        if ttl is not None and self.clock() - query.created > ttl:
            raise ApiError(400, QUERY_TOO_OLD)
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self.answered_callbacks[query_id] = {
            k: params[k] for k in ("text", "show_alert", "url", "cache_time") if k in params
        }
        return True

    async def _send_chat_action(self, params: JsonDict) -> bool:
        self._target_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    async def _get_chat(self, params: JsonDict) -> JsonDict:
        chat = self._find_chat(params.get("chat_id"))
        return {
            **chat.peer.chat_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_chat_member(self, params: JsonDict) -> JsonDict:
        chat = self._find_chat(params.get("chat_id"))
        user_id = _as_int(params.get("user_id"), 0)
        if user_id == self.bot_id:
            return {"status": "member", "user": dict(self.bot_user)}
        user = self._users.get(user_id)
        if user is None or (chat.is_private and chat.id != user_id):
            raise _bad_request("user not found")
        return {"status": "member", "user": user.to_dict()}

    async def _get_file(self, params: JsonDict) -> JsonDict:
        file = self._files.get(str(params.get("file_id") or ""))
        if file is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_size": file.size,
            "file_path": file.file_path,
        }

    # ---------------------------------------------------------------- helpers for methods

    def _find_chat(self, chat_id: Any) -> _Chat:
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self._chats.values():
                if chat.peer.username == chat_id[1:]:
                    return chat
            raise _bad_request("chat not found")
        try:
            key = int(chat_id)
        except (TypeError, ValueError):
            raise _bad_request("chat not found") from None
        chat = self._chats.get(key)
        if chat is None:
            raise _bad_request("chat not found")
        return chat

    def _target_chat(self, params: JsonDict) -> _Chat:
        if params.get("inline_message_id"):
            raise _bad_request("inline messages are not supported by the fake API")
        chat = self._find_chat(params.get("chat_id"))
        if chat.is_private and chat.id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _message_to_edit(self, params: JsonDict) -> tuple[_Chat, SentMessage]:
        chat = self._target_chat(params)
        message_id = _as_int(params.get("message_id"), 0)
        if message_id <= 0:
            raise _bad_request("message identifier is not specified")
        sent = chat.bot_messages.get(message_id)
        if sent is None:
            if message_id in chat.user_messages:
                raise _bad_request("message can't be edited")
            raise _bad_request("message to edit not found")
        if sent.deleted:
            raise _bad_request("message to edit not found")
        return chat, sent

    def _reply_target(self, chat: _Chat, params: JsonDict) -> int | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id = _as_int(reply.get("message_id"), 0)
            allow_missing = bool(reply.get("allow_sending_without_reply"))
        elif params.get("reply_to_message_id") is not None:
            message_id = _as_int(params.get("reply_to_message_id"), 0)
            allow_missing = bool(params.get("allow_sending_without_reply"))
        else:
            return None
        known = message_id in chat.user_messages or (
            message_id in chat.bot_messages and not chat.bot_messages[message_id].deleted
        )
        if known:
            return message_id
        if allow_missing:
            return None
        raise _bad_request("message to be replied not found")

    def _render(
        self, raw: str, parse_mode: str | None, entities: Any, kind: str
    ) -> tuple[str, list[JsonDict]]:
        if parse_mode == "HTML":
            try:
                plain, parsed = parse_html(raw, strict_ampersand=self.strict_ampersand)
            except HtmlParseError as error:
                raise _bad_request(f"can't parse entities: {error}") from None
        else:
            plain, parsed = raw, (list(entities) if isinstance(entities, list) else [])
        if kind == "text":
            if not plain.strip():
                raise _bad_request("message text is empty")
            if len(plain) > MAX_TEXT_LENGTH:
                raise _bad_request("message is too long")
        elif len(plain) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        return plain, parsed

    def _rate_limit(self, method: str, chat: _Chat) -> None:
        if not self.enforce_limits or not self.counts_against_limits(method):
            return
        retry_after = self.limiter.acquire(chat.id, private=chat.is_private)
        if retry_after is not None:
            raise ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )

    def _store_sent(self, chat: _Chat, sent: SentMessage) -> JsonDict:
        sent.sent_at = self.clock()
        chat.bot_messages[sent.message_id] = sent
        sent.payload = self._message_payload(chat, sent)
        return sent.payload

    def _mark_edited(self, chat: _Chat, sent: SentMessage) -> JsonDict:
        sent.edited_at = self.clock()
        sent.edits += 1
        sent.edit_date = self._now()
        sent.payload = self._message_payload(chat, sent)
        return sent.payload

    def _message_payload(self, chat: _Chat, sent: SentMessage) -> JsonDict:
        message: JsonDict = {
            "message_id": sent.message_id,
            "from": dict(self.bot_user),
            "chat": chat.peer.chat_dict(),
            "date": sent.date,
        }
        if sent.edit_date is not None:
            message["edit_date"] = sent.edit_date
        if sent.reply_to_message_id is not None:
            replied = chat.user_messages.get(sent.reply_to_message_id)
            if replied is None and sent.reply_to_message_id in chat.bot_messages:
                replied = chat.bot_messages[sent.reply_to_message_id].payload
            if replied:
                message["reply_to_message"] = {
                    k: v for k, v in replied.items() if k != "reply_to_message"
                }
        if sent.text is not None:
            message["text"] = sent.text
            if sent.entities:
                message["entities"] = sent.entities
        if sent.photo is not None:
            message["photo"] = self._photo_sizes(sent.photo)
        if sent.document is not None:
            message["document"] = self._document_dict(sent.document)
        if sent.caption:
            message["caption"] = sent.caption
            if sent.entities:
                message["caption_entities"] = sent.entities
        # Telegram only echoes inline keyboards in Message.reply_markup.
        if sent.reply_markup and "inline_keyboard" in sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        return message

    # ---------------------------------------------------------------- HTTP: control API

    async def _handle_control(self, request: web.Request) -> web.Response:
        action = request.match_info["action"]
        args: JsonDict = dict(request.query)
        if request.can_read_body:
            try:
                body = await request.json()
            except ValueError:
                return _control_error("body must be JSON", 400)
            if isinstance(body, dict):
                args.update(body)
        handler = getattr(self, f"_control_{action}", None)
        if handler is None:
            return _control_error(f"unknown control action {action!r}", 404)
        try:
            result = await handler(args)
        except TimeoutError as error:
            return _control_error(str(error), 408)
        except (KeyError, ValueError, TypeError) as error:
            return _control_error(f"{type(error).__name__}: {error}", 400)
        return web.json_response(result, dumps=_json_dumps)

    def _control_user_of(self, args: JsonDict) -> FakeUser:
        user_id = int(args["user_id"])
        user = self._users.get(user_id)
        if user is None or any(k in args for k in ("first_name", "username")):
            user = self.user(
                user_id,
                str(args.get("first_name") or (user.first_name if user else f"User {user_id}")),
                args.get("username") or (user.username if user else None),
            )
        return user

    def _control_group_of(self, args: JsonDict) -> FakeGroup | None:
        if args.get("chat_id") is None:
            return None
        chat = self._chat_state(int(args["chat_id"]))
        if not isinstance(chat.peer, FakeGroup):
            return None
        return chat.peer

    async def _control_user(self, args: JsonDict) -> JsonDict:
        return self._control_user_of(args).to_dict()

    async def _control_group(self, args: JsonDict) -> JsonDict:
        group = self.group(
            int(args["chat_id"]), str(args.get("title") or "Groupe"), type=args.get("type")
        )
        return group.chat_dict()

    async def _control_send_text(self, args: JsonDict) -> JsonDict:
        return self.send_text(
            self._control_user_of(args),
            str(args["text"]),
            chat=self._control_group_of(args),
            reply_to=_as_int(args.get("reply_to"), 0) or None,
        )

    async def _control_send_command(self, args: JsonDict) -> JsonDict:
        return self.send_command(
            self._control_user_of(args),
            str(args["command"]),
            args.get("payload"),
            chat=self._control_group_of(args),
        )

    async def _control_send_sticker(self, args: JsonDict) -> JsonDict:
        return self.send_sticker(self._control_user_of(args), chat=self._control_group_of(args))

    async def _control_send_photo(self, args: JsonDict) -> JsonDict:
        return self.send_photo(
            self._control_user_of(args),
            caption=args.get("caption"),
            chat=self._control_group_of(args),
        )

    async def _control_send_voice(self, args: JsonDict) -> JsonDict:
        return self.send_voice(self._control_user_of(args), chat=self._control_group_of(args))

    async def _control_send_document(self, args: JsonDict) -> JsonDict:
        return self.send_document(
            self._control_user_of(args),
            filename=str(args.get("filename") or "document.pdf"),
            data=str(args.get("data") or "%PDF-1.4 fake").encode(),
            caption=args.get("caption"),
            chat=self._control_group_of(args),
        )

    async def _control_edit_text(self, args: JsonDict) -> JsonDict:
        return self.edit_text(
            self._control_user_of(args),
            int(args["message_id"]),
            str(args["text"]),
            chat=self._control_group_of(args),
        )

    async def _control_press(self, args: JsonDict) -> JsonDict:
        query_id = self.press(
            self._control_user_of(args),
            int(args["message_id"]),
            str(args["callback_data"]),
            chat=self._control_group_of(args),
            force=bool(args.get("force")),
        )
        return {"callback_query_id": query_id}

    async def _control_block(self, args: JsonDict) -> JsonDict:
        self.block_user(int(args["user_id"]), notify=bool(args.get("notify", True)))
        return {"ok": True}

    async def _control_unblock(self, args: JsonDict) -> JsonDict:
        self.unblock_user(int(args["user_id"]), notify=bool(args.get("notify", True)))
        return {"ok": True}

    async def _control_fail_next(self, args: JsonDict) -> JsonDict:
        status = args.get("status", 502)
        self.fail_next(
            str(args["method"]),
            None if status is None else int(status),
            int(args.get("times", 1)),
            delay=float(args.get("delay", 0.0)),
            retry_after=_as_int(args.get("retry_after"), 0) or None,
            description=args.get("description"),
        )
        return {"ok": True}

    async def _control_config(self, args: JsonDict) -> JsonDict:
        if "enforce_limits" in args:
            self.enforce_limits = _as_bool(args["enforce_limits"])
        if "strict_ampersand" in args:
            self.strict_ampersand = _as_bool(args["strict_ampersand"])
        if "count_edits" in args:
            self.count_edits = _as_bool(args["count_edits"])
        if "private_burst" in args:
            self.limiter.private_burst = max(1, int(args["private_burst"]))
        return {
            "enforce_limits": self.enforce_limits,
            "strict_ampersand": self.strict_ampersand,
            "count_edits": self.count_edits,
            "private_burst": self.limiter.private_burst,
        }

    async def _control_reset(self, args: JsonDict) -> JsonDict:
        self.reset()
        return {"ok": True}

    async def _control_messages(self, args: JsonDict) -> list[JsonDict]:
        return [m.to_dict() for m in self.messages(int(args["chat_id"]))]

    async def _control_requests(self, args: JsonDict) -> list[JsonDict]:
        method = args.get("method")
        return [
            {"method": r.method, "params": r.params}
            for r in self.requests
            if method is None or r.method.lower() == str(method).lower()
        ]

    async def _control_call_log(self, args: JsonDict) -> list[JsonDict]:
        since = _as_int(args.get("since"), 0)
        return [
            {
                "method": c.method,
                "chat_id": c.chat_id,
                "at": c.at,
                "done": c.done,
                "status": c.status,
                "retry_after": c.retry_after,
                "message_id": c.message_id,
                "counted": c.counted,
            }
            for c in self.call_log[since:]
        ]

    async def _control_wait_message(self, args: JsonDict) -> JsonDict:
        message = await self.wait_for_message(
            int(args["chat_id"]),
            contains=args.get("contains"),
            after=_as_int(args.get("after"), 0),
            timeout=float(args.get("timeout", 10.0)),
        )
        return message.to_dict()

    async def _control_state(self, args: JsonDict) -> JsonDict:
        return {
            "requests": len(self.requests),
            "errors": [e._asdict() for e in self.errors],
            "rate_limit_hits": self.rate_limit_hits,
            "pending_updates": len(self._updates),
            "commands": self.commands,
            "answered_callbacks": self.answered_callbacks,
            "unanswered_callbacks": self.unanswered_callbacks(),
            "blocked": sorted(self._blocked),
            "enforce_limits": self.enforce_limits,
            "count_edits": self.count_edits,
            "private_burst": self.limiter.private_burst,
        }


# --------------------------------------------------------------------------------------------
# Module helpers
# --------------------------------------------------------------------------------------------


def _decode_form_value(key: str, value: Any) -> Any:
    if not isinstance(value, str) or key in _STRING_PARAMS:
        return value
    if key in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            what = "reply keyboard markup" if key == "reply_markup" else key
            raise _bad_request(f"can't parse {what} JSON object") from None
    try:
        return json.loads(value)
    except ValueError:
        return value


def _as_int(value: Any, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes", "on")
    return bool(value)


def _parse_mode(params: JsonDict) -> str | None:
    value = params.get("parse_mode")
    if not value:
        return None
    normalized = {"html": "HTML", "markdown": "Markdown", "markdownv2": "MarkdownV2"}.get(
        str(value).lower()
    )
    if normalized is None:
        raise _bad_request("unsupported parse_mode")
    return normalized


def _scope_key(scope: Any) -> str:
    return json.dumps(scope if isinstance(scope, dict) else {"type": "default"}, sort_keys=True)


def _until(status: str) -> JsonDict:
    return {"until_date": 0} if status == "kicked" else {}


def _validate_markup(markup: Any) -> JsonDict | None:
    """Validate reply_markup like Telegram and return it."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array'
            )
        for row in rows:
            for button in row:
                _validate_inline_button(button)
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
    elif not ({"remove_keyboard", "force_reply"} & markup.keys()):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    if not isinstance(button.get("text"), str):
        raise _bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not any(key in button for key in _INLINE_BUTTON_ACTIONS):
        raise _bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise _bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not re.match(r"(https?|tg)://\S", url):
            raise _bad_request("BUTTON_URL_INVALID")


def _edited_markup(sent: SentMessage, new: Any) -> JsonDict | None:
    """An edit without reply_markup removes the inline keyboard (reply keyboards stay)."""
    validated = _validate_markup(new)
    if validated is not None:
        return validated
    if sent.reply_markup and "inline_keyboard" not in sent.reply_markup:
        return sent.reply_markup
    return None


def _status_description(status: int) -> str:
    return {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }.get(status, f"Error {status}")


def _json_default(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return value.summary()
    if isinstance(value, tuple) and value and value[0] == "upload":
        return {"upload": value[1], "mime_type": value[2], "size": len(value[3])}
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _json_dumps(value: Any) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False)


def _control_error(message: str, status: int) -> web.Response:
    return web.json_response({"error": message}, status=status)


# --------------------------------------------------------------------------------------------
# HTTP control client (for tests and benchmarks in another process)
# --------------------------------------------------------------------------------------------


class ControlError(RuntimeError):
    """The control API answered an error."""


class FakeBotApiClient:
    """Async client for the ``/_test/`` control API of a fake running in another process."""

    def __init__(self, url: str, *, session: ClientSession | None = None) -> None:
        self.url = url.rstrip("/")
        self._session = session
        self._own_session = session is None

    async def __aenter__(self) -> Self:
        if self._session is None:
            self._session = ClientSession(timeout=ClientTimeout(total=None))
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def call(self, action: str, **args: Any) -> Any:
        """POST ``args`` as JSON to ``/_test/<action>`` and return the decoded answer."""
        if self._session is None:
            self._session = ClientSession(timeout=ClientTimeout(total=None))
        body = {k: v for k, v in args.items() if v is not None}
        async with self._session.post(f"{self.url}/_test/{action}", json=body) as response:
            data = await response.json()
            if response.status != 200:
                raise ControlError(f"{action}: HTTP {response.status}: {data.get('error')}")
            return data

    async def user(self, user_id: int, first_name: str, username: str | None = None) -> JsonDict:
        return await self.call("user", user_id=user_id, first_name=first_name, username=username)

    async def group(self, chat_id: int, title: str) -> JsonDict:
        return await self.call("group", chat_id=chat_id, title=title)

    async def send_text(self, user_id: int, text: str, chat_id: int | None = None) -> JsonDict:
        return await self.call("send_text", user_id=user_id, text=text, chat_id=chat_id)

    async def send_command(
        self, user_id: int, command: str, payload: str | None = None, chat_id: int | None = None
    ) -> JsonDict:
        return await self.call(
            "send_command", user_id=user_id, command=command, payload=payload, chat_id=chat_id
        )

    async def press(
        self, user_id: int, message_id: int, callback_data: str, chat_id: int | None = None
    ) -> str:
        answer = await self.call(
            "press",
            user_id=user_id,
            message_id=message_id,
            callback_data=callback_data,
            chat_id=chat_id,
        )
        return str(answer["callback_query_id"])

    async def messages(self, chat_id: int) -> list[JsonDict]:
        return await self.call("messages", chat_id=chat_id)

    async def requests(self, method: str | None = None) -> list[JsonDict]:
        return await self.call("requests", method=method)

    async def call_log(self, since: int = 0) -> list[JsonDict]:
        """Every call the fake answered (from index ``since``): see :class:`CallRecord`."""
        return await self.call("call_log", since=since)

    async def wait_for_message(
        self, chat_id: int, contains: str | None = None, after: int = 0, timeout: float = 10.0
    ) -> JsonDict:
        return await self.call(
            "wait_message", chat_id=chat_id, contains=contains, after=after, timeout=timeout
        )

    async def block_user(self, user_id: int) -> None:
        await self.call("block", user_id=user_id)

    async def fail_next(self, method: str, status: int | None = 502, **kwargs: Any) -> None:
        await self.call("fail_next", method=method, status=status, **kwargs)

    async def configure(self, **settings: Any) -> JsonDict:
        return await self.call("config", **settings)

    async def reset(self) -> None:
        await self.call("reset")

    async def state(self) -> JsonDict:
        return await self.call("state")


# --------------------------------------------------------------------------------------------
# Separate process entry point
# --------------------------------------------------------------------------------------------


async def _serve(args: argparse.Namespace) -> None:
    server = FakeBotApi(
        args.token,
        bot_username=args.bot_username,
        enforce_limits=args.enforce_limits,
        private_burst=args.private_burst,
        count_edits=args.count_edits,
        host=args.host,
        port=args.port,
    )
    url = await server.start()
    print(f"FAKE_BOT_API_URL={url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()


def main(argv: Iterable[str] | None = None) -> None:
    """Run the fake as a standalone server until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 (default) picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--bot-username", default="charte_test_bot")
    parser.add_argument("--enforce-limits", action="store_true")
    parser.add_argument(
        "--private-burst", type=int, default=3, help="messages at once in a private chat"
    )
    parser.add_argument(
        "--count-edits", action="store_true", help="edits count against the limits too"
    )
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(level=args.log_level.upper())
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
