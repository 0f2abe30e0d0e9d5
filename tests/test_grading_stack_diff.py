"""check_derivative against rows of STACK's answer-test fixtures (Moodle question type
STACK, tests/fixtures/answertestfixtures.class.php), and where we choose to differ.

A STACK row reads (test, option, student's answer, teacher's answer, expected). For "Diff"
the teacher's answer is the derivative and the option the variable; we ask for the
derivative of a function whose derivative that is. Each test cites its rows.
"""

from __future__ import annotations

import pytest

from diffcompare.errors import DomainError
from diffcompare.grading import Feedback, check_derivative, check_values

FAST = {"symbolic_seconds": 1.0}


def grade(answer: str, of: str, wrt: str = "x", **options: object) -> Feedback:
    return check_derivative(answer, of, wrt, **{**FAST, **options})  # type: ignore[arg-type]


# -- item 1: a question with no value anywhere is the teacher's error
# row: array('Diff', 'x', '0', '1/0', -1, 'ATDiff_STACKERROR_TAns.', '')


@pytest.mark.parametrize("of", ["1/0", "0/0", "log(0)", "1/(x-x)", "sqrt(-1-x**2)"])
def test_a_function_without_values_is_refused(of: str) -> None:
    with pytest.raises(DomainError, match="no value at any"):
        grade("0", of)


def test_the_refusal_names_what_is_undefined() -> None:
    with pytest.raises(DomainError, match="division by zero"):
        grade("0", "1/(x-x)")


# -- item 9: one rule for an answer with no value (1/0): invalid in both checks
# row: array('Diff', 'x', '1/0', '3*x^2', -1, 'ATDiff_STACKERROR_SAns.', '')
# row: array('NumRelative', '', '1/0', '0', -1, 'ATNumRelative_STACKERROR_SAns.', 'Basic tests')


@pytest.mark.parametrize("answer", ["1/0", "log(0)", "1/(x-x)", "0/0"])
def test_an_answer_without_values_is_invalid(answer: str) -> None:
    feedback = grade(answer, "x**3")
    assert feedback.status == "invalid"
    assert "no value" in feedback.message


def test_one_over_zero_is_invalid_as_a_number_too() -> None:
    assert check_values("1/0", "x**2", {"x": 1}).status == "invalid"
    assert grade("1/0", "x**3").status == "invalid"


def test_an_answer_undefined_at_some_points_is_still_incorrect() -> None:
    feedback = grade("3*x**2 + log(x)", "x**3")
    assert feedback.status == "incorrect"
    assert "undefined" in feedback.message


# -- item 6: a constant of integration gives an antiderivative away
# row: array('Diff', 'x', 'x^4/4', '3*x^2', 0, 'ATDiff_int.', '')
# row: array('Diff', 'x', 'x^4/4+1', '3*x^2', 0, 'ATDiff_int.', '')
# row: array('Diff', 'x', 'x^4/4+c', '3*x^2', 0, 'ATDiff_int.', '')
# (the teacher's 3*x^2 is the derivative, so the function is x^3 and x^4/4 its
# antiderivative)
# row: array('Diff', 'x', 'e^x+c', 'e^x', 0, 'ATDiff_int.', 'Edge cases')


@pytest.mark.parametrize(
    ("answer", "of"),
    [
        ("x**4/4", "x**3"),
        ("x**4/4+1", "x**3"),
        ("x**4/4+c", "x**3"),
        ("x**4/4+C", "x**3"),
        ("x**4/4 - k", "x**3"),
        ("exp(x)+c", "exp(x)"),
    ],
)
def test_an_antiderivative_is_integrated(answer: str, of: str) -> None:
    feedback = grade(answer, of)
    assert (feedback.status, feedback.mistake) == ("incorrect", "integrated")


def test_the_constant_is_named() -> None:
    feedback = grade("x**4/4+c", "x**3")
    assert "constant c" in feedback.message
    assert feedback.details["constants_of_integration"] == ["c"]


def test_a_derivative_plus_a_constant_is_never_right() -> None:
    feedback = grade("2*x+c", "x**2")
    assert (feedback.status, feedback.mistake, feedback.score) == ("incorrect", "constant", 0.0)
    assert "no constant of integration" in feedback.message


def test_a_name_of_the_question_is_not_a_constant() -> None:
    # c is a variable of the function: c*x**2 differentiates to 2*c*x
    assert grade("2*c*x", "c*x**2").correct
    assert grade("2*k*x", "x**2", parameters=["k"]).status == "incorrect"
    assert grade("2*x + 0*k", "x**2", parameters=["k"]).correct
    # any other letter is not a variable of this question
    assert grade("2*x+a", "x**2").status == "invalid"


# row: array('Diff', 'x', '3*x^2', '3*x^2', 1, 'ATDiff_true.', 'Basic tests')
def test_basic_rows() -> None:
    assert grade("3*x**2", "x**3").correct


# -- item 7: magnitudes that cost nothing are not refused
# row: array('Diff', 'x', '6000*(x-a)^5999', '6000*(x-a)^5999', 1, 'ATDiff_true.', '')
# row: array('Diff', 'x', '5999*(x-a)^5999', '6000*(x-a)^5999', 0, '', '')


def test_high_powers_on_the_default_domain() -> None:
    right = grade("6000*(x-a)**5999", "(x-a)**6000")
    assert right.correct, right.message
    wrong = grade("5999*(x-a)**5999", "(x-a)**6000")
    assert (wrong.status, wrong.mistake) == ("incorrect", "factor")


def test_tiny_values_are_not_refused_and_not_taken_for_zero() -> None:
    assert grade("6000*x**5999", "x**6000", domain={"x": (0.01, 0.5)}).correct
    assert not grade("5999*x**5999", "x**6000", domain={"x": (0.01, 0.5)}).correct
    assert not grade("0", "x**6000", domain={"x": (0.01, 0.5)}).correct


def test_the_digits_are_counted_right() -> None:
    from diffcompare.errors import LimitError
    from diffcompare.language.limits import Limits
    from diffcompare.language.magnitude import check_at_point
    from diffcompare.language.parse import parse

    # 4**5999 is about 10**3612 (3,612 digits), wherever x and a are that differ by 4
    with pytest.raises(LimitError, match="about 3,612 digits"):
        check_at_point(parse("(x-a)**5999"), {"x": 2.9, "a": -1.1}, Limits(max_point_log10=3000))
    # a tiny value has no digits to pay for, however many its reciprocal has
    check_at_point(parse("x**6000"), {"x": 0.01}, Limits(max_point_log10=1))


# -- item 8: the simplest explanation first


def test_the_negative_of_a_reciprocals_derivative_is_a_sign_error() -> None:
    feedback = grade("1/x**2", "1/x")
    assert feedback.mistake == "sign"
    assert grade("-1/x**2", "1/x").correct


def test_a_swapped_numerator_of_two_terms_is_still_the_quotient_rule() -> None:
    assert grade("(sin(x) - x*cos(x))/x**2", "sin(x)/x").mistake == "quotient_rule"


# -- item 5: a function undefined on most of the default domain


@pytest.mark.parametrize(
    ("answer", "of"),
    [("1/(x-3)", "log(x-3)"), ("2/((1+x)*(1-x))", "log((x+1)/(1-x))")],
)
def test_points_are_found_where_the_function_is_defined(answer: str, of: str) -> None:
    feedback = grade(answer, of)
    assert feedback.correct
    assert feedback.details["numeric"]["verdict"] == "equal"


def test_a_wrong_answer_outside_the_default_domain_is_incorrect_not_undetermined() -> None:
    feedback = grade("1/(x-2)", "log(x-3)")
    assert feedback.status == "incorrect"
    assert feedback.details["numeric"]["widened_to"] == {"x": [-30.0, 30.0]}


@pytest.mark.parametrize(
    ("answer", "of", "interval"),
    [
        ("1/(x-300)", "log(x-300)", [300.0, 306.0]),  # past the widest box
        ("1/(2*sqrt(x-1000))", "sqrt(x-1000)", [1000.0, 1006.0]),
        ("1/(x+700)", "log(-x-700)", [-706.0, -700.0]),  # unbounded below
        ("1/(x-3) - 1/(3.5-x)", "log(x-3) + log(3.5-x)", [3.0, 3.5]),  # too narrow to hit
        ("1/(50*sqrt(1-(x/50-10)**2))", "asin(x/50-10)", [450.0, 550.0]),
        # tan's poles are taken out of (300, oo) as points: the interval is sampled
        ("tan(x)/(x-300) + log(x-300)/cos(x)**2", "log(x-300)*tan(x)", [300.0, 306.0]),
    ],
)
def test_a_function_defined_only_far_out_or_on_a_sliver_is_checked_on_its_natural_domain(
    answer: str, of: str, interval: list[float]
) -> None:
    feedback = grade(answer, of)
    assert feedback.correct, feedback.message
    assert feedback.details["numeric"]["widened_to"] == {"x": interval}
    assert all(interval[0] < p["at"]["x"] < interval[1] for p in feedback.details["points"])


def test_on_the_natural_domain_a_wrong_answer_is_named() -> None:
    feedback = grade("1/(x-3) + 1/(3.5-x)", "log(x-3) + log(3.5-x)")
    assert (feedback.status, feedback.mistake) == ("incorrect", "chain_rule")


def test_a_teachers_interval_is_not_replaced_by_the_natural_domain() -> None:
    with pytest.raises(DomainError, match="no value"):
        grade("1/(x-300)", "log(x-300)", domain={"x": (-3, 3)})


def test_a_function_of_two_variables_gets_no_natural_domain_and_says_so() -> None:
    # sympy's natural domain is one variable's; two are refused as before, clearly
    with pytest.raises(DomainError, match="no value"):
        grade("1/(x-300)", "log(x-300) + log(y-300)")


# -- item 5: an answer defined where the derivative is not
# row: array('AlgEquiv', '', 'sqrt((x-3)*(x-5))', 'sqrt(x-3)*sqrt(x-5)', 0, '', '')
# STACK calls them different; we compare where the question's function is defined, and say
# so only when the question asks for it.


def test_a_wider_domain_is_right_by_default_and_named_when_asked() -> None:
    wider = "(x-4)/sqrt((x-3)*(x-5))"
    assert grade(wider, "sqrt(x-3)*sqrt(x-5)").correct
    strict = grade(wider, "sqrt(x-3)*sqrt(x-5)", strict_domain=True)
    assert (strict.status, strict.mistake) == ("incorrect", "domain")
    at = strict.details["defined_at"]["x"]
    assert at < 3  # where only the answer has a value
    same = grade("(x-4)/(sqrt(x-3)*sqrt(x-5))", "sqrt(x-3)*sqrt(x-5)", strict_domain=True)
    assert same.correct
