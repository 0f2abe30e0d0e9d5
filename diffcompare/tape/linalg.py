"""dt.linalg: linear algebra on the tape, with tf.linalg's names and arguments: matmul,
einsum, tensordot, det, inv, solve, trace, diag_part and matrix_transpose. Every function
works on batches: the last two axes are the matrix, the axes before them broadcast.

Each rule is written with the functions of this module and of .functions, so a tape that
records a backward pass differentiates it again (the gradient of inv is made of inv and
matmul, the gradient of einsum is an einsum). Where TensorFlow raises for a singular matrix
(inv, solve, and so the gradient of det), so does this module, with TensorFlow's words.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import TapeValueError
from .arguments import as_result, value_of
from .core import Tensor, shape_of
from .functions import getitem, reduce_sum, reshape, to_tensor, transpose
from .functions import matmul as _matmul_operator
from .recording import emit

_NOT_INVERTIBLE = "Input is not invertible."


def matrix_transpose(a: Any) -> Tensor:
    """The last two axes swapped (tf.linalg.matrix_transpose)."""
    a = to_tensor(a)
    if a.ndim < 2:
        raise TapeValueError(f"matrix_transpose needs a tensor of rank 2 or more, got {a.shape}")
    return transpose(a, tuple(range(a.ndim - 2)) + (a.ndim - 1, a.ndim - 2))


def matmul(
    a: Any,
    b: Any,
    transpose_a: bool = False,
    transpose_b: bool = False,
    adjoint_a: bool = False,
    adjoint_b: bool = False,
) -> Tensor:
    """a @ b, with numpy's rules for batches and vectors; `transpose_a` (or, for real
    tensors the same, `adjoint_a`) multiplies by the transpose of a's matrices."""
    if transpose_a or adjoint_a:
        a = matrix_transpose(a)
    if transpose_b or adjoint_b:
        b = matrix_transpose(b)
    return _matmul_operator(a, b)


def _square(x: Tensor, operation: str) -> None:
    shape = x.shape
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise TapeValueError(f"{operation} needs square matrices [..., M, M], got shape {shape}")


def det(input: Any) -> Tensor:  # noqa: A002 - TensorFlow's name
    """The determinant of each matrix. Its gradient, det * inv(x)^T, needs the inverse, so
    at a singular matrix it is an error, as in TensorFlow (the value itself is fine)."""
    x = to_tensor(input)
    _square(x, "linalg.det")
    with np.errstate(all="ignore"):
        value = as_result(np.linalg.det(x._value))
    return emit(value, (x,), (_det_rule,), "det")


def _det_rule(F: Any, g: Any, ans: Any, x: Any) -> Any:
    scale = reshape(g * ans, shape_of(value_of(ans)) + (1, 1))
    return scale * matrix_transpose(inv(x))


def inv(input: Any) -> Tensor:  # noqa: A002
    """The inverse of each matrix; a singular one is an error, as in TensorFlow."""
    x = to_tensor(input)
    _square(x, "linalg.inv")
    try:
        value = np.linalg.inv(x._value)
    except np.linalg.LinAlgError:
        raise TapeValueError(f"linalg.inv: {_NOT_INVERTIBLE}") from None
    # d(x^-1) = -x^-1 dx x^-1, so the gradient is -x^-T g x^-T
    return emit(value, (x,), (_inv_rule,), "inv")


def _inv_rule(F: Any, g: Any, ans: Any, x: Any) -> Any:
    inverse_t = matrix_transpose(ans)
    return -matmul(matmul(inverse_t, g), inverse_t)


def solve(matrix: Any, rhs: Any, adjoint: bool = False) -> Tensor:
    """X with matrix @ X = rhs (matrix^T @ X = rhs with `adjoint`), for rhs [..., M, K];
    a singular matrix is an error, as in TensorFlow."""
    a, b = to_tensor(matrix), to_tensor(rhs)
    _square(a, "linalg.solve")
    if b.ndim < 2 or b.shape[-2] != a.shape[-1]:
        raise TapeValueError(
            f"linalg.solve: rhs must have shape [..., {a.shape[-1]}, K], got {b.shape}"
        )
    value = _solve_value(a._value, b._value, adjoint)
    return emit(value, (a, b), _solve_rules(adjoint), "solve")


def _solve_value(a: Any, b: Any, adjoint: bool) -> Any:
    if adjoint:
        a = np.swapaxes(a, -1, -2)
    try:
        with np.errstate(all="ignore"):
            return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise TapeValueError(f"linalg.solve: {_NOT_INVERTIBLE}") from None
    except ValueError:
        shapes = f"{np.shape(a)} and {np.shape(b)}"
        raise TapeValueError(f"linalg.solve: shapes {shapes} do not broadcast") from None


def _solve_rules(adjoint: bool) -> tuple[Callable[..., Any], Callable[..., Any]]:
    # with A X = B: dB = A^-T g, dA = -dB X^T (transposed when A enters transposed)
    def matrix_rule(F: Any, g: Any, ans: Any, a: Any, b: Any) -> Any:
        grad_b = solve(a, g, adjoint=not adjoint)
        if adjoint:
            return -matmul(ans, grad_b, transpose_b=True)
        return -matmul(grad_b, ans, transpose_b=True)

    def rhs_rule(F: Any, g: Any, ans: Any, a: Any, b: Any) -> Any:
        return solve(a, g, adjoint=not adjoint)

    return matrix_rule, rhs_rule


def diag_part(input: Any, k: int = 0) -> Tensor:  # noqa: A002
    """Diagonal k of each matrix (0 the main one, k > 0 above it, k < 0 below), as
    tf.linalg.diag_part with a single k; matrices need not be square."""
    x = to_tensor(input)
    if x.ndim < 2:
        raise TapeValueError(f"linalg.diag_part needs a tensor of rank 2 or more, got {x.shape}")
    rows, cols = x.shape[-2:]
    if not -rows < k < cols:
        raise TapeValueError(f"linalg.diag_part: diagonal {k} is outside a {rows} x {cols} matrix")
    length = min(rows + min(k, 0), cols - max(k, 0))
    steps = np.arange(length)
    return getitem(x, (Ellipsis, steps - min(k, 0), steps + max(k, 0)))


def trace(x: Any) -> Tensor:
    """The sum of the main diagonal of each matrix (tf.linalg.trace)."""
    return reduce_sum(diag_part(x), -1)


# -- einsum and tensordot --------------------------------------------------------------------


def einsum(equation: str, *inputs: Any) -> Tensor:
    """Einstein summation with numpy's and TensorFlow's notation: `ij,jk->ik`, implicit
    output (`ij,jk`), `...` for broadcast batch axes, repeated letters in an operand for
    its diagonal (`ii->i`, `ii`). The gradient for an operand is an einsum itself."""
    tensors = [to_tensor(t) for t in inputs]
    terms, output = _explicit(equation, [t.ndim for t in tensors])
    spelled = ",".join(terms) + "->" + output
    try:
        with np.errstate(all="ignore"):
            value = np.einsum(spelled, *[t._value for t in tensors])
    except ValueError as error:
        raise TapeValueError(f"einsum {equation!r}: {error}") from None
    rules = tuple(_einsum_rule(k, terms, output, tensors[k].shape) for k in range(len(tensors)))
    return emit(as_result(value), tensors, rules, "einsum")


def _einsum_rule(
    k: int, terms: list[str], output: str, shape: tuple[int, ...]
) -> Callable[..., Any]:
    """The gradient for operand k: contract the output's gradient with the other operands
    back onto operand k's letters. A letter repeated in operand k (a diagonal) gets a fresh
    letter tied to it by an identity matrix; a letter only operand k has (summed away) is
    spread back by a vector of ones."""
    others = [term for j, term in enumerate(terms) if j != k]
    known = set(output).union(*others)
    spare = iter(_fresh_letters(terms + [output]))
    target: list[str] = []
    extra_terms: list[str] = []
    extras: list[np.ndarray] = []
    seen: set[str] = set()
    for letter, n in zip(terms[k], shape, strict=True):
        if letter in seen:
            fresh = next(spare)
            target.append(fresh)
            extra_terms.append(letter + fresh)
            extras.append(np.eye(n))
            continue
        seen.add(letter)
        target.append(letter)
        if letter not in known:
            extra_terms.append(letter)
            extras.append(np.ones(n))
            known.add(letter)
    spelled = ",".join([output, *others, *extra_terms]) + "->" + "".join(target)

    def rule(F: Any, g: Any, ans: Any, *xs: Any) -> Any:
        return einsum(spelled, g, *(x for j, x in enumerate(xs) if j != k), *extras)

    return rule


def _fresh_letters(used: Sequence[str]) -> list[str]:
    taken = set("".join(used))
    return [c for c in string.ascii_letters if c not in taken]


def _explicit(equation: str, ranks: Sequence[int]) -> tuple[list[str], str]:
    """Operand and output subscripts with every axis named by one letter: `...` becomes
    letters of its own (right-aligned across operands, as broadcasting aligns them), and an
    implicit output is the ellipsis axes then the letters used once, in alphabetical order."""
    text = equation.replace(" ", "")
    left, arrow, right = text.partition("->")
    terms = left.split(",")
    if len(terms) != len(ranks):
        raise TapeValueError(
            f"einsum {equation!r}: {len(terms)} operands named but {len(ranks)} given"
        )
    for part in [*terms, right]:
        rest = part.replace("...", "", 1)
        if "." in rest or not all(c in string.ascii_letters for c in rest):
            raise TapeValueError(f"einsum {equation!r}: subscripts must be letters or one '...'")
    ellipsis_ranks = []
    for term, rank in zip(terms, ranks, strict=True):
        named = len(term.replace("...", ""))
        if ("..." not in term and named != rank) or named > rank:
            raise TapeValueError(
                f"einsum {equation!r}: subscripts {term!r} do not fit an operand of rank {rank}"
            )
        ellipsis_ranks.append(rank - named if "..." in term else 0)
    width = max(ellipsis_ranks, default=0)
    spare = _fresh_letters([text])
    if width > len(spare):
        raise TapeValueError(f"einsum {equation!r}: too many axes to name")
    batch = "".join(spare[:width])
    filled = [
        term.replace("...", batch[width - r :]) if "..." in term else term
        for term, r in zip(terms, ellipsis_ranks, strict=True)
    ]
    if arrow:
        output = right.replace("...", batch)
    else:
        letters = "".join(t.replace("...", "") for t in terms)
        output = batch + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return filled, output


def tensordot(a: Any, b: Any, axes: Any) -> Tensor:
    """Sum of products over axes of a and b (tf.tensordot): `axes` an int N (the last N of
    a with the first N of b) or a pair of axis lists. The result has a's free axes, then
    b's."""
    a, b = to_tensor(a), to_tensor(b)
    if isinstance(axes, int | np.integer):
        if not 0 <= axes <= min(a.ndim, b.ndim):
            raise TapeValueError(f"tensordot: axes={axes} does not fit shapes {a.shape}, {b.shape}")
        a_axes = list(range(a.ndim - int(axes), a.ndim))
        b_axes = list(range(int(axes)))
    else:
        first, second = axes
        a_axes = [int(first)] if isinstance(first, int | np.integer) else list(first)
        b_axes = [int(second)] if isinstance(second, int | np.integer) else list(second)
        if len(a_axes) != len(b_axes):
            raise TapeValueError(f"tensordot: axes {axes} pair up unequal numbers of axes")
        a_axes = [int(i) % a.ndim for i in a_axes] if a.ndim else a_axes
        b_axes = [int(i) % b.ndim for i in b_axes] if b.ndim else b_axes
    letters = string.ascii_letters
    a_term = list(letters[: a.ndim])
    b_term = list(letters[a.ndim : a.ndim + b.ndim])
    for i, j in zip(a_axes, b_axes, strict=True):
        if a.shape[i] != b.shape[j]:
            raise TapeValueError(
                f"tensordot: axis {i} of {a.shape} and axis {j} of {b.shape} differ in length"
            )
        b_term[j] = a_term[i]
    free = [c for i, c in enumerate(a_term) if i not in a_axes] + [
        c for j, c in enumerate(b_term) if j not in b_axes
    ]
    return einsum("".join(a_term) + "," + "".join(b_term) + "->" + "".join(free), a, b)


__all__ = [
    "det",
    "diag_part",
    "einsum",
    "inv",
    "matmul",
    "matrix_transpose",
    "solve",
    "tensordot",
    "trace",
]
