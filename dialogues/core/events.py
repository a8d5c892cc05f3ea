"""What comes into the engine: what a person did, as plain events."""

from __future__ import annotations

from dataclasses import dataclass


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
