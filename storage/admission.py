"""Who gets in: invitation codes, newcomers awaiting the coordination, the notifications that
tell other people (a coordinator of an arrival, a newcomer of the decision), wrong codes."""

from __future__ import annotations

from datetime import datetime, timedelta

from dialogues.core.domain import INVITE_KINDS, Invite, Notification
from storage import rows
from storage.errors import Duplicate
from storage.times import from_stored
from storage.transaction import Transaction


class AdmissionRepository(Transaction):
    # --- invitations ------------------------------------------------------------------------

    def find_invitation(self, code: str) -> Invite | None:
        """The invitation with exactly this code, whatever its state (replaced, expired…)."""
        row = self._row("SELECT * FROM invitations WHERE code = ?", (code,))
        return rows.invite(row) if row else None

    def code_taken(self, code: str) -> bool:
        """Any invitation ever had this code (a replaced one too: codes are never reused)."""
        return self._row("SELECT 1 AS x FROM invitations WHERE code = ?", (code,)) is not None

    def invitations(self, alliance_id: int) -> list[Invite]:
        """The alliance's current invitations (one per kind at most), partners first."""
        found = self._rows(
            "SELECT * FROM invitations WHERE alliance_id = ? AND replaced_at IS NULL"
            " ORDER BY kind, id", (alliance_id,))
        return [rows.invite(r) for r in found]

    def replace_invitation(self, alliance_id: int, kind: str, code: str,
                           now: datetime) -> Invite:
        """A new code of this kind; the current one (if any) stops working."""
        if kind not in INVITE_KINDS:
            raise ValueError(f"unknown invitation kind {kind!r}")
        if self.code_taken(code):  # checked first: nothing is replaced then
            raise Duplicate("already exists: an invitation with this code", "invitations.code")
        self._execute(
            "UPDATE invitations SET replaced_at = ? WHERE alliance_id = ? AND kind = ?"
            " AND replaced_at IS NULL", (self._time(now), alliance_id, kind))
        invite_id = self._insert(
            "INSERT INTO invitations (alliance_id, kind, code, created_at) VALUES (?, ?, ?, ?)",
            (alliance_id, kind, code, self._time(now)))
        row = self._row("SELECT * FROM invitations WHERE id = ?", (invite_id,))
        assert row is not None
        return rows.invite(row)

    def limit_invitation(self, invite_id: int, expires_at: datetime | None,
                         max_uses: int | None) -> None:
        self._execute(
            "UPDATE invitations SET expires_at = ?, max_uses = ? WHERE id = ?",
            (self._time(expires_at) if expires_at is not None else None, max_uses, invite_id))

    def use_invitation(self, invite_id: int) -> None:
        self._execute("UPDATE invitations SET uses = uses + 1 WHERE id = ?", (invite_id,))

    # --- newcomers awaiting the coordination ------------------------------------------------

    def accept_member(self, member_id: int) -> None:
        self._execute("UPDATE members SET pending_since = NULL WHERE id = ?", (member_id,))

    def drop_member(self, member_id: int) -> None:
        """A refused newcomer: the membership goes entirely (it never answered anything), with
        what points to it; the organisation it created goes too if nothing else is in it."""
        row = self._row("SELECT organisation_id FROM members WHERE id = ?", (member_id,))
        if row is None:
            return
        # The coordinators' arrivals messages keep their place (a later press on one says
        # the person is gone) but no longer point to anyone.
        self._execute("UPDATE notifications SET member_id = NULL WHERE member_id = ?"
                      " AND kind = 'arrival'", (member_id,))
        self._execute("DELETE FROM notifications WHERE member_id = ?", (member_id,))
        self._execute("DELETE FROM reminders WHERE member_id = ?", (member_id,))
        self._execute("DELETE FROM walks WHERE member_id = ?", (member_id,))
        self._execute("DELETE FROM members WHERE id = ?", (member_id,))
        if row["organisation_id"] is not None:
            self.drop_organisation_if_empty(row["organisation_id"])

    def drop_organisation_if_empty(self, organisation_id: int) -> None:
        """Delete an organisation no membership (past or present) and no answer points to."""
        self._execute(
            "DELETE FROM organisations WHERE id = ?"
            " AND NOT EXISTS (SELECT 1 FROM members WHERE organisation_id = ?)"
            " AND NOT EXISTS (SELECT 1 FROM answers WHERE organisation_id = ?)",
            (organisation_id, organisation_id, organisation_id))

    def organisation_founder(self, organisation_id: int) -> int | None:
        """The membership that brought the organisation in (the first one in it)."""
        row = self._row("SELECT MIN(id) AS first FROM members WHERE organisation_id = ?",
                        (organisation_id,))
        return int(row["first"]) if row and row["first"] is not None else None

    # --- notifications ----------------------------------------------------------------------

    def add_arrival(self, alliance_id: int, person_id: int, member_id: int, now: datetime,
                    window: timedelta) -> datetime:
        """Tell `person_id` (a coordinator) that `member_id` arrived. Arrivals told to the same
        person about the same alliance while the first is still waiting go in its batch, and
        leave with it (`window` after the first); returns when it is due."""
        waiting = self._row(
            "SELECT batch, due_at FROM notifications WHERE alliance_id = ? AND person_id = ?"
            " AND kind = 'arrival' AND sent_at IS NULL ORDER BY id LIMIT 1",
            (alliance_id, person_id))
        if waiting is not None:
            due = from_stored(waiting["due_at"])
            self._insert(
                "INSERT INTO notifications (alliance_id, person_id, kind, member_id, batch,"
                " due_at) VALUES (?, ?, 'arrival', ?, ?, ?)",
                (alliance_id, person_id, member_id, waiting["batch"], self._time(due)))
            return due
        due = now + window
        new_id = self._insert(
            "INSERT INTO notifications (alliance_id, person_id, kind, member_id, due_at)"
            " VALUES (?, ?, 'arrival', ?, ?)",
            (alliance_id, person_id, member_id, self._time(due)))
        self._execute("UPDATE notifications SET batch = id WHERE id = ?", (new_id,))
        return due

    def add_notification(self, alliance_id: int, person_id: int, kind: str,
                         member_id: int | None, due_at: datetime) -> None:
        """A decision told to the newcomer ("accepted" or "refused")."""
        new_id = self._insert(
            "INSERT INTO notifications (alliance_id, person_id, kind, member_id, due_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (alliance_id, person_id, kind, member_id, self._time(due_at)))
        self._execute("UPDATE notifications SET batch = id WHERE id = ?", (new_id,))

    def get_notification(self, notification_id: int) -> Notification | None:
        row = self._row("SELECT * FROM notifications WHERE id = ?", (notification_id,))
        return rows.notification(row) if row else None

    def batch(self, batch: int) -> list[Notification]:
        """Every notification of one batch (one message), oldest first."""
        found = self._rows("SELECT * FROM notifications WHERE batch = ? ORDER BY id", (batch,))
        return [rows.notification(r) for r in found]

    def due_notifications(self, now: datetime, limit: int) -> list[int]:
        found = self._rows(
            "SELECT id FROM notifications WHERE sent_at IS NULL AND due_at <= ?"
            " ORDER BY due_at, id LIMIT ?", (self._time(now), limit))
        return [r["id"] for r in found]

    def claim_batch(self, batch: int, now: datetime) -> list[Notification]:
        """Mark the batch's unsent notifications sent; the ones this call claimed."""
        waiting = [n for n in self.batch(batch) if n.sent_at is None]
        claimed = []
        for n in waiting:
            cursor = self._execute(
                "UPDATE notifications SET sent_at = ? WHERE id = ? AND sent_at IS NULL",
                (self._time(now), n.id))
            if cursor.rowcount == 1:
                claimed.append(n)
        return claimed

    def delete_notification(self, notification_id: int) -> None:
        self._execute("DELETE FROM notifications WHERE id = ?", (notification_id,))

    # --- wrong invitation codes -------------------------------------------------------------

    def add_code_failure(self, person_id: int, now: datetime, keep: timedelta) -> None:
        """Count a wrong code; failures older than `keep` are forgotten."""
        self._execute("DELETE FROM code_failures WHERE person_id = ? AND failed_at < ?",
                      (person_id, self._time(now - keep)))
        self._insert("INSERT INTO code_failures (person_id, failed_at) VALUES (?, ?)",
                     (person_id, self._time(now)))

    def code_failures(self, person_id: int, since: datetime) -> list[datetime]:
        """When the person sent a wrong code, since `since`, oldest first."""
        found = self._rows(
            "SELECT failed_at FROM code_failures WHERE person_id = ? AND failed_at >= ?"
            " ORDER BY failed_at", (person_id, self._time(since)))
        return [from_stored(r["failed_at"]) for r in found]
