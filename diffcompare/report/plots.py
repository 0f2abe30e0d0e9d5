"""Pictures of the step study and the sweep, with matplotlib.

matplotlib is imported inside these functions, never at the top, so that commands which
draw nothing do not pay for it; it is set to the Agg backend (files, no window) unless the
caller (a notebook) has chosen another one already. Titles, axis labels and legends say what
is shown in words, so a picture makes sense without the README.

A view below the results it draws (`StepStudy.plot`, `Sweep.plot` call it): it reads the
study it is given and imports none of the result modules, so the arrows point down.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:
    from ..study.steps import StepStudy
    from ..study.sweep import Sweep

FORMATS = (".png", ".svg", ".pdf")
COLOURS = {
    "symbolic": "tab:blue",
    "finite": "tab:orange",
    "tape": "tab:green",
    "central": "tab:orange",
    "forward": "tab:red",
    "backward": "tab:purple",
    "complex": "tab:blue",
    "richardson": "black",
}


def check_plot_file(path: str) -> None:
    """InputError unless `path` ends in .png, .svg or .pdf in a folder that exists (said
    before any work is done)."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        given = suffix or "no suffix"
        raise InputError(f"--plot {path!r}: the file must end in {', '.join(FORMATS)}, not {given}")
    folder = Path(path).parent
    if not folder.is_dir():
        raise InputError(f"--plot {path!r}: the folder {str(folder)!r} does not exist")


def _pyplot() -> Any:
    import os
    import sys

    import matplotlib

    # files, never a window; a notebook's kernel (or MPLBACKEND) has chosen its own
    chosen = "matplotlib.pyplot" in sys.modules or "ipykernel" in sys.modules
    if not chosen and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    plt = _pyplot()
    figure = plt.figure(figsize=(8, 4.8), layout="constrained")
    return figure.add_subplot()


def save(ax: Any, path: str) -> None:
    """Write the figure holding `ax` to `path` (format from the suffix) and close it."""
    check_plot_file(path)
    figure = ax.get_figure()
    figure.savefig(path, dpi=120)
    _pyplot().close(figure)


def plot_sweep(sweep: Sweep, ax: Any = None) -> Any:
    """Each engine's relative error (absolute where the exact value is 0) against the
    moving variable on a log scale; finite's tolerance as a shaded band; points where
    nothing is defined marked on the axis."""
    import numpy as np

    ax = _axes(ax)
    xs = sweep.points
    size = np.abs(sweep.exact)
    tiny = 1e-18  # exact agreement would vanish from a log axis: drawn at this floor
    for name, trace in sweep.engines.items():
        errors = np.where(size > 0, trace.rel_error, trace.abs_error)
        shown = np.where(errors > tiny, errors, tiny)
        ax.plot(xs, shown, ".", markersize=2.5, color=COLOURS.get(name), label=name)
    if "finite" in sweep.engines:
        tolerance = sweep.engines["finite"].tolerance
        band = np.where(size > 0, tolerance / np.where(size > 0, size, 1.0), tolerance)
        ax.fill_between(
            xs,
            tiny,
            band,
            color="tab:orange",
            alpha=0.12,
            lw=0,
            label="finite agrees below here (its tolerance)",
        )
    first = next(iter(sweep.engines.values()), None)
    if first is not None and "finite" not in sweep.engines:
        band = np.where(size > 0, first.tolerance / np.where(size > 0, size, 1.0), first.tolerance)
        ax.plot(xs, band, "--", color="grey", lw=1, label="tolerance")
    for run in sweep.ill_conditioned:
        ax.axvspan(run.start, run.end, color="grey", alpha=0.1, lw=0)
    labelled = False
    for trace in sweep.engines.values():
        for run in trace.stretches:
            if not run.agree:
                label = None if labelled else "an engine disagrees here"
                ax.axvspan(run.start, run.end, color="red", alpha=0.12, lw=0, label=label)
                labelled = True
    if sweep.undefined:
        ax.plot(
            [x for x, _ in sweep.undefined],
            [tiny] * len(sweep.undefined),
            "x",
            color="red",
            label="undefined here",
        )
    low, high = float(xs[0]), float(xs[-1])
    if low > 0 and high / low >= 100:
        ax.set_xscale("log")  # a range over decades: its left end would be a sliver
    ax.set_yscale("log")
    ax.set_xlabel(sweep.variable + _held_text(sweep))
    ax.set_ylabel(f"relative error of {sweep.entry_name} (0 drawn at 1e-18)")
    ax.set_title(
        f"Error of each engine along {sweep.variable}: {sweep.entry_name} of "
        f"{_short(sweep.expression)}"
    )
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_steps(study: StepStudy, ax: Any = None) -> Any:
    """Absolute error against the step h, log-log, per method; the model lines of
    truncation (∝ h^p) and rounding (∝ eps/h^k) dashed; the marked steps as vertical
    lines."""
    ax = _axes(ax)
    measured = [r.abs_error for r in study.rows if r.abs_error]
    floor = min(measured) / 10 if measured else 1e-20
    exact_somewhere = False
    for method in study.methods:
        rows = [r for r in study.rows if r.method == method and r.abs_error is not None]
        if not rows:
            continue
        hs = [r.h for r in rows]
        # an exact result has no place on a log axis: drawn on the bottom edge
        errors = [r.abs_error if r.abs_error else floor for r in rows]
        exact_somewhere = exact_somewhere or any(not r.abs_error for r in rows)
        style = "o" if method == "richardson" else ".-"
        ax.plot(
            hs,
            errors,
            style,
            markersize=4,
            lw=1,
            color=COLOURS.get(method),
            label=method,
            clip_on=False,
        )
    for method, model in study.models.items():
        hs = [r.h for r in study.rows if r.method == method]
        if not hs or model is None:
            continue
        colour = COLOURS.get(method)
        if model.truncation_coefficient is not None:
            ax.plot(
                hs,
                [model.truncation(h) for h in hs],
                "--",
                lw=0.8,
                color=colour,
                alpha=0.7,
                label=f"{method}: truncation ≈ C·h^{model.truncation_power}",
            )
        if model.rounding_coefficient is not None:
            ax.plot(
                hs,
                [model.rounding(h) for h in hs],
                ":",
                lw=0.8,
                color=colour,
                alpha=0.7,
                label=f"{method}: rounding ≈ C·eps/h^{model.rounding_power}",
            )
    top = max(measured) * 10 if measured else 1.0
    ax.set_ylim(floor, top)  # the model lines run on past the data: keep the data in view
    marks = [
        (h, label, style)
        for label, h, style in study.marked_steps()
        if h is not None and math.isfinite(h) and h > 0
    ]
    previous = 0.0
    for h, label, style in sorted(marks):
        # two marks within a factor of 4 would print their labels over each other: the
        # second one goes on the other side of its line
        beside = "left" if h < 4 * previous else "right"
        previous = h if beside == "right" else 0.0
        ax.axvline(h, ls=style, color="grey", lw=0.8)
        ax.annotate(
            label,
            (h, 1),
            xycoords=("data", "axes fraction"),
            rotation=90,
            va="top",
            ha=beside,
            fontsize="x-small",
            color="dimgrey",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("step h (log scale)")
    exact_note = " (0 drawn on the bottom edge)" if exact_somewhere else ""
    ax.set_ylabel(f"absolute error of {study.entry_name}{exact_note}")
    ax.set_title(
        f"Finite differences: error against the step, {study.entry_name} of "
        f"{_short(study.expression)} at {study.point_text}"
    )
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="best", fontsize="x-small")
    return ax


def _held_text(sweep: Sweep) -> str:
    if not sweep.held:
        return ""
    return "  (" + ", ".join(f"{k}={v:g}" for k, v in sweep.held.items()) + " held)"


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
