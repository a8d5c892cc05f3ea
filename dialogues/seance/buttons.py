"""Buttons of a séance's card: the leader's (valid for the card's turn only) and the votes."""

from __future__ import annotations

from typing import Literal

from dialogues.core.callbacks import Callback, Phase, callback

SeanceAction = Literal["retain", "next", "back", "pause", "resume", "end"]


@callback("sc")
class SeanceButton(Callback):
    """« Retenir », « Passer », « Retour », « Pause », « Reprendre », « Terminer la séance »:
    for whoever leads the séance of `alliance`, on the card of turn `turn`."""

    alliance: int
    turn: int
    action: SeanceAction


@callback("sv")
class VoteButton(Callback):
    """« D'accord » or « À retravailler » on version `version` (1, 2…) of what the alliance
    retained for the lever at `lever` (its index in the charter) in `phase`."""

    alliance: int
    phase: Phase
    lever: int
    version: int
    vote: Literal["agree", "rework"]
