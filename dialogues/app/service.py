"""The application service: one event in, messages out, everything stored in one transaction.

    read the base context -> ask the engine what the event needs -> read that -> Engine.step
    -> save the dialogue state -> apply the writes -> commit

Only two writes feed an outcome back to the engine (an alliance created or joined: the new
membership's id), and a step may ask to run a command again on a fresh context (after
switching alliance); both take one more round in the same transaction.

An event that comes with its channel's update id is recorded in the same transaction
(storage/updates.py): delivered twice (or to two processes), it is applied once; arrived
after a later update of the same person, it is not applied at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from dialogues.app.engine import Engine, clean
from dialogues.app.loading import Loader
from dialogues.app.writes import ARRIVALS_WINDOW, Applied, Replan, Writes
from dialogues.content.charter import Charter
from dialogues.core.effects import Outcome
from dialogues.core.events import Event
from dialogues.core.outgoing import Outgoing
from dialogues.core.ports import Store, UpdateMark
from dialogues.core.session import Session

MAX_ROUNDS = 3  # the event, then an outcome or a follow-up command
# How long update ids are remembered. Telegram retries a webhook update for a day at most,
# and starts its ids again at random after a week without updates.
UPDATES_KEPT = timedelta(days=2)


@dataclass(frozen=True, slots=True)
class PersonRef:
    channel: str  # "telegram", "console"
    external_id: str
    display_name: str


@dataclass(frozen=True, slots=True)
class Handled:
    """What one event came to, once committed."""

    outgoing: tuple[Outgoing, ...]
    wake_at: datetime | None = None  # a reminder was planned: the earliest is due then
    skipped: str | None = None  # "seen" or "late": the update was not applied (see above)


class CharterService:
    def __init__(
        self,
        store: Store,
        engine: Engine,
        charter: Charter,
        clock: Callable[[], datetime],
        timezone: str,
        code_factory: Callable[[], str] | None = None,
        replan: Replan | None = None,
        arrivals_window: timedelta = ARRIVALS_WINDOW,
    ) -> None:
        self.store = store
        self.engine = engine
        self.clock = clock
        self.loader = Loader(timezone, code_factory)
        self.writes = Writes(charter, replan or (lambda uow, alliance_id: None), arrivals_window)

    def handle(self, ref: PersonRef, event: Event, invite_link: str | None = None,
               update_id: int | None = None) -> Handled:
        """Run one event through the engine; answers are committed before anything is shown.

        `update_id`: the channel's id of the update the event came in (Telegram's), so that
        an update is applied once and never after a later one of the same person.
        """
        out: list[Outgoing] = []
        applied = Applied()
        current: Event | Outcome = event
        with self.store.unit_of_work() as uow:
            mark = None
            if update_id is not None:
                now = self.clock()
                mark = UpdateMark(update_id, now, now - UPDATES_KEPT)
            person, stored, status = uow.person_with_session(
                ref.channel, ref.external_id, clean(ref.display_name), mark)
            if status != "new":
                return Handled((), skipped=status)
            session = Session.from_dict(stored)
            for _ in range(MAX_ROUNDS):
                base, walk = self.loader.base(uow, person, session, self.clock(), invite_link)
                ctx = self.loader.load(uow, person, base, self.engine.needs(session, current))
                step = self.engine.step(session, walk, current, ctx)
                out.extend(step.outgoing)
                session = step.session
                if step.walk is not None and ctx.member is not None:
                    uow.save_walk(ctx.member.id, step.walk.to_dict())
                applied.outcome = None
                for effect in step.effects:
                    self.writes.apply(uow, person, ctx, effect, applied)
                if applied.outcome is not None:
                    current = applied.outcome
                elif step.then is not None:
                    current = step.then
                else:
                    break
            # An erased person has no session left to save; an unchanged one needs no write.
            if not applied.erased and session.to_dict() != stored:
                uow.save_session(person.id, session.to_dict())
        if applied.erased:
            self.store.checkpoint()  # no copy of the erased rows left in the journal
        return Handled(tuple(out), applied.wake_at)
