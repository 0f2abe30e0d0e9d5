"""The exact yardstick: the symbolic derivatives evaluated at 50 significant digits.

The formulas are the symbolic engine's (shared, cached); the evaluation is sympy's `evalf`
on mpmath, which raises its working precision until the requested digits are right. The
point's coordinates are float64 numbers taken exactly (a binary float is a finite decimal),
so the reference answers the question the float64 engines were asked.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import mpmath
import sympy

from ..language.expr import Expr
from ..language.limits import DEFAULT_LIMITS, Limits
from . import symbolic
from .base import EngineResult, Entry
from .rounding import rounding_scale

GUARD_DIGITS = 10
"""Extra digits carried by the substituted coordinates (they are exact anyway)."""
EXACT_POWER_LIMIT = 100
"""Largest integer power evaluated in exact rationals. A float coordinate is a rational of
some 16 digits over a power of two, so x**6000 would be a 190,000-digit fraction (0.8 s, and
x**60000 takes 50 s); mpmath computes the same to 50 digits in well under a millisecond."""


def run(
    expr: Expr,
    variables: Sequence[str],
    point: Sequence[float],
    entries: Sequence[Entry],
    *,
    digits: int = 50,
    simplify: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    **_: Any,
) -> EngineResult:
    start = time.perf_counter()
    result = EngineResult(engine="reference")
    derivatives = symbolic.derivatives_for(expr, tuple(variables), simplify, limits)
    coordinates = [float(v) for v in point]
    subs = {
        symbol: sympy.Float(value, digits + GUARD_DIGITS)
        for symbol, value in zip(derivatives.symbols, coordinates, strict=True)
    }
    floats = dict(zip(derivatives.symbols, coordinates, strict=True))
    exact: dict[Entry, mpmath.mpf] = {}
    exact_text: dict[Entry, str] = {}
    scales: dict[Entry, float] = {}

    function_value, function_reason = exact_value(derivatives.formula(()), subs, floats, digits)
    for entry in entries:
        if function_value is None:
            # no derivative where the function itself is undefined
            result.values[entry] = None
            result.reasons[entry] = function_reason or "undefined"
            continue
        value, reason = exact_value(derivatives.formula(entry), subs, floats, digits)
        if value is None:
            result.values[entry] = None
            result.reasons[entry] = reason or "undefined"
            continue
        exact[entry] = value
        exact_text[entry] = mpmath.nstr(value, digits)
        scale = rounding_scale(derivatives.formula(entry), floats)
        if scale is not None:
            scales[entry] = scale
        as_float = float(value)
        if math.isinf(as_float):
            result.values[entry] = None
            result.reasons[entry] = "exceeds float64 range"
        else:
            result.values[entry] = as_float
    result.info["exact"] = exact
    result.info["exact_text"] = exact_text
    result.info["digits"] = digits
    result.info["rounding_scale"] = scales
    result.seconds = time.perf_counter() - start
    return result


def exact_value(
    formula: sympy.Expr,
    subs: dict[sympy.Symbol, sympy.Float],
    floats: dict[sympy.Symbol, float],
    digits: int,
) -> tuple[mpmath.mpf | None, str | None]:
    """`formula` at the point to `digits` significant digits, or None and why not."""
    # Substitute the coordinates as exact rationals first: sympy then does the rational
    # arithmetic exactly, so a derivative that is exactly zero at the point (a gradient at a
    # minimum) comes out as 0, where evalf(subs=...) can only bound it (as 1e-158, say).
    exact = {symbol: sympy.Rational(value) for symbol, value in subs.items()}
    try:
        if not all(
            power.exp.is_Integer and abs(power.exp) <= EXACT_POWER_LIMIT
            for power in formula.atoms(sympy.Pow)
        ):
            # Exact rationals only where sympy then does plain rational arithmetic. A
            # coordinate in an exponent would have it compute 9**(10**300) exactly, and a
            # root of an exact rational sends it factoring and primality-testing numbers of
            # thousands of digits (sqrt(x**1000 + 1) at 0.1: minutes), each step one C call
            # that no time budget can interrupt
            value = formula.evalf(digits, subs=subs)
        else:
            value = formula.xreplace(exact).evalf(digits)
    except ZeroDivisionError:
        return None, _explained("infinite", formula, floats)
    except (ValueError, TypeError, ArithmeticError):
        return None, _explained("undefined", formula, floats)
    if value is sympy.zoo or value in (sympy.oo, -sympy.oo):
        return None, _explained("infinite", formula, floats)
    if value is sympy.nan:
        return None, _explained("undefined", formula, floats)
    if value.is_Number:
        with mpmath.workdps(digits + GUARD_DIGITS):
            return mpmath.mpf(sympy.Float(value, digits)._mpf_), None
    if value.has(sympy.DiracDelta):
        return None, "not differentiable here (DiracDelta at 0)"
    if value.has(sympy.I):
        return None, _explained("complex result", formula, floats)
    return None, _explained("undefined", formula, floats)


def _explained(kind: str, formula: sympy.Expr, floats: dict[sympy.Symbol, float]) -> str:
    # the float64 walker often knows which function left its domain: borrow its words
    _, detail = symbolic.evaluate_formula(formula, floats)
    if detail and "(" in detail and detail.endswith(")"):
        return f"{kind} ({detail[detail.index('(') + 1 : -1]})"
    return kind


def exact_many(
    formula: sympy.Expr,
    symbols: Sequence[sympy.Symbol],
    points: Sequence[Sequence[float]],
    digits: int = 50,
) -> list[mpmath.mpf | None]:
    """`formula` at each point to `digits` significant digits (None where it has no real
    value), for sweeps.

    `evalf` at each of thousands of points costs milliseconds apiece; here the formula is
    compiled once to mpmath code and run at two working precisions. Where the two agree to
    the digits asked for, that is the value; where they do not (cancellation deeper than
    the guard digits), the point falls back to `exact_value`, which raises its precision
    until the digits are right.
    """
    try:
        run = sympy.lambdify(list(symbols), formula, modules="mpmath")
    except (ValueError, SyntaxError, RecursionError):
        run = None  # not printable as code (a constant of 20,000 digits): evalf at each point
    tolerance = mpmath.mpf(10) ** (-digits - 1)
    found: list[mpmath.mpf | None] = []
    for point in points:
        if run is None:
            found.append(_evalf_at(formula, symbols, point, digits))
            continue
        first = _at_precision(run, point, digits + GUARD_DIGITS)
        second = _at_precision(run, point, 2 * digits + GUARD_DIGITS)
        if first is None and second is None:
            found.append(None)
            continue
        if first is not None and second is not None:
            with mpmath.workdps(2 * digits):
                if abs(first - second) <= tolerance * abs(second):
                    found.append(+second)
                    continue
        found.append(_evalf_at(formula, symbols, point, digits))
    return found


def _evalf_at(
    formula: sympy.Expr, symbols: Sequence[sympy.Symbol], point: Sequence[float], digits: int
) -> mpmath.mpf | None:
    pairs = list(zip(symbols, point, strict=True))
    subs = {s: sympy.Float(v, digits + GUARD_DIGITS) for s, v in pairs}
    floats = {s: float(v) for s, v in pairs}
    value, _ = exact_value(formula, subs, floats, digits)
    return value


def _at_precision(run: Any, point: Sequence[float], digits: int) -> mpmath.mpf | None:
    with mpmath.workdps(digits):
        try:
            value = run(*(mpmath.mpf(float(v)) for v in point))
        except (ZeroDivisionError, ValueError, TypeError, OverflowError):
            return None
        if isinstance(value, mpmath.mpc):
            if value.imag != 0:
                return None
            value = value.real
        if not isinstance(value, mpmath.mpf):
            try:
                value = mpmath.mpf(value)
            except (TypeError, ValueError):
                return None
        return value if mpmath.isfinite(value) else None
