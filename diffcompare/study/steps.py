"""The step study: how the error of a finite difference depends on its step h.

A difference quotient makes two errors that pull opposite ways. Truncation, from the terms
of the Taylor series the stencil leaves out, shrinks like h^p (p = 2 for central
differences, 1 for one-sided ones). Rounding, from the float64 noise of the function values
(about eps times their size) divided by h^k for a k-th derivative, grows as h shrinks.
Their sum is a V on a log-log plot, with its floor near h ∝ eps^(1/(p+k)). The complex
step subtracts nothing, so for an analytic function it has no rounding branch at all.

The study computes each method's value at every step of a geometric range (one vectorised
evaluation per method, with the shared stencils of `engines.stencils`), measures it against
the exact 50-digit reference, and reports per method the best step, the textbook step 1e-3,
the rule-of-thumb step, the step the finite engine picks by itself, and the two model lines
fitted to the measured errors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from ..compare.names import entry_label, entry_name, parse_entry
from ..compare.settings import DEFAULT_SETTINGS, Settings
from ..engines.base import Entry
from ..errors import DomainError, InputError, LimitError
from ..language.evaluate_complex import not_analytic_reason
from ..language.expr import Expr, to_text
from ..language.expr import variables as variables_of
from ..language.parse import check_point, check_tree, parse, parse_point
from ..report.html import steps_html
from ..report.plots import plot_steps

METHODS = ("central", "forward", "backward", "complex", "richardson")
DEFAULT_METHODS = ("central", "forward", "complex")
TEXTBOOK_STEP = 1e-3
EPS = 2.0**-52
MAX_STEPS = 10_000
MARKERS = {"central": "c", "forward": "f", "backward": "b", "complex": "i", "richardson": "R"}


@dataclass(frozen=True)
class StepRow:
    method: str
    h: float
    value: float | None
    abs_error: float | None
    rel_error: float | None


@dataclass(frozen=True)
class Model:
    """error(h) ≈ truncation(h) + rounding(h), each fitted to the measured errors on its
    side of the best step (None for a side with no measured point)."""

    truncation_power: int
    rounding_power: int
    truncation_coefficient: float | None
    rounding_coefficient: float | None
    """In units of eps: rounding(h) = coefficient * eps / h^k."""

    def truncation(self, h: float) -> float:
        return (
            math.nan
            if self.truncation_coefficient is None
            else (self.truncation_coefficient * h**self.truncation_power)
        )

    def rounding(self, h: float) -> float:
        return (
            math.nan
            if self.rounding_coefficient is None
            else (self.rounding_coefficient * EPS / h**self.rounding_power)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "truncation": {
                "power": self.truncation_power,
                "coefficient": self.truncation_coefficient,
            },
            "rounding": {
                "power": self.rounding_power,
                "coefficient": self.rounding_coefficient,
                "unit": "eps",
            },
        }


@dataclass
class MethodSummary:
    best: StepRow | None
    textbook: StepRow | None
    rule_of_thumb: StepRow | None
    engine_step: float | None
    """The step the finite engine picks by itself for this entry (its finest level)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "best": _row_dict(self.best),
            "textbook": _row_dict(self.textbook),
            "rule_of_thumb": _row_dict(self.rule_of_thumb),
            "engine_step": self.engine_step,
        }


@dataclass
class StepStudy:
    expression: str
    variables: tuple[str, ...]
    point: dict[str, float]
    entry: Entry
    exact: float
    exact_text: str
    methods: tuple[str, ...]
    rows: list[StepRow]
    summaries: dict[str, MethodSummary]
    models: dict[str, Model | None]
    notes: list[str] = field(default_factory=list)

    @property
    def entry_name(self) -> str:
        return entry_name(self.entry, self.variables)

    @property
    def entry_label(self) -> str:
        return entry_label(self.entry, len(self.variables), max(2, len(self.entry)))

    @property
    def point_text(self) -> str:
        return ", ".join(f"{k}={v:.15g}" for k, v in self.point.items())

    @staticmethod
    def marker(method: str) -> str:
        return MARKERS.get(method, method[0])

    def marked_steps(self) -> list[tuple[str, float | None, str]]:
        """(label, h, line style) of the steps worth a vertical line in a picture."""
        first = next(iter(self.summaries.values()), None)
        marks: list[tuple[str, float | None, str]] = [("textbook h = 1e-3", TEXTBOOK_STEP, ":")]
        if "central" in self.summaries and self.summaries["central"].rule_of_thumb:
            rule = self.summaries["central"].rule_of_thumb
            marks.append(("rule of thumb (central)", rule.h if rule else None, "--"))
        if first is not None and first.engine_step is not None:
            marks.append(("finite engine's own step", first.engine_step, "-."))
        return marks

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``diffcompare steps --format json`` (strict JSON)."""
        return {
            "expression": self.expression,
            "variables": list(self.variables),
            "point": dict(self.point),
            "entry": self.entry_label,
            "entry_name": self.entry_name,
            "exact": self.exact_text,
            "reference": _number(self.exact),
            "methods": list(self.methods),
            "rows": [_row_dict(row) for row in self.rows],
            "summary": {name: summary.to_dict() for name, summary in self.summaries.items()},
            "models": {
                name: (model.to_dict() if model is not None else None)
                for name, model in self.models.items()
            },
            "notes": list(self.notes),
        }

    def plot(self, ax: Any = None) -> Any:
        """Error against the step, log-log, with the model lines and the marked steps
        (matplotlib, imported only when drawing)."""
        return plot_steps(self, ax)

    def _repr_html_(self) -> str:
        return steps_html(self)


def step_grid(h_from: float, h_to: float, per_decade: int) -> list[float]:
    """Steps from `h_from` down to `h_to`, `per_decade` to a decade, each the float nearest
    a power of ten (so 1e-3 is exactly the textbook's 0.001)."""
    for name, value in (("--from", h_from), ("--to", h_to)):
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise InputError(f"{name} must be a positive number, not {value!r}")
    if isinstance(per_decade, bool) or not isinstance(per_decade, int) or per_decade < 1:
        raise InputError(f"--per-decade must be a whole number >= 1, not {per_decade!r}")
    high, low = max(h_from, h_to), min(h_from, h_to)
    top = Decimal(repr(math.log10(high))).quantize(Decimal("1e-9"))
    count = math.floor((math.log10(high) - math.log10(low)) * per_decade + 1e-9) + 1
    if count > MAX_STEPS:
        raise LimitError(f"{count} steps is above the limit of {MAX_STEPS:,}")
    return [float(Decimal(10) ** (top - Decimal(k) / per_decade)) for k in range(count)]


def steps(
    expression: str | Expr,
    at: Mapping[str, float] | str,
    *,
    entry: str | Entry | None = None,
    methods: Sequence[str] | None = None,
    h_from: float = 1e-1,
    h_to: float = 1e-16,
    per_decade: int = 4,
    settings: Settings = DEFAULT_SETTINGS,
) -> StepStudy:
    """The error of each finite-difference method against the exact reference, as a
    function of the step h, for one entry (default the first gradient entry) at `at`.

    `methods`: any of central, forward, backward, complex, richardson (default central,
    forward and complex where it applies). The complex step is refused, with the reason,
    where the expression is not analytic (abs, relu) or above order two.
    """
    limits = settings.limits
    expr = parse(expression, limits) if isinstance(expression, str) else check_tree(expression)
    point = parse_point(at, where="--at", limits=limits) if isinstance(at, str) else dict(at)
    check_point(variables_of(expr), point, limits=limits)
    variables = tuple(point)
    if not variables:
        raise InputError("the step study needs a variable: give the point with --at x=...")
    if entry is None:
        wanted: Entry = (0,)
    elif isinstance(entry, str):
        wanted = parse_entry(entry, variables, max_order=limits.max_order)
    else:
        wanted = tuple(sorted(entry))
    if not wanted:
        raise InputError("the step study is about derivatives: choose an entry other than f")
    grid = step_grid(h_from, h_to, per_decade)
    chosen, notes = _methods(methods, expr, wanted)

    exact, exact_low, exact_text = _exact(expr, variables, point, wanted, settings)
    x = np.array([point[name] for name in variables], dtype=np.float64)
    rows: list[StepRow] = []
    summaries: dict[str, MethodSummary] = {}
    models: dict[str, Model | None] = {}
    engine_step, engine_row = _engine(expr, variables, x, wanted, exact, exact_low)
    for method in chosen:
        if method == "richardson":
            if engine_row is not None:
                rows.append(engine_row)
            summaries[method] = MethodSummary(engine_row, None, None, engine_step)
            models[method] = None
            continue
        measured = _measure(expr, variables, x, wanted, method, grid, exact, exact_low)
        rows.extend(measured)
        rule = _rule_of_thumb(method, wanted, x)
        extra = _measure(
            expr, variables, x, wanted, method, [TEXTBOOK_STEP, rule], exact, exact_low
        )
        best = min(
            (r for r in measured if r.abs_error is not None),
            key=lambda r: r.abs_error or 0.0,
            default=None,
        )
        summaries[method] = MethodSummary(best, extra[0], extra[1], engine_step)
        models[method] = _fit(method, wanted, measured, best)
    return StepStudy(
        expression=to_text(expr),
        variables=variables,
        point={k: float(v) for k, v in point.items()},
        entry=wanted,
        exact=exact,
        exact_text=exact_text,
        methods=chosen,
        rows=rows,
        summaries=summaries,
        models=models,
        notes=notes,
    )


def _methods(
    asked: Sequence[str] | None, expr: Expr, entry: Entry
) -> tuple[tuple[str, ...], list[str]]:
    names = tuple(dict.fromkeys((asked,) if isinstance(asked, str) else (asked or ())))
    unknown = [m for m in names if m not in METHODS]
    if unknown:
        raise InputError(f"unknown method {unknown[0]!r} (choose from {', '.join(METHODS)})")
    why = not_analytic_reason(expr)
    if why is None and (len(entry) > 2):
        why = "the complex step gives derivatives up to order two"
    notes = []
    if not names:
        names = DEFAULT_METHODS
        if why is not None:
            names = tuple(m for m in names if m != "complex")
            notes.append(f"complex step left out: {why}")
    elif "complex" in names and why is not None:
        raise InputError(f"--method complex: {why}")
    return names, notes


def _exact(
    expr: Expr,
    variables: tuple[str, ...],
    point: Mapping[str, float],
    entry: Entry,
    settings: Settings,
) -> tuple[float, float, str]:
    """The exact entry: rounded to float64, its low-order part, and its 50-digit text."""
    import mpmath

    from ..engines import reference

    coordinates = [float(point[name]) for name in variables]
    result = reference.run(expr, variables, coordinates, [(), entry], limits=settings.limits)
    exact = result.info["exact"].get(entry)
    if exact is None or result.values.get(entry) is None:
        why = result.reasons.get(entry) or result.reasons.get(()) or "undefined"
        raise DomainError(f"the exact derivative has no float64 value here: {why}")
    high = float(exact)
    with mpmath.workdps(60):
        low = float(exact - mpmath.mpf(high))
    return high, low, result.info["exact_text"][entry]


def _errors(value: float, exact: float, exact_low: float) -> tuple[float, float | None]:
    # value - exact in two parts: the float64 difference is exact when the two are close
    error = abs((value - exact) - exact_low)
    return error, (error / abs(exact) if exact else None)


def _measure(
    expr: Expr,
    variables: Sequence[str],
    x: np.ndarray,
    entry: Entry,
    method: str,
    grid: Sequence[float],
    exact: float,
    exact_low: float,
) -> list[StepRow]:
    """The method's value at every step of `grid`, all stencil points in one evaluation."""
    from ..engines.stencils import combine, evaluate_points, points, stencil

    s = stencil(entry, method)
    per_step = []
    blocks = []
    for h in grid:
        axis_steps = [h] if (s.is_complex and s.orders == (1,)) else s.steps(h, x.tolist())
        per_step.append(axis_steps)
        blocks.append(points(s, x, axis_steps))
    values = evaluate_points(expr, variables, np.concatenate(blocks))
    size = len(s.offsets)
    rows = []
    for k, (h, axis_steps) in enumerate(zip(grid, per_step, strict=True)):
        difference = combine(s, values[k * size : (k + 1) * size], axis_steps)
        if not difference.ok:
            rows.append(StepRow(method, h, None, None, None))
            continue
        error, relative = _errors(difference.value, exact, exact_low)
        rows.append(StepRow(method, h, difference.value, error, relative))
    return rows


def _engine(
    expr: Expr,
    variables: Sequence[str],
    x: np.ndarray,
    entry: Entry,
    exact: float,
    exact_low: float,
) -> tuple[float | None, StepRow | None]:
    """The finite engine by itself (Richardson from its own steps): its step and row."""
    from ..engines import finite

    # central differences extrapolated: the row is Richardson's, whatever auto would pick
    result = finite.run(expr, list(variables), x.tolist(), [entry], method="central")
    value = result.values.get(entry)
    step = result.info.get("step", {}).get(entry)
    if value is None or step is None:
        return None, None
    error, relative = _errors(value, exact, exact_low)
    return float(step), StepRow("richardson", float(step), value, error, relative)


def _powers(method: str, entry: Entry) -> tuple[int, int]:
    """(p, k): truncation ∝ h^p, rounding ∝ eps/h^k for this method and entry."""
    order = len(entry)
    if method == "complex":
        if order == 1:
            return 2, 0  # Im f(x + ih)/h: nothing subtracted, no rounding branch
        return (4, 2) if len(set(entry)) == 1 else (2, 1)
    return (2 if method == "central" else 1), order


def _rule_of_thumb(method: str, entry: Entry, x: np.ndarray) -> float:
    """The step that balances the two model errors: eps^(1/(p+k))·max(1, |x|) (for central
    first derivatives eps^(1/3), for forward eps^(1/2)); for the complex first derivative,
    which has no rounding branch, eps^(1/2) (its truncation is then below eps)."""
    p, k = _powers(method, entry)
    scale = max(1.0, abs(float(x[entry[0]])))
    return float(EPS ** (1.0 / (p + k if k else p)) * scale)


def _fit(method: str, entry: Entry, rows: list[StepRow], best: StepRow | None) -> Model | None:
    """The model lines through the measured errors: the truncation coefficient from the
    steps above the best one, the rounding coefficient from those below (medians of
    error / h^p and error·h^k / eps)."""
    if best is None:
        return None
    p, k = _powers(method, entry)
    above = [r.abs_error / r.h**p for r in rows if r.h > best.h and r.abs_error]
    below = [r.abs_error * r.h**k / EPS for r in rows if r.h < best.h and r.abs_error]
    return Model(
        p,
        k,
        float(np.median(above)) if above else None,
        float(np.median(below)) if below and k else None,
    )


def _row_dict(row: StepRow | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "method": row.method,
        "h": row.h,
        "value": _number(row.value),
        "abs_error": _number(row.abs_error),
        "rel_error": _number(row.rel_error),
    }


def _number(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None
