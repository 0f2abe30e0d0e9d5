"""GradientTape: records operations while open, plays them backwards on request."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from operator import attrgetter
from typing import Any

import numpy as np

from ..errors import TapeTypeError, TapeUsageError, TapeValueError
from . import core
from .core import Tensor, Variable, kept, shape_of
from .functions import (
    FLOAT_MATH,
    RAW_MATH,
    backward_step,
    raw_rule_with_numpy,
    reshape,
    stack,
    sum_to_shape,
)
from .reads import needed

_REUSED = (
    "A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)"
)

# One record: the keys of the output and the inputs, the values the rules read (taken when the
# operation ran: a Variable may be assigned later; a value no rule reads is `Dropped`, and
# `ans` None), and the rules:
#   (out, keys, values, ans, rules)   any operation
#   (out, a, b, va, vb, ans, rules)   a binary operator on floats, flat: scalar code makes
#                                     millions of these
Record = tuple[Any, ...]


class GradientTape:
    """Records the operations on watched tensors inside its `with` block.

    Inside another tape's block, the backward pass of this one is itself recorded by the
    outer tape (its rules are written in tape operations), which is how a gradient of a
    gradient, and so a Hessian or a third derivative, comes out.
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True) -> None:
        self._persistent = persistent
        self._watch_accessed = watch_accessed_variables
        self._records: list[Record] = []
        self._followed: set[int] = set()  # keys of watched tensors and what depends on them
        self._watched: dict[Tensor, None] = {}  # in the order watched
        # whether a record may hold arrays: a pass on floats alone needs no numpy error state
        self._arrays = False
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
        core.ACTIVE.append(self)
        core.sync_active()

    def _pop(self) -> None:
        if self._recording:
            self._recording = False
            core.ACTIVE.remove(self)
            core.sync_active()

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
        self._records.clear()
        self._followed.clear()
        self._watched.clear()
        self._arrays = False
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
            self._follow(item)

    def _follow(self, tensor: Tensor) -> int:
        key = tensor._key
        if key is None:
            tensor._key = key = next(core.KEYS)
        self._watched[tensor] = None
        self._followed.add(key)
        return key

    def note_read(self, variable: Variable) -> None:
        """`variable` was read inside the block: watch it if this tape watches what is read."""
        if self._watch_accessed:
            self._follow(variable)

    def watched_variables(self) -> tuple[Variable, ...]:
        return tuple(t for t in self._watched if isinstance(t, Variable))

    def _record(
        self,
        out: Tensor,
        inputs: Sequence[Tensor],
        values: tuple[Any, ...],
        floats: bool,
        rules: Sequence[Any],
    ) -> None:
        """Keep `out` if it depends on what this tape follows. `values` are the inputs'
        values and `floats` says whether they and out's are all floats: every open tape is
        offered the same operation, so the caller works these out once."""
        followed = self._followed
        hit = False
        for tensor in inputs:
            if tensor._key in followed:
                hit = True
            elif type(tensor) is Variable and self._watch_accessed and tensor.trainable:
                self._follow(tensor)
                hit = True
        if not hit:
            return
        key = out._key
        if key is None:
            out._key = key = next(core.KEYS)
        followed.add(key)
        keys = (inputs[0]._key,) if len(inputs) == 1 else tuple(map(_KEY, inputs))
        ans = out._value
        if not floats:
            # arrays: keep only what the rules of the followed inputs read
            self._arrays = True
            if len(keys) == 1:
                hits: tuple[bool, ...] = (True,)
            elif len(keys) == 2:
                hits = (keys[0] in followed, keys[1] in followed)
            else:
                hits = tuple([k in followed for k in keys])
            read = needed(rules, hits)
            if not read[0]:
                ans = None
            if not all(read):
                values = tuple(map(kept, values, read[1:]))
        self._records.append((key, keys, values, ans, rules))

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
            grads = self._backward([target], [core.detached(seed_value)], flat_sources)
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

    def _check_usable(self) -> None:
        if self._used and not self._persistent:
            raise TapeUsageError(_REUSED)
        if not self._opened and not self._watched:
            raise TapeValueError(
                "this tape recorded nothing: compute the target inside `with tape:` "
                "(and watch() constants you want gradients for)"
            )

    def _finish(self) -> None:
        self._used = True
        if not self._persistent:
            # a non-persistent tape is spent: let go of every recorded array now (in place:
            # the hot path may hold these very containers)
            self._records.clear()
            self._followed.clear()

    def _backward(
        self,
        targets: Sequence[Tensor],
        seeds: Sequence[Tensor],
        sources: Sequence[Tensor],
    ) -> dict[int, Any]:
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
    ) -> dict[int, Any]:
        if not self._arrays:
            # Python floats raise where numpy would warn, and the rules catch that
            return self._play_values(targets, seeds, keep)
        with np.errstate(all="ignore"):  # inf and nan are answers here, not warnings
            return self._play_values(targets, seeds, keep)

    def _play_values(
        self, targets: Sequence[Tensor], seeds: Sequence[Tensor], keep: set[int | None]
    ) -> dict[int, Any]:
        taped = bool(core.ACTIVE)
        grads: dict[int, Any] = {}
        followed = self._followed
        for target, seed in zip(targets, seeds, strict=True):
            key = target._key
            if key is None or key not in followed:
                continue  # nothing followed led to it: every gradient is unconnected
            value: Any = seed if taped else seed._value
            grads[key] = grads[key] + value if key in grads else value
        records = self._records
        if self._recording:  # this pass adds records of its own: play the ones there were
            records = records[:]
        if taped:
            for record in reversed(records):
                if len(record) == 7:
                    out, a, b, va, vb, ans, rules = record
                    record = (out, (a, b), (va, vb), ans, rules)
                out = record[0]
                g = grads.get(out) if out in keep else grads.pop(out, None)
                if g is not None:
                    backward_step(g, record, followed, grads)
            return grads
        _plain_backward(records, followed, keep, grads)
        return grads


def _plain_backward(
    records: list[Record],
    followed: set[int],
    keep: set[int | None],
    grads: dict[int, Any],
) -> None:
    """The backward pass on plain values, when no other tape needs to record it.

    This is where scalar code spends its backward time, so the loop is flat, and binary
    operators (nearly every record of scalar code) are unrolled: no enumerate, no star call.
    A float record's gradient is a float too (every gradient is summed to the shape of its
    tensor), so its rules run on `math` directly, with no shape to undo.

    Array gradients that meet are added in place when the sum is an array this pass made
    itself (`owned`) and has not yet handed to a rule, which may return it unchanged (the
    rule of +): big arrays then cost one allocation per source, not one per use.
    """
    raw = RAW_MATH
    fast = FLOAT_MATH
    real = float
    # math's refusals, and a float function handed an array: both are retried with numpy
    retry = (ArithmeticError, ValueError, TypeError)
    pop = grads.pop
    get = grads.get
    owned: set[int] = set()
    for record in reversed(records):
        if len(record) == 7:  # a binary operator on floats
            out, a, b, va, vb, ans, rules = record
            g = get(out) if out in keep else pop(out, None)
            if g is None:
                continue
            if a in followed:
                try:
                    part = rules[0](fast, g, ans, va, vb)
                except retry:
                    part = raw_rule_with_numpy(rules[0], g, ans, (va, vb))
                previous = get(a)
                grads[a] = part if previous is None else previous + part
            if b in followed:
                try:
                    part = rules[1](fast, g, ans, va, vb)
                except retry:
                    part = raw_rule_with_numpy(rules[1], g, ans, (va, vb))
                previous = get(b)
                grads[b] = part if previous is None else previous + part
            continue
        out, keys, values, ans, rules = record
        g = get(out) if out in keep else pop(out, None)
        if g is None:
            continue
        if owned:
            owned.discard(id(g))
        for k, key in enumerate(keys):
            if key not in followed:
                continue
            try:
                part = rules[k](raw, g, ans, *values)
            except (ArithmeticError, ValueError):
                part = raw_rule_with_numpy(rules[k], g, ans, values)
            if type(part) is not real or type(values[k]) is not real:
                part = sum_to_shape(part, shape_of(values[k]), False)
            previous = get(key)
            if previous is None:
                grads[key] = part
            elif type(previous) is real or id(previous) not in owned:
                grads[key] = total = previous + part
                if type(total) is not real:
                    owned.add(id(total))
            else:
                previous += part


_TENSOR_TYPES = frozenset((Tensor, Variable))
_KEY = attrgetter("_key")


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
        return [core.detached(_ones(t._value)) for t in targets]
    given = _flatten_like(target, output_gradients)
    seeds = []
    for tensor, seed in zip(targets, given, strict=True):
        value = core.to_tensor(seed)
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
        return core.detached(_ones(source._value) * 0.0) if zero else None
    return grad if isinstance(grad, Tensor) else core.detached(grad)
