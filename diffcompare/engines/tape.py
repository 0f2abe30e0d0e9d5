"""The tape engine: a thin adapter from the expression tree to `diffcompare.tape`.

Gradient in one reverse pass; second and higher derivatives by nesting tapes, each outer tape
recording the backward pass of the one inside it (reverse over reverse, as in the seeds).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import tape as dt
from ..language.expr import Constant, Expr, Number, Variable, fold
from ..language.ops import CONSTANTS, OPERATIONS
from ..tape.functions import apply
from .base import EngineResult, Entry


def evaluate_on_tape(expr: Expr, env: dict[str, dt.Tensor]) -> dt.Tensor | float:
    """The tree computed with tape operations (constants stay plain floats).

    Each shared node is computed once."""

    def leaf(node: Expr) -> dt.Tensor | float:
        if isinstance(node, Number):
            return float(node.value)
        if isinstance(node, Constant):
            return CONSTANTS[node.name]
        assert isinstance(node, Variable)
        return env[node.name]

    return fold(expr, leaf, lambda node, args: apply(OPERATIONS[node.op], *args))


def run(
    expr: Expr,
    variables: Sequence[str],
    point: Sequence[float],
    entries: Sequence[Entry],
    **options: Any,
) -> EngineResult:
    started = time.perf_counter()
    result = EngineResult("tape")
    order = max((len(e) for e in entries), default=0)
    xs = [dt.constant(float(v)) for v in point]
    env = dict(zip(variables, xs, strict=True))
    found = _derivatives(expr, env, xs, order)
    for entry in entries:
        _store(result, entry, found.get(entry))
    result.info["passes"] = order
    result.seconds = time.perf_counter() - started
    return result


def _derivatives(
    expr: Expr, env: dict[str, dt.Tensor], xs: list[dt.Tensor], order: int
) -> dict[Entry, Any]:
    """Every derivative up to `order`, keyed by entry, from `order` nested tapes.

    tapes[0] is the outermost. After the function is computed, the innermost tape gives the
    first derivatives while the others still record; the next one out differentiates those,
    and so on, each level taking the gradient of every entry of the level below.
    """
    tapes: list[dt.GradientTape] = []
    try:
        for _ in range(order):
            tape = dt.GradientTape(persistent=True)
            tape.__enter__()
            tape.watch(xs)
            tapes.append(tape)
        value = evaluate_on_tape(expr, env)
        level: dict[Entry, Any] = {(): value}
        found: dict[Entry, Any] = {(): value}
        for tape in reversed(tapes):
            tape.__exit__(None, None, None)  # the tapes outside it go on recording
            next_level: dict[Entry, Any] = {}
            for entry, target in level.items():
                if not isinstance(target, dt.Tensor):
                    continue  # a constant: all its derivatives are zero
                start = entry[-1] if entry else 0
                grads = tape.gradient(target, xs[start:], unconnected_gradients="zero")
                for offset, grad in enumerate(grads):
                    next_level[entry + (start + offset,)] = grad
            found.update(next_level)
            level = next_level
    finally:
        for tape in tapes:
            tape.__exit__(None, None, None)  # no-op for the ones already closed
    return found


def _store(result: EngineResult, entry: Entry, found: Any) -> None:
    if found is None:
        # nothing reached this entry: the function is constant in that direction
        result.values[entry] = 0.0
        return
    number = float(found) if isinstance(found, dt.Tensor | float | int) else math.nan
    if math.isnan(number):
        result.values[entry] = None
        result.reasons[entry] = "undefined (nan)"
    elif math.isinf(number):
        result.values[entry] = None
        result.reasons[entry] = "infinite"
    else:
        result.values[entry] = number


def derivatives_many(
    expr: Expr, variables: Sequence[str], points: np.ndarray, entry: Entry
) -> np.ndarray:
    """`entry` of `expr` at each row of `points` (shape (N, n)), by the same nested tapes
    on arrays: the function is elementwise, so the gradient of its sum is, at each point,
    that point's derivative. nan where it is undefined."""
    columns = np.asarray(points, dtype=np.float64)
    xs = [dt.constant(columns[:, i].copy()) for i in range(columns.shape[1])]
    env = dict(zip(variables, xs, strict=True))
    with np.errstate(all="ignore"):
        found = _derivatives(expr, env, xs, len(entry)).get(entry)
    if found is None:  # nothing reached this entry: the function is constant that way
        return np.zeros(len(columns))
    values = np.asarray(found.numpy() if isinstance(found, dt.Tensor) else found, dtype=float)
    values = np.broadcast_to(values, (len(columns),)).copy()
    values[~np.isfinite(values)] = np.nan
    return values
