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
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Literal, TypeVar, get_args, get_origin

from dialogues.core.domain import PHASES
from dialogues.core.outgoing import Button

MAX_BYTES = 64  # Telegram's limit on callback_data
SEPARATOR = ":"

Phase = Literal["lancement", "mi-parcours", "fin"]
assert get_args(Phase) == PHASES

_REGISTRY: dict[str, type[Callback]] = {}
# Per kind of button, its fields in order with their converters (made once, at registration).
_Field = tuple[str, Callable[[Any], str], Callable[[str], Any]]
_FIELDS: dict[type[Callback], tuple[_Field, ...]] = {}

C = TypeVar("C", bound="type[Callback]")


class Callback:
    """Base of every button payload; subclasses are made with @callback(prefix)."""

    PREFIX: ClassVar[str]

    def encode(self) -> str:
        parts = [self.PREFIX]
        for name, to_text, _ in _FIELDS[type(self)]:
            parts.append(to_text(getattr(self, name)))
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
        for f in fields(made):
            _check_kind(hints[f.name], made, f.name)
        _FIELDS[made] = tuple((f.name, _encoder(hints[f.name], made.__name__, f.name),
                               _decoder(hints[f.name])) for f in fields(made))
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
    for (name, _, from_text), part in zip(spec, parts, strict=True):
        value = from_text(part)
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


def _encoder(kind: Any, cls: str, name: str) -> Callable[[Any], str]:
    """How a field of this type becomes text."""
    inner = _optional(kind)
    if inner is not None:
        encode_inner = _encoder(inner, cls, name)
        return lambda value: "" if value is None else encode_inner(value)
    if kind is bool:
        return lambda value: "1" if value else "0"
    if kind is int:
        def encode_int(value: Any) -> str:
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"{cls}.{name} must be an int, got {value!r}")
            return str(value)
        return encode_int
    allowed = get_args(kind) if get_origin(kind) is Literal else None

    def encode_text(value: Any) -> str:
        text = str(value)
        if allowed is not None and text not in allowed:
            raise ValueError(f"{cls}.{name}: {text!r} is not one of {allowed}")
        if not text or SEPARATOR in text:
            raise ValueError(f"{cls}.{name}: {text!r} cannot be a callback field")
        return text
    return encode_text


def _decoder(kind: Any) -> Callable[[str], Any]:
    """How a field of this type is read back; _INVALID for anything else."""
    inner = _optional(kind)
    if inner is not None:
        decode_inner = _decoder(inner)
        return lambda part: None if part == "" else decode_inner(part)
    if kind is bool:
        return lambda part: {"1": True, "0": False}.get(part, _INVALID)
    if kind is int:
        def decode_int(part: str) -> Any:
            digits = part[1:] if part.startswith("-") else part
            if not digits.isdigit() or not digits.isascii() or len(digits) > 18:
                return _INVALID
            return int(part)
        return decode_int
    if get_origin(kind) is Literal:
        allowed = frozenset(get_args(kind))
        return lambda part: part if part in allowed else _INVALID
    return lambda part: part if part else _INVALID
