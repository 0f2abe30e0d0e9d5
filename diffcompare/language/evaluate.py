"""Float64 evaluation of the tree with numpy, vectorised over arrays of points.

One call evaluates the expression at every point it is given (the finite-difference engine
stacks all its stencil points into one call). Points outside the domain come out as nan or
inf, never as warnings or exceptions; `undefined_reason` then says which operation failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .expr import Call, Constant, Expr, Number, Variable, fold
from .ops import CONSTANTS, OPERATIONS

ArrayLike = np.ndarray | float


def evaluate(expr: Expr, env: Mapping[str, ArrayLike]) -> np.ndarray:
    """The value of `expr` at the points in `env` (name -> array or float), as float64.

    Arrays in `env` broadcast against each other; the result has their broadcast shape.
    """
    arrays = {name: np.asarray(value, dtype=np.float64) for name, value in env.items()}
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values())) if arrays else ()
    with np.errstate(all="ignore"):
        result = _evaluate(expr, arrays)
        return np.broadcast_to(np.asarray(result, dtype=np.float64), shape).copy()


def _leaf(node: Expr, env: Mapping[str, Any]) -> Any:
    if isinstance(node, Number):
        try:
            return np.float64(float(node.value))
        except OverflowError:  # a literal beyond float64: what float64 arithmetic would give
            return np.float64(np.inf if node.value > 0 else -np.inf)
    if isinstance(node, Constant):
        return np.float64(CONSTANTS[node.name])
    if isinstance(node, Variable):
        return env[node.name]
    raise TypeError(f"not a leaf: {node!r}")


def _evaluate(expr: Expr, env: Mapping[str, np.ndarray]) -> Any:
    return fold(
        expr, lambda node: _leaf(node, env), lambda node, args: OPERATIONS[node.op].numpy(*args)
    )


def undefined_reason(expr: Expr, env: Mapping[str, float]) -> str | None:
    """Why `expr` is not a finite number at the single point `env`, or None if it is.

    Names the first operation (innermost) that turned finite arguments into nan or inf:
    ``"undefined (log of a negative number)"``, ``"infinite (division by zero)"``,
    ``"overflow (exp)"``.
    """
    point = {name: np.float64(value) for name, value in env.items()}

    def call(node: Call, args: list[Any]) -> Any:
        value = np.float64(OPERATIONS[node.op].numpy(*args))
        if np.isfinite(value) or not all(np.isfinite(a) for a in args):
            return value
        raise _FirstUndefined(_describe(node.op, args, value))

    try:
        with np.errstate(all="ignore"):
            result = fold(expr, lambda node: _leaf(node, point), call)
    except _FirstUndefined as first:
        return first.reason
    if np.isnan(result):
        return "undefined"
    if np.isinf(result):
        return "infinite"
    return None


class _FirstUndefined(Exception):
    """Ends the walk at the innermost operation that turned finite arguments into nan or inf."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _describe(op: str, args: list[Any], value: Any) -> str:
    row = OPERATIONS[op]
    if np.isnan(value):
        return f"undefined ({row.nan_reason or op})"
    if row.inf_reason is not None and (row.pole is None or row.pole(*args)):
        return f"infinite ({row.inf_reason})"
    return f"overflow ({op})"
