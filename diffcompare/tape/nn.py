"""dt.nn: the neural-network functions of tf.nn the tape offers (softmax, log_softmax, and
the table's relu, sigmoid and softplus under their tf.nn names).

softmax and log_softmax are one operation each, as in TensorFlow, with a rule that reads only
the answer; computed with the largest logit taken out first, so large logits do not overflow.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import TapeValueError
from .arguments import one_axis
from .core import Tensor
from .functions import reduce_sum, relu, sigmoid, softplus, to_tensor
from .recording import emit

__all__ = ["log_softmax", "relu", "sigmoid", "softmax", "softplus"]


def softmax(logits: Any, axis: int | None = -1) -> Tensor:
    """exp(logits) / sum(exp(logits)) along `axis` (None: the last, as tf.nn.softmax)."""
    x = to_tensor(logits)
    along = _axis(x, axis, "softmax")
    shifted = np.exp(_shifted(x._value, along))
    with np.errstate(all="ignore"):
        value = shifted / shifted.sum(axis=along, keepdims=True)
    # Jacobian-vector product of softmax s: s * (g - sum(g * s))
    return emit(
        value,
        (x,),
        (lambda F, g, ans, x: (g - reduce_sum(g * ans, along, keepdims=True)) * ans,),
        "softmax",
    )


def log_softmax(logits: Any, axis: int | None = -1) -> Tensor:
    """logits - log(sum(exp(logits))) along `axis`: the log of softmax, without its
    underflow to log(0) for very unlikely classes."""
    x = to_tensor(logits)
    along = _axis(x, axis, "log_softmax")
    shifted = _shifted(x._value, along)
    with np.errstate(all="ignore"):
        value = shifted - np.log(np.exp(shifted).sum(axis=along, keepdims=True))
    # softmax is exp(ans): the rule reads the answer only
    return emit(
        value,
        (x,),
        (lambda F, g, ans, x: g - reduce_sum(g, along, keepdims=True) * F.exp(ans),),
        "log_softmax",
    )


def _axis(x: Tensor, axis: int | None, operation: str) -> int:
    if x.ndim == 0:
        raise TapeValueError(f"{operation} needs logits of rank 1 or more, not a scalar")
    return one_axis(-1 if axis is None else axis, x.ndim, operation)


def _shifted(value: Any, axis: int) -> Any:
    largest = np.max(value, axis=axis, keepdims=True, initial=-np.inf)
    with np.errstate(all="ignore"):
        return value - np.where(np.isfinite(largest), largest, 0.0)
