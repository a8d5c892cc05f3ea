"""The walk's buttons: an answer or a move on one question, and « start the walk »."""

from __future__ import annotations

from typing import Literal

from dialogues.core.callbacks import Callback, Phase, callback

# What a walk button does: a level (1-4), « je ne sais pas » (u), « Inchangé » (same: the
# earlier phase's answer), « Garder ma note » (note), a move, « Répondre aux N leviers
# restants » (gaps), or the answer to a « replace your answer? » question (yes/no/append, with
# the question's nonce).
WalkAction = Literal["1", "2", "3", "4", "u", "same", "note", "skip", "back", "pause", "resume",
                     "gaps", "yes", "no", "append"]
CONFIRMATIONS = ("yes", "no", "append")


@callback("w")
class WalkButton(Callback):
    """Valid only on the question it was shown under: same member, phase, lever and step."""

    member: int
    phase: Phase
    index: int
    step: int
    action: WalkAction
    nonce: int | None = None  # set on yes/no/append: the question they answer


@callback("c")
class StartWalk(Callback):
    """« Parcourir la charte » for one membership; from another alliance, it switches there."""

    member: int
