"""Reductions beyond sum and mean, and the running sum, with TensorFlow's names, arguments
(`axis` None, an int or a list, negative from the end; `keepdims`) and gradients.

Where TensorFlow builds a reduction out of other operations (logsumexp, variance, std), so do
we, which gives the same gradient and every higher one for free. max and min have a rule of
their own: tied extremes share the gradient equally, as in TensorFlow (autograd does the
same; a subgradient that picks one would depend on the order of the elements).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import TapeValueError
from .arguments import (
    Axis,
    as_result,
    kept_shape,
    one_axis,
    reduced_shape,
    reduction_axes,
    value_of,
)
from .core import Tensor, Value
from .functions import (
    broadcast_to,
    concat,
    exp,
    getitem,
    log,
    reduce_mean,
    reduce_sum,
    reshape,
    sqrt,
    to_tensor,
    transpose,
)
from .recording import detached, emit


def reduce_max(input_tensor: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The largest element along `axis` (-inf for an empty reduction, as TensorFlow)."""
    return _extreme(np.max, -np.inf, input_tensor, axis, keepdims, "reduce_max")


def reduce_min(input_tensor: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The smallest element along `axis` (inf for an empty reduction, as TensorFlow)."""
    return _extreme(np.min, np.inf, input_tensor, axis, keepdims, "reduce_min")


def _extreme(
    fn: Callable[..., Any], empty: float, x: Any, axis: Axis, keepdims: bool, name: str
) -> Tensor:
    x = to_tensor(x)
    shape = x.shape
    axes = reduction_axes(axis, x.ndim, name)
    kept = kept_shape(shape, axes)
    value = fn(x._value, axis=axes, keepdims=keepdims, initial=empty)

    def rule(F: Any, g: Any, ans: Any, x: Any) -> Any:
        # the gradient goes to the elements equal to the extreme, split evenly among ties
        chosen = np.equal(value_of(x), np.reshape(value_of(ans), kept)).astype(np.float64)
        with np.errstate(all="ignore"):
            share = chosen / chosen.sum(axis=axes, keepdims=True)
        return broadcast_to(reshape(g, kept), shape) * detached(as_result(share))

    return emit(as_result(value), (x,), (rule,), name)


def reduce_prod(input_tensor: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The product of the elements along `axis` (1 for an empty reduction).

    Computed as a balanced tree of products of halves, each a taped multiplication: its
    gradient (the product of the other elements) is then right where elements are zero,
    to every order, where dividing the product by each element would give nan.
    """
    x = to_tensor(input_tensor)
    shape = x.shape
    axes = reduction_axes(axis, x.ndim, "reduce_prod")
    others = tuple(i for i in range(x.ndim) if i not in axes)
    outer = tuple(shape[i] for i in others)
    count = math.prod(shape[i] for i in axes)
    if count == 0:
        ones = np.ones(kept_shape(shape, axes) if keepdims else outer)
        return detached(as_result(ones))
    # the reduced axes last, as one axis of `count` elements
    rows = reshape(transpose(x, others + axes), outer + (count,))
    while count > 1:
        if count % 2:
            rows = concat([rows, np.ones(outer + (1,))], -1)
            count += 1
        rows = getitem(rows, (Ellipsis, slice(0, None, 2))) * getitem(
            rows, (Ellipsis, slice(1, None, 2))
        )
        count //= 2
    return reshape(rows, kept_shape(shape, axes) if keepdims else outer)


def reduce_logsumexp(input_tensor: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """log(sum(exp(x))) along `axis`, without overflow: the largest element is taken out
    first (held constant, as in TensorFlow; the result does not depend on it)."""
    x = to_tensor(input_tensor)
    axes = reduction_axes(axis, x.ndim, "reduce_logsumexp")
    kept = kept_shape(x.shape, axes)
    largest = np.max(x._value, axis=axes, keepdims=True, initial=-np.inf)
    # an infinite or empty maximum would make inf - inf: shift by nothing there
    shift = np.where(np.isfinite(largest), largest, 0.0)
    total = log(reduce_sum(exp(x - as_result(shift)), axes, keepdims=True)) + as_result(shift)
    return total if keepdims else reshape(total, reduced_shape(kept, axes))


def reduce_variance(input_tensor: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The mean squared deviation from the mean along `axis` (divided by n, as TF)."""
    x = to_tensor(input_tensor)
    axes = reduction_axes(axis, x.ndim, "reduce_variance")
    deviation = x - reduce_mean(x, axes, keepdims=True)
    return reduce_mean(deviation * deviation, axes, keepdims=keepdims)


def reduce_std(input_tensor: Any, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The square root of reduce_variance (its gradient is nan where all elements agree,
    as TensorFlow's)."""
    return sqrt(reduce_variance(input_tensor, axis, keepdims))


def cumsum(x: Any, axis: int = 0, exclusive: bool = False, reverse: bool = False) -> Tensor:
    """Running sums along `axis` (tf.math.cumsum): `exclusive` leaves each element out of
    its own sum, `reverse` sums from the end. The gradient is the running sum of the
    gradient taken the other way."""
    x = to_tensor(x)
    ndim = x.ndim
    if ndim == 0:
        raise TapeValueError("cumsum needs a tensor of rank 1 or more, not a scalar")
    along = one_axis(axis, ndim, "cumsum")
    return emit(
        _running_sum(x._value, along, exclusive, reverse),
        (x,),
        (lambda F, g, ans, x: cumsum(g, along, exclusive, not reverse),),
        "cumsum",
    )


def _running_sum(value: Value, axis: int, exclusive: bool, reverse: bool) -> Value:
    array = np.flip(value, axis) if reverse else value
    with np.errstate(all="ignore"):
        sums = np.cumsum(array, axis=axis)
    if exclusive:
        sums = np.roll(sums, 1, axis=axis)
        sums[(slice(None),) * axis + (0,)] = 0.0
    return np.ascontiguousarray(np.flip(sums, axis) if reverse else sums)
