"""What tapes record, and which tapes are recording now.

Every differentiable operation goes through `emit`, which offers the new tensor to each open
tape's `Recorder`; a recorder keeps a `Record` of it when one of the inputs is something it
follows. The state of the whole library lives in one object, `RECORDING` (the recorders open
now, outermost first), and one counter, `next_key`: nothing else here is module state.

Tapes know tensors by a key, a number given to a tensor when a tape first follows it, never
by the tensor itself: a record holds keys and only the values its rules read, so an
intermediate array nobody reads again is freed as soon as the user's code lets go of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import count
from operator import attrgetter
from typing import Any

from .core import Tensor, Value, Variable, kept
from .reads import needed

Rule = Callable[..., Any]

# Keys are never reused (unlike ids), so a key in a record can never name another tensor.
next_key = count(1).__next__

_VALUE = attrgetter("_value")
_KEY = attrgetter("_key")
_FLOAT_ONLY = frozenset((float,))


Key = int | None
Rules = Sequence[Rule]

Record = tuple[int, Value, Rules, int, Key, Value, Key, Value, tuple[tuple[Key, Value], ...]]
"""One recorded operation, always these nine fields in this order:

    (out, ans, rules, float_inputs, key_a, value_a, key_b, value_b, rest)

- out: the key of its output;
- ans: the output's value, or None when no rule reads it;
- rules: one vector-Jacobian product per input, rule(F, g, ans, *input values);
- float_inputs: for the backward pass's fast path, the number of inputs (1 or 2) when they and
  ans are all Python floats and there are at most two; else 0;
- key_a, value_a: the first input's key (None if no tape follows it) and its value when the
  operation ran (a Variable may be assigned later); a value no rule will read is `Dropped`;
- key_b, value_b: the same for the second input (None, None for an operation of one input);
- rest: the (key, value) of any further inputs, () for nearly every operation.

A flat tuple: scalar code makes and unpacks millions of records, and this shape costs one
allocation to make and one unpacking to read (a named tuple unpacks several times slower,
and tuples of keys and of values inside the record cost two more allocations each).
"""


def record(
    out: int, ans: Value, rules: Rules, floats: bool, keys: Sequence[Key], values: Sequence[Value]
) -> Record:
    """A record of an operation of any number of inputs (`floats`: whether its values and
    ans are all Python floats)."""
    if len(keys) == 1:
        return (out, ans, rules, 1 if floats else 0, keys[0], values[0], None, None, ())
    rest = tuple(zip(keys[2:], values[2:], strict=True))
    fast = 2 if floats and not rest else 0
    return (out, ans, rules, fast, keys[0], values[0], keys[1], values[1], rest)


def inputs_of(entry: Record) -> tuple[tuple[Key, ...], tuple[Value, ...]]:
    """The keys and the values of a record's inputs, in order."""
    rules, key_a, value_a, key_b, value_b, rest = entry[2], *entry[4:]
    if len(rules) == 1:
        return (key_a,), (value_a,)
    return (key_a, key_b, *(k for k, _ in rest)), (value_a, value_b, *(v for _, v in rest))


class Recorder:
    """What one tape records: its records, in order, and the keys it follows."""

    __slots__ = ("records", "followed", "watched", "watch_accessed", "arrays")

    def __init__(self, watch_accessed: bool) -> None:
        self.records: list[Record] = []
        self.followed: set[int | None] = set()  # watched tensors and what depends on them
        self.watched: dict[Tensor, None] = {}  # in the order watched
        self.watch_accessed = watch_accessed
        # whether a record may hold arrays: a pass on floats alone needs no numpy error state
        self.arrays = False

    def clear(self, watched: bool = True) -> None:
        # in place: the hot path may hold these very containers
        self.records.clear()
        self.followed.clear()
        if watched:
            self.watched.clear()
            self.arrays = False

    def follow(self, tensor: Tensor) -> int:
        key = tensor._key
        if key is None:
            tensor._key = key = next_key()
        self.watched[tensor] = None
        self.followed.add(key)
        return key

    def note_read(self, variable: Variable) -> None:
        """`variable` was read: watch it if this tape watches what is read."""
        if self.watch_accessed and variable.trainable:
            self.follow(variable)

    def offer(
        self,
        out: Tensor,
        inputs: Sequence[Tensor],
        values: tuple[Value, ...],
        floats: bool,
        rules: Sequence[Rule],
    ) -> None:
        """Keep `out` if it depends on what this tape follows. `values` are the inputs'
        values and `floats` says whether they and out's are all floats: every open tape is
        offered the same operation, so the caller works these out once."""
        followed = self.followed
        hit = False
        for tensor in inputs:
            if tensor._key in followed:
                hit = True
            elif type(tensor) is Variable and self.watch_accessed and tensor.trainable:
                self.follow(tensor)
                hit = True
        if not hit:
            return
        key = out._key
        if key is None:
            out._key = key = next_key()
        followed.add(key)
        keys = (inputs[0]._key,) if len(inputs) == 1 else tuple(map(_KEY, inputs))
        ans = out._value
        if not floats:
            # arrays: keep only what the rules of the followed inputs read
            self.arrays = True
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
        self.records.append(record(key, ans, rules, floats, keys, values))


class Recording:
    """The recorders of the tapes recording now, outermost first.

    One object for the whole library, not per thread: as in other eager autodiff libraries,
    a tape belongs to the thread that opened it. When exactly one tape records (the usual
    case), `solo` is its recorder's (followed, records) pair, so that the hot path can record
    in place; else None.
    """

    __slots__ = ("open", "solo")

    def __init__(self) -> None:
        self.open: list[Recorder] = []
        self.solo: tuple[set[int | None], list[Record]] | None = None

    def start(self, recorder: Recorder) -> None:
        opened = self.open
        opened.append(recorder)
        self.solo = (recorder.followed, recorder.records) if len(opened) == 1 else None

    def stop(self, recorder: Recorder) -> None:
        opened = self.open
        opened.remove(recorder)
        self.solo = (opened[0].followed, opened[0].records) if len(opened) == 1 else None

    @contextmanager
    def only(self, recorders: list[Recorder]) -> Iterator[None]:
        """Inside, just these recorders are open (none: nothing is recorded); the open ones
        are back afterwards. For custom gradients, whose forward computation is not taped."""
        saved = self.open
        self.open = recorders
        self._find_solo()
        try:
            yield
        finally:
            self.open = saved
            self._find_solo()

    def _find_solo(self) -> None:
        one = self.open[0] if len(self.open) == 1 else None
        self.solo = None if one is None else (one.followed, one.records)


RECORDING = Recording()


def emit(value: Value, inputs: Sequence[Tensor], rules: Sequence[Rule], name: str) -> Tensor:
    """Make the output tensor of a differentiable operation and let recording tapes see it."""
    out = Tensor.__new__(Tensor)
    out._value = value
    out._key = None
    recorders = RECORDING.open
    if recorders:
        if len(inputs) == 1:  # most functions: no map needed
            values: tuple[Value, ...] = (inputs[0]._value,)
            floats = type(value) is float and type(values[0]) is float
        else:
            values = tuple(map(_VALUE, inputs))
            floats = type(value) is float and _FLOAT_ONLY.issuperset(map(type, values))
        for recorder in recorders:
            recorder.offer(out, inputs, values, floats, rules)
    return out


def note_read(tensor: Tensor) -> None:
    """A Variable read where no operation is recorded (a comparison, stop_gradient): a tape
    that watches what is accessed watches it all the same, as TensorFlow's does, so that
    max(v1, v2) can be differentiated with respect to the Variable it returns."""
    if RECORDING.open and isinstance(tensor, Variable):
        for recorder in RECORDING.open:
            recorder.note_read(tensor)


def followed_anywhere(tensor: Tensor) -> bool:
    """Whether an open tape follows `tensor`."""
    return any(tensor._key in recorder.followed for recorder in RECORDING.open)


def detached(value: Value) -> Tensor:
    """A tensor no tape will follow (comparisons, signs, stop_gradient)."""
    out = Tensor.__new__(Tensor)
    out._value = value
    out._key = None
    return out


def revived(key: int | None, value: Value) -> Tensor:
    """A recorded value as a tensor again, under its old key, for a backward pass that other
    tapes record: they know the original by that key, so they link the two."""
    out = Tensor.__new__(Tensor)
    out._value = value
    out._key = key
    return out
