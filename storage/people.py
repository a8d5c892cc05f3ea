"""People: one row per (channel, external id)."""

from __future__ import annotations

from typing import Any

from dialogues.core.domain import Person
from dialogues.core.ports import UpdateMark
from storage import rows
from storage.states import _load
from storage.updates import NEW, RECORD, UpdateRepository


class PeopleRepository(UpdateRepository):
    def get_or_create_person(self, channel: str, external_id: str, display_name: str) -> Person:
        """The person for that account; a changed non-empty display name is saved."""
        row = self._row(
            "SELECT * FROM people WHERE channel = ? AND external_id = ?", (channel, external_id)
        )
        if row is None:
            person_id = self._insert(
                "INSERT INTO people (channel, external_id, display_name, created_at)"
                " VALUES (?, ?, ?, ?)",
                (channel, external_id, display_name, self._now()),
            )
            return Person(person_id, channel, external_id, display_name)
        if display_name and display_name != row["display_name"]:
            self._execute(
                "UPDATE people SET display_name = ? WHERE id = ?", (display_name, row["id"])
            )
            return Person(row["id"], channel, external_id, display_name)
        return rows.person(row)

    def get_person(self, person_id: int) -> Person | None:
        row = self._row("SELECT * FROM people WHERE id = ?", (person_id,))
        return rows.person(row) if row else None

    def person_with_session(self, channel: str, external_id: str, display_name: str,
                            update: UpdateMark | None = None
                            ) -> tuple[Person, dict[str, Any] | None, str]:
        """get_or_create_person, the person's dialogue session, and the update recorded
        (storage/updates.py): one round trip on PostgreSQL. The status is NEW without update."""
        read = ("SELECT p.*, s.state AS session_state FROM people AS p"
                " LEFT JOIN sessions AS s ON s.person_id = p.id"
                " WHERE p.channel = ? AND p.external_id = ?", (channel, external_id))
        status = NEW
        if update is None:
            found = self._rows(*read)
        else:
            record = self.record_params(channel, external_id, update.update_id, update.now,
                                        update.kept_since)
            found, written = self._rows_then_write(read, (RECORD, record))
            if written != 1:
                status = self.not_new(channel, update.update_id, update.kept_since)
        if not found:
            return self.get_or_create_person(channel, external_id, display_name), None, status
        row = found[0]
        person = rows.person(row)
        if display_name and display_name != person.display_name:
            self._execute("UPDATE people SET display_name = ? WHERE id = ?",
                          (display_name, person.id))
            person = Person(person.id, channel, external_id, display_name)
        state = row["session_state"]
        return person, _load(state) if state is not None else None, status
