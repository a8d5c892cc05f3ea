"""Alliances, their organisations and their members."""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import datetime
from functools import cache

from dialogues.core.domain import ORG_KINDS, ROLES, Alliance, Member, Organisation
from dialogues.core.ports import MembershipView
from storage import rows
from storage.answers import LATEST_BY_PHASE, by_phase
from storage.dialect import Row
from storage.errors import Duplicate
from storage.states import _load
from storage.transaction import Transaction


@cache
def _membership_query() -> str:
    """Member, alliance and organisation columns under prefixes, and the walk's state."""
    def columns(cls: type, alias: str) -> str:
        return ", ".join(f"{alias}.{f.name} AS {alias}__{f.name}"
                         for f in dataclasses.fields(cls))

    return (f"SELECT {columns(Member, 'm')}, {columns(Alliance, 'a')},"
            f" {columns(Organisation, 'o')}, w.state AS walk_state"
            " FROM members AS m JOIN alliances AS a ON a.id = m.alliance_id"
            " LEFT JOIN organisations AS o ON o.id = m.organisation_id"  # a tiers has none
            " LEFT JOIN walks AS w ON w.member_id = m.id WHERE m.id = ?")


def _part(row: Row, alias: str) -> dict[str, object]:
    prefix = f"{alias}__"
    keys = row.keys()  # noqa: SIM118 - a sqlite3.Row iterates over its values, not its keys
    return {key[len(prefix):]: row[key] for key in keys if key.startswith(prefix)}


def name_key(name: str) -> str:
    """How names compare: Unicode case-insensitive (« Élan » == « élan »)."""
    return unicodedata.normalize("NFC", name).casefold()


class AllianceRepository(Transaction):
    def add_alliance(
        self,
        name: str,
        start_at: datetime,
        end_at: datetime,
        mid_at: datetime,
        invite_code: str,
        timezone: str,
        now: datetime,
    ) -> Alliance:
        """Duplicate if an invitation ever had this code (nothing is written then)."""
        if self._row("SELECT 1 AS x FROM invitations WHERE code = ?", (invite_code,)):
            raise Duplicate("already exists: an invitation with this code (invite_code)",
                            "invitations.code")
        alliance_id = self._insert(
            "INSERT INTO alliances (name, start_at, end_at, mid_at, invite_code, timezone,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                name,
                self._time(start_at),
                self._time(end_at),
                self._time(mid_at),
                invite_code,
                timezone,
                self._time(now),
            ),
        )
        # The partner invitation (storage/admission.py); `alliances.invite_code` keeps the
        # code the alliance was created with only because the column cannot be dropped.
        self._insert(
            "INSERT INTO invitations (alliance_id, kind, code, created_at) VALUES (?, ?, ?, ?)",
            (alliance_id, "partner", invite_code, self._time(now)),
        )
        alliance = self.get_alliance(alliance_id)
        assert alliance is not None
        return alliance

    def get_alliance(self, alliance_id: int) -> Alliance | None:
        row = self._row("SELECT * FROM alliances WHERE id = ?", (alliance_id,))
        return rows.alliance(row) if row else None

    def find_by_code(self, code: str) -> Alliance | None:
        """The alliance of a current (not replaced) invitation code, whatever its limits.

        Exact match: callers normalise what people type."""
        row = self._row(
            "SELECT a.* FROM alliances AS a JOIN invitations AS i ON i.alliance_id = a.id"
            " WHERE i.code = ? AND i.replaced_at IS NULL", (code,))
        return rows.alliance(row) if row else None

    def find_by_group(self, chat_id: int) -> Alliance | None:
        row = self._row("SELECT * FROM alliances WHERE group_chat_id = ?", (chat_id,))
        return rows.alliance(row) if row else None

    def find_by_name(self, name: str) -> list[Alliance]:
        """Every alliance with exactly that name, Unicode case-insensitively, oldest first."""
        key = name_key(name)
        return [a for a in self.all_alliances() if name_key(a.name) == key]

    def all_alliances(self) -> list[Alliance]:
        return [rows.alliance(r) for r in self._rows("SELECT * FROM alliances ORDER BY id")]

    def update_dates(self, alliance_id: int, start_at: datetime, mid_at: datetime,
                     end_at: datetime) -> None:
        self._execute("UPDATE alliances SET start_at = ?, mid_at = ?, end_at = ? WHERE id = ?",
                      (self._time(start_at), self._time(mid_at), self._time(end_at), alliance_id))

    def set_anonymous(self, alliance_id: int, anonymous: bool) -> None:
        self._execute("UPDATE alliances SET anonymous = ? WHERE id = ?",
                      (int(anonymous), alliance_id))

    def set_approval(self, alliance_id: int, approval: bool) -> None:
        self._execute("UPDATE alliances SET approval = ? WHERE id = ?",
                      (int(approval), alliance_id))

    def link_group(self, alliance_id: int, chat_id: int | None) -> None:
        """Link a Telegram group (or unlink with None); a group serves one alliance at most."""
        if chat_id is not None:
            self._execute("UPDATE alliances SET group_chat_id = NULL WHERE group_chat_id = ?",
                          (chat_id,))
        self._execute("UPDATE alliances SET group_chat_id = ? WHERE id = ?",
                      (chat_id, alliance_id))

    def add_organisation(self, alliance_id: int, name: str, kind: str) -> Organisation:
        """Names are unique per alliance, case-insensitively (Duplicate otherwise)."""
        if kind not in ORG_KINDS:
            raise ValueError(f"unknown organisation kind {kind!r}; expected one of {ORG_KINDS}")
        key = name_key(name)
        if any(name_key(o.name) == key for o in self.organisations(alliance_id)):
            raise Duplicate(
                "already exists: an organisation with that name in this alliance",
                "organisations.name",
            )
        organisation_id = self._insert(
            "INSERT INTO organisations (alliance_id, name, kind) VALUES (?, ?, ?)",
            (alliance_id, name, kind),
        )
        return Organisation(id=organisation_id, alliance_id=alliance_id, name=name, kind=kind)

    def get_organisation(self, organisation_id: int) -> Organisation | None:
        row = self._row("SELECT * FROM organisations WHERE id = ?", (organisation_id,))
        return rows.organisation(row) if row else None

    def organisations(self, alliance_id: int) -> list[Organisation]:
        return [
            rows.organisation(r)
            for r in self._rows(
                "SELECT * FROM organisations WHERE alliance_id = ? ORDER BY id", (alliance_id,)
            )
        ]

    def add_member(
        self, alliance_id: int, organisation_id: int | None, person_id: int, role: str,
        now: datetime, pending: bool = False,
    ) -> Member:
        """Duplicate if the person is already in the alliance; the org must be the alliance's
        (none for a tiers de confiance, and only for them). `pending`: until the coordination
        accepts them (storage/admission.py)."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; expected one of {ROLES}")
        member_id = self._insert(
            "INSERT INTO members (alliance_id, organisation_id, person_id, role, joined_at,"
            " pending_since) VALUES (?, ?, ?, ?, ?, ?)",
            (alliance_id, organisation_id, person_id, role, self._time(now),
             self._time(now) if pending else None),
        )
        member = self.get_member(member_id)
        assert member is not None
        return member

    def membership_view(self, member_id: int) -> MembershipView | None:
        """The member, its alliance, organisation, walk state and latest answers: two reads
        sent together (one round trip on PostgreSQL)."""
        found, answers = self._rows_of_each([(_membership_query(), (member_id,)),
                                             (LATEST_BY_PHASE, (member_id,))])
        if not found:
            return None
        row = found[0]
        walk = row["walk_state"]
        organisation = _part(row, "o")
        return MembershipView(rows.member(_part(row, "m")), rows.alliance(_part(row, "a")),
                              rows.organisation(organisation)
                              if organisation["id"] is not None else None,
                              _load(walk) if walk is not None else None, by_phase(answers))

    def get_member(self, member_id: int) -> Member | None:
        row = self._row("SELECT * FROM members WHERE id = ?", (member_id,))
        return rows.member(row) if row else None

    def members(self, alliance_id: int) -> list[Member]:
        """Oldest member first."""
        return [
            rows.member(r)
            for r in self._rows(
                "SELECT * FROM members WHERE alliance_id = ? AND left_at IS NULL ORDER BY id",
                (alliance_id,),
            )
        ]

    def members_of_person(self, person_id: int) -> list[Member]:
        """Every membership of one person, by joined_at (then id)."""
        return [
            rows.member(r)
            for r in self._rows(
                "SELECT * FROM members WHERE person_id = ? AND left_at IS NULL"
                " ORDER BY joined_at, id",
                (person_id,),
            )
        ]
