"""custom_gradient, batch_jacobian, jvp and hvp, ported from the upstream tests that define
them: TensorFlow's tensorflow/python/eager/backprop_test.py (and ops/gradients_test.py for
custom gradients with variables), autograd's tests/test_wrappers.py."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import diffcompare.tape as dt
from diffcompare.errors import DiffCompareError

# -- custom_gradient ---------------------------------------------------------------------------


def test_custom_gradient_replaces_the_gradient():
    # TensorFlow backprop_test.py testCustomGradientInEagerAndGraph
    @dt.custom_gradient
    def f(x: Any) -> Any:
        y = x * x

        def grad(dy: Any) -> Any:
            return [4 * dy]

        return y, grad

    with dt.GradientTape() as t:
        c = dt.constant(1.0)
        t.watch(c)
        g = f(c)
    assert float(g) == 1.0
    assert float(t.gradient(g, c)) == 4.0


def test_custom_gradient_overrides_the_second_order_too():
    # TensorFlow backprop_test.py testOverrideSecondOrderWithCustomGradient: a custom
    # gradient inside a custom gradient's grad sets the second derivative
    @dt.custom_gradient
    def f(x: Any) -> Any:
        def first_order_grad(dz: Any) -> Any:
            @dt.custom_gradient
            def first_order_custom(unused_x: Any) -> Any:
                def h(ddz: Any) -> Any:
                    return -2.1 * ddz

                return -1.1, h

            return dz * first_order_custom(x)

        return x + 10.0, first_order_grad

    c = dt.constant(1.0)
    with dt.GradientTape() as outer:
        outer.watch(c)
        with dt.GradientTape() as inner:
            inner.watch(c)
            d = f(c) ** 4.0
        dd = inner.gradient(d, c)
    fc = float(f(c))
    assert float(dd) == pytest.approx(4.0 * fc**3.0 * -1.1)
    expected = 3.0 * 4.0 * fc**2.0 * -1.1 * -1.1 + 4.0 * fc**3.0 * -2.1
    assert float(outer.gradient(dd, c)) == pytest.approx(expected)


def test_custom_gradient_of_a_custom_gradient_and_its_transpose():
    # TensorFlow backprop_test.py testCustomGradientForwardprop
    @dt.custom_gradient
    def f(x: Any) -> Any:
        z = 2.0 * float(x)

        def g(dz: Any) -> Any:
            @dt.custom_gradient
            def first_order(unused_x: Any, unused_dz: Any) -> Any:
                def second_order_and_transpose(unused_ddz: Any) -> Any:
                    return 2.2, 3.1

                return 2.1, second_order_and_transpose

            return first_order(x, dz)

        return z, g

    with dt.GradientTape(persistent=True) as t:
        with dt.GradientTape() as tt:
            c = dt.constant(1.0)
            t.watch(c)
            tt.watch(c)
            output_grad = dt.constant(1.0)
            t.watch(output_grad)
            output = f(c)
        gc = tt.gradient(output, c, output_gradients=output_grad)
    assert float(output) == 2.0
    assert float(gc) == 2.1
    assert float(t.gradient(gc, c)) == 2.2
    assert float(t.gradient(gc, output_grad)) == 3.1


def _log1pexp() -> Any:
    # the example of TensorFlow's custom_gradient documentation: log(1 + e^x), whose plain
    # gradient e^x / (1 + e^x) is inf / inf = nan at x = 1000
    @dt.custom_gradient
    def log1pexp(x: Any) -> Any:
        e = dt.exp(x)

        def grad(upstream: Any) -> Any:
            return upstream * (1 - 1 / (1 + e))

        return dt.log(1 + e), grad

    return log1pexp


def test_custom_gradient_is_stable_where_the_plain_one_is_not_and_differentiates_again():
    log1pexp = _log1pexp()
    assert float(dt.grad(log1pexp)(1000.0)) == 1.0
    assert math.isnan(float(dt.grad(lambda x: dt.log(1 + dt.exp(x)))(1000.0)))
    # the grad function is written in tape operations: its own derivative is the sigmoid's
    x = np.array([-2.0, 0.0, 3.0])
    second = dt.hvp(lambda v: dt.reduce_sum(log1pexp(v)), x, np.ones(3))
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(second.numpy(), s * (1 - s), rtol=1e-12)
    # and to the third order, on one persistent tape asked inside its block
    with dt.GradientTape(persistent=True) as tape:
        c = dt.constant(0.5)
        tape.watch(c)
        y = log1pexp(c)
        d1 = tape.gradient(y, c)
        d2 = tape.gradient(d1, c)
    d3 = tape.gradient(d2, c)
    s = 1 / (1 + math.exp(-0.5))
    assert float(d1) == pytest.approx(s, rel=1e-14)
    assert float(d2) == pytest.approx(s * (1 - s), rel=1e-14)
    assert float(d3) == pytest.approx(s * (1 - s) * (1 - 2 * s), rel=1e-12)


def test_custom_gradient_with_several_outputs_and_arguments():
    @dt.custom_gradient
    def sum_and_product(a: Any, b: Any) -> Any:
        def grad(d_sum: Any, d_product: Any) -> Any:
            return d_sum + d_product * b, d_sum + d_product * a

        return (a + b, a * b), grad

    a, b = dt.Variable([1.0, 2.0]), dt.Variable([3.0, 5.0])
    with dt.GradientTape() as tape:
        total, product = sum_and_product(a, b)
        loss = dt.reduce_sum(total * 2.0 + product)
    assert total.numpy().tolist() == [4.0, 7.0]
    assert product.numpy().tolist() == [3.0, 10.0]
    ga, gb = tape.gradient(loss, [a, b])
    assert ga.numpy().tolist() == [5.0, 7.0]
    assert gb.numpy().tolist() == [3.0, 4.0]


def test_an_error_in_the_grad_function_reaches_the_caller():
    # TensorFlow gradients_test.py testCustomGradientErrors
    @dt.custom_gradient
    def f(x: Any) -> Any:
        def grad(_: Any) -> Any:
            raise RuntimeError("x")

        return x, grad

    x = dt.constant(1.0)
    with dt.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    with pytest.raises(RuntimeError, match="x"):
        tape.gradient(y, x)


def test_custom_gradient_with_variables():
    # TensorFlow gradients_test.py testCustomGradientWithVariables: a Variable read inside
    # f is handed to grad as `variables`, and gets the gradient grad gives it
    w = dt.Variable(np.ones((4, 3)), name="w")

    @dt.custom_gradient
    def dense(x: Any) -> Any:
        out = dt.matmul(x, w)

        def grad(out_grad: Any, variables: Any = None) -> Any:
            assert len(variables) == 1 and variables[0] is w
            return dt.matmul(out_grad, dt.transpose(w)), [dt.constant(np.ones((4, 3)))]

        return out, grad

    x = dt.constant(np.ones((2, 4)))
    with dt.GradientTape() as tape:
        tape.watch(x)
        y = dense(x)
    gx, gw = tape.gradient(y, [x, w])
    assert gx.numpy().tolist() == [[3.0] * 4] * 2
    assert gw.numpy().tolist() == [[1.0] * 3] * 4


def test_custom_gradient_that_reads_variables_needs_a_variables_argument():
    w = dt.Variable(2.0, name="w")

    @dt.custom_gradient
    def f(x: Any) -> Any:
        return x * w, lambda dy: dy * w

    with pytest.raises(TypeError, match="'variables'") as error:
        f(dt.constant(1.0))
    assert isinstance(error.value, DiffCompareError)


# -- batch_jacobian ----------------------------------------------------------------------------


def test_batch_jacobian():
    # TensorFlow backprop_test.py BatchJacobianTest._batch_jacobian
    with dt.GradientTape(persistent=True) as g:
        x = dt.constant([[1.0, 2.0], [3.0, 4.0]])
        y = dt.constant([[3.0, 4.0], [5.0, 6.0]])
        g.watch(x)
        z = x * x * y
    answer = np.stack(
        [np.diag(2 * x.numpy()[0] * y.numpy()[0]), np.diag(2 * x.numpy()[1] * y.numpy()[1])]
    )
    assert g.batch_jacobian(z, x).numpy().tolist() == answer.tolist()


def test_batch_jacobian_agrees_with_the_jacobian():
    # TensorFlow backprop_test.py BatchJacobianTest.test_parallel_iterations (a matmul)
    with dt.GradientTape(persistent=True) as g:
        x = dt.constant([[1.0, 2.0], [3.0, 4.0]])
        g.watch(x)
        w = dt.constant([[1.0, 2, 3, 4], [5.0, 6, 7, 8]])
        y = dt.matmul(x, w)
    batch = g.batch_jacobian(y, x).numpy()
    full = g.jacobian(y, x).numpy()  # (2, 4, 2, 2): its block diagonal is the batch
    assert batch.shape == (2, 4, 2)
    np.testing.assert_array_equal(batch, np.stack([full[i, :, i, :] for i in range(2)]))


def test_batch_jacobian_of_a_jacobian():
    # TensorFlow backprop_test.py JacobianTest.test_nested_jacobian
    x = dt.constant(np.ones((10, 2)))
    with dt.GradientTape() as g:
        g.watch(x)
        with dt.GradientTape() as gg:
            gg.watch(x)
            y = dt.reduce_sum(dt.square(x))
        dy_x = gg.jacobian(y, x)
    dy_xx = g.batch_jacobian(dy_x, x)
    assert dy_xx.numpy().tolist() == [[[2.0, 0.0], [0.0, 2.0]]] * 10


def test_batch_jacobian_refuses_bad_shapes():
    # TensorFlow backprop_test.py BatchJacobianTest testBadShape, testBadInputRank,
    # testBadOutputRank
    x = dt.constant(np.ones((2, 3)))
    with dt.GradientTape(persistent=True) as g:
        g.watch(x)
        y = dt.concat([x, x], axis=0)
        vector = dt.constant([1.0, 2.0])
        g.watch(vector)
        square = vector * dt.constant(np.ones((2, 2)))
    with pytest.raises(ValueError, match="Need first dimension"):
        g.batch_jacobian(y, x)
    with pytest.raises(ValueError, match="must have rank at least 2"):
        g.batch_jacobian(square, vector)
    with pytest.raises(ValueError, match="must have rank at least 2"):
        g.batch_jacobian(vector * 2.0, x)


def test_batch_jacobian_of_an_empty_example():
    # TensorFlow backprop_test.py BatchJacobianTest.test_degenerate_shape
    x = dt.constant(np.zeros((1, 0)))
    with dt.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x**2
    assert tape.batch_jacobian(y, x, unconnected_gradients="zero").shape == (1, 0, 0)


# -- jvp and hvp -------------------------------------------------------------------------------


def test_jvp_is_the_jacobian_times_the_tangent():
    # autograd tests/test_wrappers.py test_make_jvp
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, 5))
    x = rng.standard_normal(5)
    v = rng.standard_normal(5)

    def fun(t: Any) -> Any:
        return dt.tanh(dt.matmul(a, t))

    value, tangent = dt.jvp(fun, [x], [v])
    with dt.GradientTape() as tape:
        point = dt.constant(x)
        tape.watch(point)
        y = fun(point)
    jacobian = tape.jacobian(y, point).numpy()
    np.testing.assert_allclose(value.numpy(), np.tanh(a @ x), rtol=1e-15)
    np.testing.assert_allclose(tangent.numpy(), jacobian @ v, rtol=1e-13)


def test_jvp_of_several_arguments_and_against_autograd():
    def f(m: Any, x: Any, y: Any) -> Any:
        return m.sin(x) * y + x**2

    x, y = np.array([0.5, 1.5]), np.array([2.0, -1.0])
    vx, vy = np.array([1.0, 0.5]), np.array([-2.0, 3.0])
    _, tangent = dt.jvp(lambda a, b: f(dt, a, b), [x, y], [vx, vy])
    expected = (np.cos(x) * y + 2 * x) * vx + np.sin(x) * vy
    np.testing.assert_allclose(tangent.numpy(), expected, rtol=1e-14)
    autograd = pytest.importorskip("autograd")
    import autograd.numpy as anp

    pair = autograd.make_jvp(lambda xy: f(anp, xy[0], xy[1]))(np.stack([x, y]))
    np.testing.assert_allclose(tangent.numpy(), pair(np.stack([vx, vy]))[1], rtol=1e-14)


def test_jvp_refuses_tangents_that_do_not_fit():
    with pytest.raises(ValueError, match="tangent 0 has shape"):
        dt.jvp(dt.sin, [np.ones(3)], [np.ones(2)])


@pytest.mark.parametrize("shape", [(5,), (5, 4), (5, 4, 3)])
def test_hvp_is_the_hessian_times_the_vector(shape: tuple[int, ...]):
    # autograd tests/test_wrappers.py test_hessian_vector_product, test_hessian_matrix_product,
    # test_hessian_tensor_product
    rng = np.random.default_rng(2)
    a = rng.standard_normal(shape)
    v = rng.standard_normal(shape)

    def fun(t: Any) -> Any:
        return dt.reduce_sum(dt.sin(t) * dt.exp(t[0]))  # not diagonal: t[0] meets everyone

    h = dt.hessian(fun)(a)  # the one this test forms; hvp does not
    np.testing.assert_allclose(dt.hvp(fun, a, v).numpy().ravel(), h @ v.ravel(), rtol=1e-12)


def test_hvp_of_rosenbrock_against_its_hessian_by_hand():
    x = np.array([1.0, 2.0, 0.5])
    v = np.array([0.3, -1.0, 2.0])

    def rosenbrock(t: Any) -> Any:
        return dt.reduce_sum(100.0 * (t[1:] - t[:-1] ** 2) ** 2 + (1.0 - t[:-1]) ** 2)

    h = np.zeros((3, 3))
    for i in range(2):
        h[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        h[i, i + 1] += -400 * x[i]
        h[i + 1, i] += -400 * x[i]
        h[i + 1, i + 1] += 200
    np.testing.assert_allclose(dt.hvp(rosenbrock, x, v).numpy(), h @ v, rtol=1e-14)
    with pytest.raises(ValueError, match="scalar"):
        dt.hvp(lambda t: t * 2.0, x, v)
