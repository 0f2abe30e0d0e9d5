"""Differentiable functions on tensors.

The elementary functions and the arithmetic operators come from the project's one table of
operations (`diffcompare.language.ops`): each row gives the forward computation and its
derivative rules, so this module only wires them to tensors. Nothing here names a row: the
functions (`sin`, `subtract`, `log`, ...) and the namespaces the rules are written against
are made from the rows, and a row added to the table later is found on first use. The array
operations the training examples need (sums, means, where, indexing, matmul, ...) have their
rules here, in the same style.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import TapeIndexError, TapeTypeError, TapeValueError
from ..language import ops
from ..language.ops import Operation
from .core import Tensor, Value, Variable, shape_of
from .recording import RECORDING, detached, emit, followed_anywhere, next_key, note_read

_FLOAT = float
_RECOVERABLE = (ArithmeticError, ValueError)  # math's domain errors, float overflow, 1/0.


def to_tensor(data: Any) -> Tensor:
    """A function's argument as a tensor. A list or tuple that holds tensors is packed
    (stacked), as TensorFlow and autograd do: reduce_mean([x, x + 2]) differentiates."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, list | tuple) and _holds_tensors(data):
        return stack(data)
    return Tensor(data)


def _holds_tensors(items: Sequence[Any]) -> bool:
    return any(
        isinstance(item, Tensor) or (isinstance(item, list | tuple) and _holds_tensors(item))
        for item in items
    )


def _numpy_call(fn: Callable[..., Any], values: Sequence[Value]) -> Value:
    try:
        with np.errstate(all="ignore"):
            result = fn(*(np.float64(v) if type(v) is _FLOAT else v for v in values))
    except ValueError:
        shapes = " and ".join(str(shape_of(v)) for v in values)
        raise TapeValueError(f"tensors of shapes {shapes} do not broadcast together") from None
    if np.ndim(result) == 0:
        return float(result) if np.asarray(result).dtype != np.bool_ else bool(result)
    return np.asarray(result, dtype=np.float64)


def compute(op: Operation, values: Sequence[Value]) -> Value:
    """Forward value: `math` on floats (fast), numpy otherwise or when math refuses."""
    if op.scalar is not None:
        for v in values:
            if type(v) is not _FLOAT:
                break
        else:
            try:
                return op.scalar(*values)
            except _RECOVERABLE:
                pass  # numpy says nan or inf where math raises
    return _numpy_call(op.numpy, values)


def apply(op: Operation, *args: Any) -> Tensor:
    if op.name == "pow" and _is_number_zero(args[1]):
        return _one_like(args[0])
    inputs = tuple(a if isinstance(a, Tensor) else to_tensor(a) for a in args)
    return emit(compute(op, [t._value for t in inputs]), inputs, op.rules, op.name)


def _is_number_zero(x: Any) -> bool:
    """A zero that no tape can differentiate with respect to (so x**it is the constant 1)."""
    if type(x) is _FLOAT or type(x) is int:
        return x == 0
    if type(x) is Tensor and type(x._value) is _FLOAT and x._value == 0.0:
        return not followed_anywhere(x)
    return False


def _one_like(x: Any) -> Tensor:
    # x**0 is 1 everywhere, 0**0 included. Taping it as a power would make its derivative
    # 0 * x**-1, which is nan at x = 0: higher derivatives of x**n would turn nan there.
    return detached(_FLOAT(1) if not shape_of(_value(x)) else np.ones(shape_of(_value(x))))


# -- the two namespaces the rules are written against ------------------------------------------


def _raw_sign(x: Value) -> Value:
    if type(x) is _FLOAT:
        return (x > 0) - (x < 0)
    return np.sign(x)


def _raw_positive(x: Value) -> Value:
    if type(x) is _FLOAT:
        return 1.0 if x > 0 else 0.0
    return (np.asarray(x) > 0).astype(np.float64)


def _raw_zero_to_one(x: Value) -> Value:
    if type(x) is _FLOAT:
        return 1.0 if x == 0.0 else x
    return np.where(np.asarray(x) == 0.0, 1.0, x)


def _taped_zero_to_one(x: Any) -> Any:
    x = to_tensor(x)
    return where(np.asarray(x._value) == 0.0, 1.0, x)


def _raw_function(op: Operation) -> Callable[..., Value]:
    scalar, numpy = op.scalar, op.numpy
    if scalar is None:
        return lambda *values: _numpy_call(numpy, values)
    if op.arity == 1:

        def unary(x: Value) -> Value:
            if type(x) is _FLOAT:
                try:
                    return scalar(x)
                except _RECOVERABLE:
                    pass
            return _numpy_call(numpy, (x,))

        return unary

    def binary(x: Value, y: Value) -> Value:
        if type(x) is _FLOAT and type(y) is _FLOAT:
            try:
                return scalar(x, y)
            except _RECOVERABLE:
                pass
        return _numpy_call(numpy, (x, y))

    return binary


def _taped_function(op: Operation) -> Callable[..., Tensor]:
    return lambda *args: apply(op, *args)


class Namespace:
    """What a rule calls `F`: a function per row of the table, made from the row by `make`,
    and a few helpers of the rules' own. Plain attributes (no `__getattr__`, which would
    slow every lookup a rule makes): rows added to the table later are added by `learn`."""

    def __init__(self, make: Callable[[Operation], Callable[..., Any]], **helpers: Any) -> None:
        self._make = make
        self.learn()
        for name, helper in helpers.items():
            setattr(self, name, helper)

    def learn(self) -> None:
        """Make the functions of the table's rows this namespace does not have yet."""
        for op in ops.TABLE:
            if op.name not in self.__dict__:
                setattr(self, op.name, self._make(op))


RAW_MATH = Namespace(
    _raw_function, sign=_raw_sign, positive=_raw_positive, zero_to_one=_raw_zero_to_one
)
# For records whose values are all floats: `math` itself, without RAW_MATH's checks. Where
# math refuses (a domain edge, an overflow) the caller runs the rule again with RAW_MATH on
# numpy floats, which answer inf or nan.
FLOAT_MATH = Namespace(
    lambda op: op.scalar or _raw_function(op),
    sign=_raw_sign,
    positive=_raw_positive,
    zero_to_one=_raw_zero_to_one,
)
TAPE_MATH = Namespace(
    _taped_function,
    sign=lambda x: detached(_raw_sign(to_tensor(x)._value)),
    positive=lambda x: detached(_raw_positive(to_tensor(x)._value)),
    zero_to_one=_taped_zero_to_one,
)


# -- backward ------------------------------------------------------------------------------------


def raw_rule_with_numpy(rule: Callable[..., Any], g: Any, ans: Any, args: Sequence[Any]) -> Any:
    # Python floats raise on 1/0 and on overflow; numpy floats give inf or nan instead.
    as_np = [np.float64(v) if type(v) is _FLOAT else v for v in (g, ans, *args)]
    with np.errstate(all="ignore"):
        result = rule(RAW_MATH, *as_np)
    return float(result) if np.ndim(result) == 0 else result


def sum_to_shape(part: Any, shape: tuple[int, ...], taped: bool) -> Any:
    """Undo broadcasting: sum a gradient back to the shape of its source."""
    if isinstance(part, Tensor):
        if taped:
            return part if part.shape == shape else _sum_to(part, shape)
        part = part._value  # array rules build tensors; in a plain pass nothing records them
    if taped:
        return detached(_sum_to_value(part, shape))
    if type(part) is _FLOAT or shape_of(part) == shape:
        return part
    return _sum_to_value(part, shape)


def _sum_to_value(value: Value, shape: tuple[int, ...]) -> Value:
    value = np.asarray(value, dtype=np.float64)
    if value.shape == shape:
        return value if shape else float(value)
    extra = value.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and value.shape[extra + i] != 1
    )
    with np.errstate(all="ignore"):
        summed = value.sum(axis=axes, keepdims=True)
    summed = summed.reshape(shape)
    return summed if shape else float(summed)


def _broadcast_value(value: Value, shape: tuple[int, ...]) -> Value:
    if shape_of(value) == shape:
        return value
    return np.broadcast_to(value, shape).copy()


def _sum_to(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    source_shape = x.shape
    return emit(
        _sum_to_value(x._value, shape),
        (x,),
        (lambda F, g, ans, x: broadcast_to(g, source_shape),),
        "sum_to",
    )


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Tensor:
    x = to_tensor(x)
    source_shape = x.shape
    if source_shape == shape:
        return x
    return emit(
        _broadcast_value(x._value, shape),
        (x,),
        (lambda F, g, ans, x: _sum_to(to_tensor(g), source_shape),),
        "broadcast_to",
    )


# -- the table's functions and operators ---------------------------------------------------------


def tape_name(op: Operation) -> str:
    """The name of a row's function here (TensorFlow's spelling for the operators)."""
    return op.tape_name or op.name


def table_functions() -> dict[str, Callable[..., Tensor]]:
    """The elementwise functions, one per name the table's rows give, made now from the
    table as it is now. Rows that share a name (log and logb) make one function, which picks
    the row by its number of arguments."""
    rows: dict[str, dict[int, Operation]] = {}
    for op in ops.TABLE:
        rows.setdefault(tape_name(op), {})[op.arity] = op
    return {name: _table_function(name, by_arity) for name, by_arity in rows.items()}


def _table_function(name: str, by_arity: dict[int, Operation]) -> Callable[..., Tensor]:
    def function(*args: Any) -> Tensor:
        op = by_arity.get(len(args))
        if op is None:
            counts = " or ".join(str(n) for n in sorted(by_arity))
            raise TapeTypeError(f"{name}() takes {counts} arguments, got {len(args)}")
        return apply(op, *args)

    function.__name__ = function.__qualname__ = name
    spelled = " / ".join(op.name for op in by_arity.values())
    function.__doc__ = f"Elementwise {name}, differentiable (the table's row {spelled})."
    return function


TABLE_FUNCTIONS = table_functions()
globals().update(TABLE_FUNCTIONS)  # sin, subtract, log, ... as this module's functions


def __getattr__(name: str) -> Callable[..., Tensor]:
    """A function for a row added to the table since this module was loaded."""
    function = table_functions().get(name)
    if function is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    for namespace in (RAW_MATH, FLOAT_MATH, TAPE_MATH):
        namespace.learn()  # the new row's rules may call new rows
    return function


def square(x: Any) -> Tensor:
    return apply(_MUL, x, x)


_ADD, _SUB, _MUL, _DIV, _POW, _NEG, _ABS = (
    ops.OPERATIONS[n] for n in ("add", "sub", "mul", "div", "pow", "neg", "abs")
)


_NUMBERS: dict[float, Tensor] = {}


def _operand(x: Any) -> Tensor:
    if isinstance(x, Tensor):
        return x
    # A number written into an expression: nobody else holds it, so no tape can watch it.
    # Loops meet the same few numbers again and again (the 2 of x**2): they are made once.
    if type(x) is _FLOAT or type(x) is int:
        cached = _NUMBERS.get(x)
        if cached is not None:
            return cached
        out = Tensor.__new__(Tensor)
        out._value = _FLOAT(x)
        out._key = None
        if len(_NUMBERS) < 4096:
            _NUMBERS[x] = out
        return out
    return Tensor(x)


def _operator(op: Operation, reflected: bool = False) -> Callable[[Tensor, Any], Tensor]:
    """A Tensor method for a binary operator of the table.

    This is the hot path of scalar code (a loss written with Python loops), so it is one
    flat function: floats go straight to float arithmetic or `math`, numbers written into
    the expression come from a cache, and on floats the recording of `emit` is done in
    place for the usual case of one open tape.
    """
    scalar, numpy_fn, rules, name = op.scalar, op.numpy, op.rules, op.name
    assert scalar is not None
    recording = RECORDING
    new = Tensor.__new__
    numbers = _NUMBERS
    is_power = name == "pow" and not reflected
    variable = Variable

    def method(self: Tensor, other: Any) -> Tensor:
        kind = type(other)
        if kind is not Tensor and kind is not variable:
            if kind is _FLOAT or kind is int:
                cached = numbers.get(other)
                other = cached if cached is not None else _operand(other)
            elif not isinstance(other, Tensor):
                other = _operand(other)
        if reflected:
            a, b = other, self
        else:
            a, b = self, other
        va = a._value
        vb = b._value
        out = new(Tensor)
        if type(va) is _FLOAT and type(vb) is _FLOAT:
            if is_power and vb == 0.0 and _is_number_zero(b):
                return _one_like(a)
            try:
                out._value = value = scalar(va, vb)
            except _RECOVERABLE:
                out._value = value = _numpy_call(numpy_fn, (va, vb))
            one = recording.solo
            if one is not None:
                # one tape, the usual case: its bookkeeping in place of a call. An unwatched
                # Variable may need watching first: that is Recorder.offer's job.
                followed, records = one
                ka = a._key
                kb = b._key
                fa = ka in followed
                if fa or kb in followed:
                    if (fa or type(a) is not variable) and (
                        kb in followed or type(b) is not variable
                    ):
                        out._key = key = next_key()
                        followed.add(key)
                        # a float record: floats cost nothing to keep
                        records.append((key, value, rules, 2, ka, va, kb, vb, ()))
                        return out
                elif type(a) is not variable and type(b) is not variable:
                    out._key = None
                    return out
        else:
            # arrays: the numpy work dwarfs any bookkeeping, so they take the general way
            if is_power and _is_number_zero(b):
                return _one_like(a)
            out._value = _numpy_call(numpy_fn, (va, vb))
        out._key = None
        recorders = recording.open
        if recorders:
            inputs = (a, b)
            values = (va, vb)
            floats = type(va) is _FLOAT and type(vb) is _FLOAT
            for recorder in recorders:
                recorder.offer(out, inputs, values, floats, rules)
        return out

    method.__name__ = f"__{'r' if reflected else ''}{name}__"
    return method


def _install_operators() -> None:
    T: Any = Tensor
    for dunder, op in (
        ("add", _ADD),
        ("sub", _SUB),
        ("mul", _MUL),
        ("truediv", _DIV),
        ("pow", _POW),
    ):
        setattr(T, f"__{dunder}__", _operator(op))
        setattr(T, f"__r{dunder}__", _operator(op, reflected=True))
    T.__neg__ = lambda self: emit(compute(_NEG, (self._value,)), (self,), _NEG.rules, "neg")
    T.__pos__ = lambda self: self
    T.__abs__ = lambda self: apply(_ABS, self)
    T.__matmul__ = lambda self, other: matmul(self, other)
    T.__rmatmul__ = lambda self, other: matmul(other, self)
    T.__getitem__ = lambda self, index: getitem(self, index)
    T.__lt__ = lambda self, other: _compare(np.less, self, other)
    T.__le__ = lambda self, other: _compare(np.less_equal, self, other)
    T.__gt__ = lambda self, other: _compare(np.greater, self, other)
    T.__ge__ = lambda self, other: _compare(np.greater_equal, self, other)


def _compare(fn: Callable[..., Any], a: Any, b: Any) -> Tensor:
    """Comparisons have no derivative: their results are never followed by a tape. They
    still read their Variables (see `recording.note_read`)."""
    a, b = to_tensor(a), to_tensor(b)
    note_read(a)
    note_read(b)
    return detached(_numpy_call(fn, (a._value, b._value)))


def equal(a: Any, b: Any) -> Tensor:
    return _compare(np.equal, a, b)


def not_equal(a: Any, b: Any) -> Tensor:
    return _compare(np.not_equal, a, b)


# -- array operations ----------------------------------------------------------------------------


def identity(x: Any) -> Tensor:
    """A new tensor with the same value, differentiable (its gradient passes unchanged).

    Tapes know a tensor by its key, so two identities of one tensor are two sources: what
    `grad` and `hessian` hand a function, so that f(c, c) has two arguments, not one."""
    x = to_tensor(x)
    return emit(x._value, (x,), (_pass_through,), "identity")


def _pass_through(F: Any, g: Any, ans: Any, x: Any) -> Any:
    return g


def stop_gradient(x: Any) -> Tensor:
    """The same value, cut from every tape."""
    x = to_tensor(x)
    note_read(x)
    return detached(x._value)


def reduce_sum(x: Any, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
    x = to_tensor(x)
    shape = x.shape
    kept = _kept_shape(shape, axis)
    with np.errstate(all="ignore"):
        total = np.sum(x._value, axis=_axis(axis), keepdims=keepdims)
    value: Value = float(total) if np.ndim(total) == 0 else total
    return emit(
        value,
        (x,),
        (lambda F, g, ans, x: broadcast_to(reshape(g, kept), shape),),
        "reduce_sum",
    )


def reduce_mean(x: Any, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
    x = to_tensor(x)
    shape = x.shape
    kept = _kept_shape(shape, axis)
    count = math.prod(shape) // max(math.prod(kept), 1) if shape else 1
    return reduce_sum(x, axis, keepdims) / float(max(count, 1))


def _axis(axis: int | Sequence[int] | None) -> Any:
    return tuple(axis) if isinstance(axis, list | tuple) else axis


def _kept_shape(shape: tuple[int, ...], axis: int | Sequence[int] | None) -> tuple[int, ...]:
    """The shape of a reduction with keepdims=True (where the gradient broadcasts from)."""
    if axis is None:
        return tuple(1 for _ in shape)
    axes = {a % len(shape) for a in ((axis,) if isinstance(axis, int) else axis)}
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def reshape(x: Any, shape: Sequence[int]) -> Tensor:
    x = to_tensor(x)
    source_shape = x.shape
    target = tuple(shape)
    if target == source_shape:
        return x
    value = np.reshape(np.asarray(x._value, dtype=np.float64), target)
    return emit(
        value if value.ndim else float(value),
        (x,),
        (lambda F, g, ans, x: reshape(g, source_shape),),
        "reshape",
    )


def transpose(x: Any, perm: Sequence[int] | None = None) -> Tensor:
    """Axes permuted: axis i of the result is axis perm[i] of x (None: reversed, as TF)."""
    x = to_tensor(x)
    ndim = x.ndim
    order = tuple(range(ndim - 1, -1, -1)) if perm is None else tuple(int(p) for p in perm)
    if not all(-ndim <= p < ndim for p in order) or sorted(p % ndim for p in order) != list(
        range(ndim)
    ):
        raise TapeValueError(f"transpose: perm {list(order)} is not a permutation of {ndim} axes")
    order = tuple(p % ndim for p in order)
    if order == tuple(range(ndim)):
        return x
    inverse = tuple(int(i) for i in np.argsort(order))
    return emit(
        np.transpose(x._value, order),
        (x,),
        (lambda F, g, ans, x: transpose(g, inverse),),
        "transpose",
    )


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    items = tuple(to_tensor(t) for t in tensors)
    value = np.stack([np.asarray(t._value, dtype=np.float64) for t in items], axis=axis)

    def rule(k: int) -> Callable[..., Any]:
        return lambda F, g, ans, *xs: getitem(g, (slice(None),) * axis + (k,))

    return emit(value, items, tuple(rule(k) for k in range(len(items))), "stack")


def concat(values: Sequence[Any], axis: int) -> Tensor:
    """Tensors of one rank joined along `axis` (tf.concat); their other axes must agree."""
    items = tuple(to_tensor(t) for t in values)
    if not items:
        raise TapeValueError("concat needs at least one tensor")
    ndim = items[0].ndim
    if ndim == 0:
        raise TapeValueError("concat: can't concatenate scalars (use stack instead)")
    if not -ndim <= axis < ndim:
        raise TapeValueError(f"concat: axis {axis} is out of range for tensors of rank {ndim}")
    axis %= ndim
    for t in items:
        if t.ndim != ndim or t.shape[:axis] + t.shape[axis + 1 :] != (
            items[0].shape[:axis] + items[0].shape[axis + 1 :]
        ):
            shapes = ", ".join(str(u.shape) for u in items)
            raise TapeValueError(f"concat: shapes {shapes} do not join along axis {axis}")
    if len(items) == 1:
        return items[0]
    value = np.concatenate([t._value for t in items], axis=axis)
    bounds = np.cumsum([0] + [t.shape[axis] for t in items])

    def rule(k: int) -> Callable[..., Any]:
        piece = (slice(None),) * axis + (slice(int(bounds[k]), int(bounds[k + 1])),)
        return lambda F, g, ans, *xs: getitem(g, piece)

    return emit(value, items, tuple(rule(k) for k in range(len(items))), "concat")


def getitem(x: Any, index: Any) -> Tensor:
    x = to_tensor(x)
    shape = x.shape
    if isinstance(index, Tensor):
        index = index._value
    if shape == ():
        raise TapeIndexError("a scalar tensor cannot be indexed")
    picked = np.asarray(x._value)[index]
    value: Value = picked.copy() if np.ndim(picked) else float(picked)
    return emit(
        value,
        (x,),
        (lambda F, g, ans, x: _scatter(g, index, shape),),
        "getitem",
    )


def _scatter(g: Any, index: Any, shape: tuple[int, ...]) -> Tensor:
    """Zeros of `shape` with `g` added at `index`: the adjoint of indexing."""
    g = to_tensor(g)
    full = np.zeros(shape)
    if _is_basic(index):
        full[index] = g._value  # a basic index names each element once: nothing to add up
    else:
        np.add.at(full, index, g._value)  # x[[0, 0]] takes an element twice
    return emit(full, (g,), (lambda F, gg, ans, g: getitem(gg, index),), "scatter")


_BASIC = (int, np.integer, slice, type(Ellipsis), type(None))


def _is_basic(index: Any) -> bool:
    """Whether numpy reads `index` as basic indexing (ints, slices, ..., None; no arrays)."""
    parts = index if type(index) is tuple else (index,)
    return all(isinstance(p, _BASIC) and not isinstance(p, bool) for p in parts)


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product with numpy's `@` rules: the last two axes multiply, the axes before
    them broadcast (batches), and a vector argument is a row or a column as it fits."""
    a, b = to_tensor(a), to_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise TapeValueError(
            f"matmul needs tensors of rank 1 or more, got shapes {a.shape} and {b.shape}"
        )
    try:
        with np.errstate(all="ignore"):
            value = np.matmul(a._value, b._value)
    except ValueError:
        raise TapeValueError(f"matmul: shapes {a.shape} and {b.shape} do not fit") from None
    return emit(
        float(value) if np.ndim(value) == 0 else value,
        (a, b),
        (_matmul_rule_a, _matmul_rule_b),
        "matmul",
    )


def _matrix_transpose(x: Any) -> Tensor:
    ndim = len(shape_of(_value(x)))
    return transpose(x, tuple(range(ndim - 2)) + (ndim - 1, ndim - 2))


def _as_matrices(g: Any, a_nd: int, b_nd: int) -> Any:
    """The output gradient with the axes a vector argument lacked put back (length 1)."""
    shape = shape_of(_value(g))
    if a_nd == 1:
        shape = shape[: len(shape) - (b_nd > 1)] + (1,) + shape[len(shape) - (b_nd > 1) :]
    if b_nd == 1:
        shape = shape + (1,)
    return reshape(g, shape)


def _matmul_rule_a(F: Any, g: Any, ans: Any, a: Any, b: Any) -> Any:
    a_shape, b_shape = shape_of(_value(a)), shape_of(_value(b))
    g = _as_matrices(g, len(a_shape), len(b_shape))
    b2 = reshape(b, (1, b_shape[0])) if len(b_shape) == 1 else _matrix_transpose(b)
    part = matmul(g, b2)  # (..., m, k); a vector's m is 1
    if len(a_shape) == 1:
        part = reshape(part, part.shape[:-2] + part.shape[-1:])
    return part  # the batch axes a lacks are summed back by the tape


def _matmul_rule_b(F: Any, g: Any, ans: Any, a: Any, b: Any) -> Any:
    a_shape, b_shape = shape_of(_value(a)), shape_of(_value(b))
    g = _as_matrices(g, len(a_shape), len(b_shape))
    a2 = reshape(a, (a_shape[0], 1)) if len(a_shape) == 1 else _matrix_transpose(a)
    part = matmul(a2, g)  # (..., k, n); a vector's n is 1
    if len(b_shape) == 1:
        part = reshape(part, part.shape[:-1])
    return part


def _value(x: Any) -> Value:
    return x._value if isinstance(x, Tensor) else x


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum; at ties the gradient goes to `a`."""
    a, b = to_tensor(a), to_tensor(b)
    return emit(
        _numpy_call(np.maximum, (a._value, b._value)),
        (a, b),
        (
            lambda F, g, ans, a, b: g * _mask(np.greater_equal, a, b),
            lambda F, g, ans, a, b: g * _mask(np.less, a, b),
        ),
        "maximum",
    )


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise minimum; at ties the gradient goes to `a`."""
    a, b = to_tensor(a), to_tensor(b)
    return emit(
        _numpy_call(np.minimum, (a._value, b._value)),
        (a, b),
        (
            lambda F, g, ans, a, b: g * _mask(np.less_equal, a, b),
            lambda F, g, ans, a, b: g * _mask(np.greater, a, b),
        ),
        "minimum",
    )


def _mask(fn: Callable[..., Any], a: Any, b: Any) -> Any:
    mask = np.asarray(fn(_value(a), _value(b)), dtype=np.float64)
    raw: Value = float(mask) if mask.ndim == 0 else mask
    return detached(raw) if isinstance(a, Tensor) else raw


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """x where condition holds, else y; the condition is not differentiated."""
    cond = np.asarray(_value(condition), dtype=bool)
    x, y = to_tensor(x), to_tensor(y)
    chosen = np.where(cond, x._value, y._value)
    return emit(
        float(chosen) if chosen.ndim == 0 else chosen,
        (x, y),
        (
            lambda F, g, ans, x, y: where(cond, g, 0.0),
            lambda F, g, ans, x, y: where(cond, 0.0, g),
        ),
        "where",
    )


_install_operators()
