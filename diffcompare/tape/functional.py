"""Function transformations built on the tape, for people who think in functions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import TapeValueError
from .core import Tensor, constant
from .functions import concat, identity, reshape
from .gradient_tape import GradientTape


def _argnums(argnums: int | Sequence[int]) -> tuple[int, ...]:
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def arguments(args: Sequence[Any]) -> list[Tensor]:
    """The arguments as tensors of their own: one tensor passed twice becomes two sources
    (f(c, c) has two arguments), still linked to `c` for the tapes that follow it."""
    return [identity(a) if isinstance(a, Tensor) else constant(a) for a in args]


def value_and_grad(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0
) -> Callable[..., tuple[Any, Any]]:
    """f(*args, **kwargs) and its gradient with respect to the arguments `argnums` (zeros
    where f does not depend on one, as when it returns a constant)."""
    picked = _argnums(argnums)

    def wrapped(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        tensors = arguments(args)
        sources = [tensors[i] for i in picked]
        with GradientTape() as tape:
            tape.watch(sources)
            value = f(*tensors, **kwargs)
        if isinstance(value, Tensor):
            grads = tape.gradient(value, sources, unconnected_gradients="zero")
        else:  # a Python number: it depends on nothing
            grads = [constant(np.zeros(s.shape) if s.shape else 0.0) for s in sources]
        return value, grads[0] if isinstance(argnums, int) else tuple(grads)

    return wrapped


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The gradient of a scalar function f with respect to the arguments `argnums`."""
    both = value_and_grad(f, argnums)
    return lambda *args, **kwargs: both(*args, **kwargs)[1]


def hessian(f: Callable[..., Any]) -> Callable[..., np.ndarray]:
    """The matrix of second derivatives of a scalar f with respect to all its arguments,
    flattened and concatenated in order (one vector argument gives an n x n matrix)."""

    def wrapped(*args: Any, **kwargs: Any) -> np.ndarray:
        tensors = arguments(args)
        with GradientTape() as outer:
            outer.watch(tensors)
            with GradientTape() as inner:
                inner.watch(tensors)
                value = f(*tensors, **kwargs)
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
