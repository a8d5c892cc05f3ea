"""Who may do what, stated once: the engine decides with these, the writes check them again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from dialogues.core.domain import INVITE_KINDS, ROLES, Alliance, Invite, Member, Organisation
from dialogues.core.normalize import normalize

COORDINATOR, PARTNER, TIERS = ROLES
PARTNER_INVITE, TIERS_INVITE = INVITE_KINDS

# Guessing codes is slowed: after this many wrong codes within the window, wait.
WRONG_CODES = 10
WRONG_CODES_WINDOW = timedelta(hours=1)


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


def is_pending(member: Member | None) -> bool:
    """Joined while the alliance asks its coordination to confirm newcomers, not yet accepted."""
    return member is not None and member.pending_since is not None


def may_read_alliance(member: Member | None) -> bool:
    """See anything of the alliance (answers, summary, members, dates, invitations): a member
    still in it, unless the coordination has yet to accept them."""
    return member is not None and member.left_at is None and member.pending_since is None


def may_answer(member: Member | None, alliance: Alliance | None) -> bool:
    """Walk the charter: a member of an organisation (not a tiers de confiance), accepted, in
    an alliance that is not archived."""
    return (member is not None and alliance is not None and not read_only(alliance)
            and not is_tiers(member) and may_read_alliance(member))


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


def may_coordinate_later(member: Member) -> bool:
    """Can be given the coordination: a partner or coordinator already accepted (a tiers de
    confiance belongs to no organisation; a pending newcomer is not in yet)."""
    return not is_tiers(member) and not is_pending(member) and member.left_at is None


def may_decide(actor: Member | None, target: Member | None) -> bool:
    """Accept, refuse or remove a newcomer: a coordinator of the newcomer's alliance."""
    return may_manage(actor, target)


def last_coordinator(member: Member, members: Sequence[Member]) -> bool:
    """The only coordinator of the alliance."""
    coordinators = [m for m in members if is_coordinator(m)]
    return is_coordinator(member) and len(coordinators) <= 1


def may_remove(target: Member, members: Sequence[Member]) -> bool:
    """The last coordinator cannot be removed: hand the role over first."""
    return not last_coordinator(target, members)


def may_leave(member: Member, members: Sequence[Member]) -> bool:
    """The last coordinator leaves only once nobody else is left who could coordinate."""
    others = [m for m in members if m.id != member.id and may_coordinate_later(m)]
    return not (last_coordinator(member, members) and others)


def successor_on_erasure(member: Member, members: Sequence[Member]) -> Member | None:
    """Who becomes coordinator when the last coordinator erases themselves: the oldest member
    left, so that an erasure is never blocked and no alliance is left without coordination."""
    others = [m for m in members if m.id != member.id and may_coordinate_later(m)]
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


# --- the séance and the contrat de confiance (issue 11) -----------------------------------------


def present(member: Member | None, alliance: Alliance | None) -> bool:
    """A current member of this very alliance (not one who left or was removed)."""
    return (member is not None and alliance is not None and member.alliance_id == alliance.id
            and member.left_at is None)


def may_retain(member: Member | None, alliance: Alliance | None) -> bool:
    """Lead a séance and record what the alliance retains: its coordination or its tiers de
    confiance, while the alliance is not archived."""
    return (present(member, alliance) and may_lead_seance(member, alliance)
            and not read_only(alliance))


def speaks_for_organisation(member: Member | None) -> bool:
    """A member who speaks for an organisation (a tiers de confiance belongs to none)."""
    return (member is not None and not is_tiers(member)
            and getattr(member, "organisation_id", None) is not None)


def may_vote(member: Member | None, alliance: Alliance | None) -> bool:
    """React on a séance's card (« D'accord », « À retravailler ») or validate the contrat
    (« Nous validons »): for one's organisation, while the alliance is not archived."""
    return present(member, alliance) and speaks_for_organisation(member) \
        and not read_only(alliance)


# --- who gets in ------------------------------------------------------------------------------


def invitation_open(invite: Invite | None, now: datetime) -> bool:
    """A code lets someone in: not replaced, not past its end date, not used up. A code that
    fails this is answered exactly like an unknown one."""
    return (invite is not None and invite.replaced_at is None
            and (invite.expires_at is None or now < invite.expires_at)
            and (invite.max_uses is None or invite.uses < invite.max_uses))


def may_invite(member: Member | None, alliance: Alliance | None, kind: str) -> bool:
    """See an invitation code: the partners' one, any member let in; the tiers de confiance
    one, the coordination only."""
    if kind == TIERS_INVITE:
        return may_coordinate(member, alliance)
    return may_read_alliance(member)


def needs_approval(alliance: Alliance) -> bool:
    """Newcomers wait for the coordination (« Valider les nouveaux membres »)."""
    return alliance.approval


def code_wait(failures: Sequence[datetime], now: datetime) -> datetime | None:
    """Until when a person who sent these wrong codes must wait before trying another: once
    WRONG_CODES fell within WRONG_CODES_WINDOW, until the oldest of them leaves the window."""
    recent = sorted(f for f in failures if now - f < WRONG_CODES_WINDOW)
    if len(recent) < WRONG_CODES:
        return None
    return recent[-WRONG_CODES] + WRONG_CODES_WINDOW


# --- the observatory --------------------------------------------------------------------------


def may_suggest(member: Member | None) -> bool:
    """Send a suggestion about the charter's text: any member of an alliance."""
    return member is not None
