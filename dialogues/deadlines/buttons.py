"""Buttons of /echeances."""

from __future__ import annotations

from typing import Literal

from dialogues.core.callbacks import Callback, callback


@callback("d")
class DeadlineButton(Callback):
    """A coordinator's choice under the dates: change one, or open the next phase now."""

    member: int
    action: Literal["start", "mid", "end", "open"]


@callback("dq")
class DatesAnswer(Callback):
    """Under a dates question: confirm opening the next phase, or cancel."""

    step: Literal["start", "mid", "end", "open", "check"]
    answer: Literal["yes", "cancel"]
