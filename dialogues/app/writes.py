"""What each effect does to the database, inside the event's transaction.

Each handler re-checks who may do it: the engine already did, but a forged or stale event
must not get through either. A handler returns a result event for the engine, or None.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

from dialogues.content.charter import Charter
from dialogues.core.context import Context
from dialogues.core.domain import Member, NewAnswer, Person
from dialogues.core.effects import (
    Archive,
    CodeFound,
    CodeNotFound,
    CodeReplaced,
    CreateAlliance,
    Created,
    DatesChanged,
    Erase,
    ExportData,
    GroupResult,
    JoinAlliance,
    Joined,
    Leave,
    LinkGroup,
    LoadExport,
    LoadGroupSummary,
    LoadMembers,
    LoadPersonData,
    LoadSummary,
    LookupCode,
    ManageMember,
    MemberInfo,
    MembersData,
    NudgesOff,
    Outcome,
    PersonData,
    ReplaceCode,
    SaveAnswer,
    SetAnonymous,
    SummaryData,
    Then,
)
from dialogues.core.phases import current_phase
from dialogues.core.ports import UnitOfWork
from dialogues.deadlines.flow import ChangeDates

Replan = Callable[[UnitOfWork, int], None]


def new_invite_code() -> str:
    """22 URL-safe characters, 128 random bits: fits a Telegram deep link (A-Za-z0-9_-)."""
    return secrets.token_urlsafe(16)


def member_of(uow: UnitOfWork, person: Person, alliance_id: int) -> Member | None:
    return next((m for m in uow.members(alliance_id) if m.person_id == person.id), None)


class EffectHandlers:
    def __init__(self, charter: Charter, code_factory: Callable[[], str] | None,
                 replan: Replan) -> None:
        self.charter = charter
        self.new_code = code_factory or new_invite_code
        self.replan = replan
        self.handlers: dict[type, Callable[[UnitOfWork, Person, Context, Any], object]] = {
            SaveAnswer: self.save_answer,
            CreateAlliance: self.create,
            LookupCode: self.lookup_code,
            JoinAlliance: self.join,
            LoadSummary: self.load_summary,
            LoadGroupSummary: self.load_group_summary,
            LoadExport: self.load_export,
            ChangeDates: self.change_dates,
            SetAnonymous: self.set_anonymous,
            LinkGroup: self.link_group,
            NudgesOff: self.nudges_off,
            LoadMembers: self.load_members,
            ManageMember: self.manage_member,
            Leave: self.leave,
            Erase: self.erase,
            LoadPersonData: self.person_data,
            Archive: self.archive,
            ReplaceCode: self.replace_code,
            Then: lambda uow, person, ctx, effect: effect.event,
        }

    def apply(self, uow: UnitOfWork, person: Person, ctx: Context, effect: object
              ) -> object | None:
        handler = self.handlers.get(type(effect))
        if handler is None:
            raise TypeError(f"unknown effect {effect!r}")
        return handler(uow, person, ctx, effect)

    # --- answers and alliances --------------------------------------------------------------

    def save_answer(self, uow: UnitOfWork, person: Person, ctx: Context, effect: SaveAnswer
                    ) -> None:
        member = ctx.member
        if member is None or (ctx.alliance is not None and ctx.alliance.archived_at):
            return
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

    def _unused_code(self, uow: UnitOfWork) -> str:
        code = self.new_code()
        while uow.find_by_code(code) is not None:
            code = self.new_code()
        return code

    def create(self, uow: UnitOfWork, person: Person, ctx: Context, effect: CreateAlliance
               ) -> Created:
        code = self._unused_code(uow)
        alliance = uow.add_alliance(effect.name, effect.start_at, effect.end_at, effect.mid_at,
                                    code, ctx.timezone, ctx.now)
        org = uow.add_organisation(alliance.id, effect.organisation_name,
                                   effect.organisation_kind)
        member = uow.add_member(alliance.id, org.id, person.id, "coordinator", ctx.now)
        self.replan(uow, alliance.id)
        return Created(member.id, alliance.name, code)

    def lookup_code(self, uow: UnitOfWork, person: Person, ctx: Context, effect: LookupCode
                    ) -> object:
        alliance = uow.find_by_code(effect.code)
        if alliance is None:
            return CodeNotFound()
        existing = member_of(uow, person, alliance.id)
        orgs = tuple((o.id, o.name) for o in uow.organisations(alliance.id))
        return CodeFound(alliance.id, alliance.name, orgs, existing.id if existing else None)

    def join(self, uow: UnitOfWork, person: Person, ctx: Context, effect: JoinAlliance
             ) -> object:
        alliance = uow.find_by_code(effect.code)
        if alliance is None or alliance.id != effect.alliance_id:
            return CodeNotFound()
        orgs = uow.organisations(alliance.id)
        existing = member_of(uow, person, alliance.id)
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

    # --- reading for summaries and exports --------------------------------------------------

    def load_summary(self, uow: UnitOfWork, person: Person, ctx: Context, effect: LoadSummary
                     ) -> object | None:
        if ctx.alliance is None:
            return None
        return SummaryData(effect, tuple(uow.organisations(ctx.alliance.id)),
                           tuple(uow.alliance_answers(ctx.alliance.id)),
                           ctx.alliance.anonymous, ctx.alliance.name)

    def load_group_summary(self, uow: UnitOfWork, person: Person, ctx: Context,
                           effect: LoadGroupSummary) -> object:
        alliance = uow.find_by_group(effect.chat_id)
        if alliance is None or member_of(uow, person, alliance.id) is None:
            return GroupResult("not_linked")
        request = LoadSummary(current_phase(alliance, ctx.now), "g", True, False)
        return SummaryData(request, tuple(uow.organisations(alliance.id)),
                           tuple(uow.alliance_answers(alliance.id)), alliance.anonymous,
                           alliance.name)

    def load_export(self, uow: UnitOfWork, person: Person, ctx: Context, effect: LoadExport
                    ) -> object | None:
        if ctx.alliance is None:
            return None
        return ExportData(tuple(uow.export_rows(ctx.alliance.id)),
                          tuple(uow.organisations(ctx.alliance.id)),
                          tuple(uow.alliance_answers(ctx.alliance.id)), ctx.alliance.anonymous)

    # --- the coordinator's settings ---------------------------------------------------------

    @staticmethod
    def _coordinating(ctx: Context) -> bool:
        return ctx.alliance is not None and ctx.member is not None \
            and ctx.member.role == "coordinator"

    def change_dates(self, uow: UnitOfWork, person: Person, ctx: Context, effect: ChangeDates
                     ) -> object | None:
        if not self._coordinating(ctx) or ctx.alliance is None:
            return None
        uow.update_dates(ctx.alliance.id, effect.start_at, effect.mid_at, effect.end_at)
        self.replan(uow, ctx.alliance.id)
        return DatesChanged()

    def set_anonymous(self, uow: UnitOfWork, person: Person, ctx: Context,
                      effect: SetAnonymous) -> None:
        if self._coordinating(ctx) and ctx.alliance is not None:
            uow.set_anonymous(ctx.alliance.id, effect.anonymous)

    def link_group(self, uow: UnitOfWork, person: Person, ctx: Context, effect: LinkGroup
                   ) -> object:
        alliance = uow.find_by_code(effect.code)
        member = member_of(uow, person, alliance.id) if alliance else None
        if alliance is None or member is None or member.role != "coordinator":
            return GroupResult("refused")
        uow.link_group(alliance.id, effect.chat_id)
        return GroupResult("linked", alliance.name)

    def nudges_off(self, uow: UnitOfWork, person: Person, ctx: Context, effect: NudgesOff
                   ) -> None:
        member = uow.get_member(effect.member_id)
        if member is not None and member.person_id == person.id:
            uow.set_nudges_off(member.id)

    def replace_code(self, uow: UnitOfWork, person: Person, ctx: Context, effect: ReplaceCode
                     ) -> object | None:
        if not self._coordinating(ctx) or ctx.alliance is None:
            return None
        code = self._unused_code(uow)
        uow.replace_invite_code(ctx.alliance.id, code)
        return CodeReplaced(code)

    def archive(self, uow: UnitOfWork, person: Person, ctx: Context, effect: Archive
                ) -> object | None:
        if not self._coordinating(ctx) or ctx.alliance is None or ctx.phase != "fin":
            return None
        uow.archive_alliance(ctx.alliance.id, ctx.now)
        return Outcome("archive.done", alliance=ctx.alliance.name)

    # --- members ----------------------------------------------------------------------------

    def load_members(self, uow: UnitOfWork, person: Person, ctx: Context, effect: LoadMembers
                     ) -> object | None:
        if ctx.alliance is None or ctx.phase is None:
            return None
        infos = []
        for m in uow.members(ctx.alliance.id):
            who = uow.get_person(m.person_id)
            org = uow.get_organisation(m.organisation_id)
            infos.append(MemberInfo(m.id, who.display_name if who else "",
                                    org.name if org else "", m.role,
                                    len(uow.latest_answers(m.id, ctx.phase))))
        return MembersData(effect, tuple(infos))

    def manage_member(self, uow: UnitOfWork, person: Person, ctx: Context,
                      effect: ManageMember) -> object | None:
        if not self._coordinating(ctx) or ctx.alliance is None or ctx.member is None:
            return None
        members = uow.members(ctx.alliance.id)
        target = next((m for m in members if m.id == effect.target), None)
        if target is None or target.id == ctx.member.id:
            return Outcome("stale_button")
        who = uow.get_person(target.person_id)
        name = who.display_name if who else ""
        if effect.action == "remove":
            coordinators = [m for m in members if m.role == "coordinator"]
            if target.role == "coordinator" and len(coordinators) <= 1:
                return Outcome("members.last_coordinator", name=name)
            uow.leave(target.id, ctx.now)
            return Outcome("members.removed", name=name, alliance=ctx.alliance.name)
        if effect.action == "hand":
            uow.set_role(target.id, "coordinator")
            uow.set_role(ctx.member.id, "partner")
            return Outcome("members.handed", name=name, alliance=ctx.alliance.name)
        uow.set_role(target.id, "coordinator")
        return Outcome("members.added_coordinator", name=name, alliance=ctx.alliance.name)

    def leave(self, uow: UnitOfWork, person: Person, ctx: Context, effect: Leave
              ) -> object | None:
        if ctx.alliance is None or ctx.member is None:
            return None
        members = uow.members(ctx.alliance.id)
        coordinators = [m for m in members if m.role == "coordinator"]
        if ctx.member.role == "coordinator" and len(coordinators) <= 1 and len(members) > 1:
            return Outcome("leave.last_coordinator", alliance=ctx.alliance.name)
        uow.leave(ctx.member.id, ctx.now)
        return Outcome("leave.done", alliance=ctx.alliance.name)

    def erase(self, uow: UnitOfWork, person: Person, ctx: Context, effect: Erase) -> object:
        """Hand the coordination on first where the person was the last coordinator."""
        for membership in uow.members_of_person(person.id):
            members = uow.members(membership.alliance_id)
            others = [m for m in members if m.id != membership.id]
            if membership.role == "coordinator" and others and not any(
                    m.role == "coordinator" for m in others):
                uow.set_role(others[0].id, "coordinator")
        uow.erase_person(person.id, effect.delete_answers, ctx.now)
        return Outcome("erase.done_all" if effect.delete_answers else "erase.done")

    def person_data(self, uow: UnitOfWork, person: Person, ctx: Context,
                    effect: LoadPersonData) -> PersonData:
        data = uow.person_data(person.id)
        return PersonData(json.dumps(data, ensure_ascii=False, indent=2))
