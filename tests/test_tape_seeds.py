"""The seed articles' tape examples S1-S18 (and S25), written as the articles write them,
with `dt` in place of `tf`. Values are exact: every one is a small integer."""

from __future__ import annotations

import numpy as np
import pytest

import diffcompare.tape as dt


def f(x):
    return x**2 - 3 * x + 2


def g(x1, x2):
    return (x1 + 5) * (x2**2)


def test_s1_one_variable():
    x = dt.Variable(2.0)
    with dt.GradientTape() as tape:
        y = f(x)
    dy_dx = tape.gradient(y, x)
    assert dy_dx.numpy() == 1.0


def test_s2_only_x_asked_for():
    x = dt.Variable(2.0)
    y = dt.Variable(3.0)
    with dt.GradientTape() as tape:
        z = x**2 + y**2
    dz_dx = tape.gradient(z, x)
    assert isinstance(dz_dx, dt.Tensor)
    assert dz_dx.numpy() == 4.0


def test_s3_two_targets_two_sources():
    x = dt.Variable(2.0)
    y = dt.Variable(3.0)
    with dt.GradientTape() as tape:
        z1 = x**2
        z2 = y**2
    dz1_dx, dz2_dy = tape.gradient([z1, z2], [x, y])
    assert (dz1_dx.numpy(), dz2_dy.numpy()) == (4.0, 6.0)


def test_s4_gradient_of_g():
    x1 = dt.Variable(2.0)
    x2 = dt.Variable(3.0)
    with dt.GradientTape() as tape:
        z = g(x1, x2)
    dz_x1x2 = tape.gradient(z, [x1, x2])
    assert [d.numpy() for d in dz_x1x2] == [9.0, 42.0]


def test_s5_non_persistent_tape_used_twice():
    x1 = dt.Variable(2.0)
    x2 = dt.Variable(3.0)
    with dt.GradientTape() as tape:
        z = g(x1, x2)
    dz_x1 = tape.gradient(z, x1)
    assert dz_x1.numpy() == 9.0
    with pytest.raises(RuntimeError) as ex:
        tape.gradient(z, x2)
    assert str(ex.value) == (
        "A non-persistent GradientTape can only be used to compute one set of gradients "
        "(or jacobians)"
    )


def test_s6_persistent_tape():
    x1 = dt.Variable(2.0)
    x2 = dt.Variable(3.0)
    with dt.GradientTape(persistent=True) as tape:
        z = g(x1, x2)
    dz_x1 = tape.gradient(z, x1)
    dz_x2 = tape.gradient(z, x2)
    assert (dz_x1.numpy(), dz_x2.numpy()) == (9.0, 42.0)
    del tape


def test_s7_constants_are_not_watched():
    x1 = dt.constant(2.0)
    x2 = dt.constant(3.0)
    with dt.GradientTape() as tape:
        z = g(x1, x2)
    dz_x1x2 = tape.gradient(z, [x1, x2])
    assert dz_x1x2 == [None, None]


def test_s8_watched_constants():
    x1 = dt.constant(2.0)
    x2 = dt.constant(3.0)
    with dt.GradientTape() as tape:
        tape.watch(x1)
        tape.watch(x2)
        z = g(x1, x2)
    dz_x1x2 = tape.gradient(z, [x1, x2])
    assert [d.numpy() for d in dz_x1x2] == [9.0, 42.0]


def test_s9_gradients_of_several_targets_add_up():
    x = dt.Variable(5.0)
    with dt.GradientTape() as tape:
        z1 = 3 * x
        z2 = x**2
    assert tape.gradient([z1, z2], x).numpy() == 13.0


def _hessian_of_g(unconnected_gradients: str) -> list[list[object]]:
    x1 = dt.Variable(2.0)
    x2 = dt.Variable(3.0)
    with dt.GradientTape(persistent=True) as outer_tape:
        with dt.GradientTape(persistent=True) as inner_tape:
            z = g(x1, x2)
        inner_grads = inner_tape.gradient(z, [x1, x2])
    outer_grads = [
        outer_tape.gradient(inner_grad, [x1, x2], unconnected_gradients=unconnected_gradients)
        for inner_grad in inner_grads
    ]
    del inner_tape
    del outer_tape
    return [[None if d is None else float(d.numpy()) for d in row] for row in outer_grads]


def test_s10_hessian_by_nested_tapes():
    assert _hessian_of_g("none") == [[None, 6.0], [6.0, 14.0]]


def test_s10_hessian_with_unconnected_gradients_zero():
    assert _hessian_of_g("zero") == [[0.0, 6.0], [6.0, 14.0]]


def test_s10_hessian_helper():
    hessian = dt.hessian(g)(2.0, 3.0)
    assert hessian.tolist() == [[0.0, 6.0], [6.0, 14.0]]


def test_s11_persistent_tape_intermediate_source():
    x = dt.Variable(3.0)
    with dt.GradientTape(persistent=True) as tape:
        y = x**2
        z = y**2
    dz_dy = tape.gradient(z, y)
    dz_dx = tape.gradient(z, x)
    assert (dz_dy.numpy(), dz_dx.numpy()) == (18.0, 108.0)
    del tape


def test_s12_second_derivative_by_nested_tapes():
    x = dt.Variable(3.0)
    with dt.GradientTape() as outer_tape:
        with dt.GradientTape() as inner_tape:
            y = x**3
        dy_dx = inner_tape.gradient(y, x)
    d2y_dx2 = outer_tape.gradient(dy_dx, x)
    assert dy_dx.numpy() == 27.0
    assert d2y_dx2.numpy() == 18.0


def test_s13_variables_and_a_constant():
    w = dt.Variable(3.0)
    b = dt.Variable(1.0)
    x = dt.constant(2.0)
    with dt.GradientTape() as tape:
        y = w * x + b
    dy_dw, dy_db = tape.gradient(y, [w, b])
    assert (dy_dw.numpy(), dy_db.numpy()) == (2.0, 1.0)


def test_s14_watched_constant():
    x = dt.constant(3.0)
    with dt.GradientTape() as g_:
        g_.watch(x)
        y = x * x
    dy_dx = g_.gradient(y, x)
    assert dy_dx.numpy() == 6.0


def test_s15_constant_watched_by_both_nested_tapes():
    x = dt.constant(5.0)
    with dt.GradientTape() as g_:
        g_.watch(x)
        with dt.GradientTape() as gg:
            gg.watch(x)
            y = x * x
        dy_dx = gg.gradient(y, x)  # dy_dx = 2 * x
    d2y_dx2 = g_.gradient(dy_dx, x)  # d2y_dx2 = 2
    assert dy_dx.numpy() == 10.0
    assert d2y_dx2.numpy() == 2.0


def test_s16_persistent_tape_on_a_watched_constant():
    x = dt.constant(3.0)
    with dt.GradientTape(persistent=True) as g_:
        g_.watch(x)
        y = x * x
        z = y * y
    dz_dx = g_.gradient(z, x)  # (4*x^3 at x = 3)
    dy_dx = g_.gradient(y, x)
    assert (dz_dx.numpy(), dy_dx.numpy()) == (108.0, 6.0)
    del g_


def test_s17_watch_accessed_variables_false():
    x = dt.Variable(2.0)
    w = dt.Variable(5.0)
    with dt.GradientTape(watch_accessed_variables=False, persistent=True) as tape:
        tape.watch(x)
        y = x**2  # Gradients will be available for `x`.
        z = w**3  # No gradients will be available as `w` isn't being watched.
    dy_dx = tape.gradient(y, x)
    dz_dw = tape.gradient(z, w)
    assert dy_dx.numpy() == 4.0
    assert dz_dw is None


def test_s18_variable_from_a_python_int_is_float64_and_differentiable():
    x = dt.Variable(2)
    assert x.dtype == np.float64
    assert x.numpy() == 2.0
    with dt.GradientTape() as tape:
        y = x**2
    dy_dx = tape.gradient(y, x)
    assert dy_dx is not None
    assert dy_dx.numpy() == 4.0


def test_s25_three_nested_tapes_third_derivative():
    x = dt.Variable(2.0)
    with dt.GradientTape() as tape3:
        with dt.GradientTape() as tape2:
            with dt.GradientTape() as tape1:
                y = x**4 + 2 * x**3 - 3 * x**2 + 4 * x - 5
            dy_dx = tape1.gradient(y, x)
        d2y_dx2 = tape2.gradient(dy_dx, x)
    d3y_dx3 = tape3.gradient(d2y_dx2, x)
    assert (dy_dx.numpy(), d2y_dx2.numpy(), d3y_dx3.numpy()) == (48.0, 66.0, 60.0)
