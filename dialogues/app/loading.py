"""What the engine reads, loaded inside the event's transaction before `Engine.step`.

The base (who is talking, their current alliance and phase, their walk and own answers) is
read for every event; anything else only when the event declares it (core.context.Need).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from dialogues.core import codes, rules
from dialogues.core.agreements import Accord, Named
from dialogues.core.context import (
    AccordLookup,
    AllianceAnswers,
    Arrival,
    ArrivalBatch,
    ArrivalLookup,
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
from dialogues.core.domain import PHASES, Alliance, Member, Person
from dialogues.core.phases import current_phase
from dialogues.core.ports import UnitOfWork
from dialogues.core.session import Session, WalkState


def new_invite_code() -> str:
    """100 random bits in Crockford's base32, in groups of four (core.codes)."""
    return codes.new_code()


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
        organisation = view.organisation if view else None  # a tiers de confiance has none
        phase = current_phase(alliance, now) if alliance else None
        walk = WalkState.from_dict(view.walk) if view else None
        answers = {}
        if member is not None:
            # The walk's phase and the current one, each with the phases before it.
            wanted = {p for ph in (phase, walk.phase if walk else None) if ph
                      for p in PHASES[:PHASES.index(ph) + 1]}
            assert view is not None
            answers = {p: view.answers.get(p, {}) for p in wanted}
        ctx = Context(now=now, timezone=alliance.timezone if alliance else self.timezone,
                      member=member, alliance=alliance, organisation=organisation, phase=phase,
                      answers=answers, invite_link=invite_link, channel=person.channel)
        return ctx, walk

    def load(self, uow: UnitOfWork, person: Person, ctx: Context, needs: Needs) -> Context:
        """The context with what `needs` asks for."""
        if not needs:
            return ctx
        loaded = Loaded()
        # Nothing of the alliance for a newcomer the coordination has not accepted yet.
        alliance = ctx.alliance if rules.may_read_alliance(ctx.member) else None
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
            elif need is Need.RETAINED and alliance is not None and ctx.phase != PHASES[0]:
                # Recalled from earlier phases only: at the launch there is nothing to read.
                loaded = replace(loaded, retained=tuple(uow.latest_agreements(alliance.id)))
            elif isinstance(need, AccordLookup):
                loaded = replace(loaded, accord=_accord(uow, person, alliance, need))
            elif need is Need.INVITATIONS and alliance is not None:
                loaded = replace(loaded, invites=tuple(uow.invitations(alliance.id)))
            elif need is Need.CODE_TRIES:
                loaded = replace(loaded, code_failures=_code_failures(uow, person, ctx.now))
            elif need is Need.NETWORK:
                loaded = replace(loaded, network=tuple(uow.network_answers(comparing_only=True)))
            elif isinstance(need, CodeLookup):
                # Every code looked up is a try: the engine sees the person's wrong ones too.
                loaded = replace(loaded, invitation=_invitation(uow, person, need.code, ctx.now),
                                 code_failures=_code_failures(uow, person, ctx.now))
            elif isinstance(need, GroupLookup):
                found = uow.find_by_group(need.chat_id)
                if found is not None and rules.may_read_alliance(
                        member_of(uow, person, found.id)):
                    loaded = replace(loaded, group=_answers(uow, found))
            elif isinstance(need, ArrivalLookup):
                loaded = replace(loaded, arrivals=arrivals(uow, person.id, need.batch))
        return replace(ctx, loaded=loaded)

    def _unused_code(self, uow: UnitOfWork) -> str:
        code = self.new_code()
        while uow.code_taken(code):
            code = self.new_code()
        return code

    @staticmethod
    def _memberships(uow: UnitOfWork, person: Person) -> tuple[Membership, ...]:
        found = []
        for m in uow.members_of_person(person.id):
            alliance = uow.get_alliance(m.alliance_id)
            if alliance is None:
                continue
            if rules.is_tiers(m):  # an overview of each alliance the tiers accompanies
                answers = _answers(uow, alliance) if rules.may_read_alliance(m) else None
                found.append(Membership(m.id, alliance.id, alliance.name, "", m.role,
                                        rules.is_pending(m), answers))
                continue
            org = uow.get_organisation(m.organisation_id) if m.organisation_id else None
            if org is not None:
                found.append(Membership(m.id, alliance.id, alliance.name, org.name, m.role,
                                        rules.is_pending(m)))
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
        org = uow.get_organisation(m.organisation_id) if m.organisation_id is not None else None
        infos.append(MemberInfo(m, who.display_name if who else "", org.name if org else "",
                                len(uow.latest_answers(m.id, phase))))
    return tuple(infos)


def _accord(uow: UnitOfWork, person: Person, current: Alliance | None, need: AccordLookup
            ) -> Accord | None:
    """The alliance's séances and contrat, for one of its members only."""
    if need.chat_id is not None:
        alliance = uow.find_by_group(need.chat_id)
    elif need.alliance_id is not None:
        alliance = uow.get_alliance(need.alliance_id)
    else:
        alliance = current
    if alliance is None:
        return None
    member = member_of(uow, person, alliance.id)
    if member is None:
        return None
    agreements = tuple(uow.agreements(alliance.id))
    validations = tuple(uow.validations(alliance.id))
    seances = tuple(uow.seances(alliance.id))
    wanted = dict.fromkeys([member.id, *(a.member_id for a in agreements),
                            *(v.member_id for v in validations),
                            *(x.led_by for x in seances),
                            *(w.member_id for x in seances if x.open for w in x.writing)])
    people = []
    for member_id in wanted:
        someone = uow.get_member(member_id)
        who = uow.get_person(someone.person_id) if someone is not None else None
        if someone is not None:
            name = who.display_name if who is not None and someone.left_at is None else ""
            people.append(Named(member_id, name, someone.role))
    return Accord(
        alliance=alliance, member=member, organisations=tuple(uow.organisations(alliance.id)),
        agreements=agreements, validations=validations, votes=tuple(uow.votes(alliance.id)),
        seances=seances, people=tuple(people),
        answers=tuple(uow.alliance_answers(alliance.id)) if need.answers else ())


def _invitation(uow: UnitOfWork, person: Person, code: str, now: datetime
                ) -> Invitation | None:
    """What an open code opens, typed as stored (a code made before) or read the new way; an
    expired, used-up, replaced or unknown code opens nothing."""
    invite = next((found for candidate in codes.candidates(code)
                   if (found := uow.find_invitation(candidate)) is not None), None)
    if not rules.invitation_open(invite, now):
        return None
    assert invite is not None
    alliance = uow.get_alliance(invite.alliance_id)
    if alliance is None:
        return None
    return Invitation(alliance, tuple(uow.organisations(alliance.id)),
                      member_of(uow, person, alliance.id), invite)


def _code_failures(uow: UnitOfWork, person: Person, now: datetime) -> tuple[datetime, ...]:
    return tuple(uow.code_failures(person.id, now - rules.WRONG_CODES_WINDOW))


def arrivals(uow: UnitOfWork, person_id: int, batch: int) -> ArrivalBatch | None:
    """An arrivals message as it stands now, if it was sent to this person (else None: a
    forged button, or one of somebody else's messages)."""
    # A refused newcomer's line stays, pointing to nobody (member_id None).
    told = [n for n in uow.batch(batch) if n.kind == "arrival"]
    if not told or any(n.person_id != person_id for n in told):
        return None
    alliance = uow.get_alliance(told[0].alliance_id)
    if alliance is None:
        return None
    members = tuple(uow.members(alliance.id))
    actor = next((m for m in members if m.person_id == person_id), None)
    found = []
    for n in told:
        member = uow.get_member(n.member_id) if n.member_id is not None else None
        if member is None:
            continue
        person = uow.get_person(member.person_id)
        org = uow.get_organisation(member.organisation_id) \
            if member.organisation_id is not None else None
        new = org is not None and uow.organisation_founder(org.id) == member.id
        found.append(Arrival(member, person.display_name if person else "",
                             org.name if org else None, new))
    return ArrivalBatch(batch, alliance, actor, members, tuple(found))
