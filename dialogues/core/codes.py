"""Invitation codes: made to be read aloud, typed on a phone and pasted from a message.

A new code is 20 characters of Crockford's base32 (100 random bits), shown in groups of four:
``7K3M-Q9TX-…``. It fits a Telegram deep link (A-Za-z0-9_-), and it is read whatever the case,
with or without its spaces and dashes, and with Crockford's look-alikes (I and L for 1, O for 0).
Codes made before (22 URL-safe characters, case-sensitive) still work exactly as stored.
"""

from __future__ import annotations

import re
import secrets
from typing import Final

ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
LENGTH: Final = 20  # 100 bits
GROUP: Final = 4
_LOOK_ALIKES: Final = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS: Final = re.compile(r"[\s\-‐‑‒–—]+")
_STORED: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # any code as stored before
_LEGACY: Final = re.compile(r"^[A-Za-z0-9_-]{22}$")  # what the bot used to make
_MAX_TYPED: Final = 64
_GROUPED: Final = re.compile(r"^[0-9A-Za-z]{4}(?:[ -][0-9A-Za-z]{4}){4}$")


def new_code() -> str:
    """A fresh code, in the form it is stored and shown: groups of four joined by dashes."""
    return grouped("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)))


def grouped(chars: str) -> str:
    return "-".join(chars[i:i + GROUP] for i in range(0, len(chars), GROUP))


def canonical(typed: str) -> str | None:
    """The stored form of a typed new-style code, or None when it cannot be one."""
    if len(typed) > _MAX_TYPED:
        return None
    chars = _SEPARATORS.sub("", typed).upper().translate(_LOOK_ALIKES)
    if len(chars) != LENGTH or any(c not in ALPHABET for c in chars):
        return None
    return grouped(chars)


def candidates(typed: str) -> tuple[str, ...]:
    """The stored codes a typed text may stand for: itself (a code made before, exactly as
    typed) and its new-style form."""
    text = typed.strip()
    found = []
    if _STORED.match(text):
        found.append(text)
    new = canonical(text)
    if new is not None:
        found.append(new)
    return tuple(dict.fromkeys(found))


def looks_like_code(text: str) -> bool:
    """A message that is nothing but an invitation code (pasted alone in the chat)."""
    text = text.strip()
    if canonical(text) is not None:
        shown = bool(_GROUPED.match(text))  # exactly as the bot shows it, any case
        return shown or (any(c.isdigit() for c in text) and any(c.isalpha() for c in text))
    # A code made before: 22 URL-safe characters, with letters and digits, no spaces.
    return bool(_LEGACY.match(text)) and any(c.isdigit() for c in text) \
        and any(c.isalpha() for c in text)
