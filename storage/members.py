"""People coming and going: roles, leaving, erasure, archiving and retention, statistics."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dialogues.core.domain import ROLES, Alliance
from storage import rows
from storage.times import to_text
from storage.transaction import Transaction


class MembershipRepository(Transaction):
    def set_role(self, member_id: int, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        self._execute("UPDATE members SET role = ? WHERE id = ?", (role, member_id))

    def leave(self, member_id: int, now: datetime) -> None:
        """The member leaves: their answers stay with the organisation, detached from them.

        The membership is moved to a placeholder person without any name or account, so
        nothing of it points back to who gave those answers.
        """
        placeholder = self._insert(
            "INSERT INTO people (channel, external_id, display_name, created_at)"
            " VALUES ('former', ?, '', ?)",
            (f"member-{member_id}", self._time(now)),
        )
        self._execute("UPDATE members SET person_id = ?, left_at = ? WHERE id = ?",
                      (placeholder, self._time(now), member_id))
        self._execute("DELETE FROM walks WHERE member_id = ?", (member_id,))
        self._execute("DELETE FROM reminders WHERE member_id = ? AND sent_at IS NULL",
                      (member_id,))

    def erase_person(self, person_id: int, delete_answers: bool, now: datetime) -> None:
        """Right to erasure: the person, their states and reminders; optionally their answers."""
        members = [r["id"] for r in self._rows("SELECT id FROM members WHERE person_id = ?",
                                                (person_id,))]
        for member_id in members:
            if delete_answers:
                self._execute("INSERT INTO deletions (kind, ref) VALUES ('member', ?)"
                              " ON CONFLICT DO NOTHING",
                              (member_id,))
                self._execute("DELETE FROM answers WHERE member_id = ?", (member_id,))
                self._execute("DELETE FROM deletions WHERE kind = 'member' AND ref = ?",
                              (member_id,))
            self.leave(member_id, now)
            self._execute("DELETE FROM reminders WHERE member_id = ?", (member_id,))
        self._execute("DELETE FROM notifications WHERE person_id = ?", (person_id,))
        self._execute("DELETE FROM code_failures WHERE person_id = ?", (person_id,))
        self._execute("DELETE FROM sessions WHERE person_id = ?", (person_id,))
        self._execute("DELETE FROM suggestions WHERE person_id = ?", (person_id,))
        person = self._row("SELECT channel, external_id FROM people WHERE id = ?", (person_id,))
        if person is not None:
            self._execute("DELETE FROM handled_updates WHERE channel = ? AND external_id = ?",
                          (person["channel"], person["external_id"]))
        self._execute("DELETE FROM people WHERE id = ?", (person_id,))

    def person_data(self, person_id: int) -> dict[str, Any]:
        """Everything stored about one person (the right of access), as plain JSON values."""
        person = self._row("SELECT * FROM people WHERE id = ?", (person_id,))
        if person is None:
            return {}
        session = self._row("SELECT state, updated_at FROM sessions WHERE person_id = ?",
                            (person_id,))
        memberships = []
        for m in self._rows("SELECT * FROM members WHERE person_id = ? ORDER BY id",
                            (person_id,)):
            alliance = self._row("SELECT name FROM alliances WHERE id = ?", (m["alliance_id"],))
            org = self._row("SELECT name, kind FROM organisations WHERE id = ?",
                            (m["organisation_id"],))
            walk = self._row("SELECT state, updated_at FROM walks WHERE member_id = ?",
                             (m["id"],))
            answers = self._rows(
                "SELECT phase, lever_id, position, comment, contribution, expectation,"
                " charter_version, answered_at FROM answers WHERE member_id = ? ORDER BY id",
                (m["id"],))
            reminders = self._rows(
                "SELECT kind, phase, seq, due_at, sent_at, cancelled_at FROM reminders"
                " WHERE member_id = ? ORDER BY id", (m["id"],))
            retained = self._rows(
                "SELECT phase, lever_id, text, charter_version, retained_at FROM agreements"
                " WHERE member_id = ? ORDER BY id", (m["id"],))
            validated = self._rows(
                "SELECT phase, validated_at FROM agreement_validations WHERE member_id = ?"
                " ORDER BY id", (m["id"],))
            votes = self._rows(
                "SELECT a.phase, a.lever_id, v.vote, v.voted_at FROM agreement_votes AS v"
                " JOIN agreements AS a ON a.id = v.agreement_id WHERE v.member_id = ?"
                " ORDER BY v.voted_at", (m["id"],))
            memberships.append({
                "alliance": alliance["name"] if alliance else None,
                "organisation": dict(org) if org else None,
                "role": m["role"],
                "joined_at": _plain(m["joined_at"]),
                "pending_since": _plain(m["pending_since"]),
                "nudges_off": bool(m["nudges_off"]),
                "unreachable_at": _plain(m["unreachable_at"]),
                "walk": {"state": walk["state"], "updated_at": _plain(walk["updated_at"])}
                if walk else None,
                "answers": [_plain_row(a) for a in answers],
                "reminders": [_plain_row(r) for r in reminders],
                "retained_texts": [_plain_row(r) for r in retained],
                "validations": [_plain_row(r) for r in validated],
                "votes": [_plain_row(r) for r in votes],
            })
        notifications = self._rows(
            "SELECT kind, due_at, sent_at FROM notifications WHERE person_id = ? ORDER BY id",
            (person_id,))
        wrong_codes = self._rows(
            "SELECT failed_at FROM code_failures WHERE person_id = ? ORDER BY id", (person_id,))
        suggestions = self._rows(
            "SELECT lever_id, text, charter_version, created_at FROM suggestions"
            " WHERE person_id = ? ORDER BY id", (person_id,))
        return {
            "person": {"channel": person["channel"], "id": person["external_id"],
                       "name": person["display_name"],
                       "created_at": _plain(person["created_at"])},
            "session": {"state": session["state"], "updated_at": _plain(session["updated_at"])}
            if session else None,
            "memberships": memberships,
            "notifications": [_plain_row(n) for n in notifications],
            "wrong_invitation_codes": [_plain(r["failed_at"]) for r in wrong_codes],
            "suggestions": [_plain_row(s) for s in suggestions],
        }

    # --- archiving and retention ------------------------------------------------------------

    def archive_alliance(self, alliance_id: int, now: datetime) -> None:
        self._execute("UPDATE alliances SET archived_at = ? WHERE id = ? AND archived_at IS NULL",
                      (self._time(now), alliance_id))
        self._execute(
            "UPDATE reminders SET cancelled_at = ? WHERE alliance_id = ? AND sent_at IS NULL"
            " AND cancelled_at IS NULL", (self._time(now), alliance_id))

    def alliances_ended_before(self, moment: datetime) -> list[Alliance]:
        found = self._rows("SELECT * FROM alliances WHERE end_at < ? ORDER BY id",
                           (self._time(moment),))
        return [rows.alliance(r) for r in found]

    def retention_warned(self, alliance_id: int) -> bool:
        row = self._row("SELECT retention_warned_at FROM alliances WHERE id = ?", (alliance_id,))
        return bool(row and row["retention_warned_at"])

    def mark_retention_warned(self, alliance_id: int, now: datetime) -> None:
        self._execute("UPDATE alliances SET retention_warned_at = ? WHERE id = ?",
                      (self._time(now), alliance_id))

    def delete_alliance(self, alliance_id: int) -> None:
        """Everything of one alliance, answers included (its retention period is over)."""
        members = [r["id"] for r in self._rows("SELECT id FROM members WHERE alliance_id = ?",
                                                (alliance_id,))]
        self._execute("INSERT INTO deletions (kind, ref) VALUES ('alliance', ?)"
                      " ON CONFLICT DO NOTHING",
                      (alliance_id,))
        self._execute("DELETE FROM answers WHERE alliance_id = ?", (alliance_id,))
        # The séances, retained texts, votes and validations (append-only, but listed above).
        self._execute("DELETE FROM agreement_votes WHERE agreement_id IN"
                      " (SELECT id FROM agreements WHERE alliance_id = ?)", (alliance_id,))
        self._execute("DELETE FROM agreement_validations WHERE alliance_id = ?", (alliance_id,))
        self._execute("DELETE FROM agreements WHERE alliance_id = ?", (alliance_id,))
        self._execute("DELETE FROM seances WHERE alliance_id = ?", (alliance_id,))
        self._execute("DELETE FROM deletions WHERE kind = 'alliance' AND ref = ?",
                      (alliance_id,))
        self._execute("DELETE FROM reminders WHERE alliance_id = ?", (alliance_id,))
        self._execute("DELETE FROM notifications WHERE alliance_id = ?", (alliance_id,))
        self._execute("DELETE FROM invitations WHERE alliance_id = ?", (alliance_id,))
        marks = ",".join("?" * len(members))
        if members:
            self._execute(f"DELETE FROM walks WHERE member_id IN ({marks})", members)
            former = [r["person_id"] for r in self._rows(
                f"SELECT person_id FROM members WHERE id IN ({marks})", members)]
            self._execute(f"DELETE FROM members WHERE id IN ({marks})", members)
            people = ",".join("?" * len(former))
            self._execute(f"DELETE FROM people WHERE channel = 'former' AND id IN ({people})",
                          former)
        self._execute("DELETE FROM organisations WHERE alliance_id = ?", (alliance_id,))
        self._execute("DELETE FROM alliances WHERE id = ?", (alliance_id,))

    # --- for the operator -------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts only: nothing that identifies anyone."""
        def count(where: str) -> int:
            row = self._row(f"SELECT COUNT(*) AS n FROM {where}")
            return int(row["n"]) if row else 0

        return {
            "alliances_active": count("alliances WHERE archived_at IS NULL"),
            "alliances_archived": count("alliances WHERE archived_at IS NOT NULL"),
            "members": count("members WHERE left_at IS NULL"),
            "members_unreachable": count(
                "members WHERE left_at IS NULL AND unreachable_at IS NOT NULL"),
            "answers_by_phase": {
                r["phase"]: r["n"] for r in self._rows(
                    "SELECT phase, COUNT(*) AS n FROM answers GROUP BY phase ORDER BY phase")},
            "reminders_pending": count(
                "reminders WHERE sent_at IS NULL AND cancelled_at IS NULL"),
            "reminders_sent": count("reminders WHERE sent_at IS NOT NULL"),
        }


def _plain(value: Any) -> Any:
    """A stored value as JSON shows it: moments as the UTC ISO 8601 text SQLite stores."""
    return to_text(value) if isinstance(value, datetime) else value


def _plain_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _plain(value) for key, value in dict(row).items()}
