"""What the engine reads, loaded inside the event's transaction before `Engine.step`.

The base (who is talking, their current alliance and phase, their walk and own answers) is
read for every event; anything else only when the event declares it (core.context.Need).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from dialogues.core.context import (
    AllianceAnswers,
    CodeLookup,
    Context,
    GroupLookup,
    Invitation,
    Loaded,
    MemberInfo,
    Membership,
    Need,
    Needs,
)
from dialogues.core.domain import Alliance, Member, Person
from dialogues.core.phases import current_phase, previous_phase
from dialogues.core.ports import UnitOfWork
from dialogues.core.session import Session, WalkState


def new_invite_code() -> str:
    """22 URL-safe characters, 128 random bits: fits a Telegram deep link (A-Za-z0-9_-)."""
    return secrets.token_urlsafe(16)


class Loader:
    def __init__(self, timezone: str, code_factory: Callable[[], str] | None = None) -> None:
        self.timezone = timezone
        self.new_code = code_factory or new_invite_code

    def base(self, uow: UnitOfWork, person: Person, session: Session, now: datetime,
             invite_link: str | None) -> tuple[Context, WalkState | None]:
        """Who is talking, in which alliance and phase; their walk and their own answers."""
        view = uow.membership_view(session.member_id) if session.member_id else None
        if view is not None and view.member.person_id != person.id:
            view = None
        member = view.member if view else None
        if member is not None and member.unreachable_at is not None:
            uow.mark_reachable([member.id])  # they wrote to the bot: it can reach them again
        alliance = view.alliance if view else None
        organisation = view.organisation if view else None
        phase = current_phase(alliance, now) if alliance else None
        walk = WalkState.from_dict(view.walk) if view else None
        answers = {}
        if member is not None:
            # The walk's phase and the current one, each with the phase before it.
            wanted = {p for ph in (phase, walk.phase if walk else None) if ph
                      for p in (ph, previous_phase(ph)) if p}
            assert view is not None
            answers = {p: view.answers.get(p, {}) for p in wanted}
        ctx = Context(now=now, timezone=alliance.timezone if alliance else self.timezone,
                      member=member, alliance=alliance, organisation=organisation, phase=phase,
                      answers=answers, invite_link=invite_link)
        return ctx, walk

    def load(self, uow: UnitOfWork, person: Person, ctx: Context, needs: Needs) -> Context:
        """The context with what `needs` asks for."""
        if not needs:
            return ctx
        loaded = Loaded()
        alliance = ctx.alliance
        for need in needs:
            if need is Need.MEMBERSHIPS:
                loaded = replace(loaded, memberships=self._memberships(uow, person))
            elif need in (Need.ANSWERS, Need.EXPORT) and alliance is not None:
                loaded = replace(loaded, answers=_answers(uow, alliance))
                if need is Need.EXPORT:
                    loaded = replace(loaded, export_rows=tuple(uow.export_rows(alliance.id)))
            elif need is Need.MEMBERS and alliance is not None and ctx.phase is not None:
                loaded = replace(loaded, members=_members(uow, alliance, ctx.phase))
            elif need is Need.PERSON_DATA:
                data = json.dumps(uow.person_data(person.id), ensure_ascii=False, indent=2)
                loaded = replace(loaded, person_data=data)
            elif need is Need.FRESH_CODE:
                loaded = replace(loaded, fresh_code=self._unused_code(uow))
            elif need is Need.NETWORK:
                loaded = replace(loaded, network=tuple(uow.network_answers(comparing_only=True)))
            elif isinstance(need, CodeLookup):
                loaded = replace(loaded, invitation=_invitation(uow, person, need.code))
            elif isinstance(need, GroupLookup):
                found = uow.find_by_group(need.chat_id)
                if found is not None and member_of(uow, person, found.id) is not None:
                    loaded = replace(loaded, group=_answers(uow, found))
        return replace(ctx, loaded=loaded)

    def _unused_code(self, uow: UnitOfWork) -> str:
        code = self.new_code()
        while uow.find_by_code(code) is not None:
            code = self.new_code()
        return code

    @staticmethod
    def _memberships(uow: UnitOfWork, person: Person) -> tuple[Membership, ...]:
        found = []
        for m in uow.members_of_person(person.id):
            alliance = uow.get_alliance(m.alliance_id)
            org = uow.get_organisation(m.organisation_id)
            if alliance and org:
                found.append(Membership(m.id, alliance.id, alliance.name, org.name, m.role))
        return tuple(found)


def member_of(uow: UnitOfWork, person: Person, alliance_id: int) -> Member | None:
    return next((m for m in uow.members(alliance_id) if m.person_id == person.id), None)


def _answers(uow: UnitOfWork, alliance: Alliance) -> AllianceAnswers:
    return AllianceAnswers(alliance, tuple(uow.organisations(alliance.id)),
                           tuple(uow.alliance_answers(alliance.id)))


def _members(uow: UnitOfWork, alliance: Alliance, phase: str) -> tuple[MemberInfo, ...]:
    infos = []
    for m in uow.members(alliance.id):
        who = uow.get_person(m.person_id)
        org = uow.get_organisation(m.organisation_id)
        infos.append(MemberInfo(m, who.display_name if who else "", org.name if org else "",
                                len(uow.latest_answers(m.id, phase))))
    return tuple(infos)


def _invitation(uow: UnitOfWork, person: Person, code: str) -> Invitation | None:
    alliance = uow.find_by_code(code)
    if alliance is None:
        return None
    return Invitation(alliance, tuple(uow.organisations(alliance.id)),
                      member_of(uow, person, alliance.id))
