"""Text normalisation shared by everything that compares what people type."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Letters that NFKD does not decompose but a French keyboard (or a phone) may produce.
_LIGATURES: Final = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l"})
# Anything that is not a letter or a digit: punctuation, apostrophes, dashes, symbols, emoji,
# whitespace and control characters.
_NON_WORD: Final = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Lowercase, strip accents, fold everything but letters and digits to single spaces."""
    # Decompose first: compatibility forms may hide capitals (« ℌ » -> « H »).
    decomposed = unicodedata.normalize("NFKD", text).casefold().translate(_LIGATURES)
    folded = unicodedata.normalize("NFKD", decomposed)
    if not folded.isascii():
        folded = "".join(c for c in folded if not unicodedata.category(c).startswith("M"))
    return _NON_WORD.sub(" ", folded).strip()
