"""Function transformations built on the tape, for people who think in functions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import TapeValueError
from .core import Tensor, constant
from .functions import concat, identity, reduce_sum, reshape, to_tensor
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


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """(f(*primals), the derivative of f at primals along tangents): a Jacobian-vector
    product, forward mode's answer, without forming the Jacobian.

    The table has reverse rules only, so the forward product is had by the transpose trick:
    u ↦ Jᵀu is linear, and the gradient of <Jᵀu, v> with respect to u is Jv. Two reverse
    passes (the second over the first), each a small multiple of evaluating f."""
    xs = arguments(primals)
    vs = [to_tensor(t) for t in tangents]
    if len(vs) != len(xs):
        raise TapeValueError(f"jvp: {len(vs)} tangents for {len(xs)} primals")
    for k, (x, v) in enumerate(zip(xs, vs, strict=True)):
        if x.shape != v.shape:
            raise TapeValueError(
                f"jvp: tangent {k} has shape {v.shape}, its primal has shape {x.shape}"
            )
    with GradientTape() as outer:
        with GradientTape() as inner:
            inner.watch(xs)
            y = f(*xs)
        if not isinstance(y, Tensor):  # a plain number depends on nothing
            return y, constant(0.0)
        u = constant(np.ones(y.shape) if y.shape else 1.0)  # any u: Jᵀu is linear in it
        outer.watch(u)
        transposed = inner.gradient(y, xs, output_gradients=u, unconnected_gradients="zero")
        inner_product = reduce_sum([reduce_sum(t * v) for t, v in zip(transposed, vs, strict=True)])
    return y, outer.gradient(inner_product, u, unconnected_gradients="zero")


def hvp(f: Callable[[Any], Any], x: Any, v: Any) -> Tensor:
    """The Hessian of a scalar f at x times v, without forming the Hessian: the gradient
    of <grad f(x), v> (a reverse pass over a reverse pass), so it costs a small multiple of
    one gradient however big x is."""
    (point,) = arguments([x])
    direction = to_tensor(v)
    if direction.shape != point.shape:
        raise TapeValueError(f"hvp: v has shape {direction.shape}, x has shape {point.shape}")
    with GradientTape() as outer:
        outer.watch(point)
        with GradientTape() as inner:
            inner.watch(point)
            y = f(point)
        if not isinstance(y, Tensor) or y.shape != ():
            raise TapeValueError("hvp() needs a function that returns a scalar tensor")
        g = inner.gradient(y, point, unconnected_gradients="zero")
        along = reduce_sum(g * direction)
    result: Tensor = outer.gradient(along, point, unconnected_gradients="zero")
    return result
