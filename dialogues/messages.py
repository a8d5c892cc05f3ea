"""What goes in and out of the engine: plain events and plain messages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str  # callback payload, at most 64 bytes


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message: a photo (PNG) or a document."""

    kind: str  # "photo" | "document"
    filename: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to show. `text` is HTML in which every user-provided part is escaped.

    With an attachment, `text` is its caption (at most 1,024 characters).
    """

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    # True: replace the message whose button was pressed (edit in place) instead of sending.
    edit: bool = False
    attachment: Attachment | None = None


# --- events -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Press:
    data: str


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # without the slash, lower case: "charte", "nouvelle", ...
    arg: str = ""


@dataclass(frozen=True, slots=True)
class GroupCommand:
    """A command typed in a group chat (the bot answers only a few there)."""

    chat_id: int
    name: str
    arg: str = ""


@dataclass(frozen=True, slots=True)
class Other:
    """Anything that is neither text nor a button: sticker, photo, voice, file..."""

    kind: str


Event = Text | Press | Command | GroupCommand | Other
