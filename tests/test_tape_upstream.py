"""Public test suites' cases that `dt` once failed, ported as a user moving their code would
port them: TensorFlow's tensorflow/python/eager/backprop_test.py and tape_test.py, autograd's
tests/test_*.py. Each test names the upstream file and test it follows; the expected values
are the ones written there (or what the upstream library computes, checked against it when
it is installed)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import diffcompare.tape as dt
from diffcompare.errors import DiffCompareError

# -- wrong numbers, silently -------------------------------------------------------------------


def test_derivative_of_a_power_in_its_exponent_is_zero_at_a_zero_base():
    # autograd: the vjp of power (autograd/numpy/numpy_vjps.py) counts a zero base as one in
    # log(x); TensorFlow's _PowGrad does the same. Both give 0 where 0 * log 0 is nan.
    dx, dy = dt.grad(lambda x, y: x**y, argnums=(0, 1))(0.0, 2.0)
    assert (float(dx), float(dy)) == (0.0, 0.0)
    assert dt.hessian(lambda x, y: x**y)(0.0, 2.0).tolist() == [[2.0, 0.0], [0.0, 0.0]]
    # arrays: zero bases among others, the others keep x**y * log(x)
    x = np.array([0.0, 1.0, 2.0])
    dy = dt.grad(lambda x, y: dt.reduce_sum(x**y), argnums=1)(x, 2.0)
    assert float(dy) == pytest.approx(4.0 * np.log(2.0), rel=1e-15)


def test_power_at_a_zero_base_matches_autograd():
    autograd = pytest.importorskip("autograd")

    def f(xy: Any) -> Any:
        return xy[0] ** xy[1]

    for point in ([0.0, 2.0], [0.0, 3.0], [1.5, 2.0], [2.0, 0.5]):
        expected = autograd.hessian(f)(np.array(point))
        ours = dt.hessian(lambda x, y: x**y)(*point)
        np.testing.assert_allclose(ours, expected, rtol=1e-14)


def test_one_tensor_passed_as_two_arguments_is_two_arguments():
    # autograd tests/test_wrappers.py test_multigrad: each argument is its own variable,
    # whatever object it is. dt once took the one tensor for one source: (2c, 2c).
    c = dt.constant(3.0)
    da, db = dt.grad(lambda a, b: a * b, argnums=(0, 1))(c, c)
    assert (float(da), float(db)) == (3.0, 3.0)
    assert dt.hessian(lambda a, b: a * b)(c, c).tolist() == [[0.0, 1.0], [1.0, 0.0]]
    v = dt.Variable([1.0, 2.0])
    value, (g1, g2) = dt.value_and_grad(lambda a, b: dt.reduce_sum(a * b), argnums=(0, 1))(v, v)
    assert float(value) == 5.0
    assert g1.numpy().tolist() == g2.numpy().tolist() == [1.0, 2.0]


def test_grad_inside_a_tape_still_links_to_the_outer_tape():
    # autograd tests/test_graphs.py test_enclosing_scope_ref: grad nested in a differentiated
    # function. The arguments grad hands f are new tensors, linked to the ones given.
    x = dt.Variable(1.5)
    with dt.GradientTape() as tape:
        y = x * dt.grad(lambda a, b: a * b * x, argnums=0)(2.0, x)  # x * (x * x)
    assert float(tape.gradient(y, x)) == pytest.approx(3 * 1.5**2, rel=1e-15)


# -- behaviour that differs from TF -----------------------------------------------------------


def test_a_persistent_tape_records_its_own_gradient_inside_its_block():
    # TensorFlow backprop_test.py testHigherOrderGradient: one persistent tape, gradients
    # taken inside its block, to the third derivative.
    with dt.GradientTape(persistent=True) as g:
        x = dt.constant(3.0)
        g.watch(x)
        y = x**3
        dy_dx = g.gradient(y, x)
        d2y_dx2 = g.gradient(dy_dx, x)
    d3y_dx3 = g.gradient(d2y_dx2, x)
    assert float(y) == 27.0
    assert float(dy_dx) == 27.0
    assert float(d2y_dx2) == 18.0
    assert float(d3y_dx3) == 6.0


def test_a_persistent_tape_records_its_own_gradient_on_arrays():
    # the same pattern on an array with a second tape open outside: both tapes see it
    x = dt.Variable([0.5, 1.0, 2.0])
    with dt.GradientTape() as outer, dt.GradientTape(persistent=True) as g:
        y = dt.reduce_sum(dt.sin(x) * x)
        d1 = g.gradient(y, x)
        d2 = g.gradient(dt.reduce_sum(d1), x)
        total = dt.reduce_sum(d2)
    d3 = outer.gradient(total, x)
    v = x.numpy()
    np.testing.assert_allclose(d1.numpy(), np.cos(v) * v + np.sin(v), rtol=1e-14)
    np.testing.assert_allclose(d2.numpy(), 2 * np.cos(v) - v * np.sin(v), rtol=1e-14)
    np.testing.assert_allclose(d3.numpy(), -3 * np.sin(v) - v * np.cos(v), rtol=1e-14)


def test_a_variable_read_by_comparisons_is_accessed():
    # TensorFlow backprop_test.py testPythonMax: max() compares the Variables and returns one.
    x = [dt.Variable(2.0), dt.Variable(3.0), dt.Variable(5.0)]
    with dt.GradientTape() as t:
        f = max(x)
    grad = t.gradient(f, x)
    assert float(f) == 5.0
    assert grad[0] is None and grad[1] is None
    assert float(grad[2]) == 1.0
    assert set(t.watched_variables()) == set(x)


def test_comparisons_do_not_watch_when_told_not_to():
    x = [dt.Variable(2.0), dt.Variable(3.0)]
    with dt.GradientTape(watch_accessed_variables=False) as t:
        f = max(x)
    assert t.watched_variables() == ()
    assert t.gradient(f, x) == [None, None]


def test_unknown_unconnected_gradients_value():
    # TensorFlow backprop_test.py testUnknownUnconnectedGradientsValueGiven
    x = dt.constant(1.0)
    y = dt.constant(1.0)
    with dt.GradientTape() as g:
        g.watch([x, y])
        z = y * 2
    with pytest.raises(ValueError, match="Unknown value for unconnected_gradients: 'nonsense'"):
        g.gradient(z, x, unconnected_gradients="nonsense")


def test_entering_a_recording_tape_again_is_a_value_error():
    # TensorFlow backprop.py GradientTape._push_tape raises ValueError here
    tape = dt.GradientTape()
    with tape, pytest.raises(ValueError, match="already recording") as error:
        tape.__enter__()
    assert isinstance(error.value, DiffCompareError)


@pytest.mark.parametrize("value", [np.array([1.0, 2.0]), 3.0, [1.0]])
def test_watching_what_is_not_a_tensor_is_a_value_error(value: Any):
    # TensorFlow backprop.py watch: ValueError "Passed in object ... not tf.Tensor"
    with dt.GradientTape() as tape, pytest.raises(ValueError, match="constant") as error:
        tape.watch(value)
    assert isinstance(error.value, DiffCompareError)


def test_reductions_pack_a_list_of_tensors():
    # tf.reduce_mean and tf.reduce_sum pack a list of tensors (convert_to_tensor stacks it)
    x = dt.Variable(1.0)
    with dt.GradientTape(persistent=True) as tape:
        mean = dt.reduce_mean([x, x + 2])
        total = dt.reduce_sum([[x, 2 * x], [x * x, 1.0]])
    assert float(mean) == 2.0
    assert float(tape.gradient(mean, x)) == 1.0
    assert float(total) == 5.0
    assert float(tape.gradient(total, x)) == 5.0


def test_grad_of_a_function_returning_a_constant_is_zero():
    # autograd tests/test_graphs.py test_grad_const
    assert float(dt.grad(lambda x: 1)(2.0)) == 0.0
    assert dt.grad(lambda x: 1.0)(np.ones(3)).numpy().tolist() == [0.0, 0.0, 0.0]


def test_grad_of_grad_of_the_identity():
    # autograd tests/test_graphs.py test_grad_identity
    df = dt.grad(lambda x: x)
    ddf = dt.grad(df)
    assert float(df(2.0)) == 1.0
    assert float(ddf(2.0)) == 0.0


def test_grad_passes_keyword_arguments():
    # autograd tests/test_wrappers.py test_multigrad: f=F, g=G reach the function
    def complicated(a: Any, b: Any, c: Any, f: float = 1.1, g: float = 9.0) -> Any:
        return a + dt.sin(b) + dt.cosh(c) + f * a + g

    d = dt.grad(complicated, argnums=(0, 1))(0.5, -0.3, 0.2, f=0.6, g=-0.1)
    assert [float(v) for v in d] == pytest.approx([1.6, np.cos(-0.3)], rel=1e-15)
    value, _ = dt.value_and_grad(complicated)(0.5, -0.3, 0.2, g=1.0)
    assert float(value) == pytest.approx(0.5 + np.sin(-0.3) + np.cosh(0.2) + 1.1 * 0.5 + 1.0)
    h = dt.hessian(lambda x, scale=1.0: scale * x**3)(2.0, scale=2.0)
    assert h.tolist() == [[24.0]]


def test_tensor_size_is_numpys():
    # autograd's ArrayBox and numpy arrays have .size; ported code reads it
    assert dt.constant(2.0).size == 1
    assert dt.constant(np.zeros((3, 4))).size == 12
    assert dt.Variable(np.zeros((2, 0))).size == 0
