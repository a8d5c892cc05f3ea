"""How a capability plugs into the engine: the commands, buttons and forms it handles.

Each capability package (walk, onboarding, deadlines, members, settings, summary, reminders,
welcome) exposes its routes; the engine routes events with these tables, never by parsing.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from dialogues.core.callbacks import Callback
from dialogues.core.context import Needs
from dialogues.core.events import Command, GroupCommand, GroupText
from dialogues.core.outgoing import Outgoing
from dialogues.core.session import Form
from dialogues.core.step import Step, Turn


class Access(enum.Enum):
    """Who may use a command (core.rules decides)."""

    ANYONE = "anyone"
    MEMBER = "member"  # needs a current alliance
    WRITE = "write"  # a member, and the alliance is not archived


@dataclass(frozen=True)
class CommandRoute:
    handler: Callable[[Turn, Command], Step]
    access: Access = Access.ANYONE
    needs: Callable[[Command], Needs] = field(default=lambda cmd: ())


@dataclass(frozen=True)
class ButtonRoute:
    """`handler` returns None when the button is stale or forged (nothing is written).

    Only routes with `groups=True` answer a button pressed in a group chat (where anyone in
    the group can press it); others are ignored there.
    """

    handler: Callable[..., Step | None]
    needs: Callable[[Any], Needs] = field(default=lambda data: ())
    groups: bool = False
    # True: the handler is called with the Press too (which chat, which message was pressed).
    pressed: bool = False


@dataclass(frozen=True)
class FormRoute:
    """A multi-step form or a yes/no question that waits in the session (Form.kind)."""

    on_text: Callable[[Turn, str], Step]
    prompt: Callable[[Turn], tuple[Outgoing, ...]]
    needs: Callable[[Form], Needs] = field(default=lambda form: ())


@dataclass(frozen=True)
class GroupRoute:
    """A command typed in a group chat."""

    handler: Callable[[Turn, GroupCommand], Step]
    needs: Callable[[GroupCommand], Needs] = field(default=lambda cmd: ())


@dataclass(frozen=True)
class ReplyRoute:
    """Text typed in a group chat in reply to one of the bot's messages (GroupText).

    A capability lists these in an optional `group_replies` table; each route's handler
    returns None when the reply is not for it (the next route is asked; silence if none).
    """

    handler: Callable[[Turn, GroupText], Step | None]
    needs: Callable[[GroupText], Needs] = field(default=lambda event: ())


class Capability(Protocol):
    commands: Mapping[str, CommandRoute]
    buttons: Mapping[type[Callback], ButtonRoute]
    forms: Mapping[str, FormRoute]
    group_commands: Mapping[str, GroupRoute]


def needs(*wanted: Any) -> Callable[[object], Needs]:
    """A needs function that always asks for the same reads."""
    return lambda _: tuple(wanted)
