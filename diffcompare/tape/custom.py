"""custom_gradient: a function whose gradient is given, with TensorFlow's decorator semantics.

    @dt.custom_gradient
    def log1pexp(x):
        e = dt.exp(x)
        def grad(upstream):
            return upstream * (1 - 1 / (1 + e))
        return dt.log(1 + e), grad

As in TensorFlow, the tapes record the decorated function's own operations too, but its
result is a new tensor, made by one recorded operation from its tensor arguments whose rule
is `grad`: gradients reach the arguments through `grad` only. When the backward pass is
itself recorded (an outer tape, a persistent tape asked inside its block), `grad` runs on
tape functions like any rule, and what it uses from the forward computation (`e` above) is
linked to the arguments by those recorded operations: so `grad` can be differentiated
again, and it may use custom gradients of its own to set the second derivative.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import TapeTypeError, TapeValueError
from .core import Tensor, Variable
from .functions import TAPE_MATH, getitem, reshape, to_tensor
from .recording import RECORDING, Recorder, detached, emit

GradFunction = Callable[..., Any]


def custom_gradient(f: Callable[..., tuple[Any, GradFunction]]) -> Callable[..., Any]:
    """Decorate `f(*args) -> (result, grad)`, where `grad(*upstream)` gives the gradient
    with respect to each tensor argument (one per output of f in `upstream`; a list of as
    many gradients as there are tensor arguments, or one for one). If f reads Variables
    that are not among its arguments, `grad` must take a keyword `variables` and return
    (gradients of the arguments, gradients of those variables)."""

    @functools.wraps(f)
    def decorated(*args: Any, **kwargs: Any) -> Any:
        inputs = [a for a in args if isinstance(a, Tensor)]
        probe = Recorder(watch_accessed=True)  # sees the Variables f reads
        with RECORDING.only([*RECORDING.open, probe]):
            result, grad_fn = f(*args, **kwargs)
        variables = [v for v in probe.watched if isinstance(v, Variable) and not _among(v, inputs)]
        if variables and not _takes_variables(grad_fn):
            raise TapeTypeError(
                f"{f.__name__} reads the Variables {[v.name or v for v in variables]}: "
                "with @custom_gradient, its grad function must take a keyword argument "
                "'variables' and return the gradients of those variables too"
            )
        return _record(result, grad_fn, [*inputs, *variables], len(inputs), variables)

    return decorated


def _among(tensor: Tensor, tensors: Sequence[Tensor]) -> bool:
    return any(tensor is t for t in tensors)


def _takes_variables(grad_fn: GradFunction) -> bool:
    try:
        parameters = inspect.signature(grad_fn).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.name == "variables" or p.kind is p.VAR_KEYWORD for p in parameters)


def _record(
    result: Any,
    grad_fn: GradFunction,
    sources: list[Tensor],
    n_inputs: int,
    variables: list[Variable],
) -> Any:
    """One recorded operation from the sources to the result (several outputs are one
    flat vector on the tape, handed out in pieces)."""
    several = isinstance(result, list | tuple)
    outputs = [to_tensor(r) for r in result] if several else [to_tensor(result)]
    shapes = [t.shape for t in outputs]
    sizes = [int(np.prod(s)) if s else 1 for s in shapes]
    bounds = np.cumsum([0, *sizes])
    source_shapes = [t.shape for t in sources]

    def upstream_of(g: Any) -> list[Any]:
        """The output gradient, as the tensors grad_fn expects, one per output."""
        g = g if isinstance(g, Tensor) else detached(g)
        if not several:
            return [g]
        return [
            reshape(getitem(g, slice(int(bounds[k]), int(bounds[k + 1]))), shapes[k])
            for k in range(len(outputs))
        ]

    # grad_fn gives every gradient at once, and the rules ask one by one: the last call's
    # g, whether it was taped, and its gradients
    last: list[Any] = [None, None, None]

    def gradients(g: Any, taped: bool) -> list[Any]:
        if last[0] is not g or last[1] is not taped:
            upstream = upstream_of(g)
            if variables:
                given, variable_grads = grad_fn(*upstream, variables=variables)
                found = [*_as_list(given, n_inputs), *_as_list(variable_grads, len(variables))]
            else:
                found = _as_list(grad_fn(*upstream), n_inputs)
            last[:] = [g, taped, found]
        found = last[2]
        return found

    def rule_for(k: int) -> Callable[..., Any]:
        shape = source_shapes[k]

        def rule(F: Any, g: Any, ans: Any, *values: Any) -> Any:
            taped = F is TAPE_MATH
            part = gradients(g, taped)[k]
            if part is None:  # no gradient for this one: zeros
                part = np.zeros(shape) if shape else 0.0
            part = to_tensor(part)
            return part if taped else part._value

        return rule

    if several:
        flat = np.concatenate([np.ravel(np.asarray(t._value, dtype=np.float64)) for t in outputs])
        packed = emit(flat, sources, tuple(rule_for(k) for k in range(len(sources))), "custom")
        return type(result)(
            reshape(getitem(packed, slice(int(bounds[k]), int(bounds[k + 1]))), shapes[k])
            for k in range(len(outputs))
        )
    if not sources:
        return outputs[0]
    value = outputs[0]._value
    return emit(value, sources, tuple(rule_for(k) for k in range(len(sources))), "custom")


def _as_list(grads: Any, count: int) -> list[Any]:
    listed = list(grads) if isinstance(grads, list | tuple) else [grads]
    if len(listed) != count:
        raise TapeValueError(
            f"a custom gradient function gave {len(listed)} gradients for {count} inputs"
        )
    return listed
