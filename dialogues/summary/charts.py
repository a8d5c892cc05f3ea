"""Radar charts of the 21 levers as PNG bytes (matplotlib, Agg backend, in memory).

Drawing takes 0.3-0.6 s: the engine only describes a chart (`RadarChart`, picklable), and the
channel draws it after the transaction, off the path of other people's updates.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dialogues.content.markup import cut

Positions = tuple[tuple[str, float | None], ...]  # lever id -> position, in charter order


@dataclass(frozen=True, slots=True)
class RadarChart:
    """What to draw: one line per series (an organisation, or a phase's average)."""

    levers: tuple[tuple[str, str], ...]  # (lever id, short label) in charter order
    series: tuple[tuple[str, Positions], ...]
    title: str
    level_labels: tuple[str, str, str, str]
    spread_labels: tuple[str, str, str] = ("min", "mean", "max")

    def render(self) -> bytes:
        return radar_png(self.levers, [(name, dict(p)) for name, p in self.series], self.title,
                         dict(enumerate(self.level_labels, start=1)), self.spread_labels)

SIZE_INCHES = 7.2
DPI = 150  # 1080 × 1080 pixels: sharp on a phone, well under Telegram's photo limits
MAX_LINES = 12  # more organisations than this: the chart shows the spread instead


def radar_png(
    levers: Sequence[tuple[str, str]],
    series: Sequence[tuple[str, Mapping[str, float | None]]],
    title: str,
    level_labels: Mapping[int, str],
    spread_labels: tuple[str, str, str] = ("min", "mean", "max"),
) -> bytes:
    """One line per series (an organisation or a phase): lever id -> position 1..4 or None."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    angles = [2 * math.pi * i / len(levers) for i in range(len(levers))]
    figure = Figure(figsize=(SIZE_INCHES, SIZE_INCHES), dpi=DPI)
    axes = figure.add_subplot(projection="polar")
    axes.set_theta_offset(math.pi / 2)
    axes.set_theta_direction(-1)
    axes.set_ylim(0, 4)
    axes.set_yticks([1, 2, 3, 4], [level_labels[n] for n in (1, 2, 3, 4)], fontsize=7,
                    color="#555555")
    axes.set_xticks(angles, [short for _, short in levers], fontsize=8)
    shown = list(series)
    if len(shown) > MAX_LINES:
        shown = _spread(shown, levers, spread_labels)
    for name, positions in shown:
        values = [positions.get(lever_id) for lever_id, _ in levers]
        closed_angles, closed = outline(angles, values)
        (line,) = axes.plot(closed_angles, closed, linewidth=1.8, marker="o", markersize=3,
                            label=cut(name, 28))
        if None not in values:  # a shape only when every lever has a level
            axes.fill(closed_angles, closed, alpha=0.06, color=line.get_color())
    axes.set_title(title, fontsize=11, pad=24)
    if shown:
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=min(3, len(shown)),
                    fontsize=8, frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def outline(angles: Sequence[float], values: Sequence[float | None]
            ) -> tuple[list[float], list[float]]:
    """The closed line of one series. A lever without a level (skipped, « je ne sais pas »)
    is a gap in the line (NaN), never a point at the centre, which would read as the lowest
    level."""
    closed = [math.nan if v is None else float(v) for v in [*values, values[0]]]
    return [*angles, angles[0]], closed


def _spread(series: Sequence[tuple[str, Mapping[str, float | None]]],
            levers: Sequence[tuple[str, str]], names: tuple[str, str, str]
            ) -> list[tuple[str, Mapping[str, float | None]]]:
    """Many organisations: lowest, average and highest position per lever."""
    low: dict[str, float | None] = {}
    mean: dict[str, float | None] = {}
    high: dict[str, float | None] = {}
    for lever_id, _ in levers:
        known = [p for _, positions in series if (p := positions.get(lever_id)) is not None]
        low[lever_id] = min(known) if known else None
        high[lever_id] = max(known) if known else None
        mean[lever_id] = sum(known) / len(known) if known else None
    return [(names[0], low), (names[1], mean), (names[2], high)]
