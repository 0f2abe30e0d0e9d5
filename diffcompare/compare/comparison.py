"""The comparison: run the engines, measure each against the exact reference, decide agreement.

Every number an engine returns is judged against the 50-digit reference, never against the
other engines, so a disagreement names the engine at fault. The rules, per entry:

* every engine agrees when ``|error| <= rtol(engine, order) * |exact| + floor``, a tolerance
  fixed before its value is looked at (`Settings.relative_tolerance`): rtol for symbolic and
  tape and for every value, and for finite differences' derivatives a tolerance per order
  (`FINITE_RTOLS`), or fd_rtol when given;
* ``floor`` is the larger of ``atol * (largest |exact| among entries of the same order, or 1
  if all are 0)``, which lets an exactly-zero entry (a Hessian's 0) absorb rounding of its
  neighbours' size, and the entry's float64 rounding floor (`engines.rounding`);
* an engine's own error estimate (finite differences') is shown beside its true error, with
  whether it bounded it (``estimate_ok``): evidence, never a reason to accept a value;
* where the derivative does not exist (undefined or infinite), an engine that returns no
  number agrees and one that returns a number does not;
* where the exact value lies beyond float64, an engine that returns no number agrees;
* at a kink (``abs``, ``relu``, ``hypot`` at their non-differentiable point) the derivatives
  through it are shown but not judged: any number an engine gives there is a convention.

Nothing here prints; the reporter and the command line show what it returns.
"""

from __future__ import annotations

import importlib
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import collector
from ..deadline import time_budget
from ..engines.base import EngineResult, Entry, entries_for
from ..errors import DiffCompareError, DomainError, InputError, LimitError
from ..language.evaluate import evaluate, undefined_reason
from ..language.expr import Call, Expr, to_text, walk
from ..language.expr import variables as variables_of
from ..language.limits import Limits
from ..language.magnitude import check_at_point
from ..language.ops import OPERATIONS
from ..language.parse import check_point, check_tree, parse, parse_point, unused_variables
from .names import entry_label, entry_name
from .schema import Status, finite_or_none, jsonable, shaped
from .settings import (
    DEFAULT_ATOL,
    DEFAULT_RTOL,
    ENGINE_MODULES,
    FINITE_RTOLS,
    Settings,
)

__all__ = [
    "DEFAULT_ATOL",
    "FINITE_RTOLS",
    "DEFAULT_RTOL",
    "ENGINE_MODULES",
    "Comparison",
    "Settings",
    "compare",
    "find_kinks",
]

REFERENCE_DIGITS = 50

_BUDGET_HINT = " (Limits.symbolic_seconds)"

EPS = 2.0**-52
ROUNDING_SAFETY = 4.0
"""Multiple of eps times an entry's rounding scale that float64 engines may be off by: the
scale is a first-order bound, and engines order their operations differently."""

# The statuses of one engine's entry, by their old names (see schema.Status).
AGREE = Status.AGREE
UNDEFINED = Status.UNDEFINED
OUT_OF_RANGE = Status.OUT_OF_RANGE
NOT_DIFFERENTIABLE = Status.NOT_DIFFERENTIABLE
DISAGREE = Status.DISAGREE
MISSING = Status.MISSING
SPURIOUS = Status.SPURIOUS


@dataclass(frozen=True)
class Kink:
    """A sub-expression that is defined at the point but not differentiable there."""

    operation: str
    subexpression: str
    variables: tuple[str, ...]
    """The variables it depends on: derivatives by these are not judged."""


@dataclass(frozen=True)
class Check:
    """One engine's number for one entry, and how it measures against the reference."""

    value: float | None
    status: Status
    abs_error: float | None = None
    rel_error: float | None = None
    """None when the exact value is zero (relative error has no meaning there)."""
    tolerance: float | None = None
    """The largest absolute error that agrees."""
    error_estimate: float | None = None
    reason: str | None = None
    estimate_ok: bool | None = None
    """Whether the engine's own error estimate bounded its true error (None: no estimate
    or no error to bound)."""
    rel_estimate: float | None = None
    """The error estimate relative to the exact value (None where that is 0)."""

    @property
    def agrees(self) -> bool:
        return self.status.agrees


@dataclass
class EngineOutcome:
    name: str
    checks: dict[Entry, Check]
    info: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def agree(self) -> bool:
        return all(check.agrees for check in self.checks.values())


@dataclass
class Reference:
    """The exact derivatives: float64 roundings, 50-digit texts, and why any is missing."""

    values: dict[Entry, float | None]
    exact_text: dict[Entry, str | None]
    reasons: dict[Entry, str]
    seconds: float = 0.0
    rounding: dict[Entry, float] = field(default_factory=dict)
    """Per entry, the float64 rounding its formula can carry here, in units of eps
    (engines.rounding): the floor below which no float64 engine can be held."""


@dataclass
class Comparison:
    expression: str
    """Canonical text of the parsed expression."""
    variables: tuple[str, ...]
    """In the order the point gave them; entry indices refer to this order."""
    point: dict[str, float]
    order: int
    entries: list[Entry]
    reference: Reference
    engines: dict[str, EngineOutcome]
    settings: Settings
    """What the comparison was asked to do (its order is `order`, its engines those run)."""
    kinks: list[Kink] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    formulas: dict[Entry, str | None] = field(default_factory=dict)
    """The symbolic engine's derivative formulas, entry -> text in the expression language
    (it parses back with `parse`); None where the language cannot write it."""
    formula_notes: dict[Entry, str] = field(default_factory=dict)
    """Entry -> why its formula is not simplified, or cannot be written, or holds only
    away from a kink."""

    @property
    def agree(self) -> bool:
        return all(engine.agree for engine in self.engines.values())

    @property
    def value(self) -> float | None:
        return self.reference.values.get(())

    def label(self, entry: Entry) -> str:
        """Where the entry sits in the JSON document: ``gradient[0]``, ``hessian[0][1]``."""
        return entry_label(entry, len(self.variables), self.order)

    def _key(self, key: Any) -> str:
        # engine info keyed by entry (a step per entry) is keyed by its label in JSON
        return self.label(key) if isinstance(key, tuple) else str(key)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of the command line (``--format json``); see README."""
        n, order = len(self.variables), self.order
        reference: dict[str, Any] = shaped(self.reference.values, n, order)
        reference.pop("value")
        reference["exact"] = shaped(self.reference.exact_text, n, order)
        reference["reasons"] = {self.label(e): r for e, r in self.reference.reasons.items()}
        engines: dict[str, Any] = {}
        for name, outcome in self.engines.items():
            checks = outcome.checks
            doc: dict[str, Any] = shaped({e: c.value for e, c in checks.items()}, n, order)
            doc["errors"] = {
                "abs": shaped({e: c.abs_error for e, c in checks.items()}, n, order),
                "rel": shaped({e: c.rel_error for e, c in checks.items()}, n, order),
            }
            doc["tolerance"] = shaped({e: c.tolerance for e, c in checks.items()}, n, order)
            doc["status"] = shaped({e: str(c.status) for e, c in checks.items()}, n, order)
            doc["agree"] = outcome.agree
            doc["reasons"] = {self.label(e): c.reason for e, c in checks.items() if c.reason}
            if name == "finite":
                doc["step"] = jsonable(outcome.info.get("step"), self._key)
                doc["method"] = jsonable(outcome.info.get("method"), self._key)
                doc["error_estimate"] = shaped(
                    {e: c.error_estimate for e, c in checks.items()}, n, order
                )
                doc["estimate_ok"] = shaped({e: c.estimate_ok for e, c in checks.items()}, n, order)
            doc["evaluations"] = outcome.info.get("evaluations")
            doc["seconds"] = finite_or_none(outcome.seconds)
            engines[name] = doc
        return {
            "expression": self.expression,
            "variables": list(self.variables),
            "point": {name: float(v) for name, v in self.point.items()},
            "order": order,
            "value": finite_or_none(self.value),
            "reference": reference,
            "engines": engines,
            "kinks": [
                {
                    "operation": k.operation,
                    "subexpression": k.subexpression,
                    "variables": list(k.variables),
                }
                for k in self.kinks
            ],
            "formulas": self.formulas_dict(),
            "notes": list(self.notes),
            "tolerances": {
                "rtol": self.settings.rtol,
                "atol": self.settings.atol,
                "finite_rtol": {
                    label: self.settings.relative_tolerance("finite", k)
                    for k, label in enumerate(_ORDER_LABELS)
                },
            },
            "method": self.settings.method,
            "agree": self.agree,
        }

    def _repr_html_(self) -> str:
        """Jupyter's view: the table as HTML."""
        from ..report.html import comparison_html  # only a notebook pays for the views

        return comparison_html(self)

    def formulas_dict(self) -> dict[str, Any]:
        """The formulas as the JSON document has them: ``gradient``, ``hessian`` and (one
        variable above order 2) ``derivatives``, as text; ``notes`` by entry label."""
        n, order = len(self.variables), self.order
        layout = shaped(self.formulas, n, order)
        layout.pop("value")
        layout["notes"] = {self.label(e): note for e, note in self.formula_notes.items()}
        return layout


_ORDER_LABELS = ("value", "order 1", "order 2", "order 3", "order 4+")
assert len(_ORDER_LABELS) == len(FINITE_RTOLS)


def compare(
    expression: str | Expr,
    at: Mapping[str, float] | str,
    settings: Settings | None = None,
    *,
    order: int | None = None,
    engines: Sequence[str] | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    fd_rtol: float | None = None,
    step: float | None = None,
    method: str | None = None,
    limits: Limits | None = None,
    simplify: bool | None = None,
) -> Comparison:
    """Value and derivatives of `expression` at the point `at`, by each engine, judged
    against the exact reference.

    `at` is a mapping (its order is the variables' order) or text like ``"x=1, y=2"``.
    What to compute and how strictly is `settings` (default `Settings()`); the keyword
    arguments are a shorthand that changes those fields of it. `order` 2 gives value,
    gradient and Hessian; above 2 needs one variable and gives its derivatives up to that
    order. Raises a DiffCompareError for input that cannot be used and DomainError when the
    function itself is undefined at the point. `simplify=False` keeps the symbolic formulas
    as sympy's `diff` writes them (faster; batch runs use it).
    """
    shorthand = {
        "order": order,
        "engines": engines,
        "rtol": rtol,
        "atol": atol,
        "fd_rtol": fd_rtol,
        "step": step,
        "method": method,
        "limits": limits,
        "simplify": simplify,
    }
    changes = {name: value for name, value in shorthand.items() if value is not None}
    settings = settings or Settings()
    if changes:
        settings = settings.replace(**changes)
    try:
        return _compare(expression, at, settings)
    except RecursionError:
        # sympy recurses once a level of its own (four for a sigmoid), and so does the
        # hashing of a very deep tree: within the depth limit, but past Python's stack
        raise LimitError(
            "the expression nests too deeply for sympy (past Python's recursion limit):"
            " nest it less"
        ) from None


def _compare(
    expression: str | Expr, at: Mapping[str, float] | str, settings: Settings
) -> Comparison:
    limits, order, simplify = settings.limits, settings.order, settings.simplifies(True)
    expr = (
        parse(expression, limits) if isinstance(expression, str) else check_tree(expression, limits)
    )
    if isinstance(at, str):
        point = parse_point(at, where="at", limits=limits)
    else:
        point = _point_from_mapping(at, limits)
    check_point(variables_of(expr), point, limits=limits)
    names = tuple(point)
    _check_order(order, len(names), limits)
    runners = import_engines(settings.engines)
    check_at_point(expr, point, limits)

    entries = entries_for(len(names), order)
    coordinates = [point[name] for name in names]
    # sympy cannot be told to stop: one budget over all the work that may call it
    with time_budget(limits.symbolic_seconds, "the symbolic work", _BUDGET_HINT):
        reference = _run_reference(expr, names, coordinates, entries, limits, simplify)
        results = {
            name: _run_engine(name, run, expr, names, coordinates, entries, settings, simplify)
            for name, run in runners.items()
        }
        text = to_text(expr)
        # where nothing can be computed that is the answer, before the formulas are written
        _refuse_undefined_value(text, expr, point, reference, results)
        formulas, formula_notes = _formulas(expr, names, entries, limits, simplify)

    kinks = find_kinks(expr, point)
    kinked = {names.index(v) for k in kinks for v in k.variables if v in names}
    scales = _scales(reference, entries)
    outcomes = {}
    for name, result in results.items():
        checks = {}
        for entry in entries:
            atol_scaled = max(
                settings.atol * scales[len(entry)],
                ROUNDING_SAFETY * EPS * reference.rounding.get(entry, 0.0),
            )
            at_kink = bool(entry) and any(i in kinked for i in entry)
            checks[entry] = _check(name, entry, result, reference, settings, atol_scaled, at_kink)
        outcomes[name] = EngineOutcome(name, checks, dict(result.info), result.seconds)

    notes = [
        f"{k.subexpression} is not differentiable here: derivatives by "
        f"{', '.join(k.variables)} shown, not judged"
        for k in kinks
    ]
    notes += _unused_notes(unused_variables(variables_of(expr), point))
    absolute = {entry: settings.atol * scales[len(entry)] for entry in entries}
    notes += _ill_conditioned_notes(reference, entries, names, settings.rtol, absolute)
    return Comparison(
        expression=text,
        variables=names,
        point=dict(point),
        order=order,
        entries=entries,
        reference=reference,
        engines=outcomes,
        settings=settings,
        kinks=kinks,
        notes=notes,
        formulas=formulas,
        formula_notes=formula_notes,
    )


def _unused_notes(unused: list[str]) -> list[str]:
    if not unused:
        return []
    if len(unused) == 1:
        return [f"{unused[0]} is not in the expression: its derivatives are 0 in every engine"]
    names = ", ".join(unused[:-1]) + " and " + unused[-1]
    return [f"{names} are not in the expression: their derivatives are 0 in every engine"]


def _ill_conditioned_notes(
    reference: Reference,
    entries: list[Entry],
    names: tuple[str, ...],
    rtol: float,
    absolute: Mapping[Entry, float],
) -> list[str]:
    """Say so where float64 itself cannot reach the tolerance: the entry's terms cancel,
    and every float64 engine may be off by up to its rounding floor. Not where that floor
    is below the absolute tolerance anyway (one rounding of an exact 0, as sigmoid's f''
    at 0). Entries are named as the table names them (f'', ∂²f/∂x∂y)."""
    lines = []
    for entry in entries:
        exact = reference.values.get(entry)
        scale = reference.rounding.get(entry)
        if exact is None or scale is None:
            continue
        floor = ROUNDING_SAFETY * EPS * scale
        if floor > max(rtol * abs(exact), absolute[entry]) and floor > 1e3 * EPS * abs(exact):
            label = entry_name(entry, names)
            relative = f" ({floor / abs(exact):.1e} of its value)" if exact else ""
            lines.append(
                f"{label} is ill-conditioned in float64 here: its terms cancel, so any "
                f"float64 method may be off by {floor:.1e}{relative}; judged against that"
            )
    return lines


def find_kinks(expr: Expr, point: Mapping[str, float]) -> list[Kink]:
    """Sub-expressions whose operation has a kink at the values its arguments take here.

    Judged in float64, as the engines see the point: ``abs(x - 0.1)`` at ``x=0.1`` is a kink
    for them even though the exact arguments differ by 5.5e-18.
    """
    found: dict[str, Kink] = {}
    for node in walk(expr):
        if not isinstance(node, Call):
            continue
        kink = OPERATIONS[node.op].kink
        if kink is None:
            continue
        args = [float(evaluate(arg, point)) for arg in node.args]
        names = variables_of(node)
        if names and all(math.isfinite(a) for a in args) and kink(*args):
            text = to_text(node)
            found.setdefault(text, Kink(node.op, text, names))
    return list(found.values())


def _point_from_mapping(at: Mapping[str, float], limits: Limits) -> dict[str, float]:
    from ..language.parse import check_coordinate

    point: dict[str, float] = {}
    for name, value in at.items():
        if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
            raise InputError(f"at: value of '{name}' is {value!r}: not a number")
        point[str(name)] = check_coordinate(str(name), value, limits, where="at")
    return point


def _check_order(order: int, n_variables: int, limits: Limits) -> None:
    # the order itself is checked by Settings; here what it asks of this point
    if order > 2 and n_variables != 1:
        raise InputError(
            f"order {order} needs one variable (the point has {n_variables}); "
            "with several variables the comparison covers value, gradient and Hessian"
        )
    if n_variables > limits.max_variables:
        raise LimitError(f"{n_variables} variables is above the limit of {limits.max_variables}")


EngineRun = Callable[..., EngineResult]


ENGINE_IMPORTS = ("diffcompare.engines.reference", "diffcompare.engines.rounding")
"""The engines' modules the symbolic work reaches on its first run."""

SYMPY_FIRST_USE_IMPORTS = (
    "sympy.assumptions.wrapper",
    "sympy.combinatorics",
    "sympy.sets.setexpr",
    "sympy.tensor.tensor",
)
"""What sympy imports of itself on the first sum it builds: every comparison reaches them."""

SYMPY_SIMPLIFY_IMPORTS = ("sympy.physics.units",)
"""What sympy's simplify imports on first use, which not every comparison reaches."""


def import_engines(names: Sequence[str]) -> dict[str, EngineRun]:
    """The engines' ``run`` functions, importing them and what their first run imports."""
    # A budget never interrupts an import, so an import inside the budget makes the first
    # comparison overrun it by the import's time: what every comparison imports is imported
    # here, before the budget. simplify's imports take a fraction of a second plain, within a
    # budget's grace, and the single command should not pay a quarter of a second for what it
    # may not use; under a trace function (a debugger, coverage) they take seconds, so they
    # are done first too.
    modules = [ENGINE_MODULES[name] for name in names]  # Settings dropped duplicates
    modules += ENGINE_IMPORTS + SYMPY_FIRST_USE_IMPORTS
    if sys.gettrace() is not None:
        modules += SYMPY_SIMPLIFY_IMPORTS
    if all(module in sys.modules for module in modules):
        loaded = [sys.modules[module] for module in modules]
    else:
        with collector.paused():  # sympy's import makes tens of thousands of objects
            loaded = [importlib.import_module(module) for module in modules]
    return {name: module.run for name, module in zip(names, loaded, strict=False)}


def _run_reference(
    expr: Expr,
    names: tuple[str, ...],
    coordinates: list[float],
    entries: list[Entry],
    limits: Limits,
    simplify: bool,
) -> Reference:
    from ..engines import reference

    result = reference.run(
        expr,
        names,
        coordinates,
        entries,
        digits=REFERENCE_DIGITS,
        limits=limits,
        simplify=simplify,
    )
    exact = result.info.get("exact", {})
    exact_text = result.info.get("exact_text", {})
    values: dict[Entry, float | None] = {}
    texts: dict[Entry, str | None] = {}
    reasons = dict(result.reasons)
    for entry in entries:
        number = exact.get(entry)
        values[entry] = _to_float(number) if number is not None else result.values.get(entry)
        texts[entry] = exact_text.get(entry) if number is not None else None
        if values[entry] is None and entry not in reasons:
            reasons[entry] = "exceeds the float64 range" if _is_finite_mpf(number) else "undefined"
    rounding = result.info.get("rounding_scale", {})
    return Reference(values, texts, reasons, result.seconds, rounding)


def _formulas(
    expr: Expr, names: tuple[str, ...], entries: list[Entry], limits: Limits, simplify: bool
) -> tuple[dict[Entry, str | None], dict[Entry, str]]:
    """The derivative formulas (the reference's, cached) as text, with notes."""
    from ..engines.symbolic import derivatives_for

    derivatives = derivatives_for(expr, names, simplify, limits)
    texts: dict[Entry, str | None] = {}
    notes: dict[Entry, str] = {}
    for entry in entries:
        if not entry:
            continue
        texts[entry], note = derivatives.written(entry)
        reasons = [derivatives.unsimplified.get(entry), note]
        if any(reasons):
            notes[entry] = "; ".join(r for r in reasons if r)
    return texts, notes


def _run_engine(
    name: str,
    run: EngineRun,
    expr: Expr,
    names: tuple[str, ...],
    coordinates: list[float],
    entries: list[Entry],
    settings: Settings,
    simplify: bool,
) -> EngineResult:
    options: dict[str, Any] = (
        {"step": settings.step, "method": settings.method} if name == "finite" else {}
    )
    limits = settings.limits
    try:
        return run(expr, names, coordinates, entries, limits=limits, simplify=simplify, **options)
    except DiffCompareError:
        raise
    except Exception as error:  # an engine's own failure is its disagreement, not a crash
        reason = f"engine failed: {type(error).__name__}: {error}"
        return EngineResult(
            engine=name,
            values=dict.fromkeys(entries),
            reasons=dict.fromkeys(entries, reason),
        )


def _refuse_undefined_value(
    text: str,
    expr: Expr,
    point: Mapping[str, float],
    reference: Reference,
    results: Mapping[str, EngineResult],
) -> None:
    """Nothing can be computed when the function itself has no value here."""
    if reference.values.get(()) is not None or reference.exact_text.get(()) is not None:
        return
    if any(_finite(result.values.get(())) for result in results.values()):
        return  # an engine claims a value: that is a disagreement to report, not a refusal
    why = undefined_reason(expr, point) or reference.reasons.get((), "undefined")
    where = ", ".join(f"{name}={value:.15g}" for name, value in point.items())
    at = f" at {where}" if where else ""
    raise DomainError(f"nothing can be computed: {text} is {why}{at}")


def _scales(reference: Reference, entries: list[Entry]) -> dict[int, float]:
    """Per derivative order, the size the absolute floor is relative to: the largest exact
    entry of that order (1 when they are all zero), so a tiny value is still judged
    relatively and a zero among large neighbours absorbs their rounding."""
    largest: dict[int, float] = {}
    for entry in entries:
        value = reference.values.get(entry)
        size = abs(value) if value is not None else 0.0
        largest[len(entry)] = max(largest.get(len(entry), 0.0), size)
    return {k: size if size > 0 else 1.0 for k, size in largest.items()}


def _check(
    name: str,
    entry: Entry,
    result: EngineResult,
    reference: Reference,
    settings: Settings,
    atol_scaled: float,
    at_kink: bool,
) -> Check:
    value = result.values.get(entry)
    if value is not None and not math.isfinite(value):
        value = None  # engines should say None; a stray inf or nan means the same
    reason = result.reasons.get(entry)
    if value is None and reason is None:
        reason = "not computed"
    estimate = result.error_estimates.get(entry)
    estimate = estimate if _finite(estimate) else None
    exact_text = reference.exact_text.get(entry)
    exact_float = reference.values.get(entry)

    if at_kink:
        errors = _errors(value, exact_text) if exact_text is not None else (None, None)
        return Check(value, NOT_DIFFERENTIABLE, *errors, None, estimate, reason)
    if exact_text is None:  # the exact derivative does not exist here
        status = UNDEFINED if value is None else SPURIOUS
        if value is not None:
            reason = f"returned a number where the exact value is {_ref_reason(reference, entry)}"
        return Check(value, status, None, None, None, estimate, reason)
    if exact_float is None:  # exists, but beyond float64
        status = OUT_OF_RANGE if value is None else DISAGREE
        if value is None and not (reason or "").startswith("overflow"):
            # the engine saw only an inf; the reference knows it is a finite number too large
            reason = "overflow: the exact value is beyond the float64 range"
        return Check(value, status, None, None, None, estimate, reason)
    if value is None:
        return Check(None, MISSING, None, None, None, estimate, reason)

    abs_error, rel_error = _errors(value, exact_text)
    # fixed before the value is looked at; the engine's estimate is only checked, below
    tolerance = settings.relative_tolerance(name, len(entry)) * abs(exact_float) + atol_scaled
    status = AGREE if abs_error is not None and abs_error <= tolerance else DISAGREE
    bounded = None if estimate is None or abs_error is None else bool(abs_error <= estimate)
    relative = estimate / abs(exact_float) if estimate is not None and exact_float else None
    return Check(
        value, status, abs_error, rel_error, tolerance, estimate, reason, bounded, relative
    )


def _errors(value: float | None, exact_text: str) -> tuple[float | None, float | None]:
    """Absolute and relative error of a float64 against the 50-digit exact value, computed
    at that precision so that an engine's last bit still shows."""
    if value is None:
        return None, None
    import mpmath

    with mpmath.workdps(REFERENCE_DIGITS + 10):
        exact = mpmath.mpf(exact_text)
        difference = abs(mpmath.mpf(value) - exact)
        # below the reference's own last digit the difference is its rounding, not the
        # engine's: an engine that hit the exact value (x/3 at x = 1/3 in float64) shows 0
        if difference <= abs(exact) * mpmath.mpf(10) ** (2 - REFERENCE_DIGITS):
            difference = mpmath.mpf(0)
        abs_error = _to_float(difference)
        rel_error = _to_float(difference / abs(exact)) if exact != 0 else None
    return abs_error, rel_error


def _ref_reason(reference: Reference, entry: Entry) -> str:
    reason = reference.reasons.get(entry, "undefined")
    return reason if reason.startswith(("undefined", "infinite")) else f"undefined ({reason})"


def _to_float(number: Any) -> float | None:
    try:
        value = float(number)
    except (OverflowError, TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _is_finite_mpf(number: Any) -> bool:
    if number is None:
        return False
    import mpmath

    try:
        return bool(mpmath.isfinite(number))
    except (TypeError, ValueError):
        return False


def _finite(value: Any) -> bool:
    return value is not None and math.isfinite(value)
