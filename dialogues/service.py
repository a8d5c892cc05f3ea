"""The application service: one event in, messages out, everything stored in one transaction."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from dialogues.charter import Charter
from dialogues.context import Context, Membership
from dialogues.deadlines import ChangeDates
from dialogues.domain import PHASES, Member, NewAnswer, Person
from dialogues.effects import (
    CodeFound,
    CodeNotFound,
    CreateAlliance,
    Created,
    DatesChanged,
    ExportData,
    GroupResult,
    JoinAlliance,
    Joined,
    LinkGroup,
    LoadExport,
    LoadGroupSummary,
    LoadSummary,
    LookupCode,
    NudgesOff,
    SaveAnswer,
    SetAnonymous,
    SummaryData,
    Then,
)
from dialogues.engine import Engine
from dialogues.messages import Command, Outgoing, Press
from dialogues.phases import current_phase
from dialogues.ports import Store, UnitOfWork
from dialogues.state import Session, WalkState

MAX_FEEDBACK = 3  # effects whose result goes back to the engine, per event


def new_invite_code() -> str:
    """22 URL-safe characters, 128 random bits: fits a Telegram deep link (A-Za-z0-9_-)."""
    return secrets.token_urlsafe(16)


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
        code_factory: Callable[[], str] = new_invite_code,
        replan: Callable[[UnitOfWork, int], None] | None = None,
    ) -> None:
        self.store = store
        self.engine = engine
        self.charter = charter
        self.clock = clock
        self.timezone = timezone
        self.new_code = code_factory
        self.replan = replan or (lambda uow, alliance_id: None)

    def handle(self, ref: PersonRef, event: object, invite_link: str | None = None
               ) -> list[Outgoing]:
        """Run one event through the engine; answers are committed before anything is shown."""
        out: list[Outgoing] = []
        with self.store.unit_of_work() as uow:
            person = uow.get_or_create_person(ref.channel, ref.external_id, ref.display_name)
            session = Session.from_dict(uow.load_session(person.id))
            for _ in range(MAX_FEEDBACK + 1):
                ctx = self._context(uow, person, session, event, invite_link)
                walk = WalkState.from_dict(uow.load_walk(ctx.member.id)) if ctx.member else None
                step = self.engine.step(session, walk, event, ctx)
                out.extend(step.outgoing)
                session = step.session
                if step.walk is not None and ctx.member is not None:
                    uow.save_walk(ctx.member.id, step.walk.to_dict())
                feedback = None
                for effect in step.effects:
                    feedback = self._apply(uow, person, ctx, effect) or feedback
                if feedback is None:
                    break
                event = feedback
            uow.save_session(person.id, session.to_dict())
        return out

    # --- context ----------------------------------------------------------------------------

    def _context(self, uow: UnitOfWork, person: Person, session: Session, event: object,
                 invite_link: str | None) -> Context:
        now = self.clock()
        member = uow.get_member(session.member_id) if session.member_id else None
        if member is not None and member.person_id != person.id:
            member = None
        if member is not None and member.unreachable_at is not None:
            uow.mark_reachable([member.id])  # they wrote to the bot: it can reach them again
        alliance = uow.get_alliance(member.alliance_id) if member else None
        organisation = uow.get_organisation(member.organisation_id) if member else None
        answers = {p: uow.latest_answers(member.id, p) for p in PHASES} if member else {}
        memberships: tuple[Membership, ...] = ()
        if _needs_memberships(event):
            memberships = tuple(self._memberships(uow, person))
        return Context(
            now=now,
            timezone=alliance.timezone if alliance else self.timezone,
            member=member,
            alliance=alliance,
            organisation=organisation,
            phase=current_phase(alliance, now) if alliance else None,
            answers=answers,
            memberships=memberships,
            invite_link=invite_link,
        )

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

    def _apply(self, uow: UnitOfWork, person: Person, ctx: Context, effect: object
               ) -> object | None:
        if isinstance(effect, SaveAnswer):
            member = ctx.member
            if member is None:
                return None
            uow.add_answer(NewAnswer(
                alliance_id=member.alliance_id,
                organisation_id=member.organisation_id,
                member_id=member.id,
                phase=effect.phase,
                lever_id=effect.lever_id,
                position=effect.position,
                comment=effect.comment,
                contribution=effect.contribution,
                expectation=effect.expectation,
                charter_version=self.charter.version,
                answered_at=ctx.now,
            ))
            return None
        if isinstance(effect, CreateAlliance):
            return self._create(uow, person, ctx, effect)
        if isinstance(effect, LookupCode):
            alliance = uow.find_by_code(effect.code)
            if alliance is None:
                return CodeNotFound()
            existing = self._member_of(uow, person, alliance.id)
            orgs = tuple((o.id, o.name) for o in uow.organisations(alliance.id))
            return CodeFound(alliance.id, alliance.name, orgs,
                             existing.id if existing else None)
        if isinstance(effect, JoinAlliance):
            return self._join(uow, person, ctx, effect)
        if isinstance(effect, LoadExport):
            if ctx.alliance is None:
                return None
            return ExportData(tuple(uow.export_rows(ctx.alliance.id)),
                              tuple(uow.organisations(ctx.alliance.id)),
                              tuple(uow.alliance_answers(ctx.alliance.id)),
                              ctx.alliance.anonymous)
        if isinstance(effect, ChangeDates):
            if ctx.alliance is None or ctx.member is None or ctx.member.role != "coordinator":
                return None
            uow.update_dates(ctx.alliance.id, effect.start_at, effect.mid_at, effect.end_at)
            self.replan(uow, ctx.alliance.id)
            return DatesChanged()
        if isinstance(effect, Then):
            return effect.event
        if isinstance(effect, NudgesOff):
            member = uow.get_member(effect.member_id)
            if member is not None and member.person_id == person.id:
                uow.set_nudges_off(member.id)
            return None
        if isinstance(effect, SetAnonymous):
            if ctx.alliance is not None and ctx.member is not None \
                    and ctx.member.role == "coordinator":
                uow.set_anonymous(ctx.alliance.id, effect.anonymous)
            return None
        if isinstance(effect, LinkGroup):
            alliance = uow.find_by_code(effect.code)
            member = self._member_of(uow, person, alliance.id) if alliance else None
            if alliance is None or member is None or member.role != "coordinator":
                return GroupResult("refused")
            uow.link_group(alliance.id, effect.chat_id)
            return GroupResult("linked", alliance.name)
        if isinstance(effect, LoadGroupSummary):
            alliance = uow.find_by_group(effect.chat_id)
            if alliance is None or self._member_of(uow, person, alliance.id) is None:
                return GroupResult("not_linked")
            request = LoadSummary(current_phase(alliance, ctx.now), "g", True, False)
            return SummaryData(request, tuple(uow.organisations(alliance.id)),
                               tuple(uow.alliance_answers(alliance.id)), alliance.anonymous,
                               alliance.name)
        if isinstance(effect, LoadSummary):
            if ctx.alliance is None:
                return None
            return SummaryData(effect, tuple(uow.organisations(ctx.alliance.id)),
                               tuple(uow.alliance_answers(ctx.alliance.id)),
                               ctx.alliance.anonymous, ctx.alliance.name)
        raise TypeError(f"unknown effect {effect!r}")

    @staticmethod
    def _member_of(uow: UnitOfWork, person: Person, alliance_id: int) -> Member | None:
        return next((m for m in uow.members(alliance_id) if m.person_id == person.id), None)

    def _create(self, uow: UnitOfWork, person: Person, ctx: Context, effect: CreateAlliance
                ) -> Created:
        code = self.new_code()
        while uow.find_by_code(code) is not None:
            code = self.new_code()
        alliance = uow.add_alliance(effect.name, effect.start_at, effect.end_at, effect.mid_at,
                                    code, ctx.timezone, ctx.now)
        org = uow.add_organisation(alliance.id, effect.organisation_name,
                                   effect.organisation_kind)
        member = uow.add_member(alliance.id, org.id, person.id, "coordinator", ctx.now)
        self.replan(uow, alliance.id)
        return Created(member.id, alliance.name, code)

    def _join(self, uow: UnitOfWork, person: Person, ctx: Context, effect: JoinAlliance
              ) -> object:
        alliance = uow.find_by_code(effect.code)
        if alliance is None or alliance.id != effect.alliance_id:
            return CodeNotFound()
        orgs = uow.organisations(alliance.id)
        existing = self._member_of(uow, person, alliance.id)
        if existing is not None:
            org = next((o for o in orgs if o.id == existing.organisation_id), None)
            return Joined(existing.id, alliance.name, org.name if org else "")
        if effect.organisation_id is not None:
            org = next((o for o in orgs if o.id == effect.organisation_id), None)
            if org is None:
                return CodeNotFound()
        else:
            name = effect.organisation_name or ""
            org = next((o for o in orgs if o.name.casefold() == name.casefold()), None)
            if org is None:
                org = uow.add_organisation(alliance.id, name, effect.organisation_kind or "autre")
        member = uow.add_member(alliance.id, org.id, person.id, "partner", ctx.now)
        self.replan(uow, alliance.id)
        return Joined(member.id, alliance.name, org.name)


def _needs_memberships(event: object) -> bool:
    if isinstance(event, Command):
        return event.name == "alliances"
    return isinstance(event, Press) and event.data[:2] in ("a:", "c:", "n:")
