"""Buttons of /membres, /quitter and /oubli."""

from __future__ import annotations

from typing import Literal

from dialogues.core.callbacks import Callback, callback


@callback("m")
class MemberButton(Callback):
    """A coordinator (`me`) about another member: show the choices, or act (after « Oui »);
    a newcomer waiting for the coordination is accepted or refused."""

    me: int
    target: int
    action: Literal["show", "remove", "hand", "co", "accept", "refuse"]
    confirmed: bool = False


@callback("q")
class LeaveButton(Callback):
    """The answer to « Quitter l'alliance ? », valid only for the member who asked."""

    me: int
    leave: bool


@callback("o")
class EraseButton(Callback):
    """The answer to « Effacer toutes vos données ? »."""

    choice: Literal["keep", "all", "no"]
