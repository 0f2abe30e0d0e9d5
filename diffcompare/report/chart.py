"""A compact text chart under the table: errors on a log scale, one letter per series.

Plain characters only (no colour, no escape codes, no braille), so it reads the same in a
terminal, piped to a file or pasted into an issue, and it fits the width it is given (80
columns by default, down to 40). Hand-made rather than plotext's: what is needed is a log
axis and a letter per point on a grid of a few dozen characters, which is short to write,
while plotext's output would need its colours and box characters turned off for pipes and a
further dependency for one small picture.

A view, like `plots`: it reads the study it is given and imports none of the result modules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..study.steps import StepStudy
    from ..study.sweep import Sweep

HEIGHT = 12
LABEL_WIDTH = 7  # "1e-16 |"


@dataclass(frozen=True)
class Series:
    marker: str
    label: str
    xs: Sequence[float]
    ys: Sequence[float]
    """Errors; 0 is drawn on the bottom row, nan is not drawn."""
    background: bool = False
    """Drawn under the others (a tolerance band): a letter on it is not an overlap."""


def render(
    series: Sequence[Series],
    width: int,
    x_label: str,
    x_log: bool = False,
    height: int = HEIGHT,
) -> str:
    """The chart as lines of text, at most `width` characters each."""
    width = max(width, 40)
    columns = width - LABEL_WIDTH - 1
    background = {s.marker for s in series if s.background}
    xs = [x for s in series for x in s.xs if math.isfinite(x) and (x > 0 or not x_log)]
    positive = [y for s in series for y in s.ys if math.isfinite(y) and y > 0]
    if not xs or not positive:
        return "(nothing to chart: no finite errors)"
    low_x, high_x = min(xs), max(xs)
    fx = (lambda v: math.log10(v)) if x_log else (lambda v: v)
    span_x = (fx(high_x) - fx(low_x)) or 1.0
    top = math.ceil(math.log10(max(positive)))
    bottom = min(math.floor(math.log10(min(positive))), top - 2)
    bottom = max(bottom, top - 3 * (height - 1))  # at most three decades a row
    rows = height - 2  # rows 0..rows hold the log scale; the last row holds exact zeros
    grid = [[" "] * columns for _ in range(height)]
    for s in sorted(series, key=lambda s: not s.background):
        for x, y in zip(s.xs, s.ys, strict=True):
            if not (math.isfinite(x) and math.isfinite(y)) or (x_log and x <= 0):
                continue
            col = round((fx(x) - fx(low_x)) / span_x * (columns - 1))
            if y <= 0:
                row = height - 1
            else:
                level = (math.log10(y) - bottom) / (top - bottom)
                row = rows - round(min(max(level, 0.0), 1.0) * rows)
            cell = grid[row][col]
            if s.background:
                grid[row][col] = s.marker if cell == " " else cell
            else:
                free = cell in (" ", s.marker) or cell in background
                grid[row][col] = s.marker if free else "*"
    lines = []
    for r, cells in enumerate(grid):
        if r == height - 1:
            label = "0"
        else:
            exponent = top - (top - bottom) * r / rows
            label = f"1e{round(exponent)}" if r % 3 == 0 or r == rows else ""
        lines.append(f"{label:>{LABEL_WIDTH - 1}}|" + "".join(cells).rstrip())
    lines.append(" " * (LABEL_WIDTH - 1) + "+" + "-" * columns)
    left, right = _tick(low_x), _tick(high_x)
    middle = f"{x_label}{' (log scale)' if x_log else ''}"
    gap = columns - len(left) - len(right)
    if gap >= len(middle) + 2:
        pad = gap - len(middle)
        axis = left + " " * (pad // 2) + middle + " " * (pad - pad // 2) + right
    else:
        axis = left + " " * max(gap, 1) + right
    lines.append(" " * LABEL_WIDTH + axis)
    legend = "  ".join(f"{s.marker} {s.label}" for s in series)
    lines.append(_wrap(f"{'':{LABEL_WIDTH}}{legend}; * several", width))
    return "\n".join(lines)


def _tick(value: float) -> str:
    return f"{value:.3g}"


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width=width, subsequent_indent=" " * LABEL_WIDTH))


def sweep_chart(sweep: Sweep, width: int = 80) -> str:
    """Relative error (absolute where the exact value is 0) of each engine along the
    interval, with the relative tolerance of the first engine as a row of dots."""
    series = []
    for name, trace in sweep.engines.items():
        errors = [
            r if math.isfinite(r) else a
            for r, a in zip(trace.rel_error.tolist(), trace.abs_error.tolist(), strict=True)
        ]
        series.append(Series(name[0], name, sweep.points.tolist(), errors))
    if series and "finite" in sweep.engines:
        trace = sweep.engines["finite"]
        size = [abs(e) for e in sweep.exact.tolist()]
        band = [t / s if s > 0 else t for t, s in zip(trace.tolerance.tolist(), size, strict=True)]
        series.append(Series(".", "finite's tolerance", sweep.points.tolist(), band, True))
    title = f"relative error of {sweep.entry_name} along {sweep.variable}"
    return title + "\n" + render(series, width, sweep.variable)


def steps_chart(study: StepStudy, width: int = 80) -> str:
    """Error against the step, log-log, one letter per method: the V of truncation and
    rounding."""
    series = []
    for method in study.methods:
        rows = [r for r in study.rows if r.method == method]
        series.append(
            Series(
                study.marker(method),
                method,
                [r.h for r in rows],
                [r.abs_error if r.abs_error is not None else math.nan for r in rows],
            )
        )
    title = f"absolute error of {study.entry_name} against the step h"
    return title + "\n" + render(series, width, "h", x_log=True)
