"""The observatory: figures across alliances, per lever and phase, identifying none. Pure.

Each alliance is summarised as its own /synthese summarises it (dialogues.summary.compute:
an organisation speaks with one voice, its latest answer counts; a lever is a divergence
when two organisations stand two levels apart or more). Then, per lever and phase:

- the distribution of positions: the share of organisations at each level, and the share
  of « je ne sais pas » (a lever whose text may be unclear), over the organisations that
  answered;
- how often the lever is a divergence: the share of alliances where it is one, among those
  where at least two organisations placed themselves;
- the evolution from the previous phase: the mean change of position of the organisations
  that placed themselves in both, and the shares that moved up and down.

A figure is only given when it comes from at least MIN_ALLIANCES alliances; otherwise it is
None (shown « moins de 5 alliances »). Names never enter: alliances and organisations are
counted, never named.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dialogues.content.charter import Charter, Lever
from dialogues.core.domain import PHASES, POSITIONS, Answer, Organisation
from dialogues.summary.compute import CONVERGENCE, DIVERGENCE, by_organisation, summarise

MIN_ALLIANCES = 5


@dataclass(frozen=True, slots=True)
class Shown:
    """A figure and the number of alliances it comes from; `value` None below the threshold."""

    value: float | None
    alliances: int


@dataclass(frozen=True, slots=True)
class LeverFigures:
    lever: Lever
    phase: str
    alliances: int  # alliances where at least one organisation answered the lever
    organisations: int  # organisations that answered it (« je ne sais pas » included)
    shares: dict[int, Shown]  # level 1..4 -> share of the organisations that answered
    unknown: Shown  # share of « je ne sais pas »
    mean: Shown  # mean position of the organisations that placed themselves
    divergence: Shown  # share of alliances where the lever is a divergence
    change: Shown | None  # mean change since the previous phase (None in the first phase)
    up: Shown | None  # share of organisations that moved up (None in the first phase)
    down: Shown | None


@dataclass
class _Tally:
    alliances: set[int] = field(default_factory=set)
    counts: dict[int | None, int] = field(default_factory=lambda: defaultdict(int))
    placed_alliances: set[int] = field(default_factory=set)  # two or more placed
    divergent_alliances: set[int] = field(default_factory=set)
    change_alliances: set[int] = field(default_factory=set)
    changes: list[int] = field(default_factory=list)


def by_alliance(answers: Iterable[Answer]) -> dict[int, list[Answer]]:
    grouped: dict[int, list[Answer]] = defaultdict(list)
    for answer in answers:
        grouped[answer.alliance_id].append(answer)
    return grouped


def observe(charter: Charter, answers: Iterable[Answer],
            phases: Sequence[str] = PHASES) -> list[LeverFigures]:
    """Figures per lever and phase (charter order, then phase order) over every alliance the
    answers come from."""
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    for alliance_id, theirs in by_alliance(answers).items():
        organisations = [Organisation(org_id, alliance_id, str(org_id), "")
                         for org_id in sorted({a.organisation_id for a in theirs})]
        names = {o.id: o.name for o in organisations}
        present = {a.phase for a in theirs}
        for index, phase in enumerate(PHASES):
            if phase not in phases or phase not in present:
                continue
            previous = PHASES[index - 1] if index else None
            summary = summarise(charter, organisations, theirs, phase, previous, names)
            for item in summary.levers:
                if not item.positions:
                    continue
                tally = tallies[(item.lever.id, phase)]
                tally.alliances.add(alliance_id)
                for position in item.positions:
                    tally.counts[position.position] += 1
                if item.marker in (CONVERGENCE, DIVERGENCE):
                    tally.placed_alliances.add(alliance_id)
                    if item.marker == DIVERGENCE:
                        tally.divergent_alliances.add(alliance_id)
                moved = [c.after - c.before for c in item.changes
                         if c.before is not None and c.after is not None]
                if moved:
                    tally.change_alliances.add(alliance_id)
                    tally.changes.extend(moved)
    return [_figures(lever, phase, tallies.get((lever.id, phase), _Tally()))
            for lever in charter.levers for phase in phases]


def _shown(value: float | None, alliances: int) -> Shown:
    return Shown(value if alliances >= MIN_ALLIANCES else None, alliances)


def _figures(lever: Lever, phase: str, tally: _Tally) -> LeverFigures:
    n = len(tally.alliances)
    answered = sum(tally.counts.values())
    placed = [(p, c) for p, c in tally.counts.items() if p is not None]
    placed_count = sum(c for _p, c in placed)
    shares = {level: _shown(tally.counts.get(level, 0) / answered if answered else None, n)
              for level in POSITIONS}
    unknown = _shown(tally.counts.get(None, 0) / answered if answered else None, n)
    mean = _shown(sum(p * c for p, c in placed) / placed_count if placed_count else None, n)
    d = len(tally.placed_alliances)
    divergence = _shown(len(tally.divergent_alliances) / d if d else None, d)
    change = up = down = None
    if PHASES.index(phase) > 0:
        k = len(tally.change_alliances)
        moved = tally.changes
        change = _shown(sum(moved) / len(moved) if moved else None, k)
        up = _shown(sum(1 for m in moved if m > 0) / len(moved) if moved else None, k)
        down = _shown(sum(1 for m in moved if m < 0) / len(moved) if moved else None, k)
    return LeverFigures(lever, phase, n, answered, shares, unknown, mean, divergence, change,
                        up, down)


def own_means(answers: Iterable[Answer], phase: str) -> dict[str, float]:
    """One alliance's own mean position per lever (its organisations' latest answers): what
    its members already see in /synthese, so no threshold applies."""
    values: dict[str, list[int]] = defaultdict(list)
    for phases in by_organisation(answers).values():
        for lever_id, answer in phases.get(phase, {}).items():
            if answer.position is not None:
                values[lever_id].append(answer.position)
    return {lever_id: sum(v) / len(v) for lever_id, v in values.items()}
