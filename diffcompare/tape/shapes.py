"""Operations that move elements without changing them, with TensorFlow's names and
arguments: split, squeeze, expand_dims, tile, pad and gather (concat, stack, reshape and
transpose are in .functions).

Most are built from indexing and reshaping, whose rules are already differentiable, so
their gradients to every order come with them: a piece of a split or a gathered row is
an index into the tensor, and the gradient of an index scatters back (adding where an
element was taken twice). Only tile and constant padding have rules of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from ..errors import TapeIndexError, TapeValueError
from .arguments import one_axis, value_of
from .core import Tensor
from .functions import getitem, reduce_sum, reshape, to_tensor
from .recording import emit


def split(value: Any, num_or_size_splits: int | Sequence[int], axis: int = 0) -> list[Tensor]:
    """Pieces of `value` along `axis`: that many equal pieces, or pieces of the given sizes
    (one size may be -1: whatever is left), as tf.split."""
    x = to_tensor(value)
    if x.ndim == 0:
        raise TapeValueError("split needs a tensor of rank 1 or more, not a scalar")
    along = one_axis(axis, x.ndim, "split")
    length = x.shape[along]
    sizes = _split_sizes(num_or_size_splits, length)
    pieces, start = [], 0
    for size in sizes:
        index = (slice(None),) * along + (slice(start, start + size),)
        pieces.append(getitem(x, index))
        start += size
    return pieces


def _split_sizes(num_or_size_splits: int | Sequence[int], length: int) -> list[int]:
    if isinstance(num_or_size_splits, int | np.integer):
        count = int(num_or_size_splits)
        if count <= 0 or length % count:
            raise TapeValueError(
                f"split: a dimension of size {length} does not split evenly into {count} pieces"
            )
        return [length // count] * count
    sizes = [int(s) for s in num_or_size_splits]
    if sizes.count(-1) > 1 or any(s < -1 for s in sizes):
        raise TapeValueError(f"split: sizes {sizes} may hold one -1 and no other negative")
    if -1 in sizes:
        sizes[sizes.index(-1)] = length - (sum(sizes) + 1)
    if sum(sizes) != length or min(sizes, default=0) < 0:
        raise TapeValueError(f"split: sizes {sizes} do not add up to the dimension {length}")
    return sizes


def squeeze(input: Any, axis: int | Sequence[int] | None = None) -> Tensor:  # noqa: A002
    """`input` without its axes of length 1 (or only the given ones, which must be 1)."""
    x = to_tensor(input)
    shape = x.shape
    if axis is None:
        drop = {i for i, n in enumerate(shape) if n == 1}
    else:
        listed = [axis] if isinstance(axis, int | np.integer) else list(axis)
        drop = {one_axis(a, x.ndim, "squeeze") for a in listed}
        for i in sorted(drop):
            if shape[i] != 1:
                raise TapeValueError(
                    f"squeeze: cannot squeeze axis {i} of shape {shape}: its length is "
                    f"{shape[i]}, not 1"
                )
    return reshape(x, tuple(n for i, n in enumerate(shape) if i not in drop))


def expand_dims(input: Any, axis: int) -> Tensor:  # noqa: A002
    """`input` with a new axis of length 1 at `axis` (in [-rank - 1, rank], as tf)."""
    x = to_tensor(input)
    at = one_axis(axis, x.ndim + 1, "expand_dims")
    return reshape(x, x.shape[:at] + (1,) + x.shape[at:])


def tile(input: Any, multiples: Sequence[int]) -> Tensor:  # noqa: A002
    """`input` repeated `multiples[i]` times along axis i (one multiple per axis, as tf)."""
    x = to_tensor(input)
    times = tuple(int(m) for m in multiples)
    shape = x.shape
    if len(times) != len(shape):
        raise TapeValueError(
            f"tile: {len(times)} multiples given for a tensor of rank {len(shape)}"
        )
    if any(m < 0 for m in times):
        raise TapeValueError(f"tile: multiples {list(times)} must not be negative")
    if all(m == 1 for m in times):
        return x
    # the gradient: each copy's share, summed over the copies of every axis
    interleaved = tuple(n for pair in zip(times, shape, strict=True) for n in pair)
    copies = tuple(range(0, 2 * len(shape), 2))
    return emit(
        np.tile(x._value, times),
        (x,),
        (lambda F, g, ans, x: reshape(reduce_sum(reshape(g, interleaved), copies), shape),),
        "tile",
    )


_MODES = ("CONSTANT", "REFLECT", "SYMMETRIC")


def pad(
    tensor: Any,
    paddings: Any,
    mode: str = "CONSTANT",
    constant_values: Any = 0,
) -> Tensor:
    """`tensor` with paddings[i] = [before, after] elements added around axis i: the
    constant, or the tensor mirrored at its edge (REFLECT leaves the edge element out,
    SYMMETRIC repeats it), as tf.pad. constant_values is not differentiated (as in tf)."""
    x = to_tensor(tensor)
    shape = x.shape
    kind = str(mode).upper()
    if kind not in _MODES:
        raise TapeValueError(f"pad: mode must be one of {', '.join(_MODES)}, not {mode!r}")
    widths = np.asarray(value_of(paddings)).astype(np.int64).reshape(-1, 2) if shape else None
    if widths is None or not widths.size:
        return x
    if widths.shape != (len(shape), 2):
        raise TapeValueError(
            f"pad: paddings must be [before, after] for each of the {len(shape)} axes, "
            f"got shape {np.shape(value_of(paddings))}"
        )
    if (widths < 0).any():
        raise TapeValueError(f"pad: paddings must not be negative, got {widths.tolist()}")
    pairs = [(int(b), int(a)) for b, a in widths]
    if kind == "CONSTANT":
        fill = float(value_of(constant_values))
        inside = tuple(slice(b, b + n) for (b, _), n in zip(pairs, shape, strict=True))
        return emit(
            np.pad(x._value, pairs, mode="constant", constant_values=fill),
            (x,),
            (lambda F, g, ans, x: getitem(g, inside),),
            "pad",
        )
    # a mirror is an index into the tensor: numpy's own pad of each axis's positions says
    # which element every padded place copies
    limit = 1 if kind == "REFLECT" else 0
    for (b, a), n in zip(pairs, shape, strict=True):
        if max(b, a) > n - limit:
            raise TapeValueError(
                f"pad: {kind} paddings {[b, a]} must be at most {n - limit} "
                f"for an axis of length {n}"
            )
    mirror: Literal["reflect", "symmetric"] = "reflect" if kind == "REFLECT" else "symmetric"
    positions = [
        np.pad(np.arange(n), pair, mode=mirror) for pair, n in zip(pairs, shape, strict=True)
    ]
    return getitem(x, np.ix_(*positions))


def gather(
    params: Any,
    indices: Any,
    validate_indices: Any = None,
    axis: int | None = None,
    batch_dims: int = 0,
) -> Tensor:
    """Slices of `params` along `axis` at `indices`, as tf.gather: the result's shape is
    params.shape[:axis] + indices.shape[batch_dims:] + params.shape[axis + 1:]. With
    batch_dims = b, the first b axes of params and indices are matched, not crossed.
    An index out of range is an error, as TensorFlow's on a CPU (numpy would wrap a
    negative one); `validate_indices` is accepted and ignored, as in TensorFlow 2."""
    x = to_tensor(params)
    taken = _integer_indices(indices)
    rank = taken.ndim
    b = batch_dims + rank if batch_dims < 0 else batch_dims
    if not 0 <= b <= rank:
        raise TapeValueError(
            f"gather: batch_dims {batch_dims} is out of range for indices of rank {rank}"
        )
    at = one_axis(b if axis is None else axis, x.ndim, "gather")
    if at < b:
        raise TapeValueError(f"gather: batch_dims ({b}) must not exceed axis ({at})")
    if x.shape[:b] != taken.shape[:b]:
        raise TapeValueError(
            f"gather: the first {b} axes of params {x.shape} and indices {taken.shape} must agree"
        )
    length = x.shape[at]
    bad = (taken < 0) | (taken >= length)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise TapeIndexError(
            f"gather: indices{list(where)} = {int(taken[where])} is not in [0, {length})"
        )
    # one index array per axis up to `at`, broadcasting to params.shape[:at] + the indices'
    # own axes; the axes after `at` are taken whole
    width = at + rank - b
    index: list[Any] = []
    for i in range(at):
        shape = [1] * width
        shape[i] = x.shape[i]
        index.append(np.arange(x.shape[i]).reshape(shape))
    index.append(taken.reshape(taken.shape[:b] + (1,) * (at - b) + taken.shape[b:]))
    return getitem(x, tuple(index))


def _integer_indices(indices: Any) -> np.ndarray:
    raw = np.asarray(value_of(indices))
    if raw.dtype.kind == "f":
        if not np.all(np.isfinite(raw)) or not np.all(raw == np.round(raw)):
            raise TapeIndexError("gather: indices must be whole numbers")
    elif raw.dtype.kind not in "iu":
        raise TapeIndexError(f"gather: indices must be integers, not {raw.dtype}")
    return raw.astype(np.int64)
