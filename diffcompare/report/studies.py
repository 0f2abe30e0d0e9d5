"""The step study and the sweep as text: a short summary for people, CSV for programs.

Only formatting: every number and verdict comes from the study objects. The text chart that
follows the summary in a terminal is `chart.py`'s.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from ..study.steps import StepStudy
    from ..study.sweep import Sweep


def to_json(study: Any) -> str:
    return json.dumps(study.to_dict(), allow_nan=False, ensure_ascii=False)


def _g(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}g}"


def _span(start: float, end: float) -> str:
    return f"[{start:.6g}, {end:.6g}]"


def sweep_summary(sweep: Sweep) -> Group:
    """Title, one row per engine (where it agrees, where not, its worst point), the points
    where nothing is defined."""
    held = ", ".join(f"{k}={v:.15g}" for k, v in sweep.held.items())
    title = Text(f"{sweep.entry_name} of f = {sweep.expression}", style="bold")
    low, high = float(sweep.points[0]), float(sweep.points[-1])
    title.append(f"  over {sweep.variable} in {_span(low, high)}, {len(sweep.points)} points")
    if held:
        title.append(f", {held}")
    grid = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 2, 0, 0))
    grid.add_column("engine")
    grid.add_column("agrees on", overflow="fold")
    grid.add_column("disagrees on", overflow="fold")
    grid.add_column("worst (x: rel. error)", overflow="fold")
    document = sweep.to_dict()
    for name, trace in sweep.engines.items():
        good = [s for s in trace.stretches if s.agree]
        bad = [s for s in trace.stretches if not s.agree]
        worst = document["engines"][name]["worst"]
        where = "—"
        if worst is not None:
            error = worst["rel_error"] if worst["rel_error"] is not None else worst["abs_error"]
            where = f"{worst['x']:.6g}: {_g(error, 2)}"
        grid.add_row(
            name,
            _stretch_text(good, len(sweep.points)),
            Text(_stretch_text(bad, len(sweep.points)), style="bold red" if bad else ""),
            where,
        )
    lines: list[Text | Table] = [title, grid]
    if sweep.undefined:
        xs = ", ".join(f"{x:.6g}" for x, _ in sweep.undefined[:5])
        more = f" and {len(sweep.undefined) - 5} more" if len(sweep.undefined) > 5 else ""
        reason = sweep.undefined[0][1]
        lines.append(
            Text(f"undefined at {len(sweep.undefined)} points ({xs}{more}): {reason}", "yellow")
        )
    lines.extend(Text(note, style="yellow") for note in sweep.notes())
    return Group(*lines)


def _stretch_text(stretches: list[Any], total: int) -> str:
    if not stretches:
        return "nowhere"
    if len(stretches) == 1 and stretches[0].points == total:
        return "everywhere"
    shown = [_span(s.start, s.end) for s in stretches[:3]]
    if len(stretches) > 3:
        shown.append(f"+{len(stretches) - 3} more")
    return ", ".join(shown)


SWEEP_CSV_COLUMNS = (
    "x",
    "engine",
    "value",
    "exact",
    "abs_error",
    "rel_error",
    "tolerance",
    "agree",
)


def sweep_csv(sweep: Sweep) -> str:
    """One row per point per engine; empty cells where there is no number."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SWEEP_CSV_COLUMNS)
    document = sweep.to_dict()
    for name, trace in document["engines"].items():
        for i, x in enumerate(document["points"]):
            agree = trace["agree"][i]
            writer.writerow(
                (
                    repr(x),
                    name,
                    _cell(trace["value"][i]),
                    _cell(document["exact"][i]),
                    _cell(trace["abs_error"][i]),
                    _cell(trace["rel_error"][i]),
                    _cell(trace["tolerance"][i]),
                    "" if agree is None else ("true" if agree else "false"),
                )
            )
    return out.getvalue()


def _cell(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def steps_summary(study: StepStudy) -> Group:
    """Title, the exact value, and per method: the best step, the textbook 1e-3, the rule of
    thumb and the finite engine's own step, each with its error; then the model lines."""
    title = Text(f"{study.entry_name} of f = {study.expression}", style="bold")
    title.append(f"  at {study.point_text}; exact {_g(study.exact, 16)}")
    grid = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 2, 0, 0))
    grid.add_column("method")
    grid.add_column("best h: error", overflow="fold")
    grid.add_column("h = 1e-3", overflow="fold")
    grid.add_column("rule of thumb h", overflow="fold")
    for name, summary in study.summaries.items():
        if name == "richardson":
            row = summary.best
            own = f"{_g(row.h)}: {_g(row.abs_error, 2)}" if row else "—"
            grid.add_row(name, f"own step {own}", "", "")
            continue
        grid.add_row(
            name,
            _at(summary.best),
            _at(summary.textbook),
            _at(summary.rule_of_thumb),
        )
    lines: list[Text | Table] = [title, grid]
    for name, model in study.models.items():
        if model is None:
            continue
        parts = []
        if model.truncation_coefficient is not None:
            parts.append(
                f"truncation ≈ {model.truncation_coefficient:.2g}·h^{model.truncation_power}"
            )
        if model.rounding_coefficient is not None:
            parts.append(
                f"rounding ≈ {model.rounding_coefficient:.2g}·eps/h^{model.rounding_power}"
            )
        elif model.rounding_power == 0:
            parts.append("no rounding branch (nothing is subtracted)")
        lines.append(Text(f"{name}: " + "; ".join(parts), style="dim"))
    engine_step = next((s.engine_step for s in study.summaries.values()), None)
    if engine_step is not None:
        lines.append(
            Text(
                f"the finite engine picks h = {engine_step:.3g} by itself "
                "(central differences extrapolated over a search of steps)",
                style="dim",
            )
        )
    lines.extend(Text(note, style="yellow") for note in study.notes)
    return Group(*lines)


def _at(row: Any) -> str:
    if row is None:
        return "—"
    if row.abs_error is None:
        return f"{_g(row.h)}: undefined"
    return f"{_g(row.h)}: {_g(row.abs_error, 2)}"


STEPS_CSV_COLUMNS = ("method", "h", "value", "abs_error", "rel_error")


def steps_csv(study: StepStudy) -> str:
    """One row per method per step."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STEPS_CSV_COLUMNS)
    for row in study.rows:
        writer.writerow(
            (row.method, repr(row.h), _cell(row.value), _cell(row.abs_error), _cell(row.rel_error))
        )
    return out.getvalue()
