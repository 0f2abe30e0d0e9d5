"""Property tests: the tape's gradients and Hessians of random expressions, built from the
operation table, agree with sympy's own differentiation of the same expressions."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import diffcompare.tape as dt
from diffcompare.language.ops import TABLE, Operation
from diffcompare.tape.functions import apply

UNARY = [op for op in TABLE if op.arity == 1]
BINARY = [op for op in TABLE if op.arity == 2]
NUMBERS = [Fraction(2), Fraction(3), Fraction(1, 2), Fraction(-3, 2)]
X, Y = sp.symbols("x y", real=True)
PRECISION = 30

# A tree is a variable name, a Fraction, or (operation, child, ...).
leaves = st.one_of(st.sampled_from(["x", "y"]), st.sampled_from(NUMBERS))
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.tuples(st.sampled_from(UNARY), children),
        st.tuples(st.sampled_from(BINARY), children, children),
    ),
    max_leaves=5,
)
coordinates = st.floats(min_value=-2.5, max_value=2.5, allow_nan=False).map(lambda v: round(v, 3))

# The infix operators go through the tape's operator methods (its hot path); the rest through
# the table's functions.
INFIX = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "neg": lambda a: -a,
}


class Unsuitable(Exception):
    """The point sits on an edge of some operation's domain: nothing to compare there."""


def on_tape(tree: Any, env: dict[str, dt.Tensor]) -> Any:
    if isinstance(tree, str):
        return env[tree]
    if isinstance(tree, Fraction):
        return float(tree)
    op: Operation = tree[0]
    args = [on_tape(child, env) for child in tree[1:]]
    # floats, or arrays of points (every point must suit)
    values = [np.asarray(a.numpy() if isinstance(a, dt.Tensor) else a) for a in args]
    if not all(np.isfinite(v).all() for v in values):
        raise Unsuitable
    # `edges` are given for the first argument; checking every argument is only more careful
    if op.edges and min(np.abs(v - e).min() for v in values for e in op.edges) < 1e-3:
        raise Unsuitable
    if op.kink is not None and any(op.kink(*point) for point in np.broadcast(*values)):
        raise Unsuitable
    if op.name == "pow" and (values[0] < 0).any():
        raise Unsuitable  # real powers of negative numbers: sympy goes complex
    if op.name == "logb" and (np.abs(values[1] - 1.0) < 1e-3).any():
        raise Unsuitable  # base 1
    tensors = any(isinstance(a, dt.Tensor) for a in args)
    if op.name in INFIX and tensors:
        return INFIX[op.name](*args)
    return apply(op, *args)


def in_sympy(tree: Any) -> Any:
    if isinstance(tree, str):
        return {"x": X, "y": Y}[tree]
    if isinstance(tree, Fraction):
        return sp.Rational(tree.numerator, tree.denominator)
    return tree[0].sympy(*(in_sympy(child) for child in tree[1:]))


def exact(expression: Any, px: float, py: float) -> float:
    subs = {X: sp.Float(px, PRECISION), Y: sp.Float(py, PRECISION)}
    try:
        value = complex(expression.evalf(PRECISION, subs=subs))
    except (ArithmeticError, TypeError, ValueError):
        raise Unsuitable from None
    if value.imag != 0 or not math.isfinite(value.real):
        raise Unsuitable
    return value.real


def tape_derivatives(tree: Any, px: float, py: float) -> tuple[float, list[float], list[list]]:
    x, y = dt.constant(px), dt.constant(py)
    with dt.GradientTape(persistent=True) as outer:
        outer.watch([x, y])
        with dt.GradientTape() as inner:
            inner.watch([x, y])
            f = on_tape(tree, {"x": x, "y": y})
        if not isinstance(f, dt.Tensor) or not math.isfinite(float(f)):
            # no variable in it, or undefined as written (sympy may have simplified
            # log(y, y) to 1, where the tape computes log(1)/log(1))
            raise Unsuitable
        grads = inner.gradient(f, [x, y], unconnected_gradients="zero")
    hessian = [outer.gradient(g, [x, y], unconnected_gradients="zero") for g in grads]
    return float(f), [float(g) for g in grads], [[float(h) for h in row] for row in hessian]


def close(got: float, want: float, scale: float) -> bool:
    # The tape works in float64: each operation rounds, and rounding errors grow with the
    # size of the numbers that meet on the way (scale), not only with the answer's size.
    return abs(got - want) <= 1e-9 * max(1.0, abs(want), scale)


def check(tree: Any, px: float, py: float, second: bool) -> None:
    try:
        value, grads, hessian = tape_derivatives(tree, px, py)
        f = in_sympy(tree)
        want_value = exact(f, px, py)
        firsts = [sp.diff(f, v) for v in (X, Y)]
        want_grads = [exact(d, px, py) for d in firsts]
        want_hessian = (
            [[exact(sp.diff(d, v), px, py) for v in (X, Y)] for d in firsts] if second else []
        )
    except Unsuitable:
        assume(False)
        return
    scale = max(
        [abs(want_value), *map(abs, want_grads)] + [abs(h) for r in want_hessian for h in r]
    )
    assume(scale < 1e8)  # near a pole: too ill-conditioned to say anything
    assert close(value, want_value, scale), (value, want_value)
    for got, want in zip(grads, want_grads, strict=True):
        assert close(got, want, scale), (grads, want_grads)
    for got_row, want_row in zip(hessian if second else [], want_hessian, strict=True):
        for got, want in zip(got_row, want_row, strict=True):
            assert close(got, want, 1e3 * scale), (hessian, want_hessian)


@settings(max_examples=60, deadline=None)
@given(trees, coordinates, coordinates)
def test_gradients_agree_with_sympy(tree: Any, px: float, py: float) -> None:
    check(tree, px, py, second=False)


@settings(max_examples=40, deadline=None)
@given(trees, coordinates, coordinates)
def test_hessians_agree_with_sympy(tree: Any, px: float, py: float) -> None:
    check(tree, px, py, second=True)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(UNARY), coordinates)
def test_every_unary_operation_twice_differentiated(op: Operation, px: float) -> None:
    check((op, (op, "x")), px, 0.0, second=True)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(BINARY), coordinates, coordinates)
def test_every_binary_operation_twice_differentiated(op: Operation, px: float, py: float) -> None:
    check((op, "x", "y"), px, py, second=True)


def scalar_derivatives(tree: Any, px: float, py: float) -> tuple[float, ...]:
    """f, df/dx, df/dy, d2f/dx2, d2f/dy2 at one point, on floats (checked against sympy
    above)."""
    value, grads, hessian = tape_derivatives(tree, px, py)
    return (value, *grads, hessian[0][0], hessian[1][1])


def array_derivatives(tree: Any, xs: list[float], ys: list[float]) -> list[tuple[float, ...]]:
    """The same at many points at once, on arrays: a record keeps only the arrays its rules
    read, so this takes the other paths of the tape (dropped values, nested passes that
    revive recorded arrays)."""
    x, y = dt.constant(xs), dt.constant(ys)
    with dt.GradientTape(persistent=True) as outer:
        outer.watch([x, y])
        with dt.GradientTape() as inner:
            inner.watch([x, y])
            f = on_tape(tree, {"x": x, "y": y})
            if not isinstance(f, dt.Tensor) or f.shape != (len(xs),):
                raise Unsuitable
            total = dt.reduce_sum(f)
        gx, gy = inner.gradient(total, [x, y], unconnected_gradients="zero")
        sx, sy = dt.reduce_sum(gx), dt.reduce_sum(gy)
    hxx = outer.gradient(sx, x, unconnected_gradients="zero")
    hyy = outer.gradient(sy, y, unconnected_gradients="zero")
    columns = [f.numpy(), gx.numpy(), gy.numpy(), hxx.numpy(), hyy.numpy()]
    return [tuple(float(c[i]) for c in columns) for i in range(len(xs))]


@settings(max_examples=40, deadline=None)
@given(trees, st.lists(st.tuples(coordinates, coordinates), min_size=2, max_size=4))
def test_arrays_give_what_floats_give_point_by_point(tree: Any, points: list) -> None:
    # elementwise trees only: each point's derivatives do not involve the others, so the
    # diagonal second derivatives of sum(f) are those of f at each point
    try:
        want = [scalar_derivatives(tree, px, py) for px, py in points]
        got = array_derivatives(tree, [p[0] for p in points], [p[1] for p in points])
    except Unsuitable:
        assume(False)
        return
    for g_row, w_row in zip(got, want, strict=True):
        scale = max(map(abs, w_row))
        assume(scale < 1e8)
        for g, w in zip(g_row, w_row, strict=True):
            assert abs(g - w) <= 1e-12 * max(1.0, scale), (got, want)
