"""Complex128 evaluation of the tree, for the complex step of the finite engine.

For a function that is analytic where it is defined on the reals, f(x + ih) = f(x) +
ih f'(x) - h²f''(x)/2 - ..., so Im f(x + ih)/h is f'(x) without the subtraction that makes
real differences lose digits. Each operation's complex form is its table row's `complex`
function (or its numpy function, which already accepts complex arrays); an operation whose
row says it is not analytic (abs, relu) makes the whole expression ineligible.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import numpy as np

from .expr import Call, Constant, Expr, Number, Variable, fold, variables, walk
from .ops import CONSTANTS, OPERATIONS


def not_analytic_reason(expr: Expr, through: Collection[str] | None = None) -> str | None:
    """Why the complex step cannot be used on `expr` (its first non-analytic operation), or
    None when every operation is analytic. With `through`, only operations whose arguments
    depend on one of those variables count: a complex step in y passes abs(x) untouched."""
    for node in walk(expr):
        if not (isinstance(node, Call) and not OPERATIONS[node.op].analytic):
            continue
        if through is None or set(variables(node)) & set(through):
            return f"{node.op} is not analytic (it has a kink)"
    return None


def evaluate_complex(expr: Expr, env: Mapping[str, Any]) -> np.ndarray:
    """The value of `expr` at the complex points in `env` (name -> complex array or number).

    Points where the real function is undefined come out as nan or inf, as in `evaluate`;
    the caller checks that the real value is finite before trusting the imaginary part.
    """
    arrays = {name: np.asarray(value, dtype=np.complex128) for name, value in env.items()}
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values())) if arrays else ()

    def leaf(node: Expr) -> Any:
        if isinstance(node, Number):
            try:
                return np.complex128(float(node.value))
            except OverflowError:
                return np.complex128(np.inf if node.value > 0 else -np.inf)
        if isinstance(node, Constant):
            return np.complex128(CONSTANTS[node.name])
        if isinstance(node, Variable):
            return arrays[node.name]
        raise TypeError(f"not a leaf: {node!r}")

    def call(node: Call, args: list[Any]) -> Any:
        operation = OPERATIONS[node.op]
        function = operation.complex or operation.numpy
        return function(*args)

    with np.errstate(all="ignore"):
        result = fold(expr, leaf, call)
        return np.broadcast_to(np.asarray(result, dtype=np.complex128), shape).copy()
