"""Buttons of creating, joining and choosing an alliance."""

from __future__ import annotations

from typing import Literal

from dialogues.core.callbacks import Callback, callback

FormKind = Literal["new", "join"]


@callback("f")
class FormButton(Callback):
    """A choice in the create or join form, valid only at the step that showed it.

    `value`: "cancel", an organisation kind, an organisation id or "new", an ISO date.
    """

    form: FormKind
    step: str
    value: str


@callback("a")
class SwitchAlliance(Callback):
    """/alliances: make this membership of the person the current one."""

    member: int
