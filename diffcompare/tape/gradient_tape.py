"""GradientTape: records operations while open, plays them backwards on request."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

import numpy as np

from ..errors import TapeTypeError, TapeUsageError, TapeValueError
from .backward import play
from .core import Tensor, Variable, shape_of, to_tensor
from .functions import reshape, stack
from .recording import RECORDING, Recorder, detached

_REUSED = (
    "A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)"
)


class GradientTape:
    """Records the operations on watched tensors inside its `with` block.

    Inside another tape's block, the backward pass of this one is itself recorded by the
    outer tape (its rules are written in tape operations), which is how a gradient of a
    gradient, and so a Hessian or a third derivative, comes out.
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self._persistent = persistent
        self._recorder = Recorder(watch_accessed_variables)
        self._opened = False
        self._used = False
        self._recording = False

    # -- context ---------------------------------------------------------------------------
    def __enter__(self) -> GradientTape:
        self._opened = True
        self._push()
        return self

    def __exit__(self, *exc: object) -> None:
        self._pop()

    def _push(self) -> None:
        if self._recording:
            # ValueError, as TensorFlow raises here
            raise TapeValueError(
                "this tape is already recording: a tape cannot be entered again inside its "
                "own `with` block"
            )
        self._recording = True
        RECORDING.start(self._recorder)

    def _pop(self) -> None:
        if self._recording:
            self._recording = False
            RECORDING.stop(self._recorder)

    @contextmanager
    def stop_recording(self) -> Iterator[None]:
        """Operations inside are not recorded by this tape."""
        if not self._recording:
            raise TapeUsageError("stop_recording() needs a tape that is recording")
        self._pop()
        try:
            yield
        finally:
            self._push()

    def reset(self) -> None:
        """Forget everything recorded and watched; the tape can be used again."""
        self._recorder.clear()
        self._used = False

    # -- watching --------------------------------------------------------------------------
    def watch(self, tensor: Any) -> None:
        """Follow a tensor (or a nest of them) from now on."""
        for item in _flatten(tensor):
            if not isinstance(item, Tensor):
                # ValueError, as TensorFlow raises for a numpy array or a number
                raise TapeValueError(
                    f"watch() takes tensors or Variables, not {type(item).__name__}: "
                    "wrap plain values with constant()"
                )
            self._recorder.follow(item)

    def watched_variables(self) -> tuple[Variable, ...]:
        return tuple(t for t in self._recorder.watched if isinstance(t, Variable))

    # -- gradients -------------------------------------------------------------------------
    def gradient(
        self,
        target: Any,
        sources: Any,
        output_gradients: Any = None,
        unconnected_gradients: str = "none",
    ) -> Any:
        """d(sum of targets)/d(source) for each source, in the structure of `sources`."""
        _check_mode(unconnected_gradients)
        self._check_usable()
        targets = [target] if isinstance(target, Tensor) else _flatten(target)
        _check_targets(targets)
        seeds = _seeds(target, targets, output_gradients)
        if type(sources) is list and _TENSOR_TYPES.issuperset(map(type, sources)):
            # a plain list of tensors, the usual case, checked at C speed
            flat_sources = sources
        else:
            flat_sources = [sources] if isinstance(sources, Tensor) else _flatten(sources)
            _check_sources(flat_sources)
        grads = self._backward(targets, seeds, flat_sources)
        self._finish()
        zero = unconnected_gradients == "zero"
        results = []
        for source in flat_sources:
            grad = grads.get(source._key)
            if grad is None or type(grad) is not Tensor:
                grad = _as_result(grad, source, zero)
            results.append(grad)
        return results if flat_sources is sources else _pack(sources, iter(results))

    def jacobian(self, target: Any, sources: Any, unconnected_gradients: str = "none") -> Any:
        """d(target[i])/d(source) for every element i: shape target.shape + source.shape."""
        _check_mode(unconnected_gradients)
        self._check_usable()
        if not isinstance(target, Tensor):
            raise TapeTypeError(f"jacobian() needs a tensor target, not {type(target).__name__}")
        flat_sources = _flatten(sources)
        _check_sources(flat_sources)
        out_shape = target.shape
        size = int(np.prod(out_shape)) if out_shape else 1
        rows: list[list[Any]] = [[] for _ in flat_sources]
        connected = [False] * len(flat_sources)
        for index in range(size):
            seed = np.zeros(size)
            seed[index] = 1.0
            seed_value: Any = seed.reshape(out_shape) if out_shape else 1.0
            grads = self._backward([target], [detached(seed_value)], flat_sources)
            for k, source in enumerate(flat_sources):
                connected[k] = connected[k] or source._key in grads
                rows[k].append(_as_result(grads.get(source._key), source, True))
        self._finish()
        results: list[Any] = []
        for k, source in enumerate(flat_sources):
            if not connected[k] and unconnected_gradients == "none":
                results.append(None)
            else:
                results.append(reshape(stack(rows[k]), out_shape + source.shape))
        return _pack(sources, iter(results))

    def batch_jacobian(self, target: Any, source: Any, unconnected_gradients: str = "none") -> Any:
        """d(target[i])/d(source[i]) for each i along the first axis, when target[i]
        depends on source[i] alone (a batch of independent examples): shape
        (batch,) + target.shape[1:] + source.shape[1:]. One backward pass per element of
        target[0], not per element of target."""
        _check_mode(unconnected_gradients)
        self._check_usable()
        for name, tensor in (("target", target), ("source", source)):
            if not isinstance(tensor, Tensor):
                raise TapeTypeError(
                    f"batch_jacobian() needs a tensor {name}, not {type(tensor).__name__}"
                )
            if tensor.ndim < 2:
                raise TapeValueError(
                    f"batch_jacobian: the {name} must have rank at least 2 (a batch of "
                    f"vectors or more), got shape {tensor.shape}"
                )
        if target.shape[0] != source.shape[0]:
            raise TapeValueError(
                f"batch_jacobian: Need first dimension of target shape {target.shape} and "
                f"source shape {source.shape} to match"
            )
        batch, inner = target.shape[0], target.shape[1:]
        count = int(np.prod(inner))
        rows: list[Any] = []
        connected = False
        for index in range(count):
            seed = np.zeros((batch, count))
            seed[:, index] = 1.0
            grads = self._backward([target], [detached(seed.reshape(target.shape))], [source])
            connected = connected or source._key in grads
            rows.append(_as_result(grads.get(source._key), source, True))
        self._finish()
        if not connected and unconnected_gradients == "none":
            return None
        if not rows:  # an empty target: nothing to stack
            return detached(np.zeros((batch, *inner, *source.shape[1:])))
        return reshape(stack(rows, axis=1), (batch, *inner, *source.shape[1:]))

    def _check_usable(self) -> None:
        if self._used and not self._persistent:
            raise TapeUsageError(_REUSED)
        if not self._opened and not self._recorder.watched:
            raise TapeValueError(
                "this tape recorded nothing: compute the target inside `with tape:` "
                "(and watch() constants you want gradients for)"
            )

    def _finish(self) -> None:
        self._used = True
        if not self._persistent:
            # a non-persistent tape is spent: let go of every recorded array now
            self._recorder.clear(watched=False)

    def _backward(
        self,
        targets: Sequence[Tensor],
        seeds: Sequence[Tensor],
        sources: Sequence[Tensor],
    ) -> dict[int | None, Any]:
        """Gradients of the targets (weighted by the seeds), by the keys of followed tensors."""
        keep = {source._key for source in sources}
        # The backward pass is recorded by the other tapes that are open (gradients of
        # gradients), and by this one too when it is persistent and asked inside its own
        # block (TensorFlow's single-tape higher derivatives); a non-persistent tape is
        # spent by this call, so it need not record it.
        if self._persistent and self._recording:
            return self._play(targets, seeds, keep)
        was_recording = self._recording
        self._pop()
        try:
            return self._play(targets, seeds, keep)
        finally:
            if was_recording:
                self._push()

    def _play(
        self, targets: Sequence[Tensor], seeds: Sequence[Tensor], keep: set[int | None]
    ) -> dict[int | None, Any]:
        # taped when some tape records this pass; then the seeds go in as tensors
        if RECORDING.open:
            return play(self._recorder, targets, seeds, keep, True)
        values = [seeds[0]._value] if len(seeds) == 1 else [seed._value for seed in seeds]
        return play(self._recorder, targets, values, keep, False)


_TENSOR_TYPES = frozenset((Tensor, Variable))


def _is_flat(nest: Any) -> bool:
    """A plain list or tuple of tensors (the common case, handled without recursion)."""
    kind = type(nest)
    return (kind is list or kind is tuple) and _TENSOR_TYPES.issuperset(map(type, nest))


def _flatten(nest: Any) -> list[Any]:
    if _is_flat(nest):
        return list(nest)
    if isinstance(nest, dict):
        return [leaf for key in nest for leaf in _flatten(nest[key])]
    if isinstance(nest, list | tuple):
        return [leaf for item in nest for leaf in _flatten(item)]
    return [nest]


def _pack(structure: Any, leaves: Iterator[Any]) -> Any:
    if _is_flat(structure):
        return type(structure)(islice(leaves, len(structure)))
    if isinstance(structure, dict):
        return {key: _pack(structure[key], leaves) for key in structure}
    if isinstance(structure, list | tuple):
        return type(structure)(_pack(item, leaves) for item in structure)
    return next(leaves)


def _check_targets(targets: Sequence[Any]) -> None:
    for target in targets:
        if not isinstance(target, Tensor):
            raise TapeTypeError(
                f"gradient() needs tensor targets, got {type(target).__name__}: "
                "compute the target from tensors inside the tape's block"
            )


def _check_sources(sources: Sequence[Any]) -> None:
    for source in sources:
        if not isinstance(source, Tensor):
            raise TapeTypeError(
                f"gradient sources must be tensors or Variables, got {type(source).__name__}"
            )


def _seeds(target: Any, targets: Sequence[Tensor], output_gradients: Any) -> list[Tensor]:
    if output_gradients is None:
        return [detached(_ones(t._value)) for t in targets]
    given = _flatten_like(target, output_gradients)
    seeds = []
    for tensor, seed in zip(targets, given, strict=True):
        value = to_tensor(seed)
        if value.shape != tensor.shape:
            raise TapeValueError(
                f"output_gradients entry of shape {value.shape} does not match "
                f"its target's shape {tensor.shape}"
            )
        seeds.append(value)
    return seeds


def _flatten_like(structure: Any, nest: Any) -> list[Any]:
    """The leaves of `nest` taken in the structure of the targets (a leaf may be a list)."""
    if isinstance(structure, dict):
        if not isinstance(nest, dict) or set(nest) != set(structure):
            raise TapeValueError("output_gradients must have the structure of the target")
        return [leaf for key in structure for leaf in _flatten_like(structure[key], nest[key])]
    if isinstance(structure, list | tuple):
        if not isinstance(nest, list | tuple) or len(nest) != len(structure):
            raise TapeValueError(
                f"output_gradients has {len(nest) if isinstance(nest, list | tuple) else 1} "
                f"entries for {len(structure)} targets"
            )
        return [leaf for s, n in zip(structure, nest, strict=True) for leaf in _flatten_like(s, n)]
    return [nest]


def _ones(value: Any) -> Any:
    # a read-only broadcast of one number: no memory to fill, however big the target
    shape = shape_of(value)
    return np.broadcast_to(1.0, shape) if shape else 1.0


def _check_mode(mode: str) -> None:
    if mode not in ("none", "zero"):
        raise TapeValueError(
            f"Unknown value for unconnected_gradients: {mode!r} (use 'none' or 'zero')"
        )


def _as_result(grad: Any, source: Tensor, zero: bool) -> Any:
    """A gradient as a tensor; None (or zeros) for a source nothing reached."""
    if grad is None:
        return detached(_ones(source._value) * 0.0) if zero else None
    return grad if isinstance(grad, Tensor) else detached(grad)
