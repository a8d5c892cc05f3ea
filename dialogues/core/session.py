"""Dialogue state, stored as JSON: per person (Session, Form) and per membership (WalkState)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

# Sentinel stored for « je ne sais pas » in pending choices (None means "no choice").
DONT_KNOW = 0


@dataclass(frozen=True, slots=True)
class Pending:
    """A typed change waiting for a yes/no confirmation."""

    kind: str  # "position" | "text" | "keep" (the earlier phase's answer, unchanged)
    position: int | None = None  # 1..4, or DONT_KNOW
    text: str | None = None
    nonce: int = 0  # names this question in its buttons: « Oui » under an older one is stale


@dataclass(frozen=True, slots=True)
class WalkState:
    """Where one member is in the walk of one phase."""

    phase: str
    index: int = 0  # 0-based lever index; == number of levers when the walk is done
    step: int = 0  # position in the lever's step sequence
    paused: bool = False
    # A sentence typed at the position step that was not read as a level: shown as a note,
    # then offered as the answer to the lever's first text question.
    draft: str | None = None
    pending: Pending | None = None
    asked: int = 0  # confirmations asked so far (the next Pending's nonce)
    # Where to go after the current lever, before going on in order: the lever a /levier jump
    # left (to come back to it), the levers left unanswered; `len(levers)` is the end.
    queue: tuple[int, ...] = ()

    def asking(self, kind: str, position: int | None = None, text: str | None = None
               ) -> WalkState:
        """This state with a new confirmation question pending."""
        nonce = self.asked + 1
        return replace(self, pending=Pending(kind, position, text, nonce), asked=nonce)

    def at(self, index: int, step: int = 0) -> WalkState:
        return replace(self, index=index, step=step, draft=None, pending=None, paused=False)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(data: dict[str, Any] | None) -> WalkState | None:
        if not data:
            return None
        pending = data.get("pending")
        return WalkState(
            phase=str(data["phase"]),
            index=int(data.get("index", 0)),
            step=int(data.get("step", 0)),
            paused=bool(data.get("paused", False)),
            draft=data.get("draft"),
            pending=Pending(**pending) if pending else None,
            asked=int(data.get("asked", 0)),
            queue=tuple(int(i) for i in data.get("queue", ())),
        )


@dataclass(frozen=True, slots=True)
class Form:
    """A multi-step form (create or join an alliance) in progress."""

    kind: str  # "new" | "join"
    step: str
    values: tuple[tuple[str, str], ...] = ()
    choices: tuple[tuple[str, str], ...] = ()  # (organisation id, name) when joining

    def get(self, key: str) -> str | None:
        return dict(self.values).get(key)

    def with_value(self, key: str, value: str, next_step: str) -> Form:
        values = {**dict(self.values), key: value}
        return replace(self, step=next_step, values=tuple(sorted(values.items())))


@dataclass(frozen=True, slots=True)
class Session:
    """Per person: the current alliance membership and any form in progress."""

    member_id: int | None = None
    form: Form | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(data: dict[str, Any] | None) -> Session:
        if not data:
            return Session()
        form = data.get("form")
        return Session(
            member_id=data.get("member_id"),
            form=Form(
                kind=form["kind"],
                step=form["step"],
                values=tuple(tuple(v) for v in form.get("values", ())),
                choices=tuple(tuple(c) for c in form.get("choices", ())),
            )
            if form
            else None,
        )
