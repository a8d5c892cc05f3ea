"""Buttons of the coordination's settings: /inviter, /reglages, /archiver."""

from __future__ import annotations

from typing import Literal

from dialogues.core.callbacks import Callback, callback


@callback("i")
class InviteButton(Callback):
    """/inviter, for the invitation of `kind`: « Remplacer le code » then « Oui » or « Annuler »;
    « Inviter un tiers de confiance » (its first code); a limit to set, or to lift."""

    me: int
    action: Literal["new", "yes", "no", "create", "limit", "nolimit"]
    kind: Literal["partner", "tiers"] = "partner"


@callback("apv")
class ApprovalButton(Callback):
    """/reglages: « Valider les nouveaux membres », or let them in directly again."""

    me: int
    approval: bool


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
