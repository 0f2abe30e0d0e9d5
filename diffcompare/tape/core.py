"""Tensors: the values tapes follow.

A tensor wraps a float64 value: a Python float for a scalar (the fast path: plain float
arithmetic and `math` are an order of magnitude cheaper than numpy on one number) or a numpy
array. Tapes know a tensor by its key (see `recording`), which it gets when a tape first
follows it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import TapeTypeError, TapeValueError

Value = Any  # float | bool | np.ndarray


def as_value(data: Any) -> Value:
    """A float for anything scalar, a float64 array otherwise (ints become floats: S18)."""
    kind = type(data)
    if kind is float:
        return data
    if kind is int or kind is bool:
        return float(data)
    if isinstance(data, Tensor):
        return data._value
    array = np.asarray(data)
    if array.dtype == np.bool_:
        return array if array.ndim else bool(array)
    if array.dtype.kind not in "biuf":
        raise TapeTypeError(f"cannot make a tensor from {type(data).__name__} ({array.dtype})")
    if array.ndim == 0:
        return float(array)
    return array.astype(np.float64, copy=True)


def shape_of(value: Value) -> tuple[int, ...]:
    kind = type(value)
    if kind is float or kind is bool:
        return ()
    if kind is np.ndarray or kind is Dropped:
        return value.shape
    return tuple(np.shape(value))


class Dropped:
    """Stands in a record for an array no rule reads: only its shape is kept."""

    __slots__ = ("shape",)

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape


def kept(value: Value, read: bool) -> Value:
    """What a record keeps of a value: all of it if a rule reads it (floats cost nothing)."""
    if read or type(value) is float:
        return value
    return Dropped(shape_of(value))


class Tensor:
    """An immutable value that tapes can follow. Make one with `constant`.

    `_key` is None until a tape follows the tensor (see the module's docstring).
    """

    __slots__ = ("_value", "_key", "__weakref__")
    __array_ufunc__ = None  # numpy defers to our reflected operators: array * tensor works

    _value: Value
    _key: int | None

    def __init__(self, value: Any) -> None:
        self._value = as_value(value)
        self._key = None

    # -- copies ---------------------------------------------------------------------------
    # A copy (copy, deepcopy, pickle) is a new tensor: it must not inherit the key by which
    # tapes know the original, or a tape would take the two for one.
    def __getstate__(self) -> dict[str, Any]:
        state = {
            name: getattr(self, name)
            for cls in type(self).__mro__
            for name in getattr(cls, "__slots__", ())
            if name not in ("_key", "__weakref__", "__dict__")
        }
        state.update(getattr(self, "__dict__", {}))  # a subclass's own attributes
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self._key = None

    # -- inspection -----------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return shape_of(self._value)

    @property
    def size(self) -> int:
        """The number of elements (1 for a scalar), as numpy's `size`."""
        return math.prod(shape_of(self._value))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.asarray(self._value).dtype

    def numpy(self) -> Any:
        """A numpy copy of the value (a numpy scalar for shape ())."""
        value = self._value
        if isinstance(value, np.ndarray):
            return value.copy()
        return np.float64(value) if type(value) is float else np.bool_(value)

    def __float__(self) -> float:
        return float(self._value)

    def __bool__(self) -> bool:
        if self.shape != ():
            raise TapeValueError(
                "the truth value of a tensor with more than one element is ambiguous"
            )
        return bool(self._value)

    def __len__(self) -> int:
        if self.shape == ():
            raise TapeTypeError("a scalar tensor has no len()")
        return self.shape[0]

    def __repr__(self) -> str:
        return f"<{self._kind()} shape={self.shape} value={_format(self._value)}>"

    def _kind(self) -> str:
        return "Tensor"

    # Operators are attached by .functions, which knows the operation table; these
    # declarations are for type checkers only.
    if TYPE_CHECKING:

        def __add__(self, other: Any) -> Tensor: ...
        def __radd__(self, other: Any) -> Tensor: ...
        def __sub__(self, other: Any) -> Tensor: ...
        def __rsub__(self, other: Any) -> Tensor: ...
        def __mul__(self, other: Any) -> Tensor: ...
        def __rmul__(self, other: Any) -> Tensor: ...
        def __truediv__(self, other: Any) -> Tensor: ...
        def __rtruediv__(self, other: Any) -> Tensor: ...
        def __pow__(self, other: Any) -> Tensor: ...
        def __rpow__(self, other: Any) -> Tensor: ...
        def __matmul__(self, other: Any) -> Tensor: ...
        def __rmatmul__(self, other: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __pos__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __getitem__(self, index: Any) -> Tensor: ...
        def __lt__(self, other: Any) -> Tensor: ...
        def __le__(self, other: Any) -> Tensor: ...
        def __gt__(self, other: Any) -> Tensor: ...
        def __ge__(self, other: Any) -> Tensor: ...


def _format(value: Value) -> str:
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=8, threshold=20)
    return repr(value)


class Variable(Tensor):
    """A mutable tensor, watched automatically by tapes when it is read (if trainable)."""

    __slots__ = ("name", "trainable")

    def __init__(self, initial_value: Any, name: str | None = None, trainable: bool = True) -> None:
        super().__init__(initial_value)
        self.name = name
        self.trainable = trainable

    def assign(self, value: Any) -> Variable:
        new = as_value(value)
        if shape_of(new) != self.shape:
            raise TapeValueError(f"cannot assign a value of shape {shape_of(new)} to {self!r}")
        self._value = new
        return self

    def assign_add(self, delta: Any) -> Variable:
        return self.assign(self._value + as_value(delta))

    def assign_sub(self, delta: Any) -> Variable:
        return self.assign(self._value - as_value(delta))

    def _kind(self) -> str:
        return f"Variable {self.name!r}" if self.name else "Variable"


def constant(value: Any) -> Tensor:
    """An immutable tensor; tapes follow it only once `watch`ed."""
    return Tensor(value)


def to_tensor(data: Any) -> Tensor:
    return data if isinstance(data, Tensor) else Tensor(data)
