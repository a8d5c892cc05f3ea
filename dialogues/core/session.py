"""Per person: the current alliance membership and any form in progress (JSON round-trip)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any


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
