"""Student notation (language.student) and grading with implicit=True.

STACK's "insert stars" options are the model: 2x, sin x, (x+1)(x-1). The reader rewrites
text into the strict language and says how ambiguous forms were read; the strict parser
then judges the result, so nothing is evaluated and every refusal is still ours.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffcompare.errors import DiffCompareError, ParseError
from diffcompare.grading import check_derivative
from diffcompare.grading.exercise import Exercise
from diffcompare.language.expr import Call, Constant, Expr, Number, Variable, to_text
from diffcompare.language.expr import variables as variables_of
from diffcompare.language.limits import Limits
from diffcompare.language.ops import CONSTANTS, TABLE
from diffcompare.language.parse import parse
from diffcompare.language.student import read_student


def strict(text: str, names: tuple[str, ...] = ("x", "y")) -> str:
    return to_text(parse(read_student(text, names).text))


@pytest.mark.parametrize(
    ("student", "meant"),
    [
        ("2x", "2*x"),
        ("3x^2+2x", "3*x**2 + 2*x"),
        ("2(x+1)", "2*(x + 1)"),
        ("(x+1)(x-1)", "(x + 1)*(x - 1)"),
        ("x e^x", "x*e**x"),
        ("xe^x", "x*e**x"),
        ("sin x", "sin(x)"),
        ("ln x", "log(x)"),
        ("sqrt x", "sqrt(x)"),
        ("sin^2(x)", "sin(x)**2"),
        ("sin^2 x", "sin(x)**2"),
        ("|x|", "abs(x)"),
        ("2|x-1| + |y|", "2*abs(x - 1) + abs(y)"),
        ("arctan(x)", "atan(x)"),
        ("arcsin x", "asin(x)"),
        ("sec x", "sec(x)"),
        ("cosec x", "csc(x)"),
        ("x²", "x**2"),
        ("x³+2x²", "x**3 + 2*x**2"),
        ("x⁻¹", "x**-1"),
        ("π x", "pi*x"),
        ("2·x", "2*x"),
        ("3×x", "3*x"),
        ("−x", "-x"),
        ("√x", "sqrt(x)"),
        ("√(x+1)", "sqrt(x + 1)"),
        ("1/2x", "(1/2)*x"),
        ("cos x^2", "cos(x**2)"),
        ("sin 2x + 1", "sin(2*x) + 1"),
        ("sin x cos x", "sin(x)*cos(x)"),
        ("2sin x cos x", "2*sin(x)*cos(x)"),
        ("e^(2x)", "e**(2*x)"),
        ("sin^-1(x)", "asin(x)"),
        ("sinx", "sin(x)"),
        ("x^2y", "x**2*y"),
        ("2x^-1", "2*x**-1"),
        ("sin(x)cos(x)", "sin(x)*cos(x)"),
        ("(x+1)^2(x-1)", "(x + 1)**2*(x - 1)"),
        ("log(x, 2)", "log(x, 2)"),
    ],
)
def test_student_forms_mean_what_students_mean(student: str, meant: str) -> None:
    assert strict(student) == to_text(parse(meant))


@pytest.mark.parametrize(
    ("student", "note"),
    [
        ("1/2x", "'1/2x' was read as (1/2)*x"),
        ("x/2y - 1", "'x/2y' was read as (x/2)*y"),
        ("cos x^2", "'cos x^2' was read as cos(x^2)"),
        ("xe^x", "'xe' was read as x*e"),
        ("sinx", "'sinx' was read as sin x"),
        ("sin^-1(x)", "'sin^-1' was read as asin"),
    ],
)
def test_ambiguous_forms_say_how_they_were_read(student: str, note: str) -> None:
    assert note in read_student(student, ["x", "y"]).notes


def test_plain_forms_need_no_note() -> None:
    for text in ("2x", "3x^2+2x", "sin x", "(x+1)(x-1)", "|x|", "x²"):
        assert read_student(text, ["x"]).notes == ()


@pytest.mark.parametrize("text", ["2 3", "x;", "sin", "x +", "2x = 3"])
def test_what_has_no_reading_is_refused_by_the_parser(text: str) -> None:
    with pytest.raises(DiffCompareError):
        parse(read_student(text, ["x"]).text)


def test_letters_that_split_into_no_known_names_stay_one_name() -> None:
    assert read_student("xq", ["x"]).text == "xq"
    feedback = check_derivative("xq", "x**2", "x", implicit=True)
    assert feedback.status == "invalid"
    assert "'xq'" in feedback.message


def test_an_unknown_character_is_a_parse_error_with_its_column() -> None:
    with pytest.raises(ParseError) as caught:
        read_student("2x ; 3", ["x"])
    assert caught.value.column == 4


# -- the strict language reads the same through the student reader

_NAMES = st.sampled_from(["x", "y", "z1", "Theta", "ex"])
_LEAVES: st.SearchStrategy[Expr] = st.one_of(
    st.integers(0, 10**6).map(lambda n: Number(n)),  # type: ignore[arg-type]
    st.sampled_from(sorted(CONSTANTS)).map(Constant),
    _NAMES.map(Variable),
)


def _calls(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    # a branch per operation rather than a flatmap, which hides the recursion from hypothesis
    return st.one_of(
        [st.builds(Call, st.just(op.name), st.tuples(*[children] * op.arity)) for op in TABLE]
    )


@settings(max_examples=150, deadline=None)
@given(st.recursive(_LEAVES, _calls, max_leaves=10))
def test_strict_text_reads_the_same(tree: Expr) -> None:
    text = to_text(tree)
    unbounded = Limits(max_constant_log10=math.inf)
    reading = read_student(text, variables_of(tree))
    assert parse(reading.text, unbounded) == parse(text, unbounded)


_SOUP = st.text(
    alphabet=st.sampled_from(list("0123456789.eE+-*/^()|,xy sinlogq×²π√−")), max_size=30
)


@settings(max_examples=300, deadline=None)
@given(_SOUP)
def test_any_text_reads_or_is_refused_with_our_errors(text: str) -> None:
    try:
        parse(read_student(text, ["x", "y"]).text)
    except DiffCompareError as error:
        assert error.kind in ("parse", "limit")


# -- grading


def test_implicit_is_opt_in() -> None:
    assert check_derivative("3x^2", "x**3", "x").status == "invalid"
    assert check_derivative("3x^2", "x**3", "x", implicit=True).correct


def test_the_feedback_says_how_an_ambiguous_answer_was_read() -> None:
    feedback = check_derivative("1/2x", "x**2/4", "x", implicit=True)
    assert feedback.correct
    assert "'1/2x' was read as (1/2)*x" in feedback.message
    assert feedback.details["read_as"] == "1/2*x"
    wrong = check_derivative("cos x^2", "sin(x)", "x", implicit=True)
    assert wrong.status == "incorrect"
    assert "read as cos(x^2)" in wrong.message


@pytest.mark.parametrize(
    ("answer", "of"),
    [
        ("e^x + x e^x", "x*exp(x)"),
        ("2sin x cos x", "sin(x)**2"),
        ("x/|x|", "abs(x)"),
        ("1/(1+x²)", "atan(x)"),
        ("2x·cos(x²)", "sin(x**2)"),
    ],
)
def test_student_notation_is_graded(answer: str, of: str) -> None:
    assert check_derivative(answer, of, "x", implicit=True).correct


def test_unreadable_student_text_is_invalid_and_shows_the_reading() -> None:
    feedback = check_derivative("3x^", "x**3", "x", implicit=True)
    assert feedback.status == "invalid"
    assert "read as '3*x^'" in feedback.message


def test_implicit_in_an_exercise_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "exercise.toml"
    path.write_text(
        """
title = "implicit"
function = "x*sin(x)"
implicit = true

[[questions]]
id = "d"
type = "derivative"
right = ["sin x + x cos x", "sin(x) + x*cos(x)"]
wrong = [{ answer = "x cos x", mistake = "product_rule" }, { answer = "2x ;", status = "invalid" }]

[[questions]]
id = "v"
type = "value"
at = { x = 0 }
right = ["0"]
""",
        encoding="utf-8",
    )
    assert Exercise.load(path).selftest().ok
