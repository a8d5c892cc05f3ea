"""Buttons under an arrivals message (sent to a coordinator by the notifications job)."""

from __future__ import annotations

from typing import Literal

from dialogues.core.callbacks import Callback, callback


@callback("arr")
class ArrivalButton(Callback):
    """About the newcomer `target` of the arrivals message `batch`: « Accepter », « Refuser »
    or « Retirer » (the last two after « Oui »), or back to the message ("show")."""

    batch: int
    target: int
    action: Literal["accept", "refuse", "remove", "show"]
    confirmed: bool = False
