"""The agreements in `charte-bot export --format json`: every version of every retained text,
with its author, time, charter version, the organisations' votes and the validations that
cover it."""

from __future__ import annotations

from collections.abc import Iterable

from dialogues.content.charter import Charter
from dialogues.core.agreements import Agreement, Validation, Vote
from dialogues.core.domain import PHASES, Alliance
from dialogues.core.ports import UnitOfWork


def covered(agreements: Iterable[Agreement], validation: Validation) -> set[int]:
    """The ids of the texts a validation covers: each lever's latest version at that moment."""
    latest: dict[str, int] = {}
    for agreement in agreements:
        if agreement.phase == validation.phase and agreement.id <= validation.covers:
            latest[agreement.lever_id] = max(latest.get(agreement.lever_id, 0), agreement.id)
    return set(latest.values())


def agreement_records(uow: UnitOfWork, alliances: Iterable[Alliance], charter: Charter
                      ) -> list[dict[str, object]]:
    """Every retained text of these alliances, in phase and charter order, oldest first."""
    out: list[dict[str, object]] = []
    names: dict[int, tuple[str, str]] = {}

    def name(member_id: int) -> tuple[str, str]:
        """(display name, role) of a member; no name once they left or erased their data."""
        if member_id not in names:
            member = uow.get_member(member_id)
            person = uow.get_person(member.person_id) if member is not None else None
            names[member_id] = (person.display_name if person is not None else "",
                                member.role if member is not None else "")
        return names[member_id]

    for alliance in alliances:
        agreements = uow.agreements(alliance.id)
        if not agreements:
            continue
        organisations = {o.id: o.name for o in uow.organisations(alliance.id)}
        validations = uow.validations(alliance.id)
        votes: dict[int, list[Vote]] = {}
        for vote in uow.votes(alliance.id):
            votes.setdefault(vote.agreement_id, []).append(vote)
        coverage = [(v, covered(agreements, v)) for v in validations]
        versions: dict[tuple[str, str], int] = {}
        latest = {(a.phase, a.lever_id): a.id for a in agreements}
        for agreement in sorted(agreements, key=lambda a: (
                PHASES.index(a.phase), charter.index_of(a.lever_id), a.id)):
            key = (agreement.phase, agreement.lever_id)
            versions[key] = versions.get(key, 0) + 1
            author, role = name(agreement.member_id)
            out.append({
                "alliance": alliance.name,
                "phase": agreement.phase,
                "lever_id": agreement.lever_id,
                "family": charter.lever(agreement.lever_id).family_id,
                "version": versions[key],
                "current": latest[key] == agreement.id,
                "text": agreement.text,
                "author": author,
                "author_role": role,
                "charter_version": agreement.charter_version,
                "retained_at": agreement.retained_at.isoformat(),
                "votes": [{"organisation": organisations.get(v.organisation_id, ""),
                           "vote": v.vote, "voted_at": v.voted_at.isoformat()}
                          for v in votes.get(agreement.id, [])],
                "validations": [{"organisation": organisations.get(v.organisation_id, ""),
                                 "member": name(v.member_id)[0],
                                 "validated_at": v.validated_at.isoformat()}
                                for v, ids in coverage if agreement.id in ids],
            })
    return out
