"""How the array operations read their arguments, as TensorFlow reads them: axes may count
from the end, and a bad axis is an error that names the operation rather than numpy's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import TapeValueError
from .core import Tensor, Value

Axis = int | Sequence[int] | None


def value_of(x: Any) -> Value:
    """The raw value of a tensor, or the value itself (rules see either)."""
    return x._value if isinstance(x, Tensor) else x


def as_result(array: Any) -> Value:
    """What a tensor holds: a float for a scalar, a float64 array otherwise."""
    if np.ndim(array) == 0:
        return float(array)
    return np.asarray(array, dtype=np.float64)


def one_axis(axis: int, ndim: int, operation: str) -> int:
    """`axis` in [-ndim, ndim) as a non-negative index."""
    if not isinstance(axis, int | np.integer) or isinstance(axis, bool):
        raise TapeValueError(f"{operation}: axis must be an integer, not {axis!r}")
    if not -ndim <= axis < ndim:
        raise TapeValueError(
            f"{operation}: axis {axis} is out of range for a tensor of rank {ndim} "
            f"(expected an axis in [{-ndim}, {ndim}))"
        )
    return int(axis) % ndim


def reduction_axes(axis: Axis, ndim: int, operation: str) -> tuple[int, ...]:
    """The axes a reduction runs over, sorted and non-negative (None: all of them)."""
    if axis is None:
        return tuple(range(ndim))
    listed = [axis] if isinstance(axis, int | np.integer) else list(axis)
    return tuple(sorted({one_axis(a, ndim, operation) for a in listed}))


def kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of a reduction over `axes` with keepdims=True."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def reduced_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of a reduction over `axes` with keepdims=False."""
    return tuple(n for i, n in enumerate(shape) if i not in axes)
