"""Dialogue states (per person and per member's walk), stored as JSON text."""

from __future__ import annotations

import json
from typing import Any

from dialogues.core.ports import JsonDict
from storage.transaction import Transaction


def _dump(state: JsonDict) -> str:
    """Canonical JSON; TypeError/ValueError for anything JSON cannot hold exactly."""
    return json.dumps(dict(state), ensure_ascii=False, sort_keys=True, allow_nan=False)


def _load(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError(f"stored dialogue state is a {type(value).__name__}, not an object")
    return value


class StateRepository(Transaction):
    def load_session(self, person_id: int) -> dict[str, Any] | None:
        row = self._row("SELECT state FROM sessions WHERE person_id = ?", (person_id,))
        return _load(row["state"]) if row else None

    def save_session(self, person_id: int, state: JsonDict) -> None:
        self._execute(
            "INSERT INTO sessions (person_id, state, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (person_id) DO UPDATE"
            " SET state = excluded.state, updated_at = excluded.updated_at",
            (person_id, _dump(state), self._now()),
        )

    def load_walk(self, member_id: int) -> dict[str, Any] | None:
        row = self._row("SELECT state FROM walks WHERE member_id = ?", (member_id,))
        return _load(row["state"]) if row else None

    def save_walk(self, member_id: int, state: JsonDict) -> None:
        self._execute(
            "INSERT INTO walks (member_id, state, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (member_id) DO UPDATE"
            " SET state = excluded.state, updated_at = excluded.updated_at",
            (member_id, _dump(state), self._now()),
        )
