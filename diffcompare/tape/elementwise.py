"""Elementwise functions the tape offers beyond the expression language's table, with
TensorFlow's names and gradients: log1p, expm1, sign, floor, round and clip_by_value.

They are not rows of the operation table because the parser, the symbolic engine and the
reference have no use for them; the tape's users (ported TensorFlow and autograd code) do.
Their rules are written against the namespace F, like the table's, so a tape that records a
backward pass differentiates them again.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import TapeValueError
from .arguments import as_result, value_of
from .core import Tensor, Value
from .functions import maximum, minimum, to_tensor
from .recording import detached, emit, note_read

_FLOAT = float


def _elementwise(
    scalar: Callable[[float], float], array: Callable[[Any], Any]
) -> Callable[[Value], Value]:
    """A forward function: `math` on a float (fast), numpy on arrays or where math refuses
    (numpy answers nan or inf at a domain edge)."""

    def forward(value: Value) -> Value:
        if type(value) is _FLOAT:
            try:
                return scalar(value)
            except (ArithmeticError, ValueError):
                pass
        with np.errstate(all="ignore"):
            return as_result(array(np.float64(value) if type(value) is _FLOAT else value))

    return forward


_log1p = _elementwise(math.log1p, np.log1p)
_expm1 = _elementwise(math.expm1, np.expm1)


def log1p(x: Any) -> Tensor:
    """log(1 + x), accurate for small x (tf.math.log1p)."""
    x = to_tensor(x)
    return emit(_log1p(x._value), (x,), (lambda F, g, ans, x: g / (1 + x),), "log1p")


def expm1(x: Any) -> Tensor:
    """exp(x) - 1, accurate for small x (tf.math.expm1)."""
    x = to_tensor(x)
    # d/dx expm1 = exp(x) = ans + 1: the rule reads the answer only, as exp's does
    return emit(_expm1(x._value), (x,), (lambda F, g, ans, x: g * (ans + 1),), "expm1")


def sign(x: Any) -> Tensor:
    """-1, 0 or 1 (nan for nan). Its gradient is zero, not None, as in TensorFlow."""
    x = to_tensor(x)
    shape = x.shape  # the zeros are made when asked for: a record holds no array
    return emit(
        as_result(np.sign(x._value)),
        (x,),
        (lambda F, g, ans, x: detached(_zeros(shape)),),
        "sign",
    )


def _zeros(shape: tuple[int, ...]) -> Value:
    return np.zeros(shape) if shape else 0.0


def floor(x: Any) -> Tensor:
    """The largest integer not above x. Like TensorFlow's, it has no gradient: a source
    reached only through it gets None (zeros with unconnected_gradients="zero")."""
    return _without_gradient(np.floor, x)


def round(x: Any) -> Tensor:  # noqa: A001 - TensorFlow's name
    """The nearest integer, halves to even (as tf.round). No gradient, like floor."""
    return _without_gradient(np.round, x)


def _without_gradient(fn: Callable[[Any], Any], x: Any) -> Tensor:
    x = to_tensor(x)
    note_read(x)  # a Variable read here is still watched, as TensorFlow's would be
    return detached(as_result(fn(x._value)))


def clip_by_value(t: Any, clip_value_min: Any, clip_value_max: Any) -> Tensor:
    """t limited to [clip_value_min, clip_value_max].

    Built as TensorFlow builds it, maximum(minimum(t, max), min), so the gradient is the
    same: t's where it lies inside or on a bound, a bound's where it clips.
    """
    t = to_tensor(t)
    clipped = maximum(minimum(t, clip_value_max), clip_value_min)
    if clipped.shape != t.shape:
        raise TapeValueError(
            f"clip_by_value: bounds of shapes {np.shape(value_of(clip_value_min))} and "
            f"{np.shape(value_of(clip_value_max))} would broadcast t of shape {t.shape} "
            f"to {clipped.shape}"
        )
    return clipped
