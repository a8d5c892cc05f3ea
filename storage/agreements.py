"""Séances, retained texts (append-only), votes, and validations (append-only)."""

from __future__ import annotations

import json
from datetime import datetime

from dialogues.core.agreements import VOTES, Agreement, Seance, Validation, Vote, Writing
from dialogues.core.domain import PHASES
from storage.dialect import Row
from storage.times import from_stored
from storage.transaction import Transaction

_AGREEMENT = ("id, alliance_id, phase, lever_id, text, member_id, seance_id, charter_version,"
              " retained_at")
_VALIDATION = "id, alliance_id, phase, organisation_id, member_id, covers, validated_at"


def _seance(row: Row) -> Seance:
    return Seance(
        id=row["id"],
        alliance_id=row["alliance_id"],
        phase=row["phase"],
        led_by=row["led_by"],
        chat_id=row["chat_id"],
        card_message_id=row["card_message_id"],
        started_at=from_stored(row["started_at"]),
        ended_at=from_stored(row["ended_at"]) if row["ended_at"] is not None else None,
        paused=bool(row["paused"]),
        turn=row["turn"],
        lever_id=row["lever_id"],
        seen=tuple(str(lever) for lever in json.loads(row["seen"])),
        writing=tuple(Writing(int(w[0]), str(w[1]), int(w[2]))
                      for w in json.loads(row["writing"])),
    )


def _agreement(row: Row) -> Agreement:
    return Agreement(row["id"], row["alliance_id"], row["phase"], row["lever_id"], row["text"],
                     row["member_id"], row["seance_id"], row["charter_version"],
                     from_stored(row["retained_at"]))


def _validation(row: Row) -> Validation:
    return Validation(row["id"], row["alliance_id"], row["phase"], row["organisation_id"],
                      row["member_id"], row["covers"], from_stored(row["validated_at"]))


def _check_phase(phase: str) -> None:
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}; expected one of {PHASES}")


class AgreementRepository(Transaction):
    # --- séances ----------------------------------------------------------------------------

    def add_seance(self, alliance_id: int, phase: str, led_by: int, chat_id: int | None,
                   lever_id: str | None, turn: int, now: datetime) -> Seance:
        _check_phase(phase)
        seen = [lever_id] if lever_id else []
        seance_id = self._insert(
            "INSERT INTO seances (alliance_id, phase, led_by, chat_id, started_at, turn,"
            " lever_id, seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (alliance_id, phase, led_by, chat_id, self._time(now), turn, lever_id,
             json.dumps(seen)),
        )
        seance = self.get_seance(seance_id)
        assert seance is not None
        return seance

    def get_seance(self, seance_id: int) -> Seance | None:
        row = self._row("SELECT * FROM seances WHERE id = ?", (seance_id,))
        return _seance(row) if row else None

    def seances(self, alliance_id: int) -> list[Seance]:
        return [_seance(r) for r in self._rows(
            "SELECT * FROM seances WHERE alliance_id = ? ORDER BY id", (alliance_id,))]

    def save_seance(self, seance: Seance) -> None:
        writing = [[w.member_id, w.lever_id, w.base] for w in seance.writing]
        self._execute(
            "UPDATE seances SET chat_id = ?, card_message_id = ?, ended_at = ?, paused = ?,"
            " turn = ?, lever_id = ?, seen = ?, writing = ? WHERE id = ?",
            (seance.chat_id, seance.card_message_id,
             self._time(seance.ended_at) if seance.ended_at is not None else None,
             int(seance.paused), seance.turn, seance.lever_id, json.dumps(list(seance.seen)),
             json.dumps(writing), seance.id),
        )

    # --- retained texts ---------------------------------------------------------------------

    def add_agreement(self, alliance_id: int, phase: str, lever_id: str, text: str,
                      member_id: int, seance_id: int | None, charter_version: str,
                      now: datetime) -> Agreement:
        _check_phase(phase)
        if not text or not lever_id or not charter_version:
            raise ValueError("a retained text needs its text, its lever and the charter version")
        agreement_id = self._insert(
            "INSERT INTO agreements (alliance_id, phase, lever_id, text, member_id, seance_id,"
            " charter_version, retained_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (alliance_id, phase, lever_id, text, member_id, seance_id, charter_version,
             self._time(now)),
        )
        row = self._row(f"SELECT {_AGREEMENT} FROM agreements WHERE id = ?", (agreement_id,))
        assert row is not None
        return _agreement(row)

    def agreements(self, alliance_id: int) -> list[Agreement]:
        return [_agreement(r) for r in self._rows(
            f"SELECT {_AGREEMENT} FROM agreements WHERE alliance_id = ? ORDER BY id",
            (alliance_id,))]

    def latest_agreements(self, alliance_id: int) -> list[Agreement]:
        return [_agreement(r) for r in self._rows(
            f"SELECT {_AGREEMENT} FROM agreements WHERE id IN ("
            " SELECT MAX(id) FROM agreements WHERE alliance_id = ? GROUP BY phase, lever_id"
            ") ORDER BY id", (alliance_id,))]

    # --- validations and votes --------------------------------------------------------------

    def add_validation(self, alliance_id: int, phase: str, organisation_id: int, member_id: int,
                       covers: int, now: datetime) -> Validation:
        _check_phase(phase)
        validation_id = self._insert(
            "INSERT INTO agreement_validations (alliance_id, phase, organisation_id, member_id,"
            " covers, validated_at) VALUES (?, ?, ?, ?, ?, ?)",
            (alliance_id, phase, organisation_id, member_id, covers, self._time(now)),
        )
        row = self._row(f"SELECT {_VALIDATION} FROM agreement_validations WHERE id = ?",
                        (validation_id,))
        assert row is not None
        return _validation(row)

    def validations(self, alliance_id: int) -> list[Validation]:
        return [_validation(r) for r in self._rows(
            f"SELECT {_VALIDATION} FROM agreement_validations WHERE alliance_id = ? ORDER BY id",
            (alliance_id,))]

    def set_vote(self, agreement_id: int, organisation_id: int, member_id: int, vote: str,
                 now: datetime) -> None:
        if vote not in VOTES:
            raise ValueError(f"unknown vote {vote!r}; expected one of {VOTES}")
        self._execute(
            "INSERT INTO agreement_votes (agreement_id, organisation_id, member_id, vote,"
            " voted_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (agreement_id, organisation_id) DO UPDATE"
            " SET member_id = excluded.member_id, vote = excluded.vote,"
            " voted_at = excluded.voted_at",
            (agreement_id, organisation_id, member_id, vote, self._time(now)),
        )

    def votes(self, alliance_id: int) -> list[Vote]:
        found = self._rows(
            "SELECT v.agreement_id, v.organisation_id, v.member_id, v.vote, v.voted_at"
            " FROM agreement_votes AS v JOIN agreements AS a ON a.id = v.agreement_id"
            " WHERE a.alliance_id = ? ORDER BY v.agreement_id, v.organisation_id",
            (alliance_id,))
        return [Vote(r["agreement_id"], r["organisation_id"], r["member_id"], r["vote"],
                     from_stored(r["voted_at"])) for r in found]
