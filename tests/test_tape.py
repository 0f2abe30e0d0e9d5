"""diffcompare.tape beyond the seed cases: values, operators, functions, broadcasting, the
tape's options and errors, the functional helpers, deep nesting and memory."""

from __future__ import annotations

import contextlib
import copy
import gc
import math
import pickle
import warnings
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import diffcompare.tape as dt
from diffcompare.language.ops import TABLE, Operation
from diffcompare.tape.functions import tape_name


def numeric_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> Any:
    """Central differences, one element at a time (the independent check)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (f(up) - f(down)) / (2 * h)
    return grad


def tape_gradient(f: Callable[..., Any], *points: Any) -> list[np.ndarray]:
    xs = [dt.Variable(p) for p in points]
    with dt.GradientTape() as tape:
        y = f(*xs)
    return [g.numpy() for g in tape.gradient(y, xs, unconnected_gradients="zero")]


# -- values ------------------------------------------------------------------------------------


def test_constants_are_float64_of_any_shape():
    assert dt.constant(3).dtype == np.float64
    assert dt.constant(3).shape == ()
    assert dt.constant([1, 2, 3]).numpy().dtype == np.float64
    assert dt.constant(np.arange(6).reshape(2, 3)).shape == (2, 3)
    assert dt.constant([[1.0, 2.0]]).ndim == 2
    assert len(dt.constant([1.0, 2.0, 3.0])) == 3
    assert float(dt.constant(2.5)) == 2.5


def test_numpy_returns_a_copy():
    v = dt.Variable([1.0, 2.0])
    out = v.numpy()
    out[0] = 99.0
    assert v.numpy().tolist() == [1.0, 2.0]


def test_a_tensor_cannot_be_made_of_text():
    with pytest.raises(TypeError, match="cannot make a tensor"):
        dt.constant("three")


def test_variable_assign_and_friends():
    v = dt.Variable(1.0, name="w")
    assert v.assign(5.0) is v
    assert v.numpy() == 5.0
    v.assign_add(2.0)
    assert v.numpy() == 7.0
    v.assign_sub(dt.constant(3.0))
    assert v.numpy() == 4.0
    assert v.name == "w"
    assert v.trainable


def test_variable_assign_keeps_its_shape():
    v = dt.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match="shape"):
        v.assign([1.0, 2.0, 3.0])


def test_repr_is_readable():
    assert repr(dt.constant(2.0)) == "<Tensor shape=() value=2.0>"
    assert repr(dt.Variable([1, 2], name="w")) == "<Variable 'w' shape=(2,) value=[1. 2.]>"
    assert repr(dt.Variable(3.0)) == "<Variable shape=() value=3.0>"


def test_untrainable_variable_is_not_watched_automatically():
    frozen = dt.Variable(2.0, trainable=False)
    live = dt.Variable(3.0)
    with dt.GradientTape() as tape:
        y = frozen * live
    d_frozen, d_live = tape.gradient(y, [frozen, live])
    assert d_frozen is None
    assert d_live.numpy() == 2.0


def test_untrainable_variable_can_be_watched_by_hand():
    frozen = dt.Variable(2.0, trainable=False)
    with dt.GradientTape() as tape:
        tape.watch(frozen)
        y = frozen**3
    assert tape.gradient(y, frozen).numpy() == 12.0


def test_assigning_after_recording_does_not_change_the_gradient():
    # the tape keeps the values an operation saw, as TensorFlow does
    x = dt.Variable(3.0)
    with dt.GradientTape() as tape:
        y = x * x
    x.assign(100.0)
    assert tape.gradient(y, x).numpy() == 6.0


# -- operators ---------------------------------------------------------------------------------


def test_arithmetic_operators_and_their_gradients():
    a, b = dt.Variable(3.0), dt.Variable(2.0)
    with dt.GradientTape(persistent=True) as tape:
        results = {
            "add": a + b,
            "sub": a - b,
            "mul": a * b,
            "div": a / b,
            "pow": a**b,
            "neg": -a,
            "radd": 1.0 + a,
            "rsub": 1.0 - a,
            "rmul": 2 * a,
            "rdiv": 6.0 / a,
            "rpow": 2.0**a,
        }
    values = {k: float(v) for k, v in results.items()}
    assert values == {
        "add": 5.0,
        "sub": 1.0,
        "mul": 6.0,
        "div": 1.5,
        "pow": 9.0,
        "neg": -3.0,
        "radd": 4.0,
        "rsub": -2.0,
        "rmul": 6.0,
        "rdiv": 2.0,
        "rpow": 8.0,
    }
    grads = {
        k: [None if g is None else float(g) for g in tape.gradient(v, [a, b])]
        for k, v in results.items()
    }
    assert grads["add"] == [1.0, 1.0]
    assert grads["sub"] == [1.0, -1.0]
    assert grads["mul"] == [2.0, 3.0]
    assert grads["div"] == [0.5, -0.75]
    assert grads["pow"] == pytest.approx([6.0, 9.0 * math.log(3.0)])
    assert grads["neg"] == [-1.0, None]
    assert grads["rsub"] == [-1.0, None]
    assert grads["rdiv"] == pytest.approx([-6.0 / 9.0, None])
    assert grads["rpow"] == pytest.approx([8.0 * math.log(2.0), None])


def test_matmul_operator_gradients_match_finite_differences():
    a0 = np.array([[1.0, 2.0, -1.0], [0.5, -3.0, 2.0]])
    b0 = np.array([[2.0, 1.0], [-1.0, 0.5], [3.0, 1.5]])
    w = np.array([[1.0, -2.0], [0.5, 3.0]])

    def f(a: Any, b: Any) -> Any:
        return dt.reduce_sum((a @ b) * w)

    ga, gb = tape_gradient(f, a0, b0)
    np.testing.assert_allclose(ga, numeric_gradient(lambda a: float(np.sum((a @ b0) * w)), a0))
    np.testing.assert_allclose(gb, numeric_gradient(lambda b: float(np.sum((a0 @ b) * w)), b0))


def test_matmul_with_vectors():
    m0 = np.array([[1.0, 2.0], [3.0, 4.0]])
    v0 = np.array([0.5, -1.0])
    gm, gv = tape_gradient(lambda m, v: dt.reduce_sum(m @ v), m0, v0)
    np.testing.assert_allclose(gm, numeric_gradient(lambda m: float(np.sum(m @ v0)), m0))
    np.testing.assert_allclose(gv, numeric_gradient(lambda v: float(np.sum(m0 @ v)), v0))
    (gu,) = tape_gradient(lambda u: u @ u, v0)
    np.testing.assert_allclose(gu, 2 * v0)
    with pytest.raises(ValueError, match="do not fit"):
        dt.constant(m0) @ dt.constant([1.0, 2.0, 3.0])


def test_numpy_arrays_on_the_left_defer_to_tensors():
    x = dt.Variable([1.0, 2.0])
    with dt.GradientTape() as tape:
        y = dt.reduce_sum(np.array([3.0, 4.0]) * x)
    assert isinstance(y, dt.Tensor)
    assert tape.gradient(y, x).numpy().tolist() == [3.0, 4.0]


def test_comparisons_are_not_differentiable():
    x = dt.Variable(3.0)
    with dt.GradientTape() as tape:
        checks = [x > 2.0, x >= 3.0, x < 1.0, x <= 3.0]
        bigger = x > 2.0
    assert [bool(c) for c in checks] == [True, True, False, True]
    assert tape.gradient(bigger, x) is None


def test_equality_is_identity_and_equal_compares_values():
    a, b = dt.constant(1.0), dt.constant(1.0)
    assert a == a
    assert a != b
    assert {a: 1, b: 2}[b] == 2  # tensors are usable as dict keys
    assert bool(dt.equal(a, b))
    assert not bool(dt.not_equal(a, b))


def test_indexing_and_slicing_gradients():
    a0 = np.arange(12.0).reshape(3, 4) / 7.0
    weights = np.array([1.0, -2.0, 3.0])

    def f(a: Any) -> Any:
        return dt.reduce_sum(a[1] * a[:, 2][0]) + dt.reduce_sum(a[-1, 1:3] ** 2) + a[0, 0]

    def f_plain(a: np.ndarray) -> float:
        return float(np.sum(a[1] * a[:, 2][0]) + np.sum(a[-1, 1:3] ** 2) + a[0, 0])

    (grad,) = tape_gradient(f, a0)
    np.testing.assert_allclose(grad, numeric_gradient(f_plain, a0), rtol=1e-6, atol=1e-8)
    # repeated fancy indices add up
    (grad,) = tape_gradient(lambda v: dt.reduce_sum(v[[0, 0, 2]] * weights), [1.0, 2.0, 3.0])
    assert grad.tolist() == [-1.0, 0.0, 3.0]


def test_a_scalar_cannot_be_indexed():
    with pytest.raises(IndexError):
        dt.constant(1.0)[0]


def test_shapes_that_do_not_broadcast_give_a_clear_error():
    with pytest.raises(ValueError, match=r"shapes \(2,\) and \(3,\) do not broadcast"):
        dt.constant([1.0, 2.0]) + dt.constant([1.0, 2.0, 3.0])


# -- functions ---------------------------------------------------------------------------------


def _tape_function(op: Operation) -> Callable[..., Any]:
    return getattr(dt, tape_name(op))  # log(x, base) for logb: the function picks the row


def _inside_domain(op: Operation) -> list[float]:
    # points where every operation of the table is defined and smooth
    return [1.6, 0.7][: op.arity] if op.name == "acosh" else [0.6, 1.7][: op.arity]


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.name)
def test_every_table_function_against_finite_differences(op: Operation):
    fn = _tape_function(op)
    point = _inside_domain(op)
    grads = tape_gradient(fn, *point)
    for k in range(op.arity):

        def along(x: np.ndarray, k: int = k) -> float:
            args = list(point)
            args[k] = float(x)
            return float(op.numpy(*args))

        expected = numeric_gradient(along, np.array(point[k]))
        assert float(grads[k]) == pytest.approx(float(expected), rel=1e-6, abs=1e-8)
    assert float(fn(*point)) == pytest.approx(float(op.numpy(*point)), rel=1e-12)


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.name)
def test_every_table_function_elementwise_on_arrays(op: Operation):
    fn = _tape_function(op)
    base = _inside_domain(op)
    points = [np.array([p, p + 0.1, p + 0.2]) for p in base]
    grads = tape_gradient(lambda *xs: dt.reduce_sum(fn(*xs)), *points)
    for i in range(3):
        scalar_grads = tape_gradient(fn, *[float(p[i]) for p in points])
        for k in range(op.arity):
            assert grads[k][i] == pytest.approx(float(scalar_grads[k]), rel=1e-12)


def test_square_sum_and_mean():
    x0 = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    (g,) = tape_gradient(lambda x: dt.reduce_sum(dt.square(x)), x0)
    np.testing.assert_allclose(g, 2 * x0)
    (g,) = tape_gradient(lambda x: dt.reduce_mean(dt.square(x)), x0)
    np.testing.assert_allclose(g, 2 * x0 / 6)


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_with_axis_and_keepdims(axis: Any, keepdims: bool):
    x0 = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    weights = np.arange(1.0, 7.0).reshape(2, 3)
    for reduce, plain in ((dt.reduce_sum, np.sum), (dt.reduce_mean, np.mean)):
        value = reduce(dt.constant(x0), axis=axis, keepdims=keepdims)
        expected = plain(x0, axis=axis, keepdims=keepdims)
        assert value.shape == np.shape(expected)
        np.testing.assert_allclose(value.numpy(), expected)

        def f(x: Any, reduce: Any = reduce) -> Any:
            r = reduce(x * weights, axis=axis, keepdims=keepdims)
            return dt.reduce_sum(r * r)

        def f_plain(x: np.ndarray, plain: Any = plain) -> float:
            r = plain(x * weights, axis=axis, keepdims=keepdims)
            return float(np.sum(r * r))

        (g,) = tape_gradient(f, x0)
        np.testing.assert_allclose(g, numeric_gradient(f_plain, x0), rtol=1e-6)


def test_maximum_minimum_where():
    a0 = np.array([1.0, 5.0, -2.0])
    b0 = np.array([3.0, 2.0, -2.0])
    ga, gb = tape_gradient(lambda a, b: dt.reduce_sum(dt.maximum(a, b)), a0, b0)
    assert (ga.tolist(), gb.tolist()) == ([0.0, 1.0, 1.0], [1.0, 0.0, 0.0])
    ga, gb = tape_gradient(lambda a, b: dt.reduce_sum(dt.minimum(a, b)), a0, b0)
    assert (ga.tolist(), gb.tolist()) == ([1.0, 0.0, 1.0], [0.0, 1.0, 0.0])
    ga, gb = tape_gradient(lambda a, b: dt.reduce_sum(dt.where(a > b, a * a, 3 * b)), a0, b0)
    assert (ga.tolist(), gb.tolist()) == ([0.0, 10.0, 0.0], [3.0, 0.0, 3.0])
    assert dt.maximum(2.0, dt.constant([1.0, 3.0])).numpy().tolist() == [2.0, 3.0]


def test_relu_and_abs_through_where_of_a_comparison():
    (g,) = tape_gradient(lambda x: dt.reduce_sum(dt.where(x > 0, x, 0.0)), [-1.0, 2.0])
    assert g.tolist() == [0.0, 1.0]
    (g,) = tape_gradient(lambda x: dt.reduce_sum(dt.relu(x) + abs(x)), [-1.0, 2.0])
    assert g.tolist() == [-1.0, 2.0]


def test_stop_gradient():
    x = dt.Variable(3.0)
    with dt.GradientTape() as tape:
        y = x * dt.stop_gradient(x * x)
    assert tape.gradient(y, x).numpy() == 9.0


@pytest.mark.parametrize(
    ("shape_a", "shape_b"),
    [((3, 1), (1, 4)), ((), (2, 3)), ((3,), (2, 3)), ((2, 1, 3), (4, 1)), ((1,), (5,))],
)
def test_broadcasting_gradients_are_summed_back_to_the_source_shape(shape_a, shape_b):
    rng = np.random.default_rng(7)
    a0 = rng.uniform(0.5, 1.5, shape_a)
    b0 = rng.uniform(0.5, 1.5, shape_b)

    def f(a: Any, b: Any) -> Any:
        return dt.reduce_sum(dt.sin(a * b) + a / b - b**2 * a)

    def f_plain(a: Any, b: Any) -> float:
        return float(np.sum(np.sin(a * b) + a / b - b**2 * a))

    ga, gb = tape_gradient(f, a0, b0)
    assert np.shape(ga) == shape_a and np.shape(gb) == shape_b
    np.testing.assert_allclose(ga, numeric_gradient(lambda a: f_plain(a, b0), a0), rtol=1e-6)
    np.testing.assert_allclose(gb, numeric_gradient(lambda b: f_plain(a0, b), b0), rtol=1e-6)


def test_broadcasting_second_derivatives():
    a = dt.Variable([1.0, 2.0])
    b = dt.Variable(3.0)
    with dt.GradientTape() as outer:
        with dt.GradientTape() as inner:
            y = dt.reduce_sum(a * a * b)
        db = inner.gradient(y, b)  # sum(a**2), a scalar
    assert db.numpy() == 5.0
    assert outer.gradient(db, a).numpy().tolist() == [2.0, 4.0]


def test_reshape_transpose_stack_concat():
    x0 = np.arange(6.0).reshape(2, 3)
    w = np.arange(6.0).reshape(3, 2) + 1

    def f(x: Any) -> Any:
        flat = [
            dt.reshape(dt.transpose(x) * w, (6,)),
            dt.reshape(x, (6,)),
            dt.reshape(x[0, 0], (1,)),
        ]
        parts = dt.concat(flat, axis=0)
        return dt.reduce_sum(dt.stack([parts, parts * 2]) ** 2)

    def f_plain(x: np.ndarray) -> float:
        parts = np.concatenate([(x.T * w).ravel(), x.ravel(), [x[0, 0]]])
        return float(np.sum(np.stack([parts, parts * 2]) ** 2))

    (g,) = tape_gradient(f, x0)
    np.testing.assert_allclose(g, numeric_gradient(f_plain, x0), rtol=1e-6)


# -- the tape ----------------------------------------------------------------------------------


def test_persistent_tape_can_be_used_many_times():
    x = dt.Variable(2.0)
    with dt.GradientTape(persistent=True) as tape:
        y = x**3
        z = y + x
    assert [float(tape.gradient(y, x)) for _ in range(3)] == [12.0, 12.0, 12.0]
    assert float(tape.gradient(z, x)) == 13.0
    assert float(tape.jacobian(z, x)) == 13.0


def test_reset_forgets_and_records_again():
    x = dt.Variable(2.0)
    with dt.GradientTape() as tape:
        y = x * x
        tape.reset()
        z = x * 5.0
    assert tape.gradient(z, x).numpy() == 5.0
    tape2 = dt.GradientTape(persistent=True)
    with tape2:
        y = x * x
    tape2.reset()
    assert tape2.watched_variables() == ()
    assert tape2.gradient(y, x) is None


def test_stop_recording():
    x = dt.Variable(2.0)
    with dt.GradientTape() as tape:
        y = x * x
        with tape.stop_recording():
            hidden = x * 10.0
        z = y + hidden
    assert tape.gradient(z, x).numpy() == 4.0
    with pytest.raises(RuntimeError, match="recording"), tape.stop_recording():
        pass


def test_watched_variables_in_order_of_first_use():
    a, b, c = dt.Variable(1.0, name="a"), dt.Variable(2.0, name="b"), dt.Variable(3.0)
    k = dt.constant(4.0)
    with dt.GradientTape() as tape:
        tape.watch(k)
        _ = b * k + a
    assert tape.watched_variables() == (b, a)
    assert c not in tape.watched_variables()


def test_watch_accessed_variables_false_watches_only_what_it_is_told():
    x, w = dt.Variable(2.0), dt.Variable(5.0)
    with dt.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch([x])
        y = x * w
    assert tape.watched_variables() == (x,)
    gx, gw = tape.gradient(y, [x, w])
    assert (float(gx), gw) == (5.0, None)


def test_watch_refuses_plain_values():
    with dt.GradientTape() as tape, pytest.raises(ValueError, match="constant"):
        tape.watch(3.0)


def test_sources_keep_their_structure():
    x, y = dt.Variable(2.0), dt.Variable(3.0)
    with dt.GradientTape(persistent=True) as tape:
        z = x * y
    assert float(tape.gradient(z, x)) == 3.0
    as_list = tape.gradient(z, [x, y])
    as_tuple = tape.gradient(z, (x, y))
    as_dict = tape.gradient(z, {"x": x, "y": y})
    nested = tape.gradient(z, {"pair": (x, [y]), "x": x})
    assert isinstance(as_list, list) and [float(g) for g in as_list] == [3.0, 2.0]
    assert isinstance(as_tuple, tuple) and [float(g) for g in as_tuple] == [3.0, 2.0]
    assert {k: float(v) for k, v in as_dict.items()} == {"x": 3.0, "y": 2.0}
    assert float(nested["pair"][0]) == 3.0 and float(nested["pair"][1][0]) == 2.0
    assert float(nested["x"]) == 3.0


def test_a_list_of_targets_adds_up():
    x = dt.Variable([1.0, 2.0])
    with dt.GradientTape() as tape:
        ys = [x * 2.0, dt.reduce_sum(x**2), {"a": x * x}]
    assert tape.gradient(ys, x).numpy().tolist() == [6.0, 10.0]


def test_output_gradients_weight_the_targets():
    x = dt.Variable([1.0, 2.0, 3.0])
    with dt.GradientTape() as tape:
        y = x * x
    g = tape.gradient(y, x, output_gradients=dt.constant([1.0, 0.0, -1.0]))
    assert g.numpy().tolist() == [2.0, 0.0, -6.0]


def test_output_gradients_of_the_wrong_shape():
    x = dt.Variable([1.0, 2.0, 3.0])
    with dt.GradientTape() as tape:
        y = x * x
    with pytest.raises(ValueError, match=r"shape \(2,\) does not match its target's shape \(3,\)"):
        tape.gradient(y, x, output_gradients=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"shape \(2, 3\) does not match"):
        tape.gradient(y, x, output_gradients=[[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="3 entries for 2 targets"):
        tape.gradient([y, y], x, output_gradients=[1.0, 2.0, 3.0])


def test_output_gradients_for_several_vector_targets():
    x = dt.Variable([1.0, 2.0])
    with dt.GradientTape() as tape:
        y, z = x * x, x * 3.0
    g = tape.gradient([y, z], x, output_gradients=[[1.0, 0.0], [0.0, 1.0]])
    assert g.numpy().tolist() == [2.0, 3.0]


def test_jacobian_of_a_vector_target():
    x = dt.Variable([1.0, 2.0, 3.0])
    with dt.GradientTape() as tape:
        y = x[:2] * x[1:] + dt.reduce_sum(x)
    jac = tape.jacobian(y, x)
    assert jac.shape == (2, 3)
    assert jac.numpy().tolist() == [[3.0, 2.0, 1.0], [1.0, 4.0, 3.0]]


def test_jacobian_of_a_target_that_does_not_depend_on_a_source():
    x, w = dt.Variable([1.0, 2.0]), dt.Variable(3.0)
    with dt.GradientTape(persistent=True) as tape:
        y = x * 2.0
    assert tape.jacobian(y, w) is None
    zeros = tape.jacobian(y, [x, w], unconnected_gradients="zero")
    assert zeros[0].numpy().tolist() == [[2.0, 0.0], [0.0, 2.0]]
    assert zeros[1].shape == (2,) and zeros[1].numpy().tolist() == [0.0, 0.0]


def test_non_persistent_tape_allows_one_jacobian():
    x = dt.Variable([1.0, 2.0])
    with dt.GradientTape() as tape:
        y = x * x
    tape.jacobian(y, x)
    with pytest.raises(RuntimeError, match="non-persistent GradientTape"):
        tape.jacobian(y, x)


def test_error_for_a_target_that_is_not_a_tensor():
    x = dt.Variable(2.0)
    with dt.GradientTape() as tape:
        _ = x * x
    with pytest.raises(TypeError, match="needs tensor targets, got float"):
        tape.gradient(4.0, x)
    with dt.GradientTape() as tape:
        _ = x * x
    with pytest.raises(TypeError, match="needs a tensor target"):
        tape.jacobian([1.0], x)


def test_error_for_a_tape_that_recorded_nothing():
    x = dt.Variable(2.0)
    y = x * x
    tape = dt.GradientTape()
    with pytest.raises(ValueError, match="recorded nothing"):
        tape.gradient(y, x)


def test_error_for_sources_that_are_not_tensors():
    x = dt.Variable(2.0)
    with dt.GradientTape() as tape:
        y = x * x
    with pytest.raises(TypeError, match="sources must be tensors"):
        tape.gradient(y, [x, 2.0])


def test_error_for_an_unknown_unconnected_gradients_mode():
    x = dt.Variable(2.0)
    with dt.GradientTape() as tape:
        y = x * x
    with pytest.raises(ValueError, match="Unknown value for unconnected_gradients: 'zeros'"):
        tape.gradient(y, x, unconnected_gradients="zeros")


def test_a_tape_cannot_be_entered_twice_at_once():
    tape = dt.GradientTape()
    with tape, pytest.raises(ValueError, match="already recording"):
        tape.__enter__()


def test_gradient_inside_the_block_of_a_non_persistent_tape():
    x = dt.Variable(3.0)
    with dt.GradientTape() as tape:
        y = x * x
        dy = tape.gradient(y, x)  # the tape is spent: nothing more to record
        z = dy * x
    assert dy.numpy() == 6.0
    assert z.numpy() == 18.0


# -- functional helpers ------------------------------------------------------------------------


def test_grad_and_value_and_grad():
    def g(x1: Any, x2: Any) -> Any:
        return (x1 + 5) * x2**2

    assert float(dt.grad(g)(2.0, 3.0)) == 9.0
    assert [float(d) for d in dt.grad(g, argnums=(0, 1))(2.0, 3.0)] == [9.0, 42.0]
    value, d = dt.value_and_grad(g, argnums=1)(2.0, 3.0)
    assert (float(value), float(d)) == (63.0, 42.0)
    assert float(dt.grad(lambda x, y: x * 2.0, argnums=1)(1.0, 1.0)) == 0.0  # unused: zero


def test_hessian_of_a_vector_function():
    def rosenbrock(v: Any) -> Any:
        return 100.0 * (v[1] - v[0] ** 2) ** 2 + (1.0 - v[0]) ** 2

    h = dt.hessian(rosenbrock)(np.array([1.0, 2.0]))
    # d2/dx2 = 1200x^2 - 400y + 2, d2/dxdy = -400x, d2/dy2 = 200
    assert h.tolist() == [[402.0, -400.0], [-400.0, 200.0]]
    with pytest.raises(ValueError, match="scalar"):
        dt.hessian(lambda v: v * 2.0)(np.array([1.0, 2.0]))


# -- nesting -----------------------------------------------------------------------------------


def test_nested_tapes_to_depth_four():
    x = dt.Variable(2.0)
    with dt.GradientTape() as t4:
        with dt.GradientTape() as t3:
            with dt.GradientTape() as t2:
                with dt.GradientTape() as t1:
                    y = x**5 + dt.sin(x)
                d1 = t1.gradient(y, x)
            d2 = t2.gradient(d1, x)
        d3 = t3.gradient(d2, x)
    d4 = t4.gradient(d3, x)
    assert float(d1) == pytest.approx(5 * 16 + math.cos(2.0), rel=1e-15)
    assert float(d2) == pytest.approx(20 * 8 - math.sin(2.0), rel=1e-15)
    assert float(d3) == pytest.approx(60 * 4 - math.cos(2.0), rel=1e-15)
    assert float(d4) == pytest.approx(120 * 2 + math.sin(2.0), rel=1e-15)


def test_nested_tapes_on_arrays_give_a_hessian_diagonal():
    x = dt.Variable([0.5, 1.0, 2.0])
    with dt.GradientTape() as outer:
        with dt.GradientTape() as inner:
            y = dt.reduce_sum(dt.exp(x) * x)
        g = inner.gradient(y, x)
    h = outer.gradient(g, x)  # sum over rows of a diagonal Hessian: (x + 2) e^x
    np.testing.assert_allclose(h.numpy(), (x.numpy() + 2) * np.exp(x.numpy()))


def test_x_to_the_zero_is_a_constant_with_zero_derivatives_everywhere():
    x = dt.Variable(0.0)
    with dt.GradientTape() as outer:
        with dt.GradientTape() as inner:
            y = x**3
        d1 = inner.gradient(y, x)
    d2 = outer.gradient(d1, x)
    assert (float(d1), float(d2)) == (0.0, 0.0)


@pytest.mark.parametrize(
    "duplicate", [copy.copy, copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v))]
)
def test_a_copy_of_a_followed_variable_is_a_tensor_of_its_own(duplicate: Callable[[Any], Any]):
    w = dt.Variable(2.0, name="w")
    with dt.GradientTape() as tape:
        y = w * 3.0
    tape.gradient(y, w)
    twin = duplicate(w)
    assert (twin.name, float(twin), type(twin)) == ("w", 2.0, dt.Variable)
    with dt.GradientTape() as tape:
        y = w * 3.0 + twin * 5.0
    assert [float(g) for g in tape.gradient(y, [w, twin])] == [3.0, 5.0]


def test_a_copy_of_a_subclassed_variable_keeps_the_subclass_attributes():
    class Weight(dt.Variable):
        pass

    w = Weight(1.5, name="w")
    w.layer = "dense"
    with dt.GradientTape() as tape:
        y = w * 2.0
    tape.gradient(y, w)
    twin = copy.deepcopy(w)
    assert (type(twin), twin.layer, twin.name, float(twin), twin._key) == (
        Weight, "dense", "w", 1.5, None,
    )  # fmt: skip


def test_a_variable_assigned_before_a_nested_backward_pass_keeps_its_recorded_value():
    x = dt.Variable(2.0)
    with dt.GradientTape() as outer:
        with dt.GradientTape() as inner:
            y = x**3
        x.assign(5.0)  # the records hold 2.0, the value the forward pass used
        g = inner.gradient(y, x)
    assert float(g) == 12.0  # 3x**2 at 2
    assert float(outer.gradient(g, x)) == 12.0  # 6x at 2


def test_the_quotient_rule_survives_where_y_squared_underflows():
    # d(x/y)/dy = -x/y**2 = -1e100 here, though y*y is 0 in float64
    for value in (1e-200, np.full(3, 1e-200)):
        y = dt.Variable(value)
        with dt.GradientTape() as tape:
            q = dt.reduce_sum(1e-300 / y)
        np.testing.assert_allclose(tape.gradient(q, y).numpy(), -1e100, rtol=1e-14)
    x, y = dt.Variable(3.0), dt.Variable(2.0)
    with dt.GradientTape() as outer:
        with dt.GradientTape() as inner:
            q = x / y
        dy = inner.gradient(q, y)
    assert float(dy) == -0.75
    assert float(outer.gradient(dy, y)) == 0.75  # 2x/y**3


# -- numpy warnings --------------------------------------------------------------------------


def test_no_numpy_warnings_escape():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(dt.log(0.0)) == -math.inf
        assert math.isnan(float(dt.log(-1.0)))
        assert float(dt.constant(1.0) / 0.0) == math.inf
        assert math.isnan(float(dt.asin(2.0)))
        x = dt.Variable([0.0, 1.0, -1.0])
        with dt.GradientTape() as tape:
            y = dt.reduce_sum(dt.log(x) + dt.sqrt(x))
        g = tape.gradient(y, x).numpy()
        assert g[0] == math.inf and g[1] == 1.5 and math.isnan(g[2])
        s = dt.Variable(0.0)
        with dt.GradientTape() as tape:
            y = dt.sqrt(s) + 1.0 / s
        assert math.isnan(float(tape.gradient(y, s)))  # inf - inf


# -- memory ------------------------------------------------------------------------------------


def _big() -> dt.Tensor:
    return dt.constant(np.ones(200_000))


def test_records_keep_the_arrays_their_rules_read_and_nothing_more():
    x = dt.Variable(2.0)
    with dt.GradientTape() as tape:
        c = _big()
        h = x * c  # d/dx reads c; nothing reads h itself
        e = dt.exp(h)  # exp's rule reads its answer
        s = e + h  # + reads nothing
        y = dt.reduce_sum(s)  # nor does reduce_sum
    arrays = {name: weakref.ref(t._value) for name, t in (("c", c), ("h", h), ("e", e), ("s", s))}
    del c, h, e, s
    alive = {name for name, ref in arrays.items() if ref() is not None}
    assert alive == {"c", "e"}
    assert float(tape.gradient(y, x)) == pytest.approx(200_000 * (math.exp(2.0) + 1.0))
    assert all(ref() is None for ref in arrays.values())  # a spent tape lets go of the rest


def test_nested_tapes_still_differentiate_through_dropped_values():
    x = dt.Variable(np.linspace(0.5, 1.5, 5))
    with dt.GradientTape() as outer:
        with dt.GradientTape() as inner:
            y = dt.reduce_sum(dt.exp(x + 1.0) * x)
        g = dt.reduce_sum(inner.gradient(y, x))  # of (x + 1) e^(x+1)
    h = outer.gradient(g, x)  # (x + 2) e^(x+1)
    want = (x.numpy() + 2.0) * np.exp(x.numpy() + 1.0)
    np.testing.assert_allclose(h.numpy(), want, rtol=1e-14)


def test_deleting_or_resetting_a_persistent_tape_frees_its_arrays():
    gc.disable()
    try:
        x = dt.Variable(2.0)
        with dt.GradientTape(persistent=True) as tape:
            c = _big()
            y = dt.reduce_sum(x * c)
        ref = weakref.ref(c._value)
        del c
        tape.gradient(y, x)
        tape.gradient(y, x)
        assert ref() is not None  # the rule of x * c reads c
        del tape
        assert ref() is None  # by reference counting alone: no cycle holds it
        with dt.GradientTape(persistent=True) as tape:
            c = _big()
            y = dt.reduce_sum(x * c)
        ref = weakref.ref(c._value)
        del c
        assert ref() is not None
        tape.reset()
        assert ref() is None
    finally:
        gc.enable()


def test_a_tape_workload_leaves_no_reference_cycles():
    def workload() -> None:
        x = dt.Variable(np.linspace(0.1, 1.0, 50))
        w = dt.Variable(0.5)
        with dt.GradientTape(persistent=True) as t2:
            with dt.GradientTape() as t1:
                y = dt.reduce_mean(dt.sigmoid(x * w) + dt.log(x) * w**2)
                with t1.stop_recording():
                    _ = y * 2.0
            g = t1.gradient(y, [x, w])
        t2.gradient(g[1], w)
        t2.jacobian(g[0][:3], w)
        dt.hessian(lambda v: dt.reduce_sum(v**3))(np.ones(3))
        with contextlib.suppress(RuntimeError):
            t1.gradient(y, x)

    workload()  # warm up caches
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            workload()
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_tape_errors_are_the_projects_errors_and_the_builtin_kinds() -> None:
    from diffcompare.errors import DiffCompareError

    x = dt.constant(1.0)
    with dt.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError) as reused:
        tape.gradient(y, x)
    assert isinstance(reused.value, DiffCompareError)
    with pytest.raises(ValueError) as bad_source:
        dt.GradientTape().watch(3.0)
    assert isinstance(bad_source.value, DiffCompareError)
