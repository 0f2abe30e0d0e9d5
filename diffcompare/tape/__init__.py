"""diffcompare.tape: reverse-mode automatic differentiation on numpy, with the semantics of
TensorFlow's GradientTape (watch, persistent tapes, nested tapes for higher derivatives).

    import diffcompare.tape as dt

    x = dt.Variable(3.0)
    with dt.GradientTape() as outer:
        with dt.GradientTape() as inner:
            y = x**3
        dy = inner.gradient(y, x)      # 27
    d2y = outer.gradient(dy, x)        # 18

The elementwise functions (`sin`, `exp`, `subtract`, `log`, ...) are the rows of the
operation table (`diffcompare.language.ops`), made from them: they are not listed here, and
a row added to the table is a function here too.
"""

from typing import Any

from . import functions, linalg, nn
from .core import Tensor, Variable, constant
from .custom import custom_gradient
from .elementwise import clip_by_value, expm1, floor, log1p, round, sign
from .functional import grad, hessian, hvp, jvp, value_and_grad
from .functions import (
    broadcast_to,
    concat,
    equal,
    getitem,
    identity,
    maximum,
    minimum,
    not_equal,
    reduce_mean,
    reduce_sum,
    reshape,
    square,
    stack,
    stop_gradient,
    transpose,
    where,
)
from .gradient_tape import GradientTape
from .linalg import einsum, matmul, tensordot
from .optimizers import SGD, clip_by_global_norm
from .reductions import (
    cumsum,
    reduce_logsumexp,
    reduce_max,
    reduce_min,
    reduce_prod,
    reduce_std,
    reduce_variance,
)
from .shapes import expand_dims, gather, pad, split, squeeze, tile

globals().update(functions.TABLE_FUNCTIONS)

__all__ = [
    "GradientTape",
    "SGD",
    "clip_by_global_norm",
    "Tensor",
    "Variable",
    "constant",
    "grad",
    "hessian",
    "value_and_grad",
    "jvp",
    "hvp",
    "custom_gradient",
    "nn",
    "linalg",
    "einsum",
    "tensordot",
    "clip_by_value",
    "cumsum",
    "expand_dims",
    "gather",
    "pad",
    "split",
    "squeeze",
    "tile",
    "expm1",
    "floor",
    "log1p",
    "reduce_logsumexp",
    "reduce_max",
    "reduce_min",
    "reduce_prod",
    "reduce_std",
    "reduce_variance",
    "round",
    "sign",
    "broadcast_to",
    "concat",
    "equal",
    "getitem",
    "identity",
    "matmul",
    "maximum",
    "minimum",
    "not_equal",
    "reduce_mean",
    "reduce_sum",
    "reshape",
    "square",
    "stack",
    "stop_gradient",
    "transpose",
    "where",
]
__all__ += list(functions.TABLE_FUNCTIONS)  # the table's rows, as the table was at import


def __getattr__(name: str) -> Any:
    """The function of a row added to the table since this package was loaded."""
    return getattr(functions, name)


def __dir__() -> list[str]:
    return sorted({*globals(), *functions.table_functions()})
