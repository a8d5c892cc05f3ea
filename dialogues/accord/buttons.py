"""Buttons of /accord: « Nous validons », and the one-page PDF to sign."""

from __future__ import annotations

from typing import Literal

from dialogues.core.callbacks import Callback, Phase, callback


@callback("ac")
class AccordButton(Callback):
    """`covers`: the newest retained text of the phase when the contrat was shown; a
    validation is for the contrat as it was read."""

    alliance: int
    phase: Phase
    covers: int
    action: Literal["validate", "pdf"]
