"""Buttons of the coordination's settings: /inviter, /reglages, /archiver."""

from __future__ import annotations

from typing import Literal

from dialogues.core.callbacks import Callback, callback


@callback("i")
class InviteButton(Callback):
    """« Remplacer le code », then « Oui » or « Annuler »."""

    me: int
    action: Literal["new", "yes", "no"]


@callback("g")
class AnonymityButton(Callback):
    """/reglages: show organisations by name, or as « Partenaire 1, 2… »."""

    me: int
    anonymous: bool


@callback("x")
class ArchiveButton(Callback):
    """The answer to « Archiver l'alliance ? »."""

    me: int
    archive: bool


@callback("cmp")
class ComparisonButton(Callback):
    """/reglages: compare the alliance with the other alliances that agreed, or stop."""

    me: int
    comparison: bool
