"""How much float64 rounding a derivative's value can honestly carry at a point.

An engine that computes in float64 makes errors of about eps times the size of the numbers it
combines, not eps times the result: the gradient of a function at its minimum is a difference
of terms of size one that cancel to (nearly) zero, and no float64 method gets its relative
error right there. Judging such an entry by a relative tolerance would call a correct engine
wrong.

`rounding_scale` walks the exact derivative formula once, propagating a first-order bound of
the absolute rounding error (in units of eps) through each operation: sums add their terms'
bounds plus their own rounding, products and functions scale their arguments' bounds by the
partial derivatives. The comparison allows a small multiple of eps times this scale on top
of its relative tolerance. It is an estimate of the problem's conditioning, shared by every
float64 engine, not a model of any one engine's arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import sympy

from .symbolic import float_function

Pair = tuple[float, float]  # (value, absolute rounding bound in units of eps)


class _Unknown(Exception):
    """The scale cannot be estimated here (undefined value, unknown node)."""


def rounding_scale(formula: sympy.Basic, values: Mapping[sympy.Symbol, float]) -> float | None:
    """The first-order rounding bound of `formula` at `values`, in units of eps (None when
    it cannot be estimated: the comparison then falls back to its plain tolerance)."""
    try:
        with np.errstate(all="ignore"):
            _, bound = _Walker(values).pair(formula)
    except Exception:  # an estimate only: anything it cannot follow means "no estimate"
        return None
    return bound if math.isfinite(bound) else None


class _Walker:
    def __init__(self, values: Mapping[sympy.Symbol, float]) -> None:
        # the point is exact: the coordinates carry no rounding of their own
        self.done: dict[sympy.Basic, Pair] = {s: (float(v), 0.0) for s, v in values.items()}

    def pair(self, root: sympy.Basic) -> Pair:
        stack: list[tuple[sympy.Basic, bool]] = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if node in self.done:
                continue
            if not node.args or ready:
                self.done[node] = self._node(node)
                continue
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if a not in self.done)
        return self.done[root]

    def _node(self, node: sympy.Basic) -> Pair:
        if node.is_Number or node in (sympy.pi, sympy.E):
            value = float(node)
            if not math.isfinite(value):
                raise _Unknown(str(node))
            # integers are exact in float64; other constants are rounded once
            return value, 0.0 if node.is_Integer else abs(value)
        if node.is_Symbol:
            raise _Unknown(f"no value for {node}")
        args = [self.done[a] for a in node.args]
        if isinstance(node, sympy.Add):
            value = math.fsum(v for v, _ in args)
            return value, sum(b for _, b in args) + abs(value)
        if isinstance(node, sympy.Mul):
            value = math.prod(v for v, _ in args)
            spread = sum(
                b * abs(math.prod(v for j, (v, _) in enumerate(args) if j != i))
                for i, (_, b) in enumerate(args)
            )
            return value, spread + abs(value)
        if isinstance(node, sympy.Pow):
            (base, base_bound), (power, power_bound) = args
            value = float(base**power) if base > 0 or float(power).is_integer() else math.nan
            spread = abs(power * base ** (power - 1)) * base_bound if base_bound else 0.0
            if power_bound and base > 0:
                spread += abs(value * math.log(base)) * power_bound
            return _checked(value), spread + abs(value)
        function = float_function(type(node))
        if function is None:
            raise _Unknown(type(node).__name__)
        values = [v for v, _ in args]
        value = float(function(*(np.float64(v) for v in values)))
        spread = sum(abs(_partial(function, values, i)) * b for i, (_, b) in enumerate(args) if b)
        return _checked(value), spread + abs(value)


def _partial(function: Callable[..., Any], values: list[float], i: int) -> float:
    """A rough partial derivative: only its size matters, to a factor of a few."""
    h = 1e-6 * max(1.0, abs(values[i]))
    up = list(values)
    down = list(values)
    up[i] += h
    down[i] -= h
    slope = (float(function(*map(np.float64, up))) - float(function(*map(np.float64, down)))) / (
        2 * h
    )
    return slope if math.isfinite(slope) else 0.0


def _checked(value: float) -> float:
    if not math.isfinite(value):
        raise _Unknown("not finite")
    return value


def rounding_scale_many(
    formula: sympy.Basic, columns: Mapping[sympy.Symbol, np.ndarray]
) -> np.ndarray:
    """`rounding_scale` at many points at once (one walk of the formula, numpy on columns);
    0 where it cannot be estimated (the comparison's plain tolerance then applies)."""
    size = len(next(iter(columns.values()))) if columns else 1
    done: dict[sympy.Basic, tuple[np.ndarray, np.ndarray]] = {
        s: (np.asarray(v, dtype=float), np.zeros(size)) for s, v in columns.items()
    }
    stack: list[tuple[sympy.Basic, bool]] = [(formula, False)]
    with np.errstate(all="ignore"):
        try:
            while stack:
                node, ready = stack.pop()
                if node in done:
                    continue
                if not node.args or ready:
                    done[node] = _many_node(node, [done[a] for a in node.args], size)
                    continue
                stack.append((node, True))
                stack.extend((a, False) for a in node.args if a not in done)
        except Exception:  # an estimate only, as above: what it cannot follow means none
            return np.zeros(size)
        _, bound = done[formula]
    return np.where(np.isfinite(bound), bound, 0.0)


def _many_node(
    node: sympy.Basic, args: list[tuple[np.ndarray, np.ndarray]], size: int
) -> tuple[np.ndarray, np.ndarray]:
    if node.is_Number or node in (sympy.pi, sympy.E):
        constant = float(node)
        if not math.isfinite(constant):
            raise _Unknown(str(node))
        bound = 0.0 if node.is_Integer else abs(constant)
        return np.full(size, constant), np.full(size, bound)
    if node.is_Symbol:
        raise _Unknown(f"no value for {node}")
    values = [v for v, _ in args]
    if isinstance(node, sympy.Add):
        total = np.sum(values, axis=0)
        return total, np.sum([b for _, b in args], axis=0) + np.abs(total)
    if isinstance(node, sympy.Mul):
        product = np.prod(values, axis=0)
        spread = np.zeros(size)
        for i, (_, b) in enumerate(args):
            others = np.prod([v for j, v in enumerate(values) if j != i], axis=0)
            spread = spread + b * np.abs(others)
        return product, spread + np.abs(product)
    if isinstance(node, sympy.Pow):
        (base, base_bound), (power, power_bound) = args
        real = (base > 0) | (power == np.round(power))
        value = np.where(
            real,
            np.power(np.abs(base), power) * np.where(base < 0, np.power(-1.0, power), 1.0),
            np.nan,
        )
        spread = np.abs(power * np.power(base, power - 1)) * base_bound
        spread = (
            spread + np.where(base > 0, np.abs(value * np.log(np.abs(base))), 0.0) * power_bound
        )
        return value, spread + np.abs(value)
    function = float_function(type(node))
    if function is None:
        raise _Unknown(type(node).__name__)
    elementwise = np.vectorize(_quiet(function), otypes=[float])
    value = elementwise(*values)
    spread = np.zeros(size)
    for i, (_, b) in enumerate(args):
        if not np.any(b):
            continue
        h = 1e-6 * np.maximum(1.0, np.abs(values[i]))
        up = [v + h if j == i else v for j, v in enumerate(values)]
        down = [v - h if j == i else v for j, v in enumerate(values)]
        slope = (elementwise(*up) - elementwise(*down)) / (2 * h)
        spread = spread + np.where(np.isfinite(slope), np.abs(slope), 0.0) * b
    return value, spread + np.abs(value)


def _quiet(function: Callable[..., Any]) -> Callable[..., float]:
    def call(*args: float) -> float:
        try:
            return float(function(*(np.float64(a) for a in args)))
        except Exception:  # a guarded function outside its domain: no estimate there
            return math.nan

    return call
