"""The comparison, the step study and the sweep as HTML, for Jupyter (`_repr_html_`).

A table of the numbers, and for the step study and the sweep their picture embedded as a
PNG (base64 data URI), so a saved notebook shows it without the files it was made from.
Text is escaped; nothing the user typed becomes markup.

A view below the results it shows (they call it from `_repr_html_`): it reads their
attributes and takes its words from `compare.names` and `compare.schema`, and imports none
of the result modules, so the arrows point down.
"""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING, Any

from ..compare.names import entry_name
from ..compare.schema import verdict
from .plots import plot_steps, plot_sweep

if TYPE_CHECKING:
    from ..compare.comparison import Comparison
    from ..study.steps import StepStudy
    from ..study.sweep import Sweep

_STYLE = "border-collapse:collapse;font-family:monospace"
_CELL = "padding:2px 8px;text-align:right;border-bottom:1px solid #ddd"


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th style='{_CELL}'>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td style='{_CELL}'>{html.escape(c)}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table style='{_STYLE}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _g(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}g}"


def png_image(ax: Any, alt: str) -> str:
    """The figure holding `ax` as an <img> with the PNG inline; the figure is closed."""
    import matplotlib.pyplot as plt

    figure = ax.get_figure()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'/>"


def comparison_html(comparison: Comparison) -> str:
    """The table of the terminal (value and error per engine) and the verdict."""
    names = list(comparison.engines)
    rows = []
    for entry in comparison.entries:
        row = [
            entry_name(entry, comparison.variables),
            _g(comparison.reference.values.get(entry), 13),
        ]
        for name in names:
            check = comparison.engines[name].checks[entry]
            error = check.rel_error if check.rel_error is not None else check.abs_error
            mark = "" if check.agrees else " ✗"
            row.append(f"{_g(check.value, 11)} ({_g(error, 2)}{mark})")
        rows.append(row)
    point = ", ".join(f"{k}={v:.15g}" for k, v in comparison.point.items())
    title = f"f({', '.join(comparison.variables)}) = {comparison.expression} at {point}"
    return (
        f"<div><p><b>{html.escape(title)}</b></p>"
        + _table(["entry", "exact", *(f"{n} (error)" for n in names)], rows)
        + f"<p>{html.escape(verdict(comparison))}</p></div>"
    )


def steps_html(study: StepStudy) -> str:
    """Per method the best, textbook and rule-of-thumb steps, then the V as a picture."""
    rows = []
    for name, summary in study.summaries.items():
        cells = [name]
        for row in (summary.best, summary.textbook, summary.rule_of_thumb):
            cells.append("—" if row is None else f"h={_g(row.h)}: {_g(row.abs_error, 2)}")
        rows.append(cells)
    title = f"{study.entry_name} of {study.expression} at {study.point_text}"
    table = _table(["method", "best step: error", "h = 1e-3", "rule of thumb"], rows)
    image = png_image(plot_steps(study), f"error against the step for {title}")
    return f"<div><p><b>{html.escape(title)}</b></p>{table}{image}</div>"


def sweep_html(sweep: Sweep) -> str:
    """Per engine where it agrees and where not, then the errors along the interval."""
    rows = []
    for name, trace in sweep.engines.items():
        spans = [f"[{s.start:.6g}, {s.end:.6g}]" for s in trace.stretches if not s.agree]
        rows.append([name, ", ".join(spans[:5]) or "nowhere"])
    title = f"{sweep.entry_name} of {sweep.expression} along {sweep.variable}"
    table = _table(["engine", "disagrees on"], rows)
    image = png_image(plot_sweep(sweep), f"error of each engine for {title}")
    return f"<div><p><b>{html.escape(title)}</b></p>{table}{image}</div>"
