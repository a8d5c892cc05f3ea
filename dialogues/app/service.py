"""The application service: one event in, messages out, everything stored in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from dialogues.app.engine import Engine
from dialogues.app.writes import EffectHandlers
from dialogues.content.charter import Charter
from dialogues.core.context import Context, Membership
from dialogues.core.domain import PHASES, Person
from dialogues.core.effects import Erase
from dialogues.core.events import Command, Press
from dialogues.core.outgoing import Outgoing
from dialogues.core.phases import current_phase
from dialogues.core.ports import Store, UnitOfWork
from dialogues.core.session import Session
from dialogues.walk.state import WalkState

MAX_FEEDBACK = 3  # effects whose result goes back to the engine, per event


@dataclass(frozen=True, slots=True)
class PersonRef:
    channel: str  # "telegram", "console"
    external_id: str
    display_name: str


class CharterService:
    def __init__(
        self,
        store: Store,
        engine: Engine,
        charter: Charter,
        clock: Callable[[], datetime],
        timezone: str,
        code_factory: Callable[[], str] | None = None,
        replan: Callable[[UnitOfWork, int], None] | None = None,
    ) -> None:
        self.store = store
        self.engine = engine
        self.charter = charter
        self.clock = clock
        self.timezone = timezone
        self.effects = EffectHandlers(charter, code_factory, replan or (lambda uow, a: None))

    def handle(self, ref: PersonRef, event: object, invite_link: str | None = None
               ) -> list[Outgoing]:
        """Run one event through the engine; answers are committed before anything is shown."""
        out: list[Outgoing] = []
        erased = False
        with self.store.unit_of_work() as uow:
            person = uow.get_or_create_person(ref.channel, ref.external_id, ref.display_name)
            session = Session.from_dict(uow.load_session(person.id))
            for _ in range(MAX_FEEDBACK + 1):
                ctx, walk = self._context(uow, person, session, event, invite_link)
                step = self.engine.step(session, walk, event, ctx)
                out.extend(step.outgoing)
                session = step.session
                if step.walk is not None and ctx.member is not None:
                    uow.save_walk(ctx.member.id, step.walk.to_dict())
                feedback = None
                for effect in step.effects:
                    feedback = self.effects.apply(uow, person, ctx, effect) or feedback
                    erased = erased or isinstance(effect, Erase)
                if feedback is None:
                    break
                event = feedback
            if not erased:  # an erased person has no session left to save
                uow.save_session(person.id, session.to_dict())
        if erased:
            self.store.checkpoint()  # no copy of the erased rows left in the journal
        return out

    # --- context ----------------------------------------------------------------------------

    def _context(self, uow: UnitOfWork, person: Person, session: Session, event: object,
                 invite_link: str | None) -> tuple[Context, WalkState | None]:
        """What the engine may read for this event, and the member's walk."""
        now = self.clock()
        member = uow.get_member(session.member_id) if session.member_id else None
        if member is not None and member.person_id != person.id:
            member = None
        if member is not None and member.unreachable_at is not None:
            uow.mark_reachable([member.id])  # they wrote to the bot: it can reach them again
        alliance = uow.get_alliance(member.alliance_id) if member else None
        organisation = uow.get_organisation(member.organisation_id) if member else None
        phase = current_phase(alliance, now) if alliance else None
        walk = WalkState.from_dict(uow.load_walk(member.id)) if member else None
        answers = {}
        if member is not None:
            # The walk's phase and the current one, each with the phase before it.
            wanted = {p for ph in (phase, walk.phase if walk else None) if ph
                      for p in (ph, _previous(ph)) if p}
            answers = {p: uow.latest_answers(member.id, p) for p in wanted}
        memberships: tuple[Membership, ...] = ()
        if _needs_memberships(event):
            memberships = tuple(self._memberships(uow, person))
        ctx = Context(
            now=now,
            timezone=alliance.timezone if alliance else self.timezone,
            member=member,
            alliance=alliance,
            organisation=organisation,
            phase=phase,
            answers=answers,
            memberships=memberships,
            invite_link=invite_link,
        )
        return ctx, walk

    @staticmethod
    def _memberships(uow: UnitOfWork, person: Person) -> list[Membership]:
        found = []
        for m in uow.members_of_person(person.id):
            alliance = uow.get_alliance(m.alliance_id)
            org = uow.get_organisation(m.organisation_id)
            if alliance and org:
                found.append(Membership(m.id, alliance.name, org.name, m.role))
        return found

    # --- effects ----------------------------------------------------------------------------


def _previous(phase: str) -> str | None:
    index = PHASES.index(phase)
    return PHASES[index - 1] if index > 0 else None


def _needs_memberships(event: object) -> bool:
    if isinstance(event, Command):
        return event.name == "alliances"
    return isinstance(event, Press) and event.data[:2] in ("a:", "c:", "n:")
