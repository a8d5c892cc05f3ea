"""Buttons of /synthese: one section of one phase's summary, for the member who asked."""

from __future__ import annotations

from typing import Literal

from dialogues.core.callbacks import Callback, Phase, callback

# h: the headline; f0..f2: positions of a family; a: to discuss; e: evolution; t0..t2: texts;
# o: how the other alliances stand (the observatory's comparison, when the alliance agreed).
Section = Literal["h", "a", "e", "f0", "f1", "f2", "t0", "t1", "t2", "o"]


@callback("s")
class SummaryButton(Callback):
    member: int
    phase: Phase
    section: Section
