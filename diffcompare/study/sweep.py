"""The sweep: every engine's error along an interval, to show where each one stops agreeing.

One variable moves over N evenly spaced points, the others are held fixed. Each engine runs
once over all the points: the finite engine and the tape in numpy passes over arrays, the
symbolic formula through our own array evaluator, and the exact reference compiled once and
run at 50 digits per point. Each point is judged by the comparison's rules (a relative
tolerance per engine, the float64 rounding floor of the exact formula, finite's own error
estimate), so a sweep and a single comparison at one of its points say the same.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..compare.names import entry_label, entry_name, parse_entry
from ..compare.settings import DEFAULT_SETTINGS, ENGINE_MODULES, Settings, engine_names
from ..engines.base import Entry
from ..errors import InputError, LimitError
from ..language.evaluate import evaluate, undefined_reason
from ..language.expr import Call, Expr, to_text, walk
from ..language.expr import variables as variables_of
from ..language.ops import OPERATIONS
from ..language.parse import check_coordinate, check_tree, parse, parse_point
from ..report.html import sweep_html
from ..report.plots import plot_sweep

DEFAULT_POINTS = 200
MAX_POINTS = 1_000_000
EPS = 2.0**-52
ROUNDING_SAFETY = 4.0  # as in the comparison: a multiple of eps times the rounding scale


@dataclass(frozen=True)
class Stretch:
    """A run of neighbouring points where an engine agrees (or does not)."""

    start: float
    end: float
    agree: bool
    points: int


@dataclass
class EngineTrace:
    """One engine along the interval: per point its value, errors, tolerance and verdict
    (None where the exact value does not exist, so nothing is judged)."""

    value: np.ndarray
    abs_error: np.ndarray
    rel_error: np.ndarray
    tolerance: np.ndarray
    agree: list[bool | None]
    stretches: list[Stretch] = field(default_factory=list)

    def worst(self, points: np.ndarray) -> dict[str, float | None] | None:
        """The point with the largest error beyond the tolerance (or, when it agrees
        everywhere, the largest relative error)."""
        ratio = np.where(self.tolerance > 0, self.abs_error / self.tolerance, np.inf)
        ratio = np.where(np.isfinite(self.abs_error), ratio, np.nan)
        if np.all(np.isnan(ratio)):
            return None
        i = int(np.nanargmax(ratio))
        return {
            "x": float(points[i]),
            "abs_error": _number(self.abs_error[i]),
            "rel_error": _number(self.rel_error[i]),
            "tolerance": _number(self.tolerance[i]),
        }


@dataclass
class Sweep:
    expression: str
    variable: str
    entry: Entry
    variables: tuple[str, ...]
    held: dict[str, float]
    points: np.ndarray
    exact: np.ndarray
    """The exact entry rounded to float64; nan where it does not exist."""
    engines: dict[str, EngineTrace]
    undefined: list[tuple[float, str]]
    """Points where the function or the entry has no value, and why."""
    rounding: np.ndarray
    """The exact formula's float64 rounding scale at each point, in units of eps."""
    settings: Settings = DEFAULT_SETTINGS

    @property
    def entry_name(self) -> str:
        return entry_name(self.entry, self.variables)

    @property
    def entry_label(self) -> str:
        return entry_label(self.entry, len(self.variables), max(2, len(self.entry)))

    @property
    def ill_conditioned(self) -> list[Stretch]:
        """Runs of points where the float64 rounding floor of the exact formula exceeds the
        relative tolerance: every float64 method loses digits to cancellation there."""
        first = next(iter(self.engines.values()), None)
        if first is None:
            return []
        size = np.abs(self.exact)
        floor = ROUNDING_SAFETY * EPS * self.rounding
        flags: list[bool | None] = [
            None if not math.isfinite(s) else bool(f > max(self.settings.rtol, 1e3 * EPS) * s)
            for s, f in zip(size, floor, strict=True)
        ]
        return [run for run in stretches(self.points, flags) if run.agree]

    def notes(self) -> list[str]:
        lines = []
        for run in self.ill_conditioned:
            lines.append(
                f"ill-conditioned in float64 on [{run.start:.6g}, {run.end:.6g}]: the terms of "
                "the exact formula cancel, so every float64 method loses digits there; "
                "judged against that"
            )
        return lines

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``diffcompare sweep --format json`` (strict JSON: no NaN)."""
        return {
            "expression": self.expression,
            "variable": self.variable,
            "entry": self.entry_label,
            "entry_name": self.entry_name,
            "held": dict(self.held),
            "points": _list(self.points),
            "exact": _list(self.exact),
            "engines": {
                name: {
                    "value": _list(trace.value),
                    "abs_error": _list(trace.abs_error),
                    "rel_error": _list(trace.rel_error),
                    "tolerance": _list(trace.tolerance),
                    "agree": list(trace.agree),
                    "worst": trace.worst(self.points),
                }
                for name, trace in self.engines.items()
            },
            "intervals": {
                name: [
                    {"from": s.start, "to": s.end, "agree": s.agree, "points": s.points}
                    for s in trace.stretches
                ]
                for name, trace in self.engines.items()
            },
            "undefined": [{"x": x, "reason": reason} for x, reason in self.undefined],
            "ill_conditioned": [
                {"from": s.start, "to": s.end, "points": s.points} for s in self.ill_conditioned
            ],
            "notes": self.notes(),
            "tolerances": {
                "rtol": self.settings.rtol,
                "atol": self.settings.atol,
                "finite_rtol": [self.settings.relative_tolerance("finite", k) for k in range(5)],
            },
        }

    def plot(self, ax: Any = None) -> Any:
        """Error against the moving variable per engine, log scale, with the tolerance band
        (matplotlib, imported only when drawing)."""
        return plot_sweep(self, ax)

    def _repr_html_(self) -> str:
        return sweep_html(self)


def parse_over(text: str) -> tuple[str, float, float]:
    """``x=0.001:1`` -> ("x", 0.001, 1.0). The bounds may be written as in --at (pi, -pi/2)."""
    match = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([^:]+):([^:]+)", text or "")
    if not match:
        raise InputError(f"--over {text!r}: write it as NAME=FROM:TO, e.g. x=0.001:1")
    name = match.group(1)
    low = parse_point(f"{name}={match.group(2)}", where="--over")[name]
    high = parse_point(f"{name}={match.group(3)}", where="--over")[name]
    if not low < high:
        raise InputError(f"--over {text!r}: FROM must be below TO")
    return name, low, high


def sweep(
    expression: str | Expr,
    over: str | tuple[str, float, float],
    *,
    points: int = DEFAULT_POINTS,
    at: Mapping[str, float] | str | None = None,
    entry: str | Entry | None = None,
    engines: Sequence[str] = tuple(ENGINE_MODULES),
    settings: Settings = DEFAULT_SETTINGS,
) -> Sweep:
    """Every engine's value of one derivative entry at `points` evenly spaced values of one
    variable (`over`: ``"x=0.001:1"`` or ``("x", 0.001, 1.0)``), the others held at `at`.

    `entry` is a name as the table prints it (``f'``, ``∂²f/∂x∂y``), a JSON label
    (``hessian[0][1]``) or a tuple of variable indices; by default the first derivative by
    the moving variable. Points where the function or the entry is undefined are listed in
    `undefined`, not judged.
    """
    limits = settings.limits
    expr = parse(expression, limits) if isinstance(expression, str) else check_tree(expression)
    name, low, high = parse_over(over) if isinstance(over, str) else over
    low = check_coordinate(name, low, limits, where="--over")
    high = check_coordinate(name, high, limits, where="--over")
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise InputError(f"points must be a whole number >= 2, not {points!r}")
    if points > MAX_POINTS:
        raise LimitError(f"{points} points is above the limit of {MAX_POINTS:,}")
    held: dict[str, float] = {}
    if isinstance(at, str):
        held = parse_point(at, where="--at", limits=limits) if at.strip() else {}
    elif at is not None:
        held = {k: check_coordinate(k, v, limits, where="--at") for k, v in at.items()}
    held.pop(name, None)
    missing = [v for v in variables_of(expr) if v != name and v not in held]
    if missing:
        raise InputError(
            f"variable '{missing[0]}' has no value: hold it with --at {missing[0]}=..."
        )
    variables = (name, *held)
    chosen = engine_names("engines", engines)
    if entry is None:
        wanted: Entry = (0,)
    elif isinstance(entry, str):
        wanted = parse_entry(entry, variables, max_order=limits.max_order)
    else:
        wanted = tuple(sorted(entry))
    if any(not 0 <= i < len(variables) for i in wanted):
        raise InputError(f"entry {wanted} names a variable that is not there")

    xs = np.linspace(low, high, points)
    columns = np.column_stack([xs] + [np.full(points, v) for v in held.values()])
    defined, exact_entry, exact_low, rounding = _reference(expr, variables, columns, wanted)
    kinks = _kinks(expr, variables, columns, wanted)
    for i in kinks:  # as in a comparison: shown, not judged
        exact_entry[i] = np.nan
    traces = {
        engine: _judge(
            engine,
            _engine_values(engine, expr, variables, columns, wanted),
            exact_entry,
            exact_low,
            rounding,
            settings,
            len(wanted),
        )
        for engine in chosen
    }
    for trace in traces.values():
        trace.stretches = stretches(xs, trace.agree)
    undefined = _undefined(expr, variables, columns, defined, exact_entry, kinks)
    return Sweep(
        expression=to_text(expr),
        variable=name,
        entry=wanted,
        variables=variables,
        held=held,
        points=xs,
        exact=exact_entry,
        engines=traces,
        undefined=undefined,
        rounding=rounding,
        settings=settings,
    )


def _reference(
    expr: Expr, variables: tuple[str, ...], columns: np.ndarray, entry: Entry
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Whether the function has a value at each point, the exact entry
    rounded to float64 (nan where it does not exist), its low-order part
    (exact - float64(exact), so errors below an ulp still show) and its rounding scale."""
    import mpmath

    from ..engines.reference import exact_many
    from ..engines.rounding import rounding_scale_many
    from ..engines.symbolic import derivatives_for

    env = {name: columns[:, i] for i, name in enumerate(variables)}
    function = evaluate(expr, env)
    derivatives = derivatives_for(expr, variables, True)
    formula = derivatives.formula(entry)
    exact = exact_many(formula, derivatives.symbols, columns.tolist())
    high = np.array([_float(v) for v in exact])
    # no derivative where the function has no value; where float64 says none, ask exactly
    defined = np.isfinite(function)
    doubtful = np.flatnonzero(~defined)
    if len(doubtful):
        values = exact_many(
            derivatives.formula(()), derivatives.symbols, columns[doubtful].tolist()
        )
        for i, value in zip(doubtful.tolist(), values, strict=True):
            if value is None:
                high[i] = np.nan
            else:
                defined[i] = True
    low = np.zeros(len(exact))
    with mpmath.workdps(60):
        for i, number in enumerate(exact):
            if number is not None and math.isfinite(high[i]):
                low[i] = float(number - mpmath.mpf(high[i]))
    symbols = {s: columns[:, i] for i, s in enumerate(derivatives.symbols)}
    return defined, high, low, rounding_scale_many(formula, symbols)


def _engine_values(
    engine: str, expr: Expr, variables: tuple[str, ...], columns: np.ndarray, entry: Entry
) -> tuple[np.ndarray, np.ndarray | None]:
    """(values, error estimates or None) of one engine over all the points."""
    if engine == "finite":
        from ..engines.finite_many import derivative_many

        return derivative_many(expr, variables, columns, entry)
    if engine == "tape":
        from ..engines.tape import derivatives_many

        return derivatives_many(expr, variables, columns, entry), None
    from ..engines.formula_text import FormulaNotWritten, formula_tree
    from ..engines.symbolic import derivatives_for

    derivatives = derivatives_for(expr, variables, True)
    formula = derivatives.formula(entry)
    try:
        tree = formula_tree(formula)
    except FormulaNotWritten:  # too long for our tree: sympy's own walker, point by point
        from ..engines.symbolic import evaluate_formula

        found = [
            evaluate_formula(formula, dict(zip(derivatives.symbols, row, strict=True)))[0]
            for row in columns.tolist()
        ]
        return np.array([math.nan if v is None else v for v in found]), None
    env = {name: columns[:, i] for i, name in enumerate(variables)}
    return evaluate(tree, env), None


def _judge(
    engine: str,
    found: tuple[np.ndarray, np.ndarray | None],
    exact: np.ndarray,
    exact_low: np.ndarray,
    rounding: np.ndarray,
    settings: Settings,
    order: int,
) -> EngineTrace:
    """Each point judged by the engine's tolerance for this order plus the rounding floor,
    fixed before looking (finite differences' estimates are not added to it)."""
    values, _estimates = found
    values = np.where(np.isfinite(values), values, np.nan)
    with np.errstate(all="ignore"):
        # value - exact in two parts: the float64 difference is exact when they are close
        abs_error = np.abs((values - exact) - exact_low)
        size = np.abs(exact)
        rel_error = np.where(size > 0, abs_error / size, np.nan)
        floor = np.maximum(
            settings.atol * np.where(size > 0, size, 1.0), ROUNDING_SAFETY * EPS * rounding
        )
        tolerance = settings.relative_tolerance(engine, order) * size + floor
    agree: list[bool | None] = []
    for e, v, err, tol in zip(exact, values, abs_error, tolerance, strict=True):
        if not math.isfinite(e):
            agree.append(None)  # no exact value: listed as undefined, not judged
        elif not math.isfinite(v):
            agree.append(False)
        else:
            agree.append(bool(err <= tol))
    return EngineTrace(values, abs_error, rel_error, tolerance, agree)


def stretches(points: np.ndarray, agree: Sequence[bool | None]) -> list[Stretch]:
    """Runs of neighbouring judged points with the same verdict (undefined points skipped)."""
    runs: list[Stretch] = []
    for x, verdict in zip(points.tolist(), agree, strict=True):
        if verdict is None:
            continue
        if runs and runs[-1].agree == verdict:
            last = runs[-1]
            runs[-1] = Stretch(last.start, x, verdict, last.points + 1)
        else:
            runs.append(Stretch(x, x, verdict, 1))
    return runs


def _undefined(
    expr: Expr,
    variables: tuple[str, ...],
    columns: np.ndarray,
    defined: np.ndarray,
    exact_entry: np.ndarray,
    kinks: Mapping[int, str],
) -> list[tuple[float, str]]:
    found = []
    for i in np.flatnonzero(~defined | ~np.isfinite(exact_entry)).tolist():
        point = dict(zip(variables, columns[i].tolist(), strict=True))
        if i in kinks:
            reason = kinks[i]
        elif not defined[i]:
            why = undefined_reason(expr, point) or "undefined"
            reason = f"the function is {why}"
        else:
            reason = "the derivative is undefined or infinite here"
        found.append((float(columns[i, 0]), reason))
    return found


def _kinks(
    expr: Expr, variables: tuple[str, ...], columns: np.ndarray, entry: Entry
) -> dict[int, str]:
    """Points where an operation the entry differentiates through is at its kink (abs at
    0), judged in float64 as the engines see them: index -> why."""
    env = {name: columns[:, i] for i, name in enumerate(variables)}
    wanted = {variables[i] for i in entry}
    found: dict[int, str] = {}
    for node in walk(expr):
        kink = OPERATIONS[node.op].kink if isinstance(node, Call) else None
        if kink is None or not wanted & set(variables_of(node)):
            continue
        assert isinstance(node, Call)
        args = [np.broadcast_to(evaluate(a, env), (len(columns),)) for a in node.args]
        at_kink = np.vectorize(kink, otypes=[bool])(*args)
        at_kink &= np.all([np.isfinite(a) for a in args], axis=0)
        for i in np.flatnonzero(at_kink).tolist():
            found.setdefault(i, f"{to_text(node)} is not differentiable here")
    return found


def _float(value: Any) -> float:
    if value is None:
        return math.nan
    try:
        number = float(value)
    except (OverflowError, TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan


def _number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _list(values: np.ndarray) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in np.asarray(values, dtype=float)]
