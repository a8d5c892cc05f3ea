"""Buttons of /suggestion: what the suggestion is about."""

from __future__ import annotations

from dialogues.core.callbacks import Callback, callback


@callback("sg")
class SuggestionAbout(Callback):
    """« Sur le levier N » (a lever id) or « Sur toute la charte » (None)."""

    me: int
    lever: str | None
