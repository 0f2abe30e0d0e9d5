"""Linear algebra on the tape (batched matmul, einsum, tensordot, linalg.det, linalg.inv,
linalg.solve, linalg.trace, linalg.diag_part): values as numpy's, derivatives to second
order against finite differences and against autograd.

The cases follow autograd's tests/test_linalg.py (test_inv, test_inv_3d, test_solve_arg1,
test_solve_arg2, test_solve_arg1_3d_3d, test_det, test_det_3d), tests/test_systematic.py
(test_einsum_transpose, test_einsum_matmult, test_einsum_covsum, test_einsum_ellipses,
test_einsum_three_args, test_tensordot_1..4, test_trace) and tests/test_numpy.py
(test_dot, test_trace, test_diagonal, test_tensordot_kwargs_by_position), and TensorFlow's
matmul_op_test.py (batched and broadcast shapes, transpose_a/transpose_b),
matrix_inverse_op_test.py and matrix_solve_op_test.py (testNotInvertible) and
determinant_op_test.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from tape_checks import Case, case_id, check_autograd, check_finite_differences, check_values

import diffcompare.tape as dt
from diffcompare.errors import TapeValueError

rng = np.random.default_rng(5)
R = rng.standard_normal
D = 3
WELL = R((D, D)) + 3.0 * np.eye(D)  # well conditioned, as autograd's tests make them
BATCH = R((2, D, D)) + 3.0 * np.eye(D)


def _diagonal(x, k=0):
    """x[..., i, i + k] by plain indexing (autograd differentiates that, not '...ii')."""
    rows, cols = x.shape[-2:]
    n = min(rows + min(k, 0), cols - max(k, 0))
    steps = np.arange(n)
    return x[..., steps - min(k, 0), steps + max(k, 0)]


CASES = [
    # matmul: TF matmul_op_test batch and broadcast shapes, numpy's vector rules
    Case("matmul_3d", dt.matmul, lambda np_, a, b: np_.matmul(a, b), [R((2, 3, 4)), R((2, 4, 2))]),
    Case(
        "matmul_broadcast_batch",
        dt.matmul,
        lambda np_, a, b: np_.matmul(a, b),
        [R((2, 1, 3, 2)), R((3, 2, 2))],
    ),
    Case(
        "matmul_matrix_batch",
        dt.matmul,
        lambda np_, a, b: np_.matmul(a, b),
        [R((3, 4)), R((2, 4, 2))],
    ),
    Case(
        "matmul_vector_batch", dt.matmul, lambda np_, a, b: np_.matmul(a, b), [R(4), R((2, 4, 3))]
    ),
    Case(
        "matmul_batch_vector", dt.matmul, lambda np_, a, b: np_.matmul(a, b), [R((2, 3, 4)), R(4)]
    ),
    Case("matmul_vector_vector", dt.matmul, lambda np_, a, b: np_.matmul(a, b), [R(4), R(4)]),
    Case(
        "matmul_transposed",
        lambda a, b: dt.matmul(a, b, transpose_a=True, transpose_b=True),
        lambda np_, a, b: np_.matmul(np_.swapaxes(a, -1, -2), np_.swapaxes(b, -1, -2)),
        [R((2, 4, 3)), R((2, 2, 4))],
    ),
    # autograd test_systematic einsum cases
    Case(
        "einsum_transpose",
        lambda a: dt.einsum("ij->ji", a),
        lambda np_, a: np_.einsum("ij->ji", a),
        [R((3, 4))],
    ),
    Case(
        "einsum_matmult",
        lambda a, b: dt.einsum("ij,jk->ik", a, b),
        lambda np_, a, b: np_.einsum("ij,jk->ik", a, b),
        [R((2, 3)), R((3, 4))],
    ),
    Case(
        "einsum_covsum",
        lambda a, b: dt.einsum("ijk,lji->lki", a, b),
        lambda np_, a, b: np_.einsum("ijk,lji->lki", a, b),
        [R((3, 2, 2)), R((2, 2, 3))],
    ),
    Case(
        "einsum_ellipses",
        lambda a, b: dt.einsum("...jk,...lj->...lk", a, b),
        lambda np_, a, b: np_.einsum("...jk,...lj->...lk", a, b),
        [R((2, 3, 3)), R((2, 3, 3))],
    ),
    Case(
        "einsum_ellipses_broadcast",
        lambda a, b: dt.einsum("...,...->...", a, b),
        lambda np_, a, b: np_.einsum("...,...->...", a, b),
        [R((2, 3)), R(3)],
    ),
    Case(
        "einsum_three_args_with_a_diagonal",
        lambda a, b, c: dt.einsum("ijk,lji,lli->lki", a, b, c),
        lambda np_, a, b, c: np_.einsum("ijk,lji,li->lki", a, b, c[np.arange(2), np.arange(2)]),
        [R((3, 2, 2)), R((2, 2, 3)), R((2, 2, 3))],
    ),
    Case(
        "einsum_implicit_output",
        lambda a, b: dt.einsum("ba,bc", a, b),
        lambda np_, a, b: np_.einsum("ba,bc", a, b),
        [R((3, 2)), R((3, 4))],
    ),
    Case(
        "einsum_trace",
        lambda a: dt.einsum("ii", a),
        lambda np_, a: np_.sum(_diagonal(a)),
        [R((3, 3))],
    ),
    Case(
        "einsum_sum_out_an_axis",
        lambda a: dt.einsum("ij->i", a),
        lambda np_, a: np_.sum(a, axis=1),
        [R((3, 4))],
    ),
    # autograd test_systematic test_tensordot_1..4 and test_numpy test_tensordot_kwargs
    Case(
        "tensordot_1",
        lambda a, b: dt.tensordot(a, b, [[1], [0]]),
        lambda np_, a, b: np_.tensordot(a, b, [(1,), (0,)]),
        [R((2, 3, 2)), R((3, 4, 2))],
    ),
    Case(
        "tensordot_3",
        lambda a, b: dt.tensordot(a, b, [[1, 0], [2, 1]]),
        lambda np_, a, b: np_.tensordot(a, b, [(1, 0), (2, 1)]),
        [R((2, 3, 4)), R((2, 2, 3, 4))],
    ),
    Case(
        "tensordot_4",
        lambda a, b: dt.tensordot(a, b, 2),
        lambda np_, a, b: np_.tensordot(a, b, 2),
        [R((4, 2, 2)), R((2, 2, 4))],
    ),
    # autograd test_linalg
    Case("inv", dt.linalg.inv, lambda np_, a: np_.linalg.inv(a), [WELL]),
    Case("inv_3d", dt.linalg.inv, lambda np_, a: np_.linalg.inv(a), [BATCH]),
    Case(
        "solve_both_args",
        dt.linalg.solve,
        lambda np_, a, b: np_.linalg.solve(a, b),
        [WELL, R((D, D - 1))],
    ),
    Case(
        "solve_3d_3d",
        dt.linalg.solve,
        lambda np_, a, b: np_.linalg.solve(a, b),
        [BATCH, R((2, D, 2))],
    ),
    # batch axes broadcast, as numpy's solve broadcasts them (autograd cannot differentiate it)
    Case(
        "solve_broadcast_rhs",
        dt.linalg.solve,
        lambda np_, a, b: np_.linalg.solve(a, b),
        [BATCH, R((D, 2))],
        autograd=False,
    ),
    Case(
        "solve_broadcast_matrix",
        dt.linalg.solve,
        lambda np_, a, b: np_.linalg.solve(a, b),
        [WELL, R((2, D, 2))],
        autograd=False,
    ),
    Case(
        "solve_adjoint",
        lambda a, b: dt.linalg.solve(a, b, adjoint=True),
        lambda np_, a, b: np_.linalg.solve(np_.swapaxes(a, -1, -2), b),
        [BATCH, R((2, D, 2))],
    ),
    Case("det", dt.linalg.det, lambda np_, a: np_.linalg.det(a), [R((D, D))]),
    Case("det_3d", dt.linalg.det, lambda np_, a: np_.linalg.det(a), [R((2, D, D))]),
    # autograd test_systematic test_trace (square and not), test_numpy test_diagonal
    Case("trace", dt.linalg.trace, lambda np_, a: np_.sum(_diagonal(a), -1), [R((4, 4))]),
    Case(
        "trace_wide_batch",
        dt.linalg.trace,
        lambda np_, a: np_.sum(_diagonal(a), -1),
        [R((2, 3, 4))],
    ),
    Case("diag_part", dt.linalg.diag_part, lambda np_, a: _diagonal(a), [R((2, 4, 3))]),
    Case(
        "diag_part_offsets",
        lambda a: dt.linalg.diag_part(a, k=1)[..., :2] * dt.linalg.diag_part(a, k=-1),
        lambda np_, a: _diagonal(a, 1)[..., :2] * _diagonal(a, -1),
        [R((3, 4))],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_values_match_numpy(case: Case) -> None:
    check_values(case)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_derivatives_match_finite_differences(case: Case) -> None:
    check_finite_differences(case)


@pytest.mark.parametrize("case", [c for c in CASES if c.autograd], ids=case_id)
def test_derivatives_match_autograd(case: Case) -> None:
    pytest.importorskip("autograd")
    check_autograd(case)


# -- singular matrices, as TensorFlow treats them ----------------------------------------------

SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])


def test_inverse_and_solve_of_a_singular_matrix_are_refused() -> None:
    # tf matrix_inverse_op_test / matrix_solve_op_test testNotInvertible
    with pytest.raises(TapeValueError, match="Input is not invertible"):
        dt.linalg.inv(SINGULAR)
    with pytest.raises(TapeValueError, match="Input is not invertible"):
        dt.linalg.solve(SINGULAR, np.ones((2, 1)))


def test_det_of_a_singular_matrix_is_zero_but_its_gradient_is_refused() -> None:
    # TensorFlow's determinant gradient inverts the matrix, and so refuses at a singular one
    x = dt.Variable(SINGULAR)
    with dt.GradientTape() as tape:
        y = dt.linalg.det(x)
    assert float(y) == 0.0
    with pytest.raises(TapeValueError, match="Input is not invertible"):
        tape.gradient(y, x)


def test_det_gradient_near_a_singular_matrix_is_the_adjugate() -> None:
    # d det / dA = adj(A)^T, finite even as A becomes singular
    eps = 1e-9
    a = np.array([[1.0, 2.0], [2.0, 4.0 + eps]])
    got = dt.grad(dt.linalg.det)(a).numpy()
    np.testing.assert_allclose(got, [[4.0 + eps, -2.0], [-2.0, 1.0]], rtol=1e-6)


def test_shapes_are_checked_with_clear_errors() -> None:
    with pytest.raises(TapeValueError, match="square matrices"):
        dt.linalg.det(np.ones((2, 3)))
    with pytest.raises(TapeValueError, match="rhs must have shape"):
        dt.linalg.solve(WELL, np.ones(D))
    with pytest.raises(TapeValueError, match="do not fit"):
        dt.matmul(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(TapeValueError, match="diagonal 3 is outside"):
        dt.linalg.diag_part(np.ones((2, 3)), k=3)
    with pytest.raises(TapeValueError, match="2 operands named but 1 given"):
        dt.einsum("ij,jk->ik", np.ones((2, 2)))
    with pytest.raises(TapeValueError, match="do not fit an operand of rank 2"):
        dt.einsum("ijk->i", np.ones((2, 2)))
    with pytest.raises(TapeValueError, match="differ in length"):
        dt.tensordot(np.ones((2, 3)), np.ones((2, 3)), 1)


def test_third_derivative_of_a_determinant() -> None:
    # det of [[x, 1], [1, x]] is x**2 - 1: derivatives 2x, 2, 0 through nested tapes
    x = dt.Variable(1.5)
    with dt.GradientTape() as t3:
        with dt.GradientTape() as t2:
            with dt.GradientTape() as t1:
                m = dt.stack([dt.stack([x, 1.0]), dt.stack([1.0, x])])
                y = dt.linalg.det(m)
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t3.gradient(d2, x)
    assert float(d1) == pytest.approx(3.0)
    assert float(d2) == pytest.approx(2.0)
    assert float(d3) == pytest.approx(0.0, abs=1e-12)
