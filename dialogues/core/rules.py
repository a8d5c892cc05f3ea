"""Who may do what, stated once: the engine decides with these, the writes check them again."""

from __future__ import annotations

from collections.abc import Sequence

from dialogues.core.domain import ROLES, Alliance, Member, Organisation
from dialogues.core.normalize import normalize

COORDINATOR, PARTNER, TIERS = ROLES


def is_coordinator(member: Member | None) -> bool:
    return member is not None and member.role == COORDINATOR


def is_tiers(member: Member | None) -> bool:
    """A tiers de confiance: accompanies the alliance, belongs to no organisation."""
    return member is not None and member.role == TIERS


def may_lead_seance(member: Member | None, alliance: Alliance | None) -> bool:
    """Start and lead a séance: the coordination or the tiers de confiance."""
    return (alliance is not None and member is not None and member.alliance_id == alliance.id
            and (is_coordinator(member) or is_tiers(member)))


def read_only(alliance: Alliance | None) -> bool:
    """An archived alliance can be consulted, never changed."""
    return alliance is not None and alliance.archived_at is not None


def may_answer(member: Member | None, alliance: Alliance | None) -> bool:
    """Walk the charter: a member of an alliance that is not archived."""
    return member is not None and alliance is not None and not read_only(alliance)


def may_coordinate(member: Member | None, alliance: Alliance | None) -> bool:
    """Change the alliance's dates, settings, invitation or members."""
    return (is_coordinator(member) and alliance is not None and member is not None
            and member.alliance_id == alliance.id)


def may_archive(member: Member | None, alliance: Alliance | None, phase: str | None) -> bool:
    """Archive: a coordinator, once the end phase is open, and only once."""
    return may_coordinate(member, alliance) and phase == "fin" and not read_only(alliance)


def may_manage(actor: Member | None, target: Member | None) -> bool:
    """Act on another member of the same alliance (remove, share or hand the role)."""
    return (is_coordinator(actor) and target is not None and actor is not None
            and target.alliance_id == actor.alliance_id and target.id != actor.id
            and target.left_at is None)


def last_coordinator(member: Member, members: Sequence[Member]) -> bool:
    """The only coordinator of the alliance."""
    coordinators = [m for m in members if is_coordinator(m)]
    return is_coordinator(member) and len(coordinators) <= 1


def may_remove(target: Member, members: Sequence[Member]) -> bool:
    """The last coordinator cannot be removed: hand the role over first."""
    return not last_coordinator(target, members)


def may_leave(member: Member, members: Sequence[Member]) -> bool:
    """The last coordinator leaves only once nobody else is left to coordinate."""
    others = [m for m in members if m.id != member.id]
    return not (last_coordinator(member, members) and others)


def successor_on_erasure(member: Member, members: Sequence[Member]) -> Member | None:
    """Who becomes coordinator when the last coordinator erases themselves: the oldest member
    left, so that an erasure is never blocked and no alliance is left without coordination."""
    others = [m for m in members if m.id != member.id]
    if not last_coordinator(member, members) or not others:
        return None
    return min(others, key=lambda m: (m.joined_at, m.id))


def same_organisation(name: str, organisations: Sequence[Organisation]) -> Organisation | None:
    """An organisation already in the alliance under this name (case, accents and spacing
    aside): joining « mairie de b » picks « Mairie de B » rather than making a twin."""
    wanted = normalize(name)
    return next((o for o in organisations if normalize(o.name) == wanted), None)


def may_link_group(member: Member | None) -> bool:
    """Link a group chat to the alliance: its coordination."""
    return is_coordinator(member)


def group_poster(members: Sequence[Member]) -> Member | None:
    """Whose phase reminder is also posted in the linked group: the first coordinator."""
    return next((m for m in members if is_coordinator(m)), None)


def may_suggest(member: Member | None) -> bool:
    """Send a suggestion about the charter's text: any member of an alliance."""
    return member is not None
