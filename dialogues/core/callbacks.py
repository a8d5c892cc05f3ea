"""Typed callback data: one small frozen dataclass per kind of button.

A kind is declared once, with a short prefix and typed fields:

    @callback("w")
    class WalkButton(Callback):
        member: int
        phase: Phase
        value: str

`WalkButton(12, "lancement", "3").encode()` gives ``"w:12:lancement:3"``; `decode(data)` gives the
dataclass back, or None for anything forged, stale in shape, or unknown. The 64-byte limit of
Telegram's callback_data is checked here, and only here, when a button is made.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Literal, TypeVar, get_args, get_origin

from dialogues.core.domain import PHASES
from dialogues.core.outgoing import Button

MAX_BYTES = 64  # Telegram's limit on callback_data
SEPARATOR = ":"

Phase = Literal["lancement", "mi-parcours", "fin"]
assert get_args(Phase) == PHASES

_REGISTRY: dict[str, type[Callback]] = {}
_FIELDS: dict[type[Callback], tuple[tuple[str, Any], ...]] = {}

C = TypeVar("C", bound="type[Callback]")


class Callback:
    """Base of every button payload; subclasses are made with @callback(prefix)."""

    PREFIX: ClassVar[str]

    def encode(self) -> str:
        parts = [self.PREFIX]
        for name, kind in _FIELDS[type(self)]:
            parts.append(_encode(getattr(self, name), kind, type(self), name))
        data = SEPARATOR.join(parts)
        size = len(data.encode("utf-8"))
        if size > MAX_BYTES:
            raise ValueError(f"callback data of {size} bytes (at most {MAX_BYTES}): {data!r}")
        return data

    def button(self, label: str) -> Button:
        """A button with this payload."""
        return Button(label, self.encode())


def callback(prefix: str) -> typing.Callable[[C], C]:
    """Register a frozen dataclass as the codec of one kind of button."""

    def register(cls: C) -> C:
        if not prefix or SEPARATOR in prefix or prefix in _REGISTRY:
            raise ValueError(f"bad or duplicate callback prefix {prefix!r}")
        made = dataclass(frozen=True, slots=True)(cls)
        made.PREFIX = prefix
        hints = typing.get_type_hints(made)
        _FIELDS[made] = tuple((f.name, hints[f.name]) for f in fields(made))
        for name, kind in _FIELDS[made]:
            _check_kind(kind, made, name)
        _REGISTRY[prefix] = made
        return made

    return register


def decode(data: str) -> Callback | None:
    """The typed payload of a pressed button; None when it is unknown, malformed or too long."""
    if not data or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    prefix, *parts = data.split(SEPARATOR)
    cls = _REGISTRY.get(prefix)
    if cls is None:
        return None
    spec = _FIELDS[cls]
    if len(parts) != len(spec):
        return None
    values = {}
    for (name, kind), part in zip(spec, parts, strict=True):
        value = _decode(part, kind)
        if value is _INVALID:
            return None
        values[name] = value
    return cls(**values)


# --- field types: int, str, bool, Literal[...] of strings, and `X | None` of those ------------

_INVALID = object()


def _check_kind(kind: Any, cls: type, name: str) -> None:
    if kind in (int, str, bool):
        return
    if get_origin(kind) is Literal and all(isinstance(a, str) for a in get_args(kind)):
        return
    if _optional(kind) is not None:
        return _check_kind(_optional(kind), cls, name)
    raise TypeError(f"{cls.__name__}.{name}: unsupported callback field type {kind!r}")


def _optional(kind: Any) -> Any:
    """T for `T | None`, else None."""
    if get_origin(kind) in (typing.Union, types.UnionType):
        args = [a for a in get_args(kind) if a is not type(None)]
        if len(args) == 1 and len(get_args(kind)) == 2:
            return args[0]
    return None


def _encode(value: Any, kind: Any, cls: type, name: str) -> str:
    inner = _optional(kind)
    if inner is not None:
        return "" if value is None else _encode(value, inner, cls, name)
    if kind is bool:
        return "1" if value else "0"
    if kind is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{cls.__name__}.{name} must be an int, got {value!r}")
        return str(value)
    text = str(value)
    if get_origin(kind) is Literal and text not in get_args(kind):
        raise ValueError(f"{cls.__name__}.{name}: {text!r} is not one of {get_args(kind)}")
    if not text or SEPARATOR in text:
        raise ValueError(f"{cls.__name__}.{name}: {text!r} cannot be a callback field")
    return text


def _decode(part: str, kind: Any) -> Any:
    inner = _optional(kind)
    if inner is not None:
        return None if part == "" else _decode(part, inner)
    if kind is bool:
        return {"1": True, "0": False}.get(part, _INVALID)
    if kind is int:
        digits = part[1:] if part.startswith("-") else part
        if not digits.isdigit() or not digits.isascii() or len(digits) > 18:
            return _INVALID
        return int(part)
    if get_origin(kind) is Literal:
        return part if part in get_args(kind) else _INVALID
    return part if part else _INVALID
