"""Difference stencils: one derivative entry, one step, one formula.

The small public toolbox that the finite engine extrapolates and searches over, and that a
step study can call directly at a step of its choosing:

* ``central``: the textbook symmetric differences, truncation O(h²);
* ``forward`` / ``backward``: one-sided differences (points at x, x + h, x + 2h... or
  x - h...), truncation O(h), for a point next to the edge of the domain;
* ``complex``: the function evaluated at complex points. A first derivative is
  Im f(x + ih)/h (Squire & Trapp 1998), exact to rounding for any h small enough, since
  nothing is subtracted. A pure second derivative is Im[f(x + ωh) + f(x - ωh)]/h² with
  ω = e^{iπ/4} (Lai & Crassidis 2008), truncation O(h⁴). A mixed second derivative takes
  the complex step in one variable and a central difference of that exact partial in the
  other: Im[f(x + iτ e_i + h e_j) - f(x + iτ e_i - h e_j)]/(2τh), truncation O(h²).
  Higher orders have no complex stencil here.

Usage::

    s = stencil((0,), "central")
    coords = points(s, np.array([1.0]), s.steps(1e-3, [1.0]))
    f = [my_function(*row) for row in coords]
    d = combine(s, np.array(f), s.steps(1e-3, [1.0]))   # d.value, d.rounding

or, for an expression tree, ``difference(expr, names, point, entry, "forward", 1e-6)``.
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..language.evaluate import evaluate
from ..language.evaluate_complex import evaluate_complex
from ..language.expr import Expr

Entry = tuple[int, ...]

METHODS = ("central", "forward", "backward", "complex")

EPS = float(np.finfo(np.float64).eps)

ROUNDING_ULPS = 4.0
"""Relative error assumed for one float64 function value, in units of machine epsilon."""

COMPLEX_STEP = 2.0**-70
"""The imaginary step of a complex first derivative, relative to max(1, |x|): far below any
scale a float64 function changes on (its truncation is h² f'''/6), far above underflow."""

OMEGA = cmath.exp(1j * math.pi / 4)


@dataclass(frozen=True)
class Stencil:
    """sum(c * f(x + offsets * steps)) / (divisor * prod(steps^orders)), taking the imaginary
    part of each f for a complex stencil."""

    method: str
    axes: tuple[int, ...]
    """The distinct variables differentiated by, in increasing order."""
    orders: tuple[int, ...]
    """How many times each of them."""
    offsets: tuple[tuple[complex, ...], ...]
    """One tuple per point: the multiple of each axis's step added to that axis."""
    coefficients: tuple[int, ...]
    divisor: int
    accuracy: int
    """Truncation error is O(h^accuracy) in the step the caller chooses."""

    @property
    def is_complex(self) -> bool:
        return self.method == "complex"

    def steps(self, h: float, point: Sequence[float]) -> list[float]:
        """Per-axis steps for the caller's step h: h on every axis, except the complex-step
        axis of a mixed complex stencil, which takes the tiny `COMPLEX_STEP` (a first
        derivative's complex step is h itself: give it a tiny one)."""
        if self.is_complex and len(self.axes) == 2:
            tiny = COMPLEX_STEP * max(1.0, abs(float(point[self.axes[0]])))
            return [tiny] + [h] * (len(self.axes) - 1)
        return [h] * len(self.axes)


def stencil(entry: Sequence[int], method: str = "central") -> Stencil:
    """The stencil of `entry` (variable indices, e.g. (0,), (0, 0), (0, 1)) by `method`.

    Raises ValueError for an unknown method or a complex stencil above order two.
    """
    entry = tuple(sorted(entry))
    axes = tuple(sorted(set(entry)))
    orders = tuple(entry.count(a) for a in axes)
    if method == "complex":
        return _complex_stencil(axes, orders)
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} (choose from {', '.join(METHODS)})")
    points: list[tuple[tuple[complex, ...], int]] = [((), 1)]
    divisor = 1
    for order in orders:
        pairs, d = _one_axis(order, method)
        divisor *= d
        points = [(offs + (o,), c * co) for offs, c in points for o, co in pairs]
    return Stencil(
        method,
        axes,
        orders,
        tuple(p for p, _ in points),
        tuple(c for _, c in points),
        divisor,
        2 if method == "central" else 1,
    )


def _one_axis(order: int, method: str) -> tuple[list[tuple[int, int]], int]:
    """(offset, coefficient) pairs and the divisor of the order-th difference on one axis."""
    if method == "forward":  # Δ^k f(x) = sum (-1)^(k-j) C(k, j) f(x + jh)
        return [(j, (-1) ** (order - j) * math.comb(order, j)) for j in range(order, -1, -1)], 1
    if method == "backward":  # ∇^k f(x) = sum (-1)^j C(k, j) f(x - jh)
        return [(-j, (-1) ** j * math.comb(order, j)) for j in range(order + 1)], 1
    # central, largest offset first: the textbook order of operations
    even = order - order % 2
    base = [(even // 2 - j, (-1) ** j * math.comb(even, j)) for j in range(even + 1)]
    if order % 2 == 0:
        return base, 1
    # odd order: the even difference of (f(x+h) - f(x-h)) / 2
    combined: dict[int, int] = {}
    for offset, c in base:
        combined[offset + 1] = combined.get(offset + 1, 0) + c
        combined[offset - 1] = combined.get(offset - 1, 0) - c
    return [(o, c) for o, c in sorted(combined.items(), reverse=True) if c != 0], 2


def _complex_stencil(axes: tuple[int, ...], orders: tuple[int, ...]) -> Stencil:
    if orders == (1,):
        return Stencil("complex", axes, orders, ((1j,),), (1,), 1, 2)
    if orders == (2,):
        return Stencil("complex", axes, orders, ((OMEGA,), (-OMEGA,)), (1, 1), 1, 4)
    if orders == (1, 1):
        return Stencil("complex", axes, orders, ((1j, 1), (1j, -1)), (1, -1), 2, 2)
    raise ValueError("the complex step gives derivatives up to order two")


def points(s: Stencil, point: np.ndarray, steps: Sequence[float]) -> np.ndarray:
    """The stencil's points, one row each: x + offset * step on each differentiated axis
    (for offsets ±1 exactly x + h and x - h). Complex for a complex stencil."""
    dtype = np.complex128 if s.is_complex else np.float64
    coords = np.tile(np.asarray(point, dtype=dtype), (len(s.offsets), 1))
    for k, axis in enumerate(s.axes):
        moves = np.array([o[k] for o in s.offsets], dtype=dtype) * steps[k]
        coords[:, axis] = point[axis] + moves
    return coords


@dataclass(frozen=True)
class Difference:
    value: float
    rounding: float
    """How much float64 noise in the function values can move `value`."""

    @property
    def ok(self) -> bool:
        return math.isfinite(self.value)


def combine(s: Stencil, values: np.ndarray, steps: Sequence[float]) -> Difference:
    """The difference from the function's values at `points(s, ...)`, in the textbook's order
    of operations (so a central difference with a given h is the student's number, bit for
    bit), with the rounding it can carry."""
    if not np.all(np.isfinite(values)):
        return Difference(math.nan, math.nan)
    parts = np.imag(values) if s.is_complex else np.real(values)
    numerator = 0.0
    magnitude = 0.0
    for i, (c, fi) in enumerate(zip(s.coefficients, parts.tolist(), strict=True)):
        numerator = c * fi if i == 0 else numerator + c * fi
        magnitude += abs(c * fi)
    scale = 1.0
    for k, order in enumerate(s.orders):
        try:
            power = steps[k] ** order
        except OverflowError:  # a step near 1e300 for x near 1e300: beyond float64 squared
            return Difference(math.nan, math.nan)
        scale = power if k == 0 else scale * power
    denominator = s.divisor * scale
    value = numerator / denominator
    rounding = ROUNDING_ULPS * EPS * magnitude / abs(denominator)
    return Difference(value, rounding)


def evaluate_points(expr: Expr, names: Sequence[str], coords: np.ndarray) -> np.ndarray:
    """The function at each row of `coords` (real or complex), in one vectorised pass."""
    env = {name: coords[:, i] for i, name in enumerate(names)}
    if np.iscomplexobj(coords):
        return evaluate_complex(expr, env)
    return evaluate(expr, env)


def difference(
    expr: Expr,
    names: Sequence[str],
    point: Sequence[float],
    entry: Sequence[int],
    method: str,
    h: float,
) -> Difference:
    """One derivative entry of `expr` at `point` by `method` with step `h` (nan where a point
    of the stencil is outside the domain)."""
    s = stencil(entry, method)
    x = np.array([float(v) for v in point], dtype=np.float64)
    steps = s.steps(h, x.tolist())
    coords = points(s, x, steps)
    return combine(s, evaluate_points(expr, names, coords), steps)
