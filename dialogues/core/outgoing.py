"""What the engine sends out: plain messages with buttons and attachments."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str  # callback payload, at most 64 bytes (core.callbacks checks it)


class Rendering(Protocol):
    """A file that is slow to make (a chart, a PDF), described by picklable data."""

    def render(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message: a photo (PNG) or a document.

    Either its bytes are there, or `later` makes them: the channel renders it after the
    transaction has committed, in a worker, so nobody else's update waits for it.
    """

    kind: str  # "photo" | "document"
    filename: str
    data: bytes = b""
    later: Rendering | None = None

    def rendered(self) -> Attachment:
        """This attachment with its bytes made (in the calling process)."""
        if self.later is None:
            return self
        return replace(self, data=self.later.render(), later=None)


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
    # Replace this earlier message of the same chat instead (e.g. a card the text answers).
    edit_message: int | None = None
