"""check_values: numbers from raw text, significant figures, partial credit, mistakes."""

from __future__ import annotations

import numpy as np
import pytest

from diffcompare.errors import DiffCompareError
from diffcompare.grading import check_values
from diffcompare.grading.values import read_number, significant_figures

QUARTIC = "x**4+2*x**3-3*x**2+4*x-5"  # at 2: value 23, derivatives 48, 66, 60


@pytest.mark.parametrize("answer", ["48", "48.0", "4.8e1", "480e-1", " +48 ", "[48]", 48, 48.0])
def test_forms_of_the_same_number(answer: object) -> None:
    feedback = check_values(answer, QUARTIC, {"x": 2}, kind="derivative")
    assert feedback.status == "correct", feedback.message
    assert feedback.score == 1.0


@pytest.mark.parametrize(
    ("kind", "order", "answer"),
    [("value", 1, "23"), ("derivative", 2, "66"), ("derivative", 3, "60")],
)
def test_kinds_and_orders(kind: str, order: int, answer: str) -> None:
    assert check_values(answer, QUARTIC, "x=2", kind=kind, order=order).correct  # type: ignore[arg-type]


def test_value_mistakes() -> None:
    assert check_values("-48", QUARTIC, {"x": 2}, kind="derivative").mistake == "sign"
    assert check_values("23", QUARTIC, {"x": 2}, kind="derivative").mistake == "not_differentiated"
    assert check_values("66", QUARTIC, {"x": 2}, kind="derivative").mistake == "wrong_order"
    plain = check_values("47", QUARTIC, {"x": 2}, kind="derivative")
    assert (plain.status, plain.mistake, plain.score) == ("incorrect", None, 0.0)


def test_reference_is_exact_not_float() -> None:
    # 0.5 + 0.2 in float64 is 0.69999999999999995559; the answer 0.7 is exactly right
    assert check_values("0.7", "x + 0.2", {"x": 0.5}, rtol=0.0, atol=1e-30).correct
    assert not check_values(0.5 + 0.2, "x + 0.2", {"x": 0.5}, rtol=0.0, atol=1e-30).correct


def test_tolerances() -> None:
    assert not check_values("48.01", QUARTIC, {"x": 2}, kind="derivative").correct
    assert check_values("48.01", QUARTIC, {"x": 2}, kind="derivative", rtol=1e-3).correct
    assert check_values("48.01", QUARTIC, {"x": 2}, kind="derivative", atol=0.1).correct


def test_significant_figures_from_the_text() -> None:
    third = "1/3"
    assert check_values("0.333", third, {}, sigfigs=3).correct
    assert check_values("0.3333", third, {}, sigfigs=3).mistake == "too_many_figures"
    assert check_values("0.3333", third, {}, sigfigs=3, more_figures=True).correct
    assert check_values("0.334", third, {}, sigfigs=3).mistake == "inaccurate"
    too_few = check_values("0.33", third, {}, sigfigs=3)
    assert too_few.mistake == "too_few_figures"
    assert "3 significant figures" in too_few.message
    assert significant_figures("0.0480") == (3, 3)
    assert significant_figures("4.8e1") == (2, 2)
    assert significant_figures("1/3") is None


def test_exact_fractions_are_read_exactly() -> None:
    assert check_values("1/3", "1/3", {}, rtol=0.0, atol=1e-40).correct
    assert read_number("-4.8e1") == -48


def test_gradient_partial_credit_from_text() -> None:
    of, at = "x**2*y + 3*y**2*x", "x=1, y=2"  # gradient (16, 13)
    assert check_values("[16, 13]", of, at, kind="gradient").correct
    half = check_values("[16, 14]", of, at, kind="gradient")
    assert half.score == 0.5
    assert half.details["components"]["y"]["status"] == "incorrect"
    assert check_values({"y": 13, "x": "16.0"}, of, at, kind="gradient").correct
    assert check_values(np.array([16.0, 13.0]), of, at, kind="gradient").correct


def test_hessian_forms() -> None:
    of, at = "x**2*y + 3*y**2*x", "x=1, y=2"  # Hessian [[4, 14], [14, 6]]
    assert check_values("[[4, 14], [14, 6]]", of, at, kind="hessian").correct
    assert check_values("[4, 14, 14, 6]", of, at, kind="hessian").correct
    upper = {("x", "x"): 4, ("x", "y"): 14, ("y", "y"): 6}
    assert check_values(upper, of, at, kind="hessian").correct
    wrong = check_values("[[4, 14], [14, 7]]", of, at, kind="hessian")
    assert wrong.score == pytest.approx(0.75)


@pytest.mark.parametrize(
    "answer",
    [
        "__import__('os').system('echo hi')",
        "nan",
        "inf",
        "1e99999999999",
        "[1, 2",
        "[[[1]]]",
        "[1,,2]",
        "1/0",
        "9" * 500,
        "[" * 100_000,
        "4" * 1_000_000,
        None,
        True,
    ],
)
def test_unreadable_answers_are_invalid(answer: object) -> None:
    feedback = check_values(answer, QUARTIC, {"x": 2}, kind="derivative")
    assert feedback.status == "invalid"
    assert feedback.score == 0.0
    assert feedback.message.startswith("Your answer could not be read")


def test_wrong_shape_is_invalid() -> None:
    assert check_values("[1, 2, 3]", "x*y", "x=1, y=2", kind="gradient").status == "invalid"
    assert check_values("[1, 2]", QUARTIC, {"x": 2}, kind="derivative").status == "invalid"


def test_question_errors_raise() -> None:
    with pytest.raises(DiffCompareError):
        check_values("1", "log(x)", {"x": -1})  # no value there
    with pytest.raises(DiffCompareError):
        check_values("1", "x*y", {"x": 1})  # y has no value
    with pytest.raises(DiffCompareError):
        check_values("1", "x*y", {"x": 1, "y": 2}, kind="derivative")  # which variable?
