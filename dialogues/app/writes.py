"""What each write does to the database, inside the event's transaction.

The engine decided with core.rules on what it read in this same transaction; each write checks
the same rule again, so that a forged or replayed event cannot get through either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from dialogues.content.charter import Charter
from dialogues.core import rules
from dialogues.core.context import Context
from dialogues.core.domain import NewAnswer, Person
from dialogues.core.effects import (
    AddSuggestion,
    Archive,
    ChangeDates,
    ChangeMember,
    CreateAlliance,
    Created,
    Effect,
    Erase,
    JoinAlliance,
    Joined,
    Leave,
    LinkGroup,
    NudgesOff,
    Outcome,
    ReplaceCode,
    SaveAnswer,
    SetAnonymous,
    SetComparison,
)
from dialogues.core.ports import UnitOfWork

# Plans an alliance's reminders again; returns when the earliest one is due.
Replan = Callable[[UnitOfWork, int], datetime | None]


@dataclass
class Applied:
    """What the writes of one event came to, beyond the database."""

    outcome: Outcome | None = None
    erased: bool = False
    wake_at: datetime | None = None  # the earliest reminder the writes planned

    def planned(self, due: datetime | None) -> None:
        if due is not None and (self.wake_at is None or due < self.wake_at):
            self.wake_at = due


@dataclass
class Writes:
    charter: Charter
    replan: Replan
    handlers: dict[type, Callable[..., Outcome | None]] = field(init=False)

    def __post_init__(self) -> None:
        self.handlers = {
            SaveAnswer: self.save_answer,
            CreateAlliance: self.create,
            JoinAlliance: self.join,
            ChangeDates: self.change_dates,
            SetAnonymous: self.set_anonymous,
            LinkGroup: self.link_group,
            NudgesOff: self.nudges_off,
            ReplaceCode: self.replace_code,
            ChangeMember: self.change_member,
            Leave: self.leave,
            Erase: self.erase,
            Archive: self.archive,
            SetComparison: self.set_comparison,
            AddSuggestion: self.add_suggestion,
        }

    def apply(self, uow: UnitOfWork, person: Person, ctx: Context, effect: Effect,
              applied: Applied) -> None:
        handler = self.handlers.get(type(effect))
        if handler is None:
            raise TypeError(f"unknown effect {effect!r}")
        outcome = handler(uow, person, ctx, effect, applied)
        if outcome is not None:
            applied.outcome = outcome
        applied.erased = applied.erased or isinstance(effect, Erase)

    # --- answers and alliances --------------------------------------------------------------

    def save_answer(self, uow: UnitOfWork, person: Person, ctx: Context, effect: SaveAnswer,
                    applied: Applied) -> None:
        member = ctx.member
        if member is None or not rules.may_answer(member, ctx.alliance):
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

    def create(self, uow: UnitOfWork, person: Person, ctx: Context, effect: CreateAlliance,
               applied: Applied) -> Created:
        alliance = uow.add_alliance(effect.name, effect.start_at, effect.end_at, effect.mid_at,
                                    effect.code, ctx.timezone, ctx.now)
        org = uow.add_organisation(alliance.id, effect.organisation_name,
                                   effect.organisation_kind)
        member = uow.add_member(alliance.id, org.id, person.id, rules.COORDINATOR, ctx.now)
        applied.planned(self.replan(uow, alliance.id))
        return Created(member.id, alliance.name, effect.code)

    def join(self, uow: UnitOfWork, person: Person, ctx: Context, effect: JoinAlliance,
             applied: Applied) -> Joined | None:
        alliance = uow.get_alliance(effect.alliance_id)
        invitation = ctx.loaded.invitation
        if alliance is None or invitation is None or invitation.alliance.id != alliance.id:
            return None
        orgs = uow.organisations(alliance.id)
        existing = next((m for m in uow.members(alliance.id) if m.person_id == person.id), None)
        if existing is not None:
            org = next((o for o in orgs if o.id == existing.organisation_id), None)
            return Joined(existing.id, alliance.name, org.name if org else "")
        if effect.organisation_id is not None:
            org = next((o for o in orgs if o.id == effect.organisation_id), None)
            if org is None:
                return None
        else:
            name = effect.organisation_name or ""
            org = rules.same_organisation(name, orgs) or uow.add_organisation(
                alliance.id, name, effect.organisation_kind or "autre")
        member = uow.add_member(alliance.id, org.id, person.id, rules.PARTNER, ctx.now)
        applied.planned(self.replan(uow, alliance.id))
        return Joined(member.id, alliance.name, org.name)

    # --- the coordination -------------------------------------------------------------------

    def change_dates(self, uow: UnitOfWork, person: Person, ctx: Context, effect: ChangeDates,
                     applied: Applied) -> None:
        if rules.may_coordinate(ctx.member, ctx.alliance) and ctx.alliance is not None:
            uow.update_dates(ctx.alliance.id, effect.start_at, effect.mid_at, effect.end_at)
            applied.planned(self.replan(uow, ctx.alliance.id))

    def set_anonymous(self, uow: UnitOfWork, person: Person, ctx: Context,
                      effect: SetAnonymous, applied: Applied) -> None:
        if rules.may_coordinate(ctx.member, ctx.alliance) and ctx.alliance is not None:
            uow.set_anonymous(ctx.alliance.id, effect.anonymous)

    def link_group(self, uow: UnitOfWork, person: Person, ctx: Context, effect: LinkGroup,
                   applied: Applied) -> None:
        member = next((m for m in uow.members(effect.alliance_id) if m.person_id == person.id),
                      None)
        if rules.may_link_group(member):
            uow.link_group(effect.alliance_id, effect.chat_id)

    def nudges_off(self, uow: UnitOfWork, person: Person, ctx: Context, effect: NudgesOff,
                   applied: Applied) -> None:
        member = uow.get_member(effect.member_id)
        if member is not None and member.person_id == person.id:
            uow.set_nudges_off(member.id)

    def replace_code(self, uow: UnitOfWork, person: Person, ctx: Context, effect: ReplaceCode,
                     applied: Applied) -> None:
        if rules.may_coordinate(ctx.member, ctx.alliance) and ctx.alliance is not None:
            uow.replace_invite_code(ctx.alliance.id, effect.code)

    def archive(self, uow: UnitOfWork, person: Person, ctx: Context, effect: Archive,
                applied: Applied) -> None:
        if rules.may_archive(ctx.member, ctx.alliance, ctx.phase) and ctx.alliance is not None:
            uow.archive_alliance(ctx.alliance.id, ctx.now)

    # --- members ----------------------------------------------------------------------------

    def change_member(self, uow: UnitOfWork, person: Person, ctx: Context,
                      effect: ChangeMember, applied: Applied) -> None:
        if ctx.alliance is None or ctx.member is None:
            return
        members = uow.members(ctx.alliance.id)
        target = next((m for m in members if m.id == effect.target), None)
        if target is None or not rules.may_manage(ctx.member, target):
            return
        if effect.action == "remove" and rules.may_remove(target, members):
            uow.leave(target.id, ctx.now)
        elif effect.action == "hand":
            uow.set_role(target.id, rules.COORDINATOR)
            uow.set_role(ctx.member.id, rules.PARTNER)
        elif effect.action == "co":
            uow.set_role(target.id, rules.COORDINATOR)

    def leave(self, uow: UnitOfWork, person: Person, ctx: Context, effect: Leave,
              applied: Applied) -> None:
        if ctx.alliance is None or ctx.member is None:
            return
        if rules.may_leave(ctx.member, uow.members(ctx.alliance.id)):
            uow.leave(ctx.member.id, ctx.now)

    def erase(self, uow: UnitOfWork, person: Person, ctx: Context, effect: Erase,
              applied: Applied) -> None:
        """Hand the coordination on first where the person was the last coordinator."""
        for membership in uow.members_of_person(person.id):
            successor = rules.successor_on_erasure(membership, uow.members(membership.alliance_id))
            if successor is not None:
                uow.set_role(successor.id, rules.COORDINATOR)
        uow.erase_person(person.id, effect.delete_answers, ctx.now)

    # --- the observatory --------------------------------------------------------------------

    def set_comparison(self, uow: UnitOfWork, person: Person, ctx: Context,
                       effect: SetComparison, applied: Applied) -> None:
        if rules.may_coordinate(ctx.member, ctx.alliance) and ctx.alliance is not None:
            uow.set_comparison(ctx.alliance.id, effect.comparison)

    def add_suggestion(self, uow: UnitOfWork, person: Person, ctx: Context,
                       effect: AddSuggestion, applied: Applied) -> None:
        if rules.may_suggest(ctx.member):
            uow.add_suggestion(person.id, effect.lever_id, effect.text, self.charter.version,
                               ctx.now)


__all__ = ["Applied", "Replan", "Writes"]
