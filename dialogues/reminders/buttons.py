"""Buttons under a reminder (besides « Réévaluer la charte », walk.buttons.StartWalk)."""

from __future__ import annotations

from dialogues.core.callbacks import Callback, callback


@callback("n")
class NudgesOffButton(Callback):
    """« Ne plus me rappeler »: no more nudges for this membership."""

    member: int
