"""Hand-written in-memory fakes of the ports; states round-trip through JSON like the real store."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from dialogues.core.agreements import Agreement, Seance, Validation, Vote
from dialogues.core.domain import (
    PHASES,
    Alliance,
    Answer,
    ExportRow,
    Invite,
    Member,
    NewAnswer,
    Notification,
    Organisation,
    Person,
    Reminder,
    Suggestion,
)
from dialogues.core.ports import MembershipView, UpdateMark


@dataclass
class _Data:
    people: dict[int, Person] = field(default_factory=dict)
    alliances: dict[int, Alliance] = field(default_factory=dict)
    organisations: dict[int, Organisation] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    answers: list[Answer] = field(default_factory=list)
    reminders: dict[int, Reminder] = field(default_factory=dict)
    sessions: dict[int, str] = field(default_factory=dict)
    walks: dict[int, str] = field(default_factory=dict)
    warned: set[int] = field(default_factory=set)
    seances: dict[int, Seance] = field(default_factory=dict)
    agreements: list[Agreement] = field(default_factory=list)
    validations: list[Validation] = field(default_factory=list)
    votes: dict[tuple[int, int], Vote] = field(default_factory=dict)
    invitations: dict[int, Invite] = field(default_factory=dict)
    notifications: dict[int, Notification] = field(default_factory=dict)
    code_failures: list[tuple[int, datetime]] = field(default_factory=list)
    updates: dict[tuple[str, int], tuple[str, datetime]] = field(default_factory=dict)
    leases: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    suggestions: list[tuple[int, Suggestion]] = field(default_factory=list)  # (person, it)
    next_id: int = 1


class FakeUnitOfWork:
    """Works on a copy; the copy replaces the store's data only on a clean exit."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.d = copy.deepcopy(store.data)

    def __enter__(self) -> FakeUnitOfWork:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.store.data = self.d
            self.store.commits += 1

    def _id(self) -> int:
        self.d.next_id += 1
        return self.d.next_id

    # people
    def get_or_create_person(self, channel: str, external_id: str, display_name: str) -> Person:
        for p in self.d.people.values():
            if (p.channel, p.external_id) == (channel, external_id):
                return p
        person = Person(self._id(), channel, external_id, display_name)
        self.d.people[person.id] = person
        return person

    def get_person(self, person_id: int) -> Person | None:
        return self.d.people.get(person_id)

    def person_with_session(self, channel: str, external_id: str, display_name: str,
                            update: UpdateMark | None = None
                            ) -> tuple[Person, dict[str, Any] | None, str]:
        status = "new" if update is None else self.record_update(
            channel, external_id, update.update_id, update.now, update.kept_since)
        person = self.get_or_create_person(channel, external_id, display_name)
        return person, self.load_session(person.id), status

    # alliances
    def add_alliance(self, name: str, start_at: datetime, end_at: datetime, mid_at: datetime,
                     invite_code: str, timezone: str, now: datetime) -> Alliance:
        assert not self.code_taken(invite_code)
        alliance = Alliance(self._id(), name, start_at, end_at, mid_at, timezone, now)
        self.d.alliances[alliance.id] = alliance
        invite = Invite(self._id(), alliance.id, "partner", invite_code, now)
        self.d.invitations[invite.id] = invite
        return alliance

    def get_alliance(self, alliance_id: int) -> Alliance | None:
        return self.d.alliances.get(alliance_id)

    def find_by_code(self, code: str) -> Alliance | None:
        invite = self.find_invitation(code)
        if invite is None or invite.replaced_at is not None:
            return None
        return self.d.alliances.get(invite.alliance_id)

    def find_by_group(self, chat_id: int) -> Alliance | None:
        return next((a for a in self.d.alliances.values() if a.group_chat_id == chat_id), None)

    def find_by_name(self, name: str) -> list[Alliance]:
        return [a for a in self.d.alliances.values() if a.name.casefold() == name.casefold()]

    def all_alliances(self) -> list[Alliance]:
        return list(self.d.alliances.values())

    def set_approval(self, alliance_id: int, approval: bool) -> None:
        self.d.alliances[alliance_id] = replace(self.d.alliances[alliance_id], approval=approval)

    def set_anonymous(self, alliance_id: int, anonymous: bool) -> None:
        self.d.alliances[alliance_id] = replace(self.d.alliances[alliance_id], anonymous=anonymous)

    def link_group(self, alliance_id: int, chat_id: int | None) -> None:
        for other in list(self.d.alliances.values()):
            if chat_id is not None and other.group_chat_id == chat_id:
                self.d.alliances[other.id] = replace(other, group_chat_id=None)
        self.d.alliances[alliance_id] = replace(self.d.alliances[alliance_id],
                                                group_chat_id=chat_id)

    def add_organisation(self, alliance_id: int, name: str, kind: str) -> Organisation:
        org = Organisation(self._id(), alliance_id, name, kind)
        self.d.organisations[org.id] = org
        return org

    def get_organisation(self, organisation_id: int) -> Organisation | None:
        return self.d.organisations.get(organisation_id)

    def organisations(self, alliance_id: int) -> list[Organisation]:
        return [o for o in self.d.organisations.values() if o.alliance_id == alliance_id]

    def add_member(self, alliance_id: int, organisation_id: int | None, person_id: int,
                   role: str, now: datetime, pending: bool = False) -> Member:
        assert (role == "tiers") == (organisation_id is None)
        member = Member(self._id(), alliance_id, organisation_id, person_id, role, now,
                        pending_since=now if pending else None)
        self.d.members[member.id] = member
        return member

    def get_member(self, member_id: int) -> Member | None:
        return self.d.members.get(member_id)

    def membership_view(self, member_id: int) -> MembershipView | None:
        member = self.d.members.get(member_id)
        if member is None:
            return None
        answers = {phase: self.latest_answers(member_id, phase) for phase in PHASES}
        return MembershipView(member, self.d.alliances[member.alliance_id],
                              self.d.organisations.get(member.organisation_id),
                              self.load_walk(member_id),
                              {phase: found for phase, found in answers.items() if found})

    def members(self, alliance_id: int) -> list[Member]:
        return [m for m in self.d.members.values()
                if m.alliance_id == alliance_id and m.left_at is None]

    def members_of_person(self, person_id: int) -> list[Member]:
        return [m for m in self.d.members.values()
                if m.person_id == person_id and m.left_at is None]

    # answers
    def add_answer(self, answer: NewAnswer) -> Answer:
        stored = Answer(**{k: getattr(answer, k) for k in NewAnswer.__slots__}, id=self._id())
        self.d.answers.append(stored)
        return stored

    def latest_answers(self, member_id: int, phase: str) -> dict[str, Answer]:
        latest: dict[str, Answer] = {}
        for a in self.d.answers:
            if a.member_id == member_id and a.phase == phase:
                latest[a.lever_id] = a
        return latest

    def alliance_answers(self, alliance_id: int) -> list[Answer]:
        latest: dict[tuple[int, str, str], Answer] = {}
        for a in self.d.answers:
            if a.alliance_id == alliance_id:
                latest[(a.member_id, a.phase, a.lever_id)] = a
        return sorted(latest.values(), key=lambda a: a.id)

    def answer_history(self, member_id: int, phase: str, lever_id: str) -> list[Answer]:
        return [a for a in self.d.answers
                if (a.member_id, a.phase, a.lever_id) == (member_id, phase, lever_id)]

    def export_rows(self, alliance_id: int | None = None) -> list[ExportRow]:
        rows = []
        for m in sorted(self.d.members.values(), key=lambda m: (m.alliance_id, m.id)):
            if alliance_id is not None and m.alliance_id != alliance_id:
                continue
            for phase in PHASES:
                for a in sorted(self.latest_answers(m.id, phase).values(),
                                key=lambda a: a.lever_id):
                    rows.append(ExportRow(
                        self.d.alliances[m.alliance_id].name,
                        self.d.organisations[m.organisation_id].name  # type: ignore[index]
                        if m.organisation_id is not None else "",
                        self.d.people[m.person_id].display_name, m.role, phase, a.lever_id,
                        a.position, a.comment, a.contribution, a.expectation,
                        a.charter_version, a.answered_at, a.unchanged))
        return rows

    # alliance dates
    def update_dates(self, alliance_id: int, start_at: datetime, mid_at: datetime,
                     end_at: datetime) -> None:
        self.d.alliances[alliance_id] = replace(self.d.alliances[alliance_id], start_at=start_at,
                                                mid_at=mid_at, end_at=end_at)

    # reminders
    def plan_reminder(self, alliance_id: int, member_id: int, kind: str, phase: str, seq: int,
                      due_at: datetime) -> None:
        for r in self.d.reminders.values():
            if (r.member_id, r.kind, r.phase, r.seq) == (member_id, kind, phase, seq):
                if r.sent_at is None and r.cancelled_at is None:
                    self.d.reminders[r.id] = replace(r, due_at=due_at)
                return
        rid = self._id()
        self.d.reminders[rid] = Reminder(rid, alliance_id, member_id, kind, phase, seq, due_at)

    def get_reminder(self, reminder_id: int) -> Reminder | None:
        return self.d.reminders.get(reminder_id)

    def _pending(self) -> list[Reminder]:
        return [r for r in self.d.reminders.values() if r.sent_at is None and
                r.cancelled_at is None]

    def due_reminders(self, now: datetime, limit: int) -> list[int]:
        due = sorted((r for r in self._pending() if r.due_at <= now),
                     key=lambda r: (r.due_at, r.id))
        return [r.id for r in due[:limit]]

    def next_due_at(self) -> datetime | None:
        return min((r.due_at for r in self._pending()), default=None)

    def claim_due_reminder(self, now: datetime, holder: str, until: datetime) -> int | None:
        due = sorted((r for r in self._pending() if r.due_at <= now
                      and (r.claim_expires_at is None or r.claim_expires_at <= now)),
                     key=lambda r: (r.due_at, r.id))
        if not due:
            return None
        self.d.reminders[due[0].id] = replace(due[0], claimed_by=holder, claim_expires_at=until)
        return due[0].id

    def start_reminder(self, reminder_id: int) -> None:
        r = self.d.reminders[reminder_id]
        self.d.reminders[reminder_id] = replace(r, attempts=r.attempts + 1)

    def unclaim_reminder(self, reminder_id: int) -> None:
        r = self.d.reminders[reminder_id]
        self.d.reminders[reminder_id] = replace(r, claimed_by=None, claim_expires_at=None)

    def confirm_reminder(self, reminder_id: int, now: datetime) -> bool:
        r = self.d.reminders.get(reminder_id)
        if r is None or r.sent_at is not None:
            return False
        self.d.reminders[reminder_id] = replace(r, sent_at=now, claim_expires_at=None)
        return True

    def release_reminders(self, holder: str, now: datetime) -> int:
        released = 0
        for r in self._pending():
            expires = r.claim_expires_at
            if r.claimed_by == holder and expires is not None and expires > now:
                self.d.reminders[r.id] = replace(r, claim_expires_at=now)
                released += 1
        return released

    def cancel_reminder(self, reminder_id: int, now: datetime) -> None:
        r = self.d.reminders.get(reminder_id)
        if r is not None and r.sent_at is None and r.cancelled_at is None:
            self.d.reminders[reminder_id] = replace(r, cancelled_at=now)

    def reminders_of(self, member_id: int) -> list[Reminder]:
        return [r for r in self.d.reminders.values() if r.member_id == member_id]

    def set_nudges_off(self, member_id: int) -> None:
        self.d.members[member_id] = replace(self.d.members[member_id], nudges_off=True)

    def mark_unreachable(self, member_id: int, now: datetime) -> bool:
        member = self.d.members[member_id]
        if member.unreachable_at is not None:
            return False
        self.d.members[member_id] = replace(member, unreachable_at=now)
        return True

    def mark_reachable(self, member_ids: list[int]) -> None:
        for member_id in member_ids:
            self.d.members[member_id] = replace(self.d.members[member_id], unreachable_at=None)

    # updates, leases
    def record_update(self, channel: str, external_id: str, update_id: int, now: datetime,
                      kept_since: datetime) -> str:
        later = any(c == channel and u > update_id and who == external_id and t > kept_since
                    for (c, u), (who, t) in self.d.updates.items())
        seen = self.d.updates.get((channel, update_id))
        if seen is not None and seen[1] > kept_since:
            return "seen"
        if later:
            return "late"
        self.d.updates[(channel, update_id)] = (external_id, now)
        return "new"

    def forget_updates(self, before: datetime) -> int:
        old = [k for k, (_p, t) in self.d.updates.items() if t <= before]
        for key in old:
            del self.d.updates[key]
        return len(old)

    def take_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        current = self.d.leases.get(name)
        if current is not None and current[0] != holder and current[1] > now:
            return False
        self.d.leases[name] = (holder, until)
        return True

    # the observatory
    def set_comparison(self, alliance_id: int, comparison: bool) -> None:
        self.d.alliances[alliance_id] = replace(self.d.alliances[alliance_id],
                                                comparison=comparison)

    def network_answers(self, comparing_only: bool = False) -> list[Answer]:
        found = []
        for alliance in sorted(self.d.alliances.values(), key=lambda a: a.id):
            if alliance.comparison or not comparing_only:
                found += self.alliance_answers(alliance.id)
        return found

    def add_suggestion(self, person_id: int, lever_id: str | None, text: str,
                       charter_version: str, now: datetime) -> None:
        self.d.suggestions.append(
            (person_id, Suggestion(self._id(), lever_id, text, charter_version, now)))

    def suggestions(self) -> list[Suggestion]:
        return [s for _p, s in self.d.suggestions]

    # memberships
    def set_role(self, member_id: int, role: str) -> None:
        self.d.members[member_id] = replace(self.d.members[member_id], role=role)

    def leave(self, member_id: int, now: datetime) -> None:
        placeholder = Person(self._id(), "former", f"member-{member_id}", "")
        self.d.people[placeholder.id] = placeholder
        self.d.members[member_id] = replace(self.d.members[member_id],
                                            person_id=placeholder.id, left_at=now)
        self.d.walks.pop(member_id, None)
        for r in list(self.d.reminders.values()):
            if r.member_id == member_id and r.sent_at is None:
                del self.d.reminders[r.id]

    def erase_person(self, person_id: int, delete_answers: bool, now: datetime) -> None:
        for m in [m for m in self.d.members.values() if m.person_id == person_id]:
            if delete_answers:
                self.d.answers = [a for a in self.d.answers if a.member_id != m.id]
            self.leave(m.id, now)
            self.d.reminders = {k: r for k, r in self.d.reminders.items()
                                if r.member_id != m.id}
        self.d.notifications = {k: n for k, n in self.d.notifications.items()
                                if n.person_id != person_id}
        self.d.code_failures = [f for f in self.d.code_failures if f[0] != person_id]
        self.d.sessions.pop(person_id, None)
        self.d.suggestions = [(p, s) for p, s in self.d.suggestions if p != person_id]
        erased = self.d.people.get(person_id)
        self.d.updates = {k: v for k, v in self.d.updates.items()
                          if erased is None or (k[0], v[0]) != (erased.channel, erased.external_id)}
        self.d.people.pop(person_id, None)

    def person_data(self, person_id: int) -> dict[str, Any]:
        person = self.d.people.get(person_id)
        if person is None:
            return {}
        return {"person": {"channel": person.channel, "id": person.external_id,
                           "name": person.display_name},
                "memberships": [{"alliance": self.d.alliances[m.alliance_id].name,
                                 "answers": len(self.answers_of(m.id))}
                                for m in self.d.members.values() if m.person_id == person_id]}

    def answers_of(self, member_id: int) -> list[Answer]:
        return [a for a in self.d.answers if a.member_id == member_id]

    def archive_alliance(self, alliance_id: int, now: datetime) -> None:
        self.d.alliances[alliance_id] = replace(self.d.alliances[alliance_id], archived_at=now)
        for r in list(self.d.reminders.values()):
            if r.alliance_id == alliance_id:
                self.cancel_reminder(r.id, now)

    def alliances_ended_before(self, moment: datetime) -> list[Alliance]:
        return [a for a in self.d.alliances.values() if a.end_at < moment]

    def retention_warned(self, alliance_id: int) -> bool:
        return alliance_id in self.d.warned

    def mark_retention_warned(self, alliance_id: int, now: datetime) -> None:
        self.d.warned.add(alliance_id)

    def delete_alliance(self, alliance_id: int) -> None:
        self.d.notifications = {k: n for k, n in self.d.notifications.items()
                                if n.alliance_id != alliance_id}
        self.d.invitations = {k: i for k, i in self.d.invitations.items()
                              if i.alliance_id != alliance_id}
        self.d.answers = [a for a in self.d.answers if a.alliance_id != alliance_id]
        gone = {a.id for a in self.d.agreements if a.alliance_id == alliance_id}
        self.d.votes = {k: v for k, v in self.d.votes.items() if v.agreement_id not in gone}
        self.d.validations = [v for v in self.d.validations if v.alliance_id != alliance_id]
        self.d.agreements = [a for a in self.d.agreements if a.alliance_id != alliance_id]
        self.d.seances = {k: x for k, x in self.d.seances.items()
                          if x.alliance_id != alliance_id}
        self.d.reminders = {k: r for k, r in self.d.reminders.items()
                            if r.alliance_id != alliance_id}
        for m in [m for m in self.d.members.values() if m.alliance_id == alliance_id]:
            self.d.walks.pop(m.id, None)
            del self.d.members[m.id]
        self.d.organisations = {k: o for k, o in self.d.organisations.items()
                                if o.alliance_id != alliance_id}
        del self.d.alliances[alliance_id]

    def stats(self) -> dict[str, Any]:
        return {"alliances": len(self.d.alliances), "answers": len(self.d.answers)}

    # séances, retained texts (append-only), votes, validations (append-only)
    def add_seance(self, alliance_id: int, phase: str, led_by: int, chat_id: int | None,
                   lever_id: str | None, turn: int, now: datetime) -> Seance:
        seance = Seance(self._id(), alliance_id, phase, led_by, chat_id, None, now, None, False,
                        turn, lever_id, (lever_id,) if lever_id else ())
        self.d.seances[seance.id] = seance
        return seance

    def get_seance(self, seance_id: int) -> Seance | None:
        return self.d.seances.get(seance_id)

    def seances(self, alliance_id: int) -> list[Seance]:
        return sorted((x for x in self.d.seances.values() if x.alliance_id == alliance_id),
                      key=lambda x: x.id)

    def save_seance(self, seance: Seance) -> None:
        stored = self.d.seances[seance.id]
        self.d.seances[seance.id] = replace(
            stored, chat_id=seance.chat_id, card_message_id=seance.card_message_id,
            ended_at=seance.ended_at, paused=seance.paused, turn=seance.turn,
            lever_id=seance.lever_id, seen=seance.seen, writing=seance.writing)

    def add_agreement(self, alliance_id: int, phase: str, lever_id: str, text: str,
                      member_id: int, seance_id: int | None, charter_version: str,
                      now: datetime) -> Agreement:
        agreement = Agreement(self._id(), alliance_id, phase, lever_id, text, member_id,
                              seance_id, charter_version, now)
        self.d.agreements.append(agreement)
        return agreement

    def agreements(self, alliance_id: int) -> list[Agreement]:
        return [a for a in self.d.agreements if a.alliance_id == alliance_id]

    def latest_agreements(self, alliance_id: int) -> list[Agreement]:
        latest: dict[tuple[str, str], Agreement] = {}
        for a in self.agreements(alliance_id):
            latest[(a.phase, a.lever_id)] = a
        return sorted(latest.values(), key=lambda a: a.id)

    def add_validation(self, alliance_id: int, phase: str, organisation_id: int, member_id: int,
                       covers: int, now: datetime) -> Validation:
        validation = Validation(self._id(), alliance_id, phase, organisation_id, member_id,
                                covers, now)
        self.d.validations.append(validation)
        return validation

    def validations(self, alliance_id: int) -> list[Validation]:
        return [v for v in self.d.validations if v.alliance_id == alliance_id]

    def set_vote(self, agreement_id: int, organisation_id: int, member_id: int, vote: str,
                 now: datetime) -> None:
        self.d.votes[(agreement_id, organisation_id)] = Vote(agreement_id, organisation_id,
                                                             member_id, vote, now)

    def votes(self, alliance_id: int) -> list[Vote]:
        mine = {a.id for a in self.agreements(alliance_id)}
        return sorted((v for v in self.d.votes.values() if v.agreement_id in mine),
                      key=lambda v: (v.agreement_id, v.organisation_id))
    # admission: invitations, newcomers, notifications, wrong codes
    def find_invitation(self, code: str) -> Invite | None:
        return next((i for i in self.d.invitations.values() if i.code == code), None)

    def code_taken(self, code: str) -> bool:
        return self.find_invitation(code) is not None

    def invitations(self, alliance_id: int) -> list[Invite]:
        return sorted((i for i in self.d.invitations.values()
                       if i.alliance_id == alliance_id and i.replaced_at is None),
                      key=lambda i: (i.kind, i.id))

    def replace_invitation(self, alliance_id: int, kind: str, code: str,
                           now: datetime) -> Invite:
        assert not self.code_taken(code)
        for i in self.invitations(alliance_id):
            if i.kind == kind:
                self.d.invitations[i.id] = replace(i, replaced_at=now)
        invite = Invite(self._id(), alliance_id, kind, code, now)
        self.d.invitations[invite.id] = invite
        return invite

    def limit_invitation(self, invite_id: int, expires_at: datetime | None,
                         max_uses: int | None) -> None:
        self.d.invitations[invite_id] = replace(self.d.invitations[invite_id],
                                                expires_at=expires_at, max_uses=max_uses)

    def use_invitation(self, invite_id: int) -> None:
        invite = self.d.invitations[invite_id]
        self.d.invitations[invite_id] = replace(invite, uses=invite.uses + 1)

    def accept_member(self, member_id: int) -> None:
        self.d.members[member_id] = replace(self.d.members[member_id], pending_since=None)

    def drop_member(self, member_id: int) -> None:
        member = self.d.members.pop(member_id, None)
        if member is None:
            return
        self.d.notifications = {
            k: replace(n, member_id=None) if n.kind == "arrival" and n.member_id == member_id
            else n for k, n in self.d.notifications.items()
            if n.member_id != member_id or n.kind == "arrival"}
        self.d.reminders = {k: r for k, r in self.d.reminders.items()
                            if r.member_id != member_id}
        self.d.walks.pop(member_id, None)
        if member.organisation_id is not None:
            self.drop_organisation_if_empty(member.organisation_id)

    def drop_organisation_if_empty(self, organisation_id: int) -> None:
        used = any(m.organisation_id == organisation_id for m in self.d.members.values()) \
            or any(a.organisation_id == organisation_id for a in self.d.answers)
        if not used:
            self.d.organisations.pop(organisation_id, None)

    def organisation_founder(self, organisation_id: int) -> int | None:
        return min((m.id for m in self.d.members.values()
                    if m.organisation_id == organisation_id), default=None)

    def add_arrival(self, alliance_id: int, person_id: int, member_id: int, now: datetime,
                    window: timedelta) -> datetime:
        waiting = next((n for n in sorted(self.d.notifications.values(), key=lambda n: n.id)
                        if (n.alliance_id, n.person_id, n.kind) == (alliance_id, person_id,
                                                                    "arrival")
                        and n.sent_at is None), None)
        new_id = self._id()
        batch = waiting.batch if waiting is not None else new_id
        due = waiting.due_at if waiting is not None else now + window
        self.d.notifications[new_id] = Notification(new_id, alliance_id, person_id, "arrival",
                                                    member_id, batch, due)
        return due

    def add_notification(self, alliance_id: int, person_id: int, kind: str,
                         member_id: int | None, due_at: datetime) -> None:
        new_id = self._id()
        self.d.notifications[new_id] = Notification(new_id, alliance_id, person_id, kind,
                                                    member_id, new_id, due_at)

    def get_notification(self, notification_id: int) -> Notification | None:
        return self.d.notifications.get(notification_id)

    def batch(self, batch: int) -> list[Notification]:
        return sorted((n for n in self.d.notifications.values() if n.batch == batch),
                      key=lambda n: n.id)

    def due_notifications(self, now: datetime, limit: int) -> list[int]:
        due = sorted((n for n in self.d.notifications.values()
                      if n.sent_at is None and n.due_at <= now), key=lambda n: (n.due_at, n.id))
        return [n.id for n in due[:limit]]

    def claim_batch(self, batch: int, now: datetime) -> list[Notification]:
        claimed = [n for n in self.batch(batch) if n.sent_at is None]
        for n in claimed:
            self.d.notifications[n.id] = replace(n, sent_at=now)
        return claimed

    def delete_notification(self, notification_id: int) -> None:
        self.d.notifications.pop(notification_id, None)

    def add_code_failure(self, person_id: int, now: datetime, keep: timedelta) -> None:
        self.d.code_failures = [f for f in self.d.code_failures
                                if f[0] != person_id or f[1] >= now - keep]
        self.d.code_failures.append((person_id, now))

    def code_failures(self, person_id: int, since: datetime) -> list[datetime]:
        return sorted(at for who, at in self.d.code_failures if who == person_id and at >= since)

    # states (JSON round trip, so a state that cannot be stored fails here too)
    def load_session(self, person_id: int) -> dict[str, Any] | None:
        raw = self.d.sessions.get(person_id)
        return json.loads(raw) if raw else None

    def save_session(self, person_id: int, state: Any) -> None:
        self.d.sessions[person_id] = json.dumps(state, ensure_ascii=False, sort_keys=True)

    def load_walk(self, member_id: int) -> dict[str, Any] | None:
        raw = self.d.walks.get(member_id)
        return json.loads(raw) if raw else None

    def save_walk(self, member_id: int, state: Any) -> None:
        self.d.walks[member_id] = json.dumps(state, ensure_ascii=False, sort_keys=True)


class FakeStore:
    def __init__(self) -> None:
        self.data = _Data()
        self.commits = 0

    def unit_of_work(self, exclusive: bool = True) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    def schema_version(self) -> int:
        return 6

    def checkpoint(self) -> None:
        pass

    def close(self) -> None:
        pass


def partner_code(store: FakeStore, alliance_id: int | None = None) -> str:
    """The current partner invitation code (of the only alliance, or of `alliance_id`)."""
    return next(i.code for i in store.data.invitations.values()
                if i.kind == "partner" and i.replaced_at is None
                and (alliance_id is None or i.alliance_id == alliance_id))
