"""What each write does to the database, inside the event's transaction.

The engine decided with core.rules on what it read in this same transaction; each write checks
the same rule again, so that a forged or replayed event cannot get through either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from dialogues.content.charter import Charter
from dialogues.core import rules
from dialogues.core.agreements import RETAINED_MAX
from dialogues.core.context import Context
from dialogues.core.domain import PHASES, Member, NewAnswer, Person
from dialogues.core.effects import (
    AddSuggestion,
    Archive,
    CastVote,
    ChangeDates,
    ChangeMember,
    CreateAlliance,
    Created,
    DecideArrival,
    Effect,
    Erase,
    JoinAlliance,
    Joined,
    Leave,
    LimitInvitation,
    LinkGroup,
    NudgesOff,
    OpenSeance,
    Outcome,
    ReplaceCode,
    RetainText,
    SaveAnswer,
    SaveSeance,
    SetAnonymous,
    SetApproval,
    SetComparison,
    ValidateAccord,
    WrongCode,
)
from dialogues.core.ports import UnitOfWork

# Plans an alliance's reminders again; returns when the earliest one is due.
Replan = Callable[[UnitOfWork, int], datetime | None]

# Arrivals told to a coordinator within this time of the first go in one message.
ARRIVALS_WINDOW = timedelta(minutes=3)


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
    arrivals_window: timedelta = ARRIVALS_WINDOW
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
            OpenSeance: self.open_seance,
            SaveSeance: self.save_seance,
            RetainText: self.retain_text,
            CastVote: self.cast_vote,
            ValidateAccord: self.validate_accord,
            LimitInvitation: self.limit_invitation,
            SetApproval: self.set_approval,
            WrongCode: self.wrong_code,
            DecideArrival: self.decide_arrival,
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
            unchanged=effect.unchanged,
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
        """Join through the code loaded in this transaction, if it is still open; tell each
        coordinator (a notification, sent by the job with the other arrivals of the moment)."""
        alliance = uow.get_alliance(effect.alliance_id)
        invitation = ctx.loaded.invitation
        if alliance is None or invitation is None or invitation.alliance.id != alliance.id:
            return None
        invite = uow.find_invitation(invitation.invite.code) if invitation.invite else None
        if not rules.invitation_open(invite, ctx.now) or invite is None \
                or invite.alliance_id != alliance.id:
            return None
        tiers = invite.kind == rules.TIERS_INVITE
        orgs = uow.organisations(alliance.id)
        members = uow.members(alliance.id)
        existing = next((m for m in members if m.person_id == person.id), None)
        if existing is not None:
            org = next((o for o in orgs if o.id == existing.organisation_id), None)
            return Joined(existing.id, alliance.name, org.name if org else "",
                          rules.is_tiers(existing), rules.is_pending(existing))
        if tiers:
            org = None
        elif effect.organisation_id is not None:
            org = next((o for o in orgs if o.id == effect.organisation_id), None)
            if org is None:
                return None
        else:
            name = effect.organisation_name or ""
            org = rules.same_organisation(name, orgs) or uow.add_organisation(
                alliance.id, name, effect.organisation_kind or "autre")
        pending = rules.needs_approval(alliance)
        member = uow.add_member(alliance.id, org.id if org else None, person.id,
                                rules.TIERS if tiers else rules.PARTNER, ctx.now, pending)
        uow.use_invitation(invite.id)
        for coordinator in members:
            if rules.is_coordinator(coordinator):
                applied.planned(uow.add_arrival(alliance.id, coordinator.person_id, member.id,
                                                ctx.now, self.arrivals_window))
        applied.planned(self.replan(uow, alliance.id))
        return Joined(member.id, alliance.name, org.name if org else "", tiers, pending)

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
        if rules.may_coordinate(ctx.member, ctx.alliance) and ctx.alliance is not None \
                and not uow.code_taken(effect.code):
            uow.replace_invitation(ctx.alliance.id, effect.kind, effect.code, ctx.now)

    def limit_invitation(self, uow: UnitOfWork, person: Person, ctx: Context,
                         effect: LimitInvitation, applied: Applied) -> None:
        if not rules.may_coordinate(ctx.member, ctx.alliance) or ctx.alliance is None:
            return
        invite = next((i for i in uow.invitations(ctx.alliance.id) if i.kind == effect.kind),
                      None)
        if invite is None:
            return
        if effect.expires_at is None and effect.uses is None:
            uow.limit_invitation(invite.id, None, None)
            return
        expires = effect.expires_at if effect.expires_at is not None else invite.expires_at
        uses = invite.uses + effect.uses if effect.uses is not None else invite.max_uses
        uow.limit_invitation(invite.id, expires, uses)

    def set_approval(self, uow: UnitOfWork, person: Person, ctx: Context, effect: SetApproval,
                     applied: Applied) -> None:
        if rules.may_coordinate(ctx.member, ctx.alliance) and ctx.alliance is not None:
            uow.set_approval(ctx.alliance.id, effect.approval)

    def wrong_code(self, uow: UnitOfWork, person: Person, ctx: Context, effect: WrongCode,
                   applied: Applied) -> None:
        uow.add_code_failure(person.id, ctx.now, rules.WRONG_CODES_WINDOW)

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
        elif not rules.may_coordinate_later(target):
            return  # a tiers de confiance or a pending newcomer is not given the coordination
        elif effect.action == "hand":
            uow.set_role(target.id, rules.COORDINATOR)
            uow.set_role(ctx.member.id, rules.PARTNER)
        elif effect.action == "co":
            uow.set_role(target.id, rules.COORDINATOR)

    def decide_arrival(self, uow: UnitOfWork, person: Person, ctx: Context,
                       effect: DecideArrival, applied: Applied) -> None:
        """Accept, refuse or remove a newcomer, re-checked here: the actor is the person's
        membership in that alliance (whatever their current one), a coordinator."""
        alliance = uow.get_alliance(effect.alliance_id)
        if alliance is None:
            return
        members = uow.members(alliance.id)
        actor = next((m for m in members if m.person_id == person.id), None)
        target = next((m for m in members if m.id == effect.target), None)
        if target is None or not rules.may_decide(actor, target):
            return
        if effect.action == "accept" and rules.is_pending(target):
            uow.accept_member(target.id)
            uow.add_notification(alliance.id, target.person_id, "accepted", target.id, ctx.now)
            applied.planned(ctx.now)
            applied.planned(self.replan(uow, alliance.id))
        elif effect.action == "refuse" and rules.is_pending(target):
            uow.add_notification(alliance.id, target.person_id, "refused", None, ctx.now)
            uow.drop_member(target.id)
            applied.planned(ctx.now)
        elif effect.action == "remove" and rules.may_remove(target, members):
            if any(uow.latest_answers(target.id, phase) for phase in PHASES):
                uow.leave(target.id, ctx.now)  # their answers stay with the organisation
            else:  # nothing to keep: no trace of them, nor of an organisation they made up
                uow.drop_member(target.id)

    def leave(self, uow: UnitOfWork, person: Person, ctx: Context, effect: Leave,
              applied: Applied) -> None:
        if ctx.alliance is None or ctx.member is None:
            return
        if rules.is_pending(ctx.member):  # never let in: nothing of them is kept
            uow.drop_member(ctx.member.id)
        elif rules.may_leave(ctx.member, uow.members(ctx.alliance.id)):
            uow.leave(ctx.member.id, ctx.now)

    def erase(self, uow: UnitOfWork, person: Person, ctx: Context, effect: Erase,
              applied: Applied) -> None:
        """Hand the coordination on first where the person was the last coordinator."""
        for membership in uow.members_of_person(person.id):
            successor = rules.successor_on_erasure(membership, uow.members(membership.alliance_id))
            if successor is not None:
                uow.set_role(successor.id, rules.COORDINATOR)
        uow.erase_person(person.id, effect.delete_answers, ctx.now)

    # --- the séance and the contrat de confiance (issue 11) ---------------------------------
    # A séance's buttons and replies may come from a group chat: the acting member is the
    # person's membership in the séance's alliance, whatever alliance their private chat is on.

    def open_seance(self, uow: UnitOfWork, person: Person, ctx: Context, effect: OpenSeance,
                    applied: Applied) -> None:
        alliance = uow.get_alliance(effect.alliance_id)
        member = _member_in(uow, person, effect.alliance_id)
        if alliance is None or member is None or not rules.may_retain(member, alliance):
            return
        seances = uow.seances(alliance.id)
        if effect.turn <= max((x.turn for x in seances), default=0):
            return  # another séance started meanwhile
        for earlier in seances:
            if earlier.open:
                uow.save_seance(replace(earlier, ended_at=ctx.now, writing=()))
        uow.add_seance(alliance.id, effect.phase, member.id, effect.chat_id, effect.lever_id,
                       effect.turn, ctx.now)

    def save_seance(self, uow: UnitOfWork, person: Person, ctx: Context, effect: SaveSeance,
                    applied: Applied) -> None:
        stored = uow.get_seance(effect.seance.id)
        if stored is None or not stored.open or stored.turn != effect.turn:
            return
        member = _member_in(uow, person, stored.alliance_id)
        if not rules.may_lead_seance(member, uow.get_alliance(stored.alliance_id)):
            return
        new = effect.seance
        if new.turn < stored.turn:
            return
        uow.save_seance(replace(stored, chat_id=new.chat_id, card_message_id=new.card_message_id,
                                ended_at=new.ended_at, paused=new.paused, turn=new.turn,
                                lever_id=new.lever_id, seen=new.seen, writing=new.writing))

    def retain_text(self, uow: UnitOfWork, person: Person, ctx: Context, effect: RetainText,
                    applied: Applied) -> None:
        seance = uow.get_seance(effect.seance_id)
        if seance is None or not seance.open or not 0 < len(effect.text) <= RETAINED_MAX:
            return
        alliance = uow.get_alliance(seance.alliance_id)
        member = _member_in(uow, person, seance.alliance_id)
        if alliance is None or member is None or not rules.may_retain(member, alliance):
            return
        waited = any(w.member_id == member.id and w.lever_id == effect.lever_id
                     and w.base == effect.base for w in seance.writing)
        latest = max((a.id for a in uow.latest_agreements(alliance.id)
                      if a.phase == seance.phase and a.lever_id == effect.lever_id), default=0)
        if not waited or latest != effect.base:
            return  # someone else retained a text first: theirs stands
        uow.add_agreement(alliance.id, seance.phase, effect.lever_id, effect.text, member.id,
                          seance.id, self.charter.version, ctx.now)
        uow.save_seance(replace(seance, writing=tuple(
            w for w in seance.writing if w.member_id != member.id)))

    def cast_vote(self, uow: UnitOfWork, person: Person, ctx: Context, effect: CastVote,
                  applied: Applied) -> None:
        alliance = uow.get_alliance(effect.alliance_id)
        member = _member_in(uow, person, effect.alliance_id)
        if alliance is None or member is None or not rules.may_vote(member, alliance):
            return
        latest = {a.id for a in uow.latest_agreements(alliance.id)}
        if effect.agreement_id in latest:
            uow.set_vote(effect.agreement_id, member.organisation_id, member.id, effect.vote,
                         ctx.now)

    def validate_accord(self, uow: UnitOfWork, person: Person, ctx: Context,
                        effect: ValidateAccord, applied: Applied) -> None:
        alliance = uow.get_alliance(effect.alliance_id)
        member = _member_in(uow, person, effect.alliance_id)
        if alliance is None or member is None or not rules.may_vote(member, alliance):
            return
        newest = max((a.id for a in uow.agreements(alliance.id) if a.phase == effect.phase),
                     default=0)
        done = any(v.organisation_id == member.organisation_id and v.phase == effect.phase
                   and v.covers == newest for v in uow.validations(alliance.id))
        if newest and newest == effect.covers and not done:
            uow.add_validation(alliance.id, effect.phase, member.organisation_id, member.id,
                               newest, ctx.now)


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


def _member_in(uow: UnitOfWork, person: Person, alliance_id: int) -> Member | None:
    """The person's current membership in an alliance."""
    return next((m for m in uow.members(alliance_id) if m.person_id == person.id), None)


__all__ = ["Applied", "Replan", "Writes"]
