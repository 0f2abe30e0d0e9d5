"""Refuses constants whose exact value would be astronomically large before anyone builds it.

sympy evaluates exact arithmetic eagerly: ``9**9**9`` becomes a 370-million-digit integer the
moment the tree is converted, and mpmath struggles just as much with ``exp(exp(exp(10)))``.
This module estimates, in float64 log-space and without computing any value exactly, how many
decimal digits each constant sub-expression needs, and refuses the expression when one needs
more than `Limits.max_constant_log10`.

The estimate for a node is a pair: an approximate float value (nan when unknown or out of
float range) and ``digits``, an upper-bound estimate of log10 of the size of the exact number
(for a fraction p/q, of max(|p|, q); always at least |log10| of the value). Digits, rather than
magnitude, is what costs: ``(2/3)**9999`` is a modest number whose denominator has 4771 digits.

At a point, what depends on a variable is evaluated in floating point (mpmath: a mantissa and
an exponent), so there magnitude is what counts, and only its large side: the estimate is
log10 |value|, taken from the float value where it is finite and carried in log space where
it is not (``(x-a)**5999`` at x - a = 4 is 10**3612: 3,612 digits; ``x**6000`` at x = 0.01 is
tiny and costs nothing). `Limits.max_point_log10` bounds it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any, NamedTuple

from ..errors import InputError, LimitError
from .expr import Call, Constant, Expr, Number, Variable, fold, to_text
from .expr import variables as variables_of
from .limits import Limits
from .ops import CONSTANTS, OPERATIONS, Growth

_LOG10_2 = math.log10(2.0)
_LOG10_E = math.log10(math.e)
_NAN = float("nan")

# (approximate value or nan, digits)
Estimate = tuple[float, float]


def _pow10(exponent: float) -> float:
    """10**exponent without OverflowError: inf past the float range."""
    if exponent > 308.0:
        return math.inf
    return 10.0**exponent


def _log_size(value: float) -> float:
    """|log10| of a float, 0 for zero: the digits an ordinary number costs."""
    if value == 0.0 or not math.isfinite(value):
        return 0.0
    return abs(math.log10(abs(value)))


def _bound(estimate: Estimate) -> float:
    """An upper bound of |value|."""
    value, digits = estimate
    return abs(value) if math.isfinite(value) else _pow10(digits)


def _approx(value: float, digits: float) -> Estimate:
    # far outside float range the float says nothing useful: keep the digits only
    if not math.isfinite(value) or (value != 0.0 and _log_size(value) > 300.0):
        return _NAN, digits
    return value, digits


def _fraction_digits(value: Fraction) -> float:
    return math.log10(max(abs(value.numerator), value.denominator))


def _number(value: Fraction) -> Estimate:
    digits = _fraction_digits(value)
    return _approx(float(value) if digits < 300 else _NAN, digits)


def _float_op(function: Callable[..., float], *values: float) -> float:
    try:
        return float(function(*values))
    except (ArithmeticError, ValueError):
        return _NAN


# Per-operation bounds for the operations that can grow a number. Everything else is bounded
# by its largest argument (log, sqrt, sin and the like shrink or stay bounded).


def _sum(function: Callable[..., float], a: Estimate, b: Estimate) -> Estimate:
    # a sum's exact size is at most twice its larger term's (hypot's too)
    return _approx(_float_op(function, a[0], b[0]), max(a[1], b[1]) + _LOG10_2)


def _product(function: Callable[..., float], a: Estimate, b: Estimate) -> Estimate:
    # p1/q1 * p2/q2 and p1/q1 / (p2/q2): the sizes add, whichever way the magnitude goes
    return _approx(_float_op(function, a[0], b[0]), a[1] + b[1])


def _power(function: Callable[..., float], a: Estimate, b: Estimate) -> Estimate:
    # 0, 1 and -1 (no digits) stay as small whatever the power
    digits = b[1] if a[1] == 0.0 else _bound(b) * a[1] + b[1]
    if math.isnan(digits):
        digits = math.inf
    return _approx(_float_op(function, a[0], b[0]), digits)


def _exponential(function: Callable[..., float], a: Estimate) -> Estimate:
    """exp, sinh and cosh: |f(a)| <= e**|a|, so log10 grows like |a| * log10(e)."""
    return _approx(_float_op(function, a[0]), _bound(a) * _LOG10_E)


def _bounded(function: Callable[..., float] | None, *args: Estimate) -> Estimate:
    """No larger than its largest argument (log, sqrt, sin and the like shrink or stay
    bounded), or than its own float value."""
    values = [value for value, _ in args]
    value = _NAN
    if function is not None and all(math.isfinite(v) for v in values):
        value = _float_op(function, *values)
    return _approx(value, max(max(d for _, d in args), _log_size(value)))


_GROWTH: dict[Growth, Callable[..., Estimate]] = {
    "bounded": _bounded,
    "sum": _sum,
    "product": _product,
    "power": _power,
    "exponential": _exponential,
}
"""The estimate for each kind of growth a row of the table can declare."""


def _estimate(op: str, args: list[Estimate]) -> Estimate:
    row = OPERATIONS[op]
    return _GROWTH[row.growth](row.scalar, *args)


def _describe_digits(digits: float) -> str:
    if math.isinf(digits):
        return "more than 1e308 digits"
    if digits < 1e6:
        return f"about {digits:,.0f} digits"
    mantissa, exponent = f"{digits:.1e}".split("e")
    return f"about {mantissa}e{int(exponent)} digits"


def _shorten(expr: Expr) -> str:
    text = to_text(expr)
    return text if len(text) <= 60 else text[:57] + "..."


class Magnitude(NamedTuple):
    """What depends on a variable, at a point: its approximate value (nan when unknown or
    out of float range) and log10 |value| (signed; -inf for 0)."""

    value: float
    log: float


def _magnitude_of(estimate: Estimate) -> Magnitude:
    """A constant's estimate as a magnitude: its digits bound |log10| of its value."""
    value, digits = estimate
    if math.isfinite(value):
        return Magnitude(value, math.log10(abs(value)) if value != 0.0 else -math.inf)
    return Magnitude(_NAN, digits)


def _log_product(factor: float, log: float) -> float:
    """log10 |a**factor| from log10 |a|; 0**negative is undefined, which costs nothing."""
    if factor == 0.0 or log == -math.inf:
        return 0.0 if factor <= 0.0 else -math.inf
    return factor * log


def _point_magnitude(op: str, args: list[Magnitude]) -> Magnitude:
    """log10 |f(args)| from the arguments' values and magnitudes (an upper bound where the
    value left the float range)."""
    values = [a.value for a in args]
    logs = [a.log for a in args]
    value = _NAN
    scalar = OPERATIONS[op].scalar
    if scalar is not None and all(math.isfinite(v) for v in values):
        value = _float_op(scalar, *values)
    if math.isfinite(value):
        return Magnitude(value, math.log10(abs(value)) if value != 0.0 else -math.inf)
    if op == "mul":
        log = logs[0] + logs[1]
    elif op == "div":
        # a division by zero is undefined, which costs nothing
        log = logs[0] - logs[1] if logs[1] > -math.inf else 0.0
    elif op in ("add", "sub", "hypot"):
        log = max(logs) + _LOG10_2
    elif op == "neg":
        log = logs[0]
    elif op == "pow":
        exponent = values[1]
        log = _log_product(exponent, logs[0]) if math.isfinite(exponent) else math.inf
    elif op in ("exp", "sinh", "cosh"):
        argument = values[0]
        size = abs(argument) if math.isfinite(argument) else _pow10(logs[0])
        log = size * _LOG10_E
    else:  # bounded by its arguments (log, sqrt, sin and the like shrink or stay bounded)
        log = max(logs)
    return Magnitude(_NAN, log)


def _walk(
    expr: Expr,
    point: Mapping[str, float] | None,
    limits: Limits,
    refuse: Callable[[Expr, float], None],
) -> None:
    """Estimates every node bottom-up (iteratively: trees may be deep) and calls `refuse` on
    the first, innermost, one past its limit: constants by their exact digits, what depends
    on a variable (at a point) by its magnitude. Without a point, variables are unknown and
    only constant sub-trees are estimated."""

    def checked(node: Expr, estimate: Estimate | None) -> Estimate | None:
        if estimate is not None and not estimate[1] <= limits.max_constant_log10:
            refuse(node, estimate[1])
        return estimate

    def measured(node: Expr, magnitude: Magnitude) -> Magnitude:
        if not magnitude.log <= limits.max_point_log10:
            refuse(node, magnitude.log)
        return magnitude

    def leaf(node: Expr) -> Estimate | Magnitude | None:
        if isinstance(node, Number):
            return checked(node, _number(node.value))
        if isinstance(node, Constant):
            value = CONSTANTS[node.name]
            return checked(node, (value, _log_size(value)))
        assert isinstance(node, Variable)
        if point is None:
            return None
        if node.name not in point:
            raise InputError(f"variable '{node.name}' has no value")
        value = float(point[node.name])
        if not math.isfinite(value):
            raise InputError(f"variable '{node.name}' is {value}: not a finite number")
        return measured(node, _magnitude_of((value, _log_size(value))))

    def call(node: Call, args: list[Any]) -> Estimate | Magnitude | None:
        if any(a is None for a in args):
            return None
        if any(isinstance(a, Magnitude) for a in args):
            magnitudes = [a if isinstance(a, Magnitude) else _magnitude_of(a) for a in args]
            return measured(node, _point_magnitude(node.op, magnitudes))
        return checked(node, _estimate(node.op, args))

    fold(expr, leaf, call)


def check_constants(expr: Expr, limits: Limits) -> None:
    """LimitError if a constant sub-expression (no variable under it) would need more than
    `limits.max_constant_log10` digits to compute exactly."""

    def refuse(node: Expr, digits: float) -> None:
        raise LimitError(
            f"the constant {_shorten(node)} has {_describe_digits(digits)};"
            f" the limit is {limits.max_constant_log10:,.0f} digits (Limits.max_constant_log10)"
        )

    _walk(expr, None, limits, refuse)


def check_at_point(expr: Expr, point: Mapping[str, float], limits: Limits) -> None:
    """The same estimate with the variables at their values: ``x**(9**9)`` is harmless at
    x=1 and hopeless at x=2. Pure float arithmetic, so it is safe to run before any exact
    evaluation."""

    def refuse(node: Expr, digits: float) -> None:
        if variables_of(node):
            raise LimitError(
                f"at this point, {_shorten(node)} has {_describe_digits(digits)};"
                f" the limit is {limits.max_point_log10:,.0f} digits (Limits.max_point_log10)"
            )
        raise LimitError(
            f"the constant {_shorten(node)} has {_describe_digits(digits)};"
            f" the limit is {limits.max_constant_log10:,.0f} digits (Limits.max_constant_log10)"
        )

    _walk(expr, point, limits, refuse)
