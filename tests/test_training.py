"""Gradient descent on the tape: seed cases S21-S24 and the exercises S26-S27, written the way
the articles write them, with `dt` in place of `tf` and `keras.optimizers`."""

from __future__ import annotations

import math

import numpy as np
import pytest

import diffcompare.tape as dt


def f(x):
    return 3.0 * x**2 + 2.0 * x - 1


def test_s21_plain_gradient_descent():
    learning_rate = 0.1
    x = dt.Variable(0.0)
    for _ in range(100):
        with dt.GradientTape() as tape:
            z = f(x)
        dz_dx = tape.gradient(z, x)
        x.assign_sub(learning_rate * dz_dx)
    # x <- 0.4 x - 0.2 contracts to -1/3; 0.4**100 is far below float64's resolution
    assert x.numpy() == pytest.approx(-1 / 3, abs=1e-15)
    assert f"{x.numpy():.7f}" == "-0.3333333"


def test_s22_the_same_through_sgd_apply_gradients():
    learning_rate = 0.1
    x = dt.Variable(0.0)
    optimizer = dt.SGD(lr=learning_rate)
    for _ in range(100):
        with dt.GradientTape() as tape:
            z = f(x)
        dz_dx = tape.gradient(z, x)
        optimizer.apply_gradients([(dz_dx, x)])
    assert x.numpy() == pytest.approx(-1 / 3, abs=1e-15)
    assert optimizer.iterations == 100


def compute_loss(y_pred, y_true):
    return dt.reduce_mean(dt.square(y_pred - y_true))


def test_s23_linear_regression():
    X = dt.constant([1.0, 2.0, 3.0, 4.0, 5.0])
    y = dt.constant([3.0, 5.0, 7.0, 9.0, 11.0])
    w = dt.Variable(initial_value=0.0)
    b = dt.Variable(initial_value=0.0)
    epochs = 1000
    learning_rate = 0.01
    printed = {}
    for epoch in range(epochs):
        with dt.GradientTape() as tape:
            y_pred = w * X + b
            loss = compute_loss(y_pred, y)
        dw, db = tape.gradient(loss, [w, b])
        w.assign_sub(learning_rate * dw)
        b.assign_sub(learning_rate * db)
        if (epoch + 1) % 100 == 0:
            printed[epoch + 1] = (
                f"loss = {loss.numpy():.4f}, w = {w.numpy():.4f}, b = {b.numpy():.4f}"
            )
    # loss is the one computed before the update of its epoch
    assert printed[100] == "loss = 0.0160, w = 2.0818, b = 0.7048"
    assert printed[1000].endswith("w = 2.0039, b = 0.9860")
    # the article's "w = 2.0001, b = 0.9996" would need about twice the epochs
    assert abs(w.numpy() - 2.0) > 0.003


def test_s24_clipping_by_global_norm():
    X = dt.constant([1.0, 2.0, 3.0, 4.0, 5.0])
    y = dt.constant([3.0, 5.0, 7.0, 9.0, 11.0])
    w, b = dt.Variable(0.0), dt.Variable(0.0)
    trainable_variables = [w, b]
    max_gradient_norm = 1.0
    optimizer = dt.SGD(learning_rate=0.01)
    with dt.GradientTape() as tape:
        y_pred = w * X + b
        loss = compute_loss(y_pred, y)
    gradients = tape.gradient(loss, trainable_variables)
    raw = np.array([float(g) for g in gradients])
    gradients, norm = dt.clip_by_global_norm(gradients, max_gradient_norm)
    clipped = np.array([float(g) for g in gradients])
    assert float(norm) == pytest.approx(np.linalg.norm(raw), rel=1e-15)
    assert np.linalg.norm(clipped) == pytest.approx(min(float(norm), 1.0), rel=1e-15)
    np.testing.assert_allclose(clipped / np.linalg.norm(clipped), raw / np.linalg.norm(raw))
    optimizer.apply_gradients(zip(gradients, trainable_variables, strict=True))
    np.testing.assert_allclose([w.numpy(), b.numpy()], -0.01 * clipped)


def test_clip_by_global_norm_leaves_small_gradients_and_nones_alone():
    grads = [dt.constant([0.3, 0.0]), None, dt.constant(0.4)]
    clipped, norm = dt.clip_by_global_norm(grads, 1.0)
    assert float(norm) == pytest.approx(0.5)
    assert clipped[1] is None
    assert clipped[0].numpy().tolist() == [0.3, 0.0] and float(clipped[2]) == 0.4
    big, norm = dt.clip_by_global_norm([np.array([30.0, 0.0]), 40.0], 5.0)
    assert float(norm) == 50.0
    assert big[0].numpy().tolist() == [3.0, 0.0] and float(big[1]) == 4.0
    with pytest.raises(ValueError, match="clip_norm"):
        dt.clip_by_global_norm(grads, 0.0)


def test_sgd_momentum_and_decay_follow_their_formulas():
    v = dt.Variable(1.0)
    opt = dt.SGD(learning_rate=0.1, momentum=0.5, decay=1.0)
    opt.apply_gradients([(2.0, v)])  # rate 0.1: velocity -0.2
    assert v.numpy() == pytest.approx(0.8)
    opt.apply_gradients([(2.0, v)])  # rate 0.05: velocity 0.5 * -0.2 - 0.1 = -0.2
    assert v.numpy() == pytest.approx(0.6)
    assert opt.current_learning_rate() == pytest.approx(0.1 / 3)
    opt.apply_gradients([(None, v)])  # nothing to do for this variable
    assert v.numpy() == pytest.approx(0.6)


def test_sgd_refuses_bad_settings_and_pairs():
    with pytest.raises(ValueError, match="learning_rate"):
        dt.SGD(-1.0)
    with pytest.raises(ValueError, match="momentum"):
        dt.SGD(0.1, momentum=1.0)
    with pytest.raises(TypeError, match="Variables"):
        dt.SGD().apply_gradients([(1.0, dt.constant(1.0))])
    with pytest.raises(ValueError, match="shape"):
        dt.SGD().apply_gradients([([1.0, 2.0], dt.Variable(1.0))])


# -- exercises 2 and 3 of the third article --------------------------------------------------


def noisy_line(seed: int = 26) -> tuple[np.ndarray, np.ndarray]:
    """100 points of y = 3x + 2 with noise (x spread over [0, 10])."""
    rng = np.random.default_rng(seed)
    xs = rng.uniform(0.0, 10.0, 100)
    return xs, 3.0 * xs + 2.0 + rng.normal(0.0, 0.5, 100)


def train(optimizer: dt.SGD, epochs: int) -> tuple[float, float, list[float]]:
    xs, ys = noisy_line()
    X, y = dt.constant(xs), dt.constant(ys)
    w, b = dt.Variable(0.0), dt.Variable(0.0)
    losses = []
    for _ in range(epochs):
        with dt.GradientTape() as tape:
            loss = compute_loss(w * X + b, y)
        grads = tape.gradient(loss, [w, b])
        optimizer.apply_gradients(zip(grads, [w, b], strict=True))
        losses.append(float(loss))
    return float(w), float(b), losses


def least_squares() -> tuple[float, float, float]:
    xs, ys = noisy_line()
    (w, b), *_ = np.linalg.lstsq(np.stack([xs, np.ones_like(xs)], axis=1), ys, rcond=None)
    return float(w), float(b), float(np.mean((w * xs + b - ys) ** 2))


def epochs_to_converge(losses: list[float], best: float) -> int | None:
    """The first epoch from which the loss stays within 1% of the least-squares minimum."""
    for epoch in range(len(losses)):
        if all(abs(loss - best) <= 0.01 * best for loss in losses[epoch:]):
            return epoch
    return None


def test_s26_learning_rates():
    w_best, b_best, best = least_squares()
    results = {rate: train(dt.SGD(rate), 1000) for rate in (0.001, 0.01, 0.1)}
    # 0.01 converges, to the least-squares line, close to y = 3x + 2
    w, b, losses = results[0.01]
    assert epochs_to_converge(losses, best) is not None
    assert (w, b) == pytest.approx((w_best, b_best), abs=0.02)
    assert (w, b) == pytest.approx((3.0, 2.0), abs=0.15)
    # 0.001 is on its way (the loss only falls) but too slow for 1000 epochs
    w, b, losses = results[0.001]
    assert epochs_to_converge(losses, best) is None
    assert all(later <= earlier for earlier, later in zip(losses, losses[1:], strict=False))
    assert abs(b - 2.0) > 0.2
    # 0.1 overshoots: 0.1 times the largest curvature of the loss is beyond 2, so it diverges
    losses = results[0.1][2]
    assert epochs_to_converge(losses, best) is None
    assert not math.isfinite(losses[-1]) or losses[-1] > 1e100


def test_s27_plain_momentum_and_decay():
    _, _, best = least_squares()
    methods = {
        "plain": dt.SGD(0.01),
        "momentum": dt.SGD(0.01, momentum=0.9),
        "decay": dt.SGD(0.01, decay=1e-4),
    }
    epochs = {}
    for name, optimizer in methods.items():
        w, b, losses = train(optimizer, 1000)
        epochs[name] = epochs_to_converge(losses, best)
        assert epochs[name] is not None, name
        assert (w, b) == pytest.approx((3.0, 2.0), abs=0.15)
    assert epochs["momentum"] < epochs["plain"] < epochs["decay"]
