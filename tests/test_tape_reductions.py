"""Reductions and running sums on the tape (reduce_max, reduce_min, reduce_prod,
reduce_logsumexp, reduce_variance, reduce_std, cumsum): values as numpy's, derivatives to
second order against finite differences and against autograd.

The cases follow autograd's tests/test_numpy.py (test_max, test_max_axis,
test_max_axis_keepdims, test_min*, test_prod_1..4, test_var_ddof, test_std_ddof,
test_cumsum_*) and TensorFlow's reduction_ops_test.py (the gradient of ties in
MaxReductionTest/MinReductionTest, empty reductions, keepdims, negative axes).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes
from tape_checks import (
    Case,
    case_id,
    central_differences,
    check_autograd,
    check_finite_differences,
    check_values,
)

import diffcompare.tape as dt
from diffcompare.errors import TapeValueError

rng = np.random.default_rng(7)
MAT = rng.standard_normal((3, 4))
CUBE = rng.standard_normal((2, 3, 4))
POSITIVE = rng.standard_normal((2, 3)) ** 2 + 0.1
VECTOR = rng.standard_normal(7) ** 2 + 0.1


def _logsumexp(np_, x, axis=None, keepdims=False):
    # autograd.numpy has no logsumexp; this is the textbook one, fine at these magnitudes
    return np_.log(np_.sum(np_.exp(x), axis=axis, keepdims=keepdims))


CASES = [
    # autograd test_numpy.py: test_max, test_max_axis, test_max_axis_keepdims
    Case("max", lambda x: dt.reduce_max(x), lambda np_, x: np_.max(x), [MAT]),
    Case("max_axis", lambda x: dt.reduce_max(x, 1), lambda np_, x: np_.max(x, axis=1), [CUBE]),
    Case(
        "max_axis_keepdims",
        lambda x: dt.reduce_max(x, 1, keepdims=True),
        lambda np_, x: np_.max(x, axis=1, keepdims=True),
        [CUBE],
    ),
    Case(
        "max_negative_axes",
        lambda x: dt.reduce_max(x, [-1, 0]),
        lambda np_, x: np_.max(x, axis=(0, 2)),
        [CUBE],
    ),
    # test_min, test_min_axis, test_min_axis_keepdims
    Case("min", lambda x: dt.reduce_min(x), lambda np_, x: np_.min(x), [MAT]),
    Case("min_axis", lambda x: dt.reduce_min(x, 1), lambda np_, x: np_.min(x, axis=1), [CUBE]),
    Case(
        "min_axis_keepdims",
        lambda x: dt.reduce_min(x, -2, keepdims=True),
        lambda np_, x: np_.min(x, axis=1, keepdims=True),
        [CUBE],
    ),
    # test_prod_1 .. test_prod_4 (odd and even counts: the tree of products pads odd ones)
    Case("prod_1", lambda x: dt.reduce_prod(x), lambda np_, x: np_.prod(x), [POSITIVE]),
    Case("prod_2", lambda x: dt.reduce_prod(x, 0), lambda np_, x: np_.prod(x, axis=0), [POSITIVE]),
    Case(
        "prod_3",
        lambda x: dt.reduce_prod(x, 0, keepdims=True),
        lambda np_, x: np_.prod(x, axis=0, keepdims=True),
        [POSITIVE],
    ),
    Case("prod_4", lambda x: dt.reduce_prod(x), lambda np_, x: np_.prod(x), [VECTOR]),
    Case(
        "prod_middle_axes",
        lambda x: dt.reduce_prod(x, [0, 2]),
        lambda np_, x: np_.prod(x, axis=(0, 2)),
        [CUBE],
    ),
    Case(
        "prod_with_zeros",
        lambda x: dt.reduce_prod(x, 1),
        lambda np_, x: np_.prod(x, axis=1),
        [np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 1.5], [1.0, -2.0, 0.5]])],
        autograd=False,
    ),
    Case(
        "logsumexp",
        lambda x: dt.reduce_logsumexp(x),
        lambda np_, x: _logsumexp(np_, x),
        [MAT],
    ),
    Case(
        "logsumexp_axis_keepdims",
        lambda x: dt.reduce_logsumexp(x, -1, keepdims=True),
        lambda np_, x: _logsumexp(np_, x, axis=-1, keepdims=True),
        [CUBE],
    ),
    # test_var_ddof, test_std_ddof (ddof 0: TensorFlow's only kind)
    Case("variance", lambda x: dt.reduce_variance(x), lambda np_, x: np_.var(x), [MAT]),
    Case(
        "variance_axis_keepdims",
        lambda x: dt.reduce_variance(x, 1, keepdims=True),
        lambda np_, x: np_.var(x, axis=1, keepdims=True),
        [MAT],
    ),
    Case("std", lambda x: dt.reduce_std(x), lambda np_, x: np_.std(x), [MAT]),
    Case(
        "std_axis",
        lambda x: dt.reduce_std(x, [0, 2]),
        lambda np_, x: np_.std(x, axis=(0, 2)),
        [CUBE],
    ),
    # test_cumsum_axis0, test_cumsum_axis1, test_cumsum_1d
    Case("cumsum_axis0", lambda x: dt.cumsum(x, 0), lambda np_, x: np_.cumsum(x, axis=0), [MAT]),
    Case("cumsum_axis1", lambda x: dt.cumsum(x, 1), lambda np_, x: np_.cumsum(x, axis=1), [MAT]),
    Case("cumsum_1d", lambda x: dt.cumsum(x), lambda np_, x: np_.cumsum(x), [VECTOR]),
    Case(
        "cumsum_reverse",
        lambda x: dt.cumsum(x, -1, reverse=True),
        lambda np_, x: np_.cumsum(x[:, ::-1], axis=-1)[:, ::-1],
        [MAT],
    ),
    Case(
        "cumsum_exclusive",
        lambda x: dt.cumsum(x, 1, exclusive=True),
        lambda np_, x: np_.cumsum(x, axis=1) - x,
        [MAT],
    ),
    Case(
        "cumsum_exclusive_reverse",
        lambda x: dt.cumsum(x, 0, exclusive=True, reverse=True),
        lambda np_, x: np_.cumsum(x[::-1], axis=0)[::-1] - x,
        [MAT],
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


# -- every axis argument, as numpy reads it -------------------------------------------------

REDUCTIONS = {
    "reduce_max": (dt.reduce_max, np.max),
    "reduce_min": (dt.reduce_min, np.min),
    "reduce_prod": (dt.reduce_prod, np.prod),
    "reduce_variance": (dt.reduce_variance, np.var),
    "reduce_std": (dt.reduce_std, np.std),
    "reduce_logsumexp": (
        dt.reduce_logsumexp,
        lambda x, axis, keepdims: np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims)),
    ),
}


@st.composite
def reduction_arguments(draw):
    shape = draw(array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    ndim = len(shape)
    axis = draw(
        st.one_of(
            st.none(),
            st.integers(-ndim, ndim - 1),
            st.lists(
                st.integers(-ndim, ndim - 1),
                min_size=1,
                max_size=ndim,
                unique_by=lambda a: a % ndim,
            ),
        )
    )
    seed = draw(st.integers(0, 2**16))
    values = np.random.default_rng(seed).uniform(0.5, 2.0, shape)
    return values, axis, draw(st.booleans()), draw(st.sampled_from(sorted(REDUCTIONS)))


@settings(max_examples=40, deadline=None)
@given(reduction_arguments())
def test_any_axis_and_keepdims_give_numpy_values_and_true_gradients(arguments) -> None:
    values, axis, keepdims, name = arguments
    on_tape, on_numpy = REDUCTIONS[name]
    numpy_axis = tuple(axis) if isinstance(axis, list) else axis
    want = on_numpy(values, axis=numpy_axis, keepdims=keepdims)
    # the std of one element is 0, where its gradient is nan on purpose (tested below)
    assume(name != "reduce_std" or values.size // max(np.size(want), 1) > 1)
    got = on_tape(dt.constant(values), axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
    assert got.shape == np.shape(want)
    weights = np.linspace(0.5, 1.5, np.size(want)).reshape(np.shape(want))
    gradient = dt.grad(lambda x: dt.reduce_sum(weights * on_tape(x, axis=axis, keepdims=keepdims)))
    flat = values.ravel()
    numeric = central_differences(
        lambda v: np.sum(
            weights * on_numpy(v.reshape(values.shape), axis=numpy_axis, keepdims=keepdims)
        ),
        flat,
        1e-6,
    )
    np.testing.assert_allclose(gradient(values).numpy().ravel(), numeric, rtol=1e-6, atol=1e-8)


# -- ties, edges and errors ------------------------------------------------------------------


def test_tied_maxima_share_the_gradient_equally() -> None:
    # TensorFlow reduction_ops_test.py MaxReductionTest: the gradient is divided among ties
    x = dt.Variable([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    with dt.GradientTape(persistent=True) as tape:
        row_max = dt.reduce_max(x, axis=1)
        total_min = dt.reduce_min(x)
    assert tape.gradient(row_max, x).numpy().tolist() == [
        [0.0, 0.5, 0.5],
        [1 / 3, 1 / 3, 1 / 3],
    ]
    assert tape.gradient(total_min, x).numpy().tolist() == [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]


def test_tied_maxima_match_autograd() -> None:
    # autograd's grad_chooser splits ties evenly too
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    x = np.array([[1.0, 3.0, 3.0, -1.0], [2.0, 2.0, 0.0, 2.0]])
    weights = np.array([1.0, -2.0])
    want = autograd.grad(lambda v: anp.sum(weights * anp.max(v, axis=1)))(x)
    got = dt.grad(lambda v: dt.reduce_sum(weights * dt.reduce_max(v, axis=1)))(x)
    np.testing.assert_allclose(got.numpy(), want)


def test_second_derivative_through_a_max_is_that_of_the_chosen_branch() -> None:
    # max(x**2, x**3) at x = 2 picks x**3: first 12, second 12
    x = dt.Variable(2.0)
    with dt.GradientTape() as outer:
        with dt.GradientTape() as inner:
            y = dt.reduce_max(dt.stack([x * x, x**3]))
        dy = inner.gradient(y, x)
    assert float(dy) == 12.0
    assert float(outer.gradient(dy, x)) == 12.0


def test_empty_reductions_give_the_identity() -> None:
    empty = dt.constant(np.zeros((0, 3)))
    assert dt.reduce_max(empty, 0).numpy().tolist() == [-np.inf] * 3
    assert dt.reduce_min(empty, 0).numpy().tolist() == [np.inf] * 3
    assert dt.reduce_prod(empty, 0).numpy().tolist() == [1.0] * 3
    assert dt.reduce_logsumexp(empty, 0).numpy().tolist() == [-np.inf] * 3


def test_logsumexp_does_not_overflow_and_handles_infinities() -> None:
    x = dt.Variable([1000.0, 1000.0])
    with dt.GradientTape() as tape:
        y = dt.reduce_logsumexp(x)
    assert float(y) == pytest.approx(1000.0 + np.log(2.0))
    assert tape.gradient(y, x).numpy().tolist() == [0.5, 0.5]
    assert float(dt.reduce_logsumexp([-np.inf, -np.inf])) == -np.inf
    assert float(dt.reduce_logsumexp([np.inf, 1.0])) == np.inf


def test_prod_gradient_with_zeros_is_the_product_of_the_others() -> None:
    # TensorFlow reduction_ops_test.py ProdReductionTest.testGradientWithZeros
    x = dt.Variable([[0.0, 2.0, 3.0], [0.0, 0.0, 5.0]])
    with dt.GradientTape() as tape:
        y = dt.reduce_prod(x, axis=1)
    assert tape.gradient(y, x).numpy().tolist() == [[6.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    hessian = dt.hessian(lambda v: dt.reduce_prod(v))(np.array([0.0, 2.0, 3.0]))
    assert hessian.tolist() == [[0.0, 3.0, 2.0], [3.0, 0.0, 0.0], [2.0, 0.0, 0.0]]


def test_std_of_equal_elements_has_a_nan_gradient_as_tensorflow() -> None:
    x = dt.Variable([2.0, 2.0])
    with dt.GradientTape() as tape:
        y = dt.reduce_std(x)
    assert float(y) == 0.0
    assert np.isnan(tape.gradient(y, x).numpy()).all()


def test_reductions_take_a_list_of_tensors() -> None:
    x = dt.Variable(1.5)
    with dt.GradientTape() as tape:
        y = dt.reduce_max([x, x * 2.0, 1.0])
    assert float(y) == 3.0
    assert float(tape.gradient(y, x)) == 2.0


@pytest.mark.parametrize(
    "reduce",
    [dt.reduce_max, dt.reduce_min, dt.reduce_prod, dt.reduce_logsumexp, dt.reduce_std],
)
def test_an_axis_out_of_range_is_a_clear_error(reduce) -> None:
    with pytest.raises(TapeValueError, match="axis 2 is out of range for a tensor of rank 2"):
        reduce(dt.constant(MAT), axis=2)


def test_cumsum_of_a_scalar_is_refused() -> None:
    with pytest.raises(TapeValueError, match="rank 1 or more"):
        dt.cumsum(dt.constant(1.0))
