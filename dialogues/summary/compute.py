"""The alliance summary: where partners converge, where they differ, what changed. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from dialogues.content.charter import Charter, Lever
from dialogues.core.domain import Answer, Organisation

CONVERGENCE = "convergence"  # every position within one level
DIVERGENCE = "divergence"  # two levels apart or more
TOO_FEW = "too_few"  # fewer than two organisations placed themselves
DIVERGENCE_GAP = 2
AGENDA_SIZE = 5

FINISHED, IN_PROGRESS, NOT_STARTED = "finished", "in_progress", "not_started"


@dataclass(frozen=True, slots=True)
class OrgPosition:
    organisation: str  # its name, or « Partenaire 2 » when the alliance is anonymous
    position: int | None  # None: « je ne sais pas »


@dataclass(frozen=True, slots=True)
class Change:
    organisation: str
    before: int | None
    after: int | None

    @property
    def direction(self) -> str:
        if self.before is None or self.after is None:
            return "unknown"
        if self.after > self.before:
            return "up"
        return "down" if self.after < self.before else "same"


@dataclass(frozen=True, slots=True)
class OrgText:
    organisation: str
    field: str  # comment | contribution | expectation
    text: str


@dataclass(frozen=True, slots=True)
class LeverSummary:
    lever: Lever
    positions: tuple[OrgPosition, ...]  # organisations that answered, in organisation order
    marker: str  # CONVERGENCE | DIVERGENCE | TOO_FEW
    spread: int  # highest minus lowest known position
    unknown: tuple[str, ...]  # organisations that answered « je ne sais pas »
    changes: tuple[Change, ...]  # against the previous phase, organisations that answered both
    texts: tuple[OrgText, ...]


@dataclass(frozen=True, slots=True)
class Summary:
    phase: str
    previous: str | None
    organisations: tuple[str, ...]
    progress: tuple[tuple[str, str, int], ...]  # (organisation, status, levers answered)
    levers: tuple[LeverSummary, ...]
    agenda: tuple[LeverSummary, ...]

    def count(self, marker: str) -> int:
        return sum(1 for lever in self.levers if lever.marker == marker)


def labels(organisations: Sequence[Organisation], anonymous: bool, template: str
           ) -> dict[int, str]:
    """Organisation id -> the name shown; « Partenaire 1, 2… » (template) when anonymous."""
    if anonymous:
        return {o.id: template.format(n=i) for i, o in enumerate(organisations, start=1)}
    return {o.id: o.name for o in organisations}


def by_organisation(answers: Iterable[Answer]) -> dict[int, dict[str, dict[str, Answer]]]:
    """organisation id -> phase -> lever id -> the organisation's answer.

    An organisation speaks with one voice: when several of its members answered the same
    lever, its most recent answer counts.
    """
    found: dict[int, dict[str, dict[str, Answer]]] = {}
    for answer in answers:
        levers = found.setdefault(answer.organisation_id, {}).setdefault(answer.phase, {})
        current = levers.get(answer.lever_id)
        if current is None or (answer.answered_at, answer.id) > (current.answered_at, current.id):
            levers[answer.lever_id] = answer
    return found


def summarise(
    charter: Charter,
    organisations: Sequence[Organisation],
    answers: Iterable[Answer],
    phase: str,
    previous: str | None,
    names: Mapping[int, str],
) -> Summary:
    grouped = by_organisation(answers)
    total = len(charter.levers)
    progress = []
    for org in organisations:
        count = len(grouped.get(org.id, {}).get(phase, {}))
        status = FINISHED if count >= total else IN_PROGRESS if count else NOT_STARTED
        progress.append((names[org.id], status, count))
    levers = tuple(
        _lever(lever, organisations, grouped, phase, previous, names) for lever in charter.levers
    )
    return Summary(
        phase=phase,
        previous=previous,
        organisations=tuple(names[o.id] for o in organisations),
        progress=tuple(progress),
        levers=levers,
        agenda=agenda(levers),
    )


def agenda(levers: Sequence[LeverSummary], size: int = AGENDA_SIZE) -> tuple[LeverSummary, ...]:
    """Largest divergences first, then levers where someone does not know; charter order."""
    divergent = sorted((x for x in levers if x.marker == DIVERGENCE),
                       key=lambda x: (-x.spread, x.lever.number))
    unsure = sorted((x for x in levers if x.unknown and x.marker != DIVERGENCE),
                    key=lambda x: (-len(x.unknown), x.lever.number))
    return tuple([*divergent, *unsure][:size])


def _lever(
    lever: Lever,
    organisations: Sequence[Organisation],
    grouped: Mapping[int, Mapping[str, Mapping[str, Answer]]],
    phase: str,
    previous: str | None,
    names: Mapping[int, str],
) -> LeverSummary:
    positions, changes, texts = [], [], []
    for org in organisations:
        phases = grouped.get(org.id, {})
        answer = phases.get(phase, {}).get(lever.id)
        if answer is None:
            continue
        name = names[org.id]
        positions.append(OrgPosition(name, answer.position))
        before = phases.get(previous, {}).get(lever.id) if previous else None
        if before is not None:
            changes.append(Change(name, before.position, answer.position))
        for field in ("comment", "contribution", "expectation"):
            value = getattr(answer, field)
            if value:
                texts.append(OrgText(name, field, value))
    known = [p.position for p in positions if p.position is not None]
    spread = max(known) - min(known) if known else 0
    if len(known) < 2:
        marker = TOO_FEW
    elif spread >= DIVERGENCE_GAP:
        marker = DIVERGENCE
    else:
        marker = CONVERGENCE
    return LeverSummary(
        lever=lever,
        positions=tuple(positions),
        marker=marker,
        spread=spread,
        unknown=tuple(p.organisation for p in positions if p.position is None),
        changes=tuple(changes),
        texts=tuple(texts),
    )
