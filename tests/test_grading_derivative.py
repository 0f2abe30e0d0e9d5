"""check_derivative, check_gradient and check_hessian: verdicts, mistakes, partial credit."""

from __future__ import annotations

import json

import pytest

from diffcompare.errors import DiffCompareError, DomainError
from diffcompare.grading import (
    Feedback,
    Mistake,
    check_derivative,
    check_gradient,
    check_hessian,
)

FAST = {"symbolic_seconds": 1.0}


def grade(answer: str, of: str, wrt: str | list[str] = "x", **options: object) -> Feedback:
    return check_derivative(answer, of, wrt, **{**FAST, **options})  # type: ignore[arg-type]


# -- the acceptance checks of the grading API


def test_done_when() -> None:
    assert grade("6*x+2", "3*x**2+2*x-1").status == "correct"
    assert grade("-6*x-2", "3*x**2+2*x-1").mistake == "sign"
    assert grade("6*x", "3*x**2+2*x-1").mistake == "constant"
    assert grade("cos(x**2)", "sin(x**2)").mistake == "chain_rule"


# -- right answers in many forms


@pytest.mark.parametrize(
    ("answer", "of", "domain"),
    [
        ("2*sin(x)*cos(x)", "sin(x)**2", None),
        ("sin(2*x)", "sin(x)**2", None),
        ("2*x + 2", "(x+1)**2", None),
        ("2*(x+1)", "(x+1)**2", None),
        ("(x*cos(x) - sin(x))/x**2", "sin(x)/x", None),
        ("cos(x)/x - sin(x)/x**2", "sin(x)/x", None),
        ("2/x", "log(x**2)", {"x": (0.1, 3.0)}),
        ("x/abs(x)", "abs(x)", None),
        ("abs(x)/x", "abs(x)", None),
        ("1/cos(x)**2", "tan(x)", {"x": (-1.4, 1.4)}),
        ("1 + tan(x)**2", "tan(x)", {"x": (-1.4, 1.4)}),
        ("exp(x)*(sin(x)+cos(x))", "exp(x)*sin(x)", None),
        ("1/(2*sqrt(x))", "sqrt(x)", {"x": (0.1, 4.0)}),
        ("0.5*x**(-0.5)", "sqrt(x)", {"x": (0.1, 4.0)}),
    ],
)
def test_equivalent_forms_are_correct(
    answer: str, of: str, domain: dict[str, tuple[float, float]] | None
) -> None:
    feedback = grade(answer, of, domain=domain)
    assert feedback.status == "correct", feedback.details
    assert feedback.score == 1.0
    assert feedback.details["numeric"]["verdict"] == "equal"


def test_wrong_answer_is_incorrect_with_a_point() -> None:
    feedback = grade("x**3", "x**2")
    assert feedback.status == "incorrect"
    assert feedback.mistake is None
    assert "differs" in feedback.message
    assert feedback.details["numeric"]["verdict"] == "different"
    assert feedback.score == 0.0


# -- each mistake on at least three functions


MISTAKES = [
    ("sign", "-cos(x)", "sin(x)", "x"),
    ("sign", "-2*x*exp(x**2)", "exp(x**2)", "x"),
    ("sign", "-6*x-2", "3*x**2+2*x-1", "x"),
    ("factor", "6*x**2", "x**3", "x"),
    ("factor", "exp(x)/2", "exp(x)", "x"),
    ("factor", "x**(-1)/2", "log(x)", "x"),
    ("chain_rule", "cos(x**2)", "sin(x**2)", "x"),
    ("chain_rule", "2*exp(3*x+1)", "exp(3*x+1)*2", "x"),
    ("chain_rule", "3*(x**2+1)**2", "(x**2+1)**3", "x"),
    ("chain_rule", "1/(x**2+1)", "log(x**2+1)", "x"),
    ("product_rule", "cos(x)*cos(x)", "sin(x)*cos(x)", "x"),
    ("product_rule", "2*x*exp(x)", "x**2*exp(x)", "x"),
    ("product_rule", "x*cos(x)", "x*sin(x)", "x"),
    ("product_rule", "1/x*exp(x)", "log(x)*exp(x)", "x"),
    ("quotient_rule", "(sin(x) - x*cos(x))/x**2", "sin(x)/x", "x"),
    ("quotient_rule", "(cos(x)*(x+2) - sin(x))/(x+2)", "sin(x)/(x+2)", "x"),
    ("quotient_rule", "(2*x*(x**2+1) - x**2*2*x)/(x**2+1)", "x**2/(x**2+1)", "x"),
    ("wrong_variable", "x**2", "x**2*y", "x"),
    ("wrong_variable", "x*cos(x*y)", "sin(x*y)", "x"),
    ("wrong_variable", "2*x**2*y", "x**2*y**2", "x"),
    ("not_differentiated", "sin(x)", "sin(x)", "x"),
    ("not_differentiated", "x**3 + 2*x", "x**3 + 2*x", "x"),
    ("not_differentiated", "log(x)", "log(x)", "x"),
    ("wrong_order", "6*x", "x**3 + x**2", "x"),  # asked for the first, gave... see below
    ("wrong_order", "-sin(x)", "sin(x)", "x"),
    ("wrong_order", "12*x**2", "x**4", "x"),
    ("integrated", "x**4/4", "x**3", "x"),
    ("integrated", "-cos(2*x)/2", "sin(2*x)", "x"),
    ("integrated", "x*log(x) - x", "log(x)", "x"),
    ("constant", "6*x", "3*x**2+2*x-1", "x"),
    ("constant", "cos(x) + 1", "sin(x)", "x"),
    ("constant", "2*x - 5", "x**2 + 3*x", "x"),
]


@pytest.mark.parametrize(("mistake", "answer", "of", "wrt"), MISTAKES)
def test_mistakes_are_named(mistake: str, answer: str, of: str, wrt: str) -> None:
    if answer == "6*x" and mistake == "wrong_order":
        answer, of = "6*x + 2", "x**3 + x**2"  # the second derivative for the first
    domain = {"x": (0.2, 3.0)} if "log" in of or "x**(-1)" in answer else None
    feedback = grade(answer, of, wrt, domain=domain)
    assert feedback.status == "incorrect", feedback.details
    assert feedback.mistake == mistake, (feedback.message, feedback.details)
    assert feedback.score == 0.0
    assert feedback.message  # each mistake has its own sentence


def test_mistake_messages_differ() -> None:
    messages = {grade(a, f, w).message for m, a, f, w in MISTAKES[::3] if "log" not in f}
    assert len(messages) >= 8


# -- higher orders and mixed partials


def test_second_derivative() -> None:
    assert grade("12*x**2 + 12*x - 6", "x**4+2*x**3-3*x**2+4*x-5", order=2).correct
    wrong = grade("4*x**3 + 6*x**2 - 6*x + 4", "x**4+2*x**3-3*x**2+4*x-5", order=2)
    assert wrong.mistake == "wrong_order"


def test_mixed_partial() -> None:
    assert grade("2*x", "x**2*y", ["x", "y"]).correct
    assert grade("cos(x*y) - x*y*sin(x*y)", "sin(x*y)", ["x", "y"]).correct
    assert grade("2*y", "x**2*y", ["x", "y"]).mistake == "wrong_variable"


# -- the two verdicts


def test_symbolic_timeout_leaves_the_numeric_verdict() -> None:
    feedback = grade("sin(2*x)", "sin(x)**2", symbolic_seconds=1e-6)
    assert feedback.details["symbolic"]["verdict"] == "timeout"
    assert feedback.status == "correct"
    assert feedback.details["decided_by"] == "numeric"
    assert "numeric" in feedback.details["note"]


def test_symbolic_decides_where_too_few_points_are_defined() -> None:
    # log(x) has a value on 2 of the 160 points drawn from (-3, 0.05): no numeric verdict;
    # sympy proves the answer equal
    feedback = grade(
        "(sin(x)**2 + cos(x)**2)/x",
        "log(x)",
        domain={"x": (-3.0, 0.05)},
        symbolic_seconds=10.0,  # a loaded machine must not turn this into a timeout
    )
    assert "numeric" in feedback.details, feedback.to_dict()
    assert feedback.details["numeric"]["verdict"] == "undetermined"
    assert feedback.status == "correct"
    assert feedback.details["decided_by"] == "symbolic"


def test_undecidable_is_undetermined_not_wrong() -> None:
    feedback = grade("x", "log(x)", domain={"x": (-3.0, 0.05)})
    assert feedback.status == "undetermined"
    assert feedback.score == 0.0


def test_a_teachers_domain_is_not_widened() -> None:
    # log(x) has no value on (-3, -1): the question is broken, whatever the answer
    with pytest.raises(DomainError, match="no value"):
        grade("1/x", "log(x)", domain={"x": (-3.0, -1.0)})


def test_answer_undefined_where_the_derivative_exists() -> None:
    feedback = grade("2*sqrt(x)**2/x", "x**2")
    assert feedback.status == "incorrect"
    assert "undefined" in feedback.message


def test_same_seed_same_points() -> None:
    first = grade("x**3", "x**2", seed=7).details["points"]
    again = grade("x**3", "x**2", seed=7).details["points"]
    other = grade("x**3", "x**2", seed=8).details["points"]
    assert first == again
    assert first != other


def test_feedback_is_json() -> None:
    feedback = grade("cos(x**2)", "sin(x**2)")
    text = json.dumps(feedback.to_dict())
    assert json.loads(text)["mistake"] == "chain_rule"


# -- the answer's text


def test_unreadable_answer_is_invalid_with_the_column() -> None:
    feedback = grade("2*x +* 3", "x**2")
    assert feedback.status == "invalid"
    assert "column" in feedback.message
    assert feedback.details["error"]["kind"] == "parse"


def test_foreign_variable_is_invalid() -> None:
    feedback = grade("2*t", "x**2")
    assert feedback.status == "invalid"
    assert "'t'" in feedback.message


def test_question_errors_raise() -> None:
    with pytest.raises(DiffCompareError):
        grade("1", "x +")
    with pytest.raises(DiffCompareError):
        grade("1", "x", "1x")
    with pytest.raises(DiffCompareError):
        grade("1", "x", domain={"x": (2.0, 1.0)})


# -- teachers' own mistakes


def test_custom_mistake_with_partial_score() -> None:
    halved = Mistake("forgot_factor_2", "x", "Almost: the derivative of x**2 is 2*x.", 0.5)
    feedback = grade("x", "x**2", mistakes=[halved])
    assert feedback.mistake == "forgot_factor_2"
    assert feedback.score == 0.5
    assert feedback.message == halved.message
    # without it, the catalogue names the mistake
    assert grade("x", "x**2").mistake == "factor"


# -- gradients and Hessians


def test_gradient_partial_credit() -> None:
    of = "x**2*y + sin(y)"
    assert check_gradient(["2*x*y", "x**2 + cos(y)"], of, **FAST).correct
    half = check_gradient({"x": "2*x*y", "y": "x**2 - cos(y)"}, of, **FAST)
    assert half.status == "incorrect"
    assert half.score == 0.5
    assert half.details["components"]["x"]["status"] == "correct"
    assert half.details["components"]["y"]["status"] == "incorrect"
    assert "y" in half.message


def test_gradient_wrong_shape_is_invalid() -> None:
    feedback = check_gradient(["2*x*y"], "x**2*y", **FAST)
    assert feedback.status == "invalid"


def test_hessian_partial_credit() -> None:
    of = "x**2*y"
    right = [["2*y", "2*x"], ["2*x", "0"]]
    assert check_hessian(right, of, **FAST).correct
    three_of_four = check_hessian([["2*y", "2*x"], ["2*x", "1"]], of, **FAST)
    assert three_of_four.score == pytest.approx(0.75)
    upper = check_hessian({("x", "x"): "2*y", ("x", "y"): "2*x", ("y", "y"): "x"}, of, **FAST)
    assert upper.score == pytest.approx(2 / 3)
    assert upper.details["total"] == 3
