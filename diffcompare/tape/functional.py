"""Function transformations built on the tape, for people who think in functions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import TapeValueError
from .core import Tensor, constant
from .functions import concat, reshape
from .gradient_tape import GradientTape


def _argnums(argnums: int | Sequence[int]) -> tuple[int, ...]:
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def value_and_grad(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0
) -> Callable[..., tuple[Tensor, Any]]:
    """f(*args) and its gradient with respect to the arguments `argnums` (zeros if unused)."""
    picked = _argnums(argnums)

    def wrapped(*args: Any) -> tuple[Tensor, Any]:
        tensors = [a if isinstance(a, Tensor) else constant(a) for a in args]
        with GradientTape() as tape:
            for i in picked:
                tape.watch(tensors[i])
            value = f(*tensors)
        grads = tape.gradient(value, [tensors[i] for i in picked], unconnected_gradients="zero")
        return value, grads[0] if isinstance(argnums, int) else tuple(grads)

    return wrapped


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The gradient of a scalar function f with respect to the arguments `argnums`."""
    both = value_and_grad(f, argnums)
    return lambda *args: both(*args)[1]


def hessian(f: Callable[..., Any]) -> Callable[..., np.ndarray]:
    """The matrix of second derivatives of a scalar f with respect to all its arguments,
    flattened and concatenated in order (one vector argument gives an n x n matrix)."""

    def wrapped(*args: Any) -> np.ndarray:
        tensors = [a if isinstance(a, Tensor) else constant(a) for a in args]
        with GradientTape() as outer:
            outer.watch(tensors)
            with GradientTape() as inner:
                inner.watch(tensors)
                value = f(*tensors)
            if not isinstance(value, Tensor) or value.shape != ():
                raise TapeValueError("hessian() needs a function that returns a scalar tensor")
            grads = inner.gradient(value, tensors, unconnected_gradients="zero")
            flat = concat([reshape(g, (-1,)) for g in grads], 0)
        rows = outer.jacobian(flat, tensors, unconnected_gradients="zero")
        blocks = [np.reshape(r.numpy(), (-1, _size(t))) for r, t in zip(rows, tensors, strict=True)]
        return np.concatenate(blocks, axis=1)

    return wrapped


def _size(t: Tensor) -> int:
    return int(np.prod(t.shape)) if t.shape else 1
