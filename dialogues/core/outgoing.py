"""What the engine sends out: plain messages with buttons and attachments."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str  # callback payload, at most 64 bytes (core.callbacks checks it)


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
