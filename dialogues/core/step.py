"""One engine step: the turn it starts from, and the step it produces."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from dialogues.core.context import Context
from dialogues.core.effects import Effect
from dialogues.core.events import Command
from dialogues.core.outgoing import Outgoing
from dialogues.core.session import Session, WalkState

_SAME: Any = object()


@dataclass(frozen=True, slots=True)
class Step:
    """What one event comes to: the new dialogue state, messages to show, writes to apply."""

    session: Session
    walk: WalkState | None  # the walk of context.member after the step
    outgoing: tuple[Outgoing, ...] = ()
    effects: tuple[Effect, ...] = ()
    # Run this command next, on a context read afresh (after switching alliance).
    then: Command | None = None


@dataclass(frozen=True, slots=True)
class Turn:
    """Where one event starts: the person's dialogue state and what the service read."""

    session: Session
    walk: WalkState | None
    ctx: Context

    def reply(self, *outgoing: Outgoing, effects: tuple[Effect, ...] = (),
              session: Session = _SAME, walk: WalkState | None = _SAME) -> Step:
        """A step from this turn; the session and walk stay as they are unless given."""
        return Step(self.session if session is _SAME else session,
                    self.walk if walk is _SAME else walk, tuple(outgoing), tuple(effects))

    def with_session(self, **changes: Any) -> Session:
        """This turn's session with some fields changed (form=None ends a form)."""
        return replace(self.session, **changes)
