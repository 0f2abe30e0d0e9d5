"""Checks of a tape operation's derivatives, first and second order, against finite
differences (always) and against autograd (when the optional `peers` extra is installed).

A case is an operation written twice: once on dt tensors, once against a numpy namespace
(plain numpy for the values, autograd.numpy for the derivatives). Array outputs are made
scalar by sum(w * sin(y)) with fixed weights w, so that the second derivative of a linear
operation (a slice, a transpose) still exercises its rule's own rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import diffcompare.tape as dt


@dataclass
class Case:
    name: str
    on_tape: Callable[..., Any]
    on_numpy: Callable[..., Any]  # on_numpy(np_namespace, *args)
    args: Sequence[Any]
    second_order: bool = True
    # False where autograd itself fails: its prod rule divides by x (nan at zeros), its
    # solve rule does not sum broadcast batch axes back
    autograd: bool = True

    def __str__(self) -> str:
        return self.name


def case_id(case: Case) -> str:
    return case.name


def _shapes(args: Sequence[Any]) -> list[tuple[int, ...]]:
    return [np.shape(a) for a in args]


def _flat(args: Sequence[Any]) -> np.ndarray:
    return np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in args])


def _weights(shape: tuple[int, ...]) -> np.ndarray:
    return np.linspace(0.5, 1.5, math.prod(shape)).reshape(shape) if shape else np.array(1.0)


def scalar_on_tape(case: Case) -> Callable[[Any], Any]:
    """The case as a function of one flat vector of every argument, on dt tensors."""
    shapes = _shapes(case.args)
    out_shape = np.shape(case.on_numpy(np, *case.args))
    weights = _weights(out_shape)

    def f(v: Any) -> Any:
        parts, start = [], 0
        for shape in shapes:
            n = math.prod(shape)
            parts.append(dt.reshape(v[start : start + n], shape))
            start += n
        y = case.on_tape(*parts)
        return dt.reduce_sum(weights * dt.sin(y))

    return f


def scalar_on_numpy(case: Case, np_: Any) -> Callable[[Any], Any]:
    shapes = _shapes(case.args)
    out_shape = np.shape(case.on_numpy(np, *case.args))
    weights = _weights(out_shape)

    def f(v: Any) -> Any:
        parts, start = [], 0
        for shape in shapes:
            n = math.prod(shape)
            parts.append(np_.reshape(v[start : start + n], shape))
            start += n
        return np_.sum(weights * np_.sin(case.on_numpy(np_, *parts)))

    return f


def tape_gradient(f: Callable[[Any], Any], x: np.ndarray) -> np.ndarray:
    return np.asarray(dt.grad(f)(x).numpy(), dtype=np.float64)


def tape_hessian_times(f: Callable[[Any], Any], x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The Hessian of f at x times v, from nested tapes: the gradient of (gradient . v).
    Two directions check the second order as well as the whole Hessian would, at the cost
    of two gradients rather than one per coordinate."""
    point = dt.constant(x)
    with dt.GradientTape() as outer:
        outer.watch(point)
        with dt.GradientTape() as inner:
            inner.watch(point)
            y = f(point)
        along = dt.reduce_sum(inner.gradient(y, point) * v)
    return np.asarray(outer.gradient(along, point).numpy(), dtype=np.float64)


def directions(n: int) -> list[np.ndarray]:
    return list(np.random.default_rng(n).standard_normal((2, n)))


def central_differences(fn: Callable[[np.ndarray], Any], x: np.ndarray, h: float) -> np.ndarray:
    """d fn / dx by central differences, one coordinate at a time (rows: coordinates)."""
    rows = []
    for i in range(x.size):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        rows.append((np.asarray(fn(up)) - np.asarray(fn(down))) / (2 * h))
    return np.array(rows)


def check_values(case: Case) -> None:
    got = case.on_tape(*[dt.constant(a) for a in case.args])
    want = case.on_numpy(np, *case.args)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)
    assert got.shape == np.shape(want)


def check_finite_differences(case: Case) -> None:
    """First order against differences of the function; second order (Hessian-vector
    products from nested tapes) against differences of the tape's own gradient."""
    f = scalar_on_tape(case)
    x = _flat(case.args)
    value = lambda v: float(f(dt.constant(v)).numpy())  # noqa: E731
    np.testing.assert_allclose(
        tape_gradient(f, x), central_differences(value, x, 1e-6), rtol=1e-6, atol=1e-7
    )
    if case.second_order:
        h = 1e-5
        for v in directions(x.size):
            along = (tape_gradient(f, x + h * v) - tape_gradient(f, x - h * v)) / (2 * h)
            np.testing.assert_allclose(tape_hessian_times(f, x, v), along, rtol=1e-5, atol=1e-6)


def check_autograd(case: Case) -> None:
    import autograd
    import autograd.numpy as anp

    f = scalar_on_tape(case)
    g = scalar_on_numpy(case, anp)
    x = _flat(case.args)
    np.testing.assert_allclose(tape_gradient(f, x), autograd.grad(g)(x), rtol=1e-9, atol=1e-12)
    if case.second_order:
        for v in directions(x.size):
            want = autograd.grad(lambda p, v=v: anp.dot(autograd.grad(g)(p), v))(x)
            np.testing.assert_allclose(tape_hessian_times(f, x, v), want, rtol=1e-9, atol=1e-11)
