"""The one table of operations.

Each row says everything the project knows about one operation: how the parser spells it,
how numpy computes it (and plain `math` on Python floats, the tape's fast path), how sympy
writes it, and its derivative rule for the tape. Adding a function is adding a row.

Derivative rules are vector-Jacobian products written against a namespace `F` of
differentiable functions and the ordinary arithmetic operators. The tape hands in either its
recording functions (so a rule's own operations are taped, which is what makes gradients of
gradients work) or plain numpy/math ones (the fast path when nothing needs recording). Besides
the table's functions, `F` has `sign` and `positive` (1 where x > 0, else 0), constant
pieces, and `zero_to_one` (x with its zeros made ones, a constant there). The
rules never call sympy: the symbolic engine differentiates with sympy's own rules, so the
three engines stay independent.

Rules are written for accuracy in float64, not only for truth: 1 - tanh(x)**2 is 0 at x = 20
where sech(x)**2 is 1.7e-17, and (1 - x)*(1 + x) keeps the digits that 1 - x*x loses near 1.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

# g: the incoming gradient, ans: the operation's output, args: its inputs.
Rule = Callable[..., Any]

Growth = Literal["bounded", "sum", "product", "power", "exponential"]
"""How many more digits an operation's exact result can need than its arguments' (see
language.magnitude): "bounded" by its largest argument (log, sin, sqrt), "sum" one digit
more (add, hypot), "product" their sum (mul, div), "power" and "exponential" far more."""


def _sympy() -> Any:
    import sympy  # imported on first use: parsing and the tape do not need it

    return sympy


@dataclass(frozen=True)
class Operation:
    name: str
    arity: int
    numpy: Callable[..., Any]
    """Elementwise on float64 arrays; may return nan/inf outside the domain."""
    sympy: Callable[..., Any]
    """Builds the sympy expression from sympy arguments (real symbols)."""
    rules: tuple[Rule, ...]
    """One vector-Jacobian product per argument: rule(F, g, ans, *args)."""
    scalar: Callable[..., float] | None = None
    """The same on Python floats (the tape's fast path); may raise on domain errors, and
    must treat nan as numpy does (nan in, nan out)."""
    symbol: str | None = None
    """Infix spelling for the arithmetic operators."""
    kink: Callable[..., bool] | None = None
    """True where the operation is defined but not differentiable (abs at 0)."""
    edges: tuple[float, ...] = field(default=())
    """Points of its first argument where the domain or smoothness changes (for tests)."""
    analytic: bool = True
    """A complex-analytic function wherever it is defined on the reals, so the complex step
    (finite engine) may evaluate it at x + ih; False for abs, relu and other kinks."""
    complex: Callable[..., Any] | None = None
    """Elementwise on complex128 arrays when `numpy` is not (None: `numpy` itself works, or
    the operation is not analytic). Must agree with `numpy` on the real axis."""
    tape_name: str | None = None
    """Its function's name in `diffcompare.tape` when that is not `name`: TensorFlow's
    spelling of the operators (`subtract`); rows that share one are told apart by their
    number of arguments (`log(x)` and `log(x, base)`)."""
    arguments: tuple[str, ...] = ("x",)
    """The names its arguments go by in the list of functions: ``atan2(y, x)``."""
    domain: str = ""
    """Where it is defined (and differentiable, where that is less), for people."""
    example: str = ""
    """An expression that uses it, for the list of functions (a test parses each)."""
    calls: tuple[str, ...] | None = None
    """The names the parser reads as a call of it (None: its name, when it has no infix
    `symbol`). Rows may share a name if their numbers of arguments differ."""
    nan_reason: str | None = None
    """What a nan from finite arguments means (``"log of a negative number"``): the reason
    the engines and the reference give there."""
    inf_reason: str | None = None
    """What an infinity from finite arguments means (``"log of zero"``)."""
    pole: Callable[..., bool] | None = None
    """Where an infinite result is `inf_reason` rather than an overflow (None: wherever)."""
    real_domain: Callable[..., bool] | None = None
    """Where its value is real (None: wherever `numpy` gives a number). Outside it the
    symbolic engine's float64 evaluation of a formula says "complex result"."""
    growth: Growth = "bounded"
    """How far its exact result can outgrow its arguments (language.magnitude)."""
    student_names: tuple[str, ...] = ()
    """Other names students write for it (``arcsin``), read in student notation only."""
    inverse: str | None = None
    """The row of its inverse function, so that student notation reads ``sin^-1`` as it."""


def _sigmoid(x: Any) -> Any:
    # exp(-log(1 + exp(-x))) neither overflows nor loses the tiny tail for very negative x
    return np.exp(-np.logaddexp(0.0, -x))


def _sigmoid_scalar(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _softplus_scalar(x: float) -> float:
    if x > 0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


_erf_array = np.vectorize(math.erf, otypes=[np.float64])


def _erf(x: Any) -> Any:
    if np.ndim(x) == 0:
        return np.float64(math.erf(float(x))) if not np.isnan(x) else np.float64(np.nan)
    return _erf_array(x)


def _real_cbrt_sympy(x: Any) -> Any:
    sp = _sympy()
    return sp.sign(x) * sp.Abs(x) ** sp.Rational(1, 3)


def _sigmoid_complex(z: Any) -> Any:
    # 1/(1 + e^-z) for Re z >= 0, e^z/(1 + e^z) below: neither side overflows
    ez = np.exp(-np.abs(z.real) + 1j * np.where(z.real >= 0, -z.imag, z.imag))
    return np.where(z.real >= 0, 1 / (1 + ez), ez / (1 + ez))


def _softplus_complex(z: Any) -> Any:
    # log(1 + e^z) = max(Re z, 0)-part + log1p(e^-|z|): no overflow for large |Re z|
    positive = z.real > 0
    tail = np.log1p(np.exp(np.where(positive, -z, z)))
    return np.where(positive, z + tail, tail)


def _complex_pair(a: Any, b: Any) -> tuple[Any, Any]:
    pair = np.broadcast_arrays(
        np.asarray(a, dtype=np.complex128), np.asarray(b, dtype=np.complex128)
    )
    return pair[0], pair[1]


def _atan2_complex(y: Any, x: Any) -> Any:
    # the real atan2's branch chosen by the real parts, continued analytically
    y, x = _complex_pair(y, x)
    steep = np.abs(y.real) > np.abs(x.real)
    flat = np.arctan(y / np.where(steep, 1, x)) + np.where(
        x.real >= 0, 0.0, np.where(y.real >= 0, np.pi, -np.pi)
    )
    side = np.where(y.real >= 0, np.pi / 2, -np.pi / 2)
    return np.where(steep, side - np.arctan(x / np.where(steep, y, 1)), flat)


def _cbrt_complex(z: Any) -> Any:
    # the real cube root (odd: cbrt(-x) = -cbrt(x)), continued analytically off the axis
    sign = np.where(z.real < 0, -1.0, 1.0)
    return sign * (sign * z) ** (1.0 / 3.0)


def _pow_complex(x: Any, y: Any) -> Any:
    # a negative base has a real power only at a whole exponent: off it, no continuation
    x, y = _complex_pair(x, y)
    whole = (y.imag == 0) & (y.real == np.round(y.real))
    return np.where((x.real < 0) & ~whole, np.nan, np.power(x, y))


def _erf_complex(z: Any) -> Any:
    """erf on complex numbers near the real axis (numpy has none), with the tiny imaginary
    part of a complex step kept to full precision."""
    import mpmath  # sympy's own dependency

    z = np.asarray(z, dtype=np.complex128)
    out = np.empty_like(z)
    sign = np.where(z.real < 0, -1.0, 1.0)
    far = np.abs(z.real) >= 27.0  # erfc below 1e-318: erf is ±1 to the last bit
    mid = (np.abs(z.real) >= 6.0) & ~far
    near = ~(far | mid)
    out[far] = sign[far]
    if mid.any():
        # erfc(w) = exp(-w²)/(w√π)·Σ (-1)^n (2n-1)!!/(2w²)^n: for |w| >= 6 the terms fall
        # below 1e-16 before they start growing again
        w = sign[mid] * z[mid]
        term = np.ones_like(w)
        total = np.ones_like(w)
        for n in range(1, 36):
            term = -term * (2 * n - 1) / (2 * w * w)
            total = total + term
        erfc = np.exp(-w * w) / (w * math.sqrt(math.pi)) * total
        out[mid] = sign[mid] * (1 - erfc)
    if near.any():

        def one(w: complex) -> complex:
            # the imaginary part is h·erf'(x), down to 1e-21·e^-36: digits enough for both
            with mpmath.workdps(60):
                return complex(mpmath.erf(mpmath.mpc(w.real, w.imag)))

        out[near] = np.vectorize(one, otypes=[np.complex128])(z[near])
    return out


def _pow_rule_exponent(F: Any, g: Any, ans: Any, x: Any, y: Any) -> Any:
    # d(x**y)/dy = x**y * log(x) is 0 * -inf at x = 0, where the limit (and autograd's and
    # TensorFlow's answer) is 0. A base of 0 counts as 1 in the logarithm, which gives that
    # 0, and so do the derivatives of this rule: the Hessian of x**y at (0, 2) is
    # [[2, 0], [0, 0]].
    return g * ans * F.log(F.zero_to_one(x))


_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _row(
    name: str,
    arity: int,
    numpy: Callable[..., Any],
    sympy: Callable[..., Any],
    *rules: Rule,
    scalar: Callable[..., float] | None = None,
    symbol: str | None = None,
    kink: Callable[..., bool] | None = None,
    edges: tuple[float, ...] = (),
    analytic: bool = True,
    complex: Callable[..., Any] | None = None,
    tape_name: str | None = None,
    arguments: tuple[str, ...] | None = None,
    domain: str = "",
    example: str = "",
    **facts: Any,
) -> Operation:
    assert len(rules) == arity, name
    if arguments is None:
        arguments = ("x", "y")[:arity]
    assert len(arguments) == arity, name
    return Operation(
        name,
        arity,
        numpy,
        sympy,
        rules,
        scalar,
        symbol,
        kink,
        edges,
        analytic,
        complex,
        tape_name,
        arguments,
        domain,
        example,
        **facts,
    )


# fmt: off
TABLE: tuple[Operation, ...] = (
    # arithmetic
    _row("add", 2, np.add, lambda x, y: x + y,
         lambda F, g, ans, x, y: g,
         lambda F, g, ans, x, y: g,
         scalar=operator.add, symbol="+",
         domain="all x, y", example="x + 1",
         growth="sum"),
    _row("sub", 2, np.subtract, lambda x, y: x - y,
         lambda F, g, ans, x, y: g,
         lambda F, g, ans, x, y: -g,
         scalar=operator.sub, symbol="-", tape_name="subtract",
         domain="all x, y", example="1 - x",
         growth="sum"),
    _row("mul", 2, np.multiply, lambda x, y: x * y,
         lambda F, g, ans, x, y: g * y,
         lambda F, g, ans, x, y: g * x,
         scalar=operator.mul, symbol="*", tape_name="multiply",
         domain="all x, y", example="3*x*y",
         growth="product"),
    _row("div", 2, np.divide, lambda x, y: x / y,
         lambda F, g, ans, x, y: g / y,
         lambda F, g, ans, x, y: -g * ans / y,  # not x/(y*y): y*y underflows first
         scalar=operator.truediv, symbol="/", edges=(0.0,), tape_name="divide",
         domain="y ≠ 0", example="1/(1 + x**2)",
         nan_reason="0/0", inf_reason="division by zero", pole=lambda x, y: y == 0,
         growth="product"),
    _row("pow", 2, np.power, lambda x, y: x**y,
         lambda F, g, ans, x, y: g * y * F.pow(x, y - 1),
         _pow_rule_exponent,
         scalar=math.pow, symbol="**", edges=(0.0,), complex=_pow_complex,
         domain="x > 0; x < 0: whole y; x = 0: y ≥ 0", example="x**3 - 2**x",
         nan_reason="negative number to a non-integer power",
         inf_reason="zero to a negative power", pole=lambda x, y: x == 0, growth="power",
         calls=("pow",)),
    _row("neg", 1, np.negative, lambda x: -x,
         lambda F, g, ans, x: -g,
         scalar=operator.neg, symbol="-", tape_name="negative",
         domain="all x", example="-x**2"),
    # trigonometric
    _row("sin", 1, np.sin, lambda x: _sympy().sin(x),
         lambda F, g, ans, x: g * F.cos(x), scalar=math.sin,
         domain="all x", example="sin(x)**2",
         inverse="asin"),
    _row("cos", 1, np.cos, lambda x: _sympy().cos(x),
         lambda F, g, ans, x: -g * F.sin(x), scalar=math.cos,
         domain="all x", example="cos(3*x)",
         inverse="acos"),
    _row("tan", 1, np.tan, lambda x: _sympy().tan(x),
         lambda F, g, ans, x: g * (1 + ans * ans), scalar=math.tan,
         domain="x ≠ π/2 + kπ", example="tan(x/2)",
         inf_reason="pole of tan",
         inverse="atan"),
    _row("sec", 1, lambda x: 1 / np.cos(x), lambda x: _sympy().sec(x),
         lambda F, g, ans, x: g * ans * F.tan(x), scalar=lambda x: 1 / math.cos(x),
         domain="x ≠ π/2 + kπ", example="sec(x)**2",
         inf_reason="pole of sec"),
    _row("csc", 1, lambda x: 1 / np.sin(x), lambda x: _sympy().csc(x),
         lambda F, g, ans, x: -g * ans * F.cot(x), scalar=lambda x: 1 / math.sin(x),
         edges=(0.0,),
         domain="x ≠ kπ", example="csc(x)",
         inf_reason="pole of csc",
         student_names=("cosec",)),
    _row("cot", 1, lambda x: 1 / np.tan(x), lambda x: _sympy().cot(x),
         lambda F, g, ans, x: -g * (1 + ans * ans), scalar=lambda x: 1 / math.tan(x),
         edges=(0.0,),
         domain="x ≠ kπ", example="x*cot(x)",
         inf_reason="pole of cot",
         student_names=("cotan",)),
    _row("asin", 1, np.arcsin, lambda x: _sympy().asin(x),
         lambda F, g, ans, x: g / F.sqrt((1 - x) * (1 + x)), scalar=math.asin, edges=(-1.0, 1.0),
         domain="-1 ≤ x ≤ 1 (derivative: inside)", example="asin(x/2)",
         nan_reason="asin of a number outside [-1, 1]", real_domain=lambda x: -1 <= x <= 1,
         student_names=("arcsin",)),
    _row("acos", 1, np.arccos, lambda x: _sympy().acos(x),
         lambda F, g, ans, x: -g / F.sqrt((1 - x) * (1 + x)), scalar=math.acos, edges=(-1.0, 1.0),
         domain="-1 ≤ x ≤ 1 (derivative: inside)", example="acos(x)**2",
         nan_reason="acos of a number outside [-1, 1]", real_domain=lambda x: -1 <= x <= 1,
         student_names=("arccos",)),
    _row("atan", 1, np.arctan, lambda x: _sympy().atan(x),
         lambda F, g, ans, x: g / (1 + x * x), scalar=math.atan,
         domain="all x", example="atan(1/x)",
         student_names=("arctan",)),
    _row("atan2", 2, np.arctan2, lambda y, x: _sympy().atan2(y, x),
         lambda F, g, ans, y, x: g * x / (x * x + y * y),
         lambda F, g, ans, y, x: -g * y / (x * x + y * y),
         scalar=math.atan2, edges=(0.0,), complex=_atan2_complex,
         arguments=('y', 'x'), domain="all y, x (derivative: not at 0, 0)", example="atan2(y, x)"),
    # hyperbolic
    _row("sinh", 1, np.sinh, lambda x: _sympy().sinh(x),
         lambda F, g, ans, x: g * F.cosh(x), scalar=math.sinh,
         domain="all x", example="sinh(x)/x",
         growth="exponential",
         inverse="asinh"),
    _row("cosh", 1, np.cosh, lambda x: _sympy().cosh(x),
         lambda F, g, ans, x: g * F.sinh(x), scalar=math.cosh,
         domain="all x", example="log(cosh(x))",
         growth="exponential",
         inverse="acosh"),
    _row("tanh", 1, np.tanh, lambda x: _sympy().tanh(x),
         lambda F, g, ans, x: g / F.cosh(x) ** 2, scalar=math.tanh,
         domain="all x", example="tanh(w*x + b)",
         inverse="atanh"),
    _row("asinh", 1, np.arcsinh, lambda x: _sympy().asinh(x),
         lambda F, g, ans, x: g / F.sqrt(x * x + 1), scalar=math.asinh,
         domain="all x", example="asinh(x**2)",
         student_names=("arcsinh",)),
    _row("acosh", 1, np.arccosh, lambda x: _sympy().acosh(x),
         lambda F, g, ans, x: g / (F.sqrt(x - 1) * F.sqrt(x + 1)), scalar=math.acosh,
         edges=(1.0,),
         domain="x ≥ 1 (derivative: x > 1)", example="acosh(1 + x**2)",
         nan_reason="acosh of a number below 1", real_domain=lambda x: x >= 1,
         student_names=("arccosh",)),
    _row("atanh", 1, np.arctanh, lambda x: _sympy().atanh(x),
         lambda F, g, ans, x: g / ((1 - x) * (1 + x)), scalar=math.atanh, edges=(-1.0, 1.0),
         domain="-1 < x < 1", example="atanh(x/2)",
         nan_reason="atanh of a number outside [-1, 1]", inf_reason="atanh of ±1",
         real_domain=lambda x: -1 <= x <= 1,
         student_names=("arctanh",)),
    # exponential and logarithms
    _row("exp", 1, np.exp, lambda x: _sympy().exp(x),
         lambda F, g, ans, x: g * ans, scalar=math.exp,
         domain="all x", example="exp(-x**2/2)",
         growth="exponential"),
    _row("log", 1, np.log, lambda x: _sympy().log(x),
         lambda F, g, ans, x: g / x, scalar=math.log, edges=(0.0,),
         domain="x > 0", example="log(1 + x**2)",
         nan_reason="log of a negative number", inf_reason="log of zero",
         real_domain=lambda x: not x < 0, calls=("log", "ln")),
    _row("logb", 2, lambda x, b: np.log(x) / np.log(b), lambda x, b: _sympy().log(x, b),
         lambda F, g, ans, x, b: g / (x * F.log(b)),
         lambda F, g, ans, x, b: -g * ans / (b * F.log(b)),
         scalar=lambda x, b: math.log(x) / math.log(b), edges=(0.0,), tape_name="log",
         arguments=('x', 'b'), domain="x > 0, b > 0, b ≠ 1", example="log(x, 2)",
         nan_reason="log of a non-positive number or base 1",
         inf_reason="log of zero or base 1", calls=("log",)),
    _row("log2", 1, np.log2, lambda x: _sympy().log(x, 2),
         lambda F, g, ans, x: g / (x * _LN2), scalar=math.log2, edges=(0.0,),
         domain="x > 0", example="log2(x)",
         nan_reason="log of a negative number", inf_reason="log of zero"),
    _row("log10", 1, np.log10, lambda x: _sympy().log(x, 10),
         lambda F, g, ans, x: g / (x * _LN10), scalar=math.log10, edges=(0.0,),
         domain="x > 0", example="log10(x)",
         nan_reason="log of a negative number", inf_reason="log of zero"),
    # roots and powers
    _row("sqrt", 1, np.sqrt, lambda x: _sympy().sqrt(x),
         lambda F, g, ans, x: g / (2 * ans), scalar=math.sqrt, edges=(0.0,),
         domain="x ≥ 0 (derivative: x > 0)", example="sqrt(x**2 + y**2)",
         nan_reason="square root of a negative number"),
    _row("cbrt", 1, np.cbrt, _real_cbrt_sympy,
         lambda F, g, ans, x: g / (3 * ans * ans), scalar=math.cbrt, edges=(0.0,),
         complex=_cbrt_complex,
         domain="all x (derivative: x ≠ 0)", example="cbrt(x)"),
    _row("hypot", 2, np.hypot, lambda x, y: _sympy().sqrt(x**2 + y**2),
         lambda F, g, ans, x, y: g * x / ans,
         lambda F, g, ans, x, y: g * y / ans,
         scalar=math.hypot, kink=lambda x, y: x == 0 and y == 0, edges=(0.0,),
         complex=lambda x, y: np.sqrt(x * x + y * y),
         domain="all x, y (a kink at 0, 0)", example="hypot(x, 1)",
         growth="sum"),
    # piecewise and special
    _row("abs", 1, np.abs, lambda x: _sympy().Abs(x),
         lambda F, g, ans, x: g * F.sign(x), scalar=abs,
         kink=lambda x: x == 0, edges=(0.0,), analytic=False,
         domain="all x (a kink at 0)", example="abs(x - 1)"),
    _row("erf", 1, _erf, lambda x: _sympy().erf(x),
         lambda F, g, ans, x: g * _TWO_OVER_SQRT_PI * F.exp(-(x * x)), scalar=math.erf,
         complex=_erf_complex,
         domain="all x", example="erf(x/sqrt(2))"),
    _row("sigmoid", 1, _sigmoid, lambda x: 1 / (1 + _sympy().exp(-x)),
         lambda F, g, ans, x: g * ans * F.sigmoid(-x), scalar=_sigmoid_scalar,
         complex=_sigmoid_complex,
         domain="all x", example="sigmoid(w*x + b)"),
    _row("softplus", 1, lambda x: np.logaddexp(0.0, x), lambda x: _sympy().log(1 + _sympy().exp(x)),
         lambda F, g, ans, x: g * F.sigmoid(x), scalar=_softplus_scalar,
         complex=_softplus_complex,
         domain="all x", example="softplus(x)"),
    _row("relu", 1, lambda x: np.maximum(x, 0.0), lambda x: _sympy().Max(0, x),
         lambda F, g, ans, x: g * F.positive(x), scalar=lambda x: 0.0 if x <= 0 else x,
         kink=lambda x: x == 0, edges=(0.0,), analytic=False,
         domain="all x (a kink at 0)", example="relu(x - 1)"),
)
# fmt: on

OPERATIONS: dict[str, Operation] = {}
"""Every row by name."""

FUNCTIONS: dict[str, dict[int, str]] = {}
"""How the parser spells a call: function name -> {number of arguments: operation}."""

STUDENT_NAMES: dict[str, str] = {}
"""Other names students write for a function -> the function's name (``arcsin`` -> ``asin``)."""

INVERSES: dict[str, str] = {}
"""A function's name -> its inverse's (``sin`` -> ``asin``)."""

generation = 0
"""Counts the rebuilds of the lookups, so that views made from the rows elsewhere (the
symbolic engine's float functions) know when to rebuild theirs."""


def reindex() -> None:
    """Rebuild the lookups from `TABLE`, in place (everyone holds the same dictionaries):
    at import, and after a row is added at run time."""
    global generation
    OPERATIONS.clear()
    OPERATIONS.update((op.name, op) for op in TABLE)
    FUNCTIONS.clear()
    for op in TABLE:
        names = op.calls if op.calls is not None else (() if op.symbol else (op.name,))
        for name in names:
            FUNCTIONS.setdefault(name, {})[op.arity] = op.name
    STUDENT_NAMES.clear()
    STUDENT_NAMES.update((alias, op.name) for op in TABLE for alias in op.student_names)
    INVERSES.clear()
    INVERSES.update((op.name, op.inverse) for op in TABLE if op.inverse is not None)
    generation += 1


reindex()

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

# Functions people expect that the language does not have, and how to write them with the
# ones it has ("" where it cannot): the parser calls them unsupported, never a misspelling.
UNSUPPORTED: dict[str, str] = {
    "max": "for max(a, b) write b + relu(a - b)",
    "min": "for min(a, b) write a - relu(a - b)",
    "sign": "away from 0, write x/abs(x)",
    "sgn": "away from 0, write x/abs(x)",
    "expm1": "write exp(x) - 1",
    "log1p": "write log(1 + x)",
    "exp2": "write 2**x",
    "erfc": "write 1 - erf(x)",
    "sech": "write 1/cosh(x)",
    "csch": "write 1/sinh(x)",
    "coth": "write 1/tanh(x)",
    "factorial": "",
    "gamma": "",
    "lgamma": "",
    "beta": "",
    "floor": "",
    "ceil": "",
    "round": "",
    "mod": "",
    "heaviside": "",
}
