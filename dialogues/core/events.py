"""What comes into the engine: what a person did, as plain events."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Press:
    """A button pressed; in a group chat `chat_id` is the group's (negative) id."""

    data: str
    chat_id: int | None = None
    message_id: int | None = None  # the message the button was under


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
class GroupText:
    """Text in a group chat that replies to one of the bot's messages (with privacy mode on, the
    bot sees nothing else there but commands)."""

    chat_id: int
    text: str
    reply_to: int  # the bot's message it answers


@dataclass(frozen=True, slots=True)
class Other:
    """Anything that is neither text nor a button: sticker, photo, voice, file..."""

    kind: str


Event = Text | Press | Command | GroupCommand | GroupText | Other


def in_group(event: Event) -> bool:
    """Typed or pressed in a group chat rather than in the person's private chat."""
    if isinstance(event, GroupCommand | GroupText):
        return True
    return isinstance(event, Press) and event.chat_id is not None and event.chat_id < 0
