"""Elementwise functions beyond the table (log1p, expm1, sign, floor, round, clip_by_value)
and dt.nn (softmax, log_softmax): values as numpy's, derivatives to second order against
finite differences and against autograd, across shapes and broadcasting.

The cases follow autograd's tests/test_scalar_ops.py (test_log1p, test_expm1, test_sign),
tests/test_systematic.py (test_log1p, test_expm1, test_sign, test_floor, test_round as unary
ufuncs on arrays) and tests/test_numpy.py (test_clip), and TensorFlow's
clip_ops_test.py, softmax_op_test.py and cwise_ops_test.py for the tie and no-gradient rules.
"""

from __future__ import annotations

import numpy as np
import pytest
from tape_checks import Case, case_id, check_autograd, check_finite_differences, check_values

import diffcompare.tape as dt
from diffcompare.errors import TapeValueError

rng = np.random.default_rng(3)
MAT = rng.standard_normal((3, 4))
CUBE = rng.standard_normal((2, 3, 4))
SMALL = rng.uniform(-0.5, 2.0, (2, 5))


def _softmax(np_, x, axis=-1):
    e = np_.exp(x - np_.max(x, axis=axis, keepdims=True))
    return e / np_.sum(e, axis=axis, keepdims=True)


def _log_softmax(np_, x, axis=-1):
    shifted = x - np_.max(x, axis=axis, keepdims=True)
    return shifted - np_.log(np_.sum(np_.exp(shifted), axis=axis, keepdims=True))


CASES = [
    Case("log1p", dt.log1p, lambda np_, x: np_.log1p(x), [SMALL]),
    Case("log1p_scalar", dt.log1p, lambda np_, x: np_.log1p(x), [0.3]),
    Case("expm1", dt.expm1, lambda np_, x: np_.expm1(x), [MAT]),
    Case("expm1_scalar", dt.expm1, lambda np_, x: np_.expm1(x), [-0.7]),
    # sign's gradient is zero; multiplied by x it still has x's derivatives
    Case("sign", lambda x: dt.sign(x) * x**2, lambda np_, x: np_.sign(x) * x**2, [MAT]),
    Case("sign_scalar", lambda x: dt.sign(x) * x**3, lambda np_, x: np_.sign(x) * x**3, [-1.2]),
    # autograd test_numpy.py test_clip (bounds inside the range of the values)
    Case(
        "clip",
        lambda x: dt.clip_by_value(x, 0.1, 1.1),
        lambda np_, x: np_.clip(x, 0.1, 1.1),
        [MAT],
    ),
    # broadcast bounds, and their gradients where they clip
    Case(
        "clip_broadcast_bounds",
        lambda x, lo, hi: dt.clip_by_value(x, lo, hi),
        lambda np_, x, lo, hi: np_.minimum(np_.maximum(x, lo), hi),
        [MAT, np.array([-0.5, 0.0, -1.0, 0.2]), np.array([[0.3], [1.0], [0.5]])],
    ),
    Case("softmax", dt.nn.softmax, _softmax, [MAT]),
    Case(
        "softmax_axis0",
        lambda x: dt.nn.softmax(x, axis=0),
        lambda np_, x: _softmax(np_, x, axis=0),
        [CUBE],
    ),
    Case("softmax_vector", dt.nn.softmax, _softmax, [MAT[0]]),
    Case("log_softmax", dt.nn.log_softmax, _log_softmax, [MAT]),
    Case(
        "log_softmax_axis1",
        lambda x: dt.nn.log_softmax(x, axis=-2),
        lambda np_, x: _log_softmax(np_, x, axis=1),
        [CUBE],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_values_match_numpy(case: Case) -> None:
    check_values(case)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_derivatives_match_finite_differences(case: Case) -> None:
    check_finite_differences(case)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_derivatives_match_autograd(case: Case) -> None:
    pytest.importorskip("autograd")
    check_autograd(case)


# -- what these functions do at their edges ----------------------------------------------------


def test_log1p_and_expm1_keep_tiny_arguments() -> None:
    assert float(dt.log1p(1e-20)) == 1e-20
    assert float(dt.expm1(1e-20)) == 1e-20
    x = dt.Variable(1e-20)
    with dt.GradientTape() as outer:
        with dt.GradientTape() as inner:
            y = dt.expm1(x)
        dy = inner.gradient(y, x)
    assert float(dy) == 1.0
    assert float(outer.gradient(dy, x)) == 1.0


def test_log1p_outside_its_domain_is_nan_not_an_error() -> None:
    assert np.isnan(float(dt.log1p(-2.0)))
    assert float(dt.log1p(-1.0)) == -np.inf
    assert np.isnan(dt.log1p([-3.0, 0.0]).numpy()[0])


def test_sign_has_a_zero_gradient_not_none() -> None:
    # TensorFlow math_grad.py _SignGrad returns zeros
    x = dt.Variable([-2.0, 0.0, 3.0])
    with dt.GradientTape() as tape:
        y = dt.sign(x)
    assert y.numpy().tolist() == [-1.0, 0.0, 1.0]
    assert tape.gradient(y, x).numpy().tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("fn", [dt.floor, dt.round])
def test_floor_and_round_have_no_gradient_as_tensorflow(fn) -> None:
    # TensorFlow math_grad.py _FloorGrad and _RoundGrad return None
    x = dt.Variable([1.5, -0.5])
    with dt.GradientTape(persistent=True) as tape:
        y = fn(x)
        z = fn(x) + x * x
    assert tape.gradient(y, x) is None
    assert tape.gradient(y, x, unconnected_gradients="zero").numpy().tolist() == [0.0, 0.0]
    assert tape.gradient(z, x).numpy().tolist() == [3.0, -1.0]
    assert dt.grad(lambda v: dt.reduce_sum(fn(v)))(np.array([0.2, 0.7])).numpy().tolist() == [
        0.0,
        0.0,
    ]


def test_round_takes_halves_to_even_as_tensorflow() -> None:
    halves = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]
    assert dt.round(halves).numpy().tolist() == [-2.0, -2.0, -0.0, 0.0, 2.0, 2.0]
    assert float(dt.round(2.5)) == 2.0
    assert dt.floor([-1.5, 1.5]).numpy().tolist() == [-2.0, 1.0]


def test_clip_at_a_bound_gives_the_gradient_to_the_value() -> None:
    # TensorFlow builds clip_by_value as maximum(minimum(t, max), min): ties go to t
    t = dt.Variable([0.0, 1.0, 2.0, 3.0])
    lo, hi = dt.Variable(1.0), dt.Variable(2.0)
    with dt.GradientTape() as tape:
        y = dt.reduce_sum(dt.clip_by_value(t, lo, hi))
    dt_, dlo, dhi = tape.gradient(y, [t, lo, hi])
    assert dt_.numpy().tolist() == [0.0, 1.0, 1.0, 0.0]
    assert float(dlo) == 1.0
    assert float(dhi) == 1.0


def test_clip_bounds_may_not_grow_the_tensor() -> None:
    # TensorFlow clip_ops_test.py testClipByValueBadShape
    with pytest.raises(TapeValueError, match="would broadcast t of shape"):
        dt.clip_by_value(dt.constant([1.0, 2.0]), dt.constant([[0.0], [1.0]]), 5.0)


def test_softmax_of_large_logits_does_not_overflow() -> None:
    # TensorFlow softmax_op_test.py testLargeDims-style: huge logits stay finite
    x = dt.Variable([1000.0, 1000.0, -1000.0])
    with dt.GradientTape(persistent=True) as tape:
        s = dt.nn.softmax(x)
        ls = dt.nn.log_softmax(x)
        picked = s[0]
    np.testing.assert_allclose(s.numpy(), [0.5, 0.5, 0.0])
    np.testing.assert_allclose(ls.numpy(), [-np.log(2.0), -np.log(2.0), -2000.0 - np.log(2.0)])
    np.testing.assert_allclose(tape.gradient(picked, x).numpy(), [0.25, -0.25, 0.0])
    assert np.isfinite(tape.gradient(ls, x).numpy()).all()


def test_softmax_rows_sum_to_one_and_its_gradient_of_the_sum_is_zero() -> None:
    x = dt.Variable(MAT)
    with dt.GradientTape() as tape:
        total = dt.reduce_sum(dt.nn.softmax(x))
    np.testing.assert_allclose(float(total), 3.0)
    np.testing.assert_allclose(tape.gradient(total, x).numpy(), 0.0, atol=1e-15)


def test_softmax_axis_none_is_the_last_axis_as_tensorflow() -> None:
    np.testing.assert_array_equal(dt.nn.softmax(MAT, axis=None).numpy(), dt.nn.softmax(MAT).numpy())
    np.testing.assert_array_equal(
        dt.nn.log_softmax(MAT, axis=None).numpy(), dt.nn.log_softmax(MAT, -1).numpy()
    )


def test_softmax_of_a_scalar_is_refused() -> None:
    with pytest.raises(TapeValueError, match="rank 1 or more"):
        dt.nn.softmax(dt.constant(1.0))


def test_tf_nn_names_of_the_table_activations() -> None:
    assert dt.nn.relu is dt.relu
    assert dt.nn.sigmoid is dt.sigmoid
    assert dt.nn.softplus is dt.softplus


def test_a_variable_read_only_through_floor_is_still_watched() -> None:
    v = dt.Variable(2.5)
    with dt.GradientTape() as tape:
        dt.floor(v)
    assert tape.watched_variables() == (v,)
