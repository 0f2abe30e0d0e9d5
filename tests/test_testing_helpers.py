"""diffcompare.testing: assertions for autograders, with a readable report of the worst point."""

from __future__ import annotations

import numpy as np
import pytest

from diffcompare.testing import assert_derivative, assert_gradient, assert_hessian

LOSS = "log(1 + exp(-(2*w1 - 3*w2)))"


def loss_gradient(w: np.ndarray) -> np.ndarray:
    x = np.array([2.0, -3.0])
    return -x / (1.0 + np.exp(w @ x))


def loss_gradient_wrong_sign(w: np.ndarray) -> np.ndarray:
    return -loss_gradient(w)


def cubic_second(x: float) -> float:
    return 6 * x


def saddle_hessian(x: float, y: float) -> list[list[float]]:
    return [[2.0, 0.0], [0.0, -2.0]]


def saddle_hessian_wrong(x: float, y: float) -> list[list[float]]:
    return [[2.0, 0.0], [0.0, 2.0]]


def test_passing_assertions_return_feedback() -> None:
    assert assert_gradient(loss_gradient, LOSS, takes="array", points=8).correct
    assert assert_derivative(cubic_second, "x**3", order=2, points=5).correct
    assert assert_hessian(saddle_hessian, "x**2 - y**2", points=5).correct


def test_failure_report_names_the_worst_point() -> None:
    with pytest.raises(AssertionError) as raised:
        assert_gradient(loss_gradient_wrong_sign, LOSS, takes="array", points=8)
    report = str(raised.value)
    assert report.startswith("gradient of log(1 + exp(-(2*w1 - 3*w2)))")
    assert "worst point:  w1=" in report
    assert "component:    d/dw" in report
    assert "mistake:      sign" in report


def test_hessian_failure_names_the_component() -> None:
    with pytest.raises(AssertionError, match=r"component:    d2/dy2"):
        assert_hessian(saddle_hessian_wrong, "x**2 - y**2", points=4)


def test_crashing_code_is_an_assertion_error_with_its_message() -> None:
    with pytest.raises(AssertionError, match="raised ZeroDivisionError"):
        assert_derivative("def d(x):\n    return 1/0\n", "x**2", points=3)
