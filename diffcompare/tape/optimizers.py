"""Gradient descent for tape Variables, in the shape of Keras' SGD, and clipping by global norm.

Updates are plain numpy arithmetic on the variables' values: an optimizer step is not part of
any computation a tape should differentiate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..errors import TapeTypeError, TapeValueError
from .core import Tensor, Variable, as_value
from .functions import maximum, reduce_sum, sqrt


class SGD:
    """Stochastic gradient descent with optional momentum and learning-rate decay.

    Each `apply_gradients` call is one step k = 0, 1, 2, ...:
        rate = learning_rate / (1 + decay * k)
        velocity = momentum * velocity - rate * gradient      (velocity starts at 0)
        variable += velocity
    With momentum 0 this is the plain step variable -= rate * gradient.
    """

    def __init__(
        self,
        learning_rate: float = 0.01,
        momentum: float = 0.0,
        decay: float = 0.0,
        *,
        lr: float | None = None,
    ) -> None:
        rate = learning_rate if lr is None else lr  # `lr` is the older Keras spelling
        for name, value in (("learning_rate", rate), ("momentum", momentum), ("decay", decay)):
            if not math.isfinite(value) or value < 0:
                raise TapeValueError(f"{name} must be a finite number >= 0, not {value!r}")
        if momentum >= 1:
            raise TapeValueError(f"momentum must be below 1, not {momentum!r}")
        self.learning_rate = float(rate)
        self.momentum = float(momentum)
        self.decay = float(decay)
        self.iterations = 0
        self._velocity: dict[Variable, Any] = {}

    def current_learning_rate(self) -> float:
        return self.learning_rate / (1.0 + self.decay * self.iterations)

    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Variable]]) -> None:
        """One step on every (gradient, variable) pair; a None gradient leaves its variable."""
        pairs = list(grads_and_vars)
        for pair in pairs:
            if not (isinstance(pair, tuple | list) and len(pair) == 2):
                raise TapeTypeError("apply_gradients takes (gradient, variable) pairs")
            if not isinstance(pair[1], Variable):
                raise TapeTypeError(
                    f"apply_gradients updates Variables, not {type(pair[1]).__name__}"
                )
        rate = self.current_learning_rate()
        for grad, variable in pairs:
            if grad is None:
                continue
            step = as_value(grad)
            if np.shape(step) != variable.shape:
                raise TapeValueError(
                    f"a gradient of shape {np.shape(step)} for a variable of shape {variable.shape}"
                )
            if self.momentum:
                velocity = self.momentum * self._velocity.get(variable, 0.0) - rate * step
                self._velocity[variable] = velocity
                variable.assign_add(velocity)
            else:
                variable.assign_sub(rate * step)
        self.iterations += 1


def clip_by_global_norm(
    grads: Sequence[Any], clip_norm: float
) -> tuple[list[Tensor | None], Tensor]:
    """Scale all gradients together so that their joint norm is at most `clip_norm`.

    Returns the clipped gradients (None stays None) and the global norm before clipping.
    The direction of the joint gradient is unchanged.
    """
    if not math.isfinite(clip_norm) or clip_norm <= 0:
        raise TapeValueError(f"clip_norm must be a finite number > 0, not {clip_norm!r}")
    present = [g if isinstance(g, Tensor) else Tensor(g) for g in grads if g is not None]
    total: Any = 0.0
    for g in present:
        total = total + reduce_sum(g * g)
    global_norm = sqrt(total) if present else Tensor(0.0)
    scale = clip_norm / maximum(global_norm, clip_norm)
    clipped: list[Tensor | None] = []
    for g in grads:
        clipped.append(None if g is None else (g if isinstance(g, Tensor) else Tensor(g)) * scale)
    return clipped, global_norm
