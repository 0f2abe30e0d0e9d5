"""check_values against rows of STACK's answer-test fixtures (Moodle question type STACK,
tests/fixtures/answertestfixtures.class.php): NumSigFigs, NumAbsolute, NumRelative.

A row reads (test, option, student's answer, teacher's answer, expected 1/0). The teacher's
answer is the function (a constant) whose value we ask for; STACK's option n is
``sigfigs=n``, [n, m] is ``sigfigs=(n, m)`` and [n, -1] is ``sigfigs=n, more_figures=True``.
Each case below is one row, written as STACK has it.
"""

from __future__ import annotations

import pytest

from diffcompare.errors import DiffCompareError
from diffcompare.grading import check_values
from diffcompare.grading.numbers import read_number, read_written, significant_figures

# (option, student, teacher, right?) -- rows of the NumSigFigs block, in STACK's order
SIGFIGS_ROWS = [
    (2, "0", "0", False),  # ATNumSigFigs_WrongDigits. 'Edge cases'
    (1, "0", "0", True),
    (1, "0.0", "0", True),
    (2, "0.0", "0", False),
    (2, "0", "0.0", False),
    (2, "0.00", "0.00", True),
    (2, "5.4e21", "5.3e21", False),  # 'Large numbers'
    (2, "5.3e21", "5.3e21", True),
    (2, "5.3e20", "5.3e22", False),
    (9, "6.02214086e23", "6.02214086e23", True),
    (9, "6.0221409e23", "6.02214086e23", False),
    (9, "6.02214087e23", "6.02214086e23", False),
    (8, "5.3910632e-44", "5.3910632e-44", True),
    (8, "5.391063e-44", "5.3910632e-44", False),
    (8, "5.3910633e-44", "5.3910632e-44", False),
    (5, "1.2345e82", "1.2345e82", True),
    (5, "1.2346e82", "1.2345e82", False),
    (1, "1.234", "4", False),  # 'No trailing zeros.'
    (3, "3.141", "3.1415927", False),
    (4, "3.141", "3.1415927", False),
    (4, "3.146", "3.1415927", False),
    (4, "3.142", "3.1415927", True),
    (4, "3.142", "pi", True),
    (4, "3141", "3.1415927", False),
    (3, "0.00123", "0.001234567", True),
    (3, "1.23e-3", "0.001234567", True),
    (3, "138*10^-3", "138*10^-3", True),
    (3, "-138*10^-3", "-138*10^-3", True),
    (3, "138*10^-3", "-138*10^-3", False),
    (3, "1.38*10^-1", "138*10^-3", True),
    (3, "1.24e-3", "0.001234567", False),
    (4, "1.235e-3", "0.001234567", True),
    (2, "1000", "999", True),  # ATNumSigFigs_WithinRange.
    (2, "1E3", "999", False),
    (1, "-100", "-149", True),
    (1, "-0.05", "-0.0499", True),
    (1, "-(0.05)", "-0.0499", True),
    (3, "1170", "1174.34", True),
    (3, "61300", "61250", True),
    (4, "0.1667", "0.1667", True),  # 'Previous tricky case'
    (4, "0.1666", "0.1667", False),
    (4, "0.1662", "0.1667", False),
    (4, "0.166", "0.1667", False),
    (4, "0.16667", "0.1667", False),
    (4, "-3.141", "-3.1415927", False),  # 'Negative numbers'
    (4, "-3.142", "-3.1415927", True),
    (4, "3.142", "-3.1415927", False),
    (4, "-3.142", "3.1415927", False),
    (3, "2.15", "75701719/35227192", True),
    (3, "0.0499", "0.04985", True),  # 'Round teacher answer'
    (3, "0.0498", "0.04985", False),
    (3, "0.0498", "0.04975", True),
    (3, "0.0497", "0.04975", False),
    (3, "0.0499", "0.0498", False),
    (3, "1.5", "1.500", False),  # 'Final zeros after the decimal are significant.'
    (3, "1.50", "1.500", True),
    (3, "1.500", "1.500", False),
    (3, "245.0", "245", False),
    (3, "180", "178.35", False),  # 'Too few digits'
    (3, "33", "33.1558", False),
    ((4, 3), "3.142", "3.1415927", True),  # 'Mixed options'
    ((4, 3), "3.143", "3.1415927", True),
    ((4, 3), "3.150", "3.1415927", False),
    ((4, 3), "3.211", "3.1415927", False),
    ((4, 3), "3.1416", "3.1415927", False),
    ((4, 3), "0.1666", "0.1667", True),
    ((3, 1), "180", "178.35", True),
    ((3, 1), "33", "33.1558", False),
    ((3, 1), "1.500", "1.5", False),
    ((3, 1), "245.0", "245", False),
    ((6, 6), "12345.7", "12345.654321", True),
    ((6, 3), "12345.7", "12345.654321", True),
    ((6, 3), "12300.0", "12345.654321", True),
    ((6, 3), "12400.0", "12345.654321", False),
    ((6, 3), "13500.0", "12345.654321", False),
    ((6, 2), "12000.0", "12345.654321", True),
    ((6, 2), "13000.0", "12345.654321", False),
    ((6, 2), "11000.0", "12345.654321", False),
    ((1, 0), "0.0010", "0", False),  # 'Zero option and trailing zeros'
    ((2, 0), "0.0010", "0", True),
    ((3, 0), "0.0010", "0", False),
    ((1, 0), "0.001", "0", True),
    ((2, 0), "0.001", "0", False),
    ((2, 0), "5.00", "0", False),
    ((3, 0), "5.00", "0", True),
    ((1, 0), "100", "0", True),
    ((2, 0), "100", "0", True),
    ((3, 0), "100", "0", True),
    ((4, 0), "100", "0", False),
    ((2, 0), "10.0", "0", False),
    ((3, 0), "10.0", "0", True),
    ((2, 0), "0.00", "0", True),
    ((3, 0), "0.00", "0", False),
]

# [n, -1]: at least n figures written, n of them right ('Condone too many sfs.')
AT_LEAST_ROWS = [
    (4, "8.250", "8.250", True),
    (4, "8.25", "8.250", False),
    (4, "8.250000", "8.250", True),
    (4, "8.250434", "8.250", True),
    (2, "82.4", "82", True),
    (2, "82.5", "82", False),
    (2, "83", "82", False),
    (4, "0.1430", "1/7", False),  # '1/7 = 0.142857142857...'
    (4, "0.1429", "1/7", True),
    (4, "0.1428", "1/7", False),
    (4, "0.143", "1/7", False),
    (4, "0.14284", "1/7", False),
    (4, "0.14285", "1/7", True),
    (4, "0.14286", "1/7", True),
    (4, "0.14291", "1/7", True),
]


@pytest.mark.parametrize(("option", "student", "teacher", "right"), SIGFIGS_ROWS)
def test_numsigfigs_rows(option: object, student: str, teacher: str, right: bool) -> None:
    feedback = check_values(student, teacher, {}, sigfigs=option)  # type: ignore[arg-type]
    assert feedback.correct is right, feedback.message


@pytest.mark.parametrize(("n", "student", "teacher", "right"), AT_LEAST_ROWS)
def test_numsigfigs_at_least_rows(n: int, student: str, teacher: str, right: bool) -> None:
    feedback = check_values(student, teacher, {}, sigfigs=n, more_figures=True)
    assert feedback.correct is right, feedback.message


def test_the_issue_examples_and_the_mistake_names() -> None:
    def mistake(student: str, teacher: str, n: int, **more: bool) -> str | None:
        return check_values(student, teacher, {}, sigfigs=n, **more).mistake

    assert mistake("10.0", "10", 2) == "too_many_figures"
    assert mistake("3.141", "pi", 3) == "too_many_figures"
    assert mistake("0.0498", "0.04985", 3) == "inaccurate"
    assert mistake("9.5", "10", 2) == "inaccurate"
    assert mistake("0.14294", "1/7", 4, more_figures=True) is None
    assert mistake("0.146", "1/7", 4, more_figures=True) == "too_few_figures"
    # row: array('NumSigFigs', '3', '138*10^-3', '-138*10^-3', 0, 'ATNumSigFigs_WrongSign.', '')
    assert mistake("138*10^-3", "-138*10^-3", 3) == "sign"
    # row: array('NumSigFigs', '4', 'pi', 'pi', 0, 'ATNumSigFigs_NotDecimal.', '')
    assert mistake("1/7", "1/7", 4) == "not_decimal"


def test_the_message_says_what_to_do() -> None:
    feedback = check_values("10.0", "10", {}, sigfigs=2)
    assert feedback.message == "Give your answer to 2 significant figures: 10.0 has 3."
    assert feedback.details["figures_written"] == [3, 3]
    whole = check_values("4800", "4812", {}, sigfigs=5)
    assert "4800 has 2 to 4" in whole.message


@pytest.mark.parametrize("bad", [0, (3, 4), (2, -1), "3", (1, 2, 3), True])
def test_a_bad_sigfigs_option_is_the_teachers_error(bad: object) -> None:
    with pytest.raises(DiffCompareError, match="sigfigs"):
        check_values("1", "1", {}, sigfigs=bad)  # type: ignore[arg-type]


# -- item 3: numbers as students write them
# row: array('NumAbsolute', '0.0001', '0.00141', '1.41*10^-3', 1, '', '')
# row: array('NumAbsolute', '0.0001', '1.41*10^-3', '1.41*10^-3', 1, '', '')
# row: array('NumAbsolute', '0.0001', '1.41e-2', '1.41e-2', 1, '', '')


@pytest.mark.parametrize(
    ("text", "value", "figures"),
    [
        ("1.41*10^-3", "0.00141", (3, 3)),
        ("1.41 * 10 ^ -3", "0.00141", (3, 3)),
        ("1.41*10**-3", "0.00141", (3, 3)),
        ("1.41*10^(-3)", "0.00141", (3, 3)),
        ("1.41×10^-3", "0.00141", (3, 3)),
        ("1.41·10^−3", "0.00141", (3, 3)),
        ("1.41×10⁻³", "0.00141", (3, 3)),
        ("138*10^-3", "0.138", (3, 3)),
        ("1.38*10^-1", "0.138", (3, 3)),
        ("-(0.05)", "-0.05", (1, 1)),
        ("−0.05", "-0.05", (1, 1)),
        ("1.41e-2", "0.0141", (3, 3)),
        ("4800", "4800", (2, 4)),
        ("0.00", "0", (2, 2)),
        ("0.0010", "0.001", (2, 2)),
    ],
)
def test_numbers_as_students_write_them(text: str, value: str, figures: tuple[int, int]) -> None:
    written = read_written(text)
    assert written.value == read_number(value)
    assert written.figures == figures
    assert check_values(text, value.replace("^", "**"), {}, atol=1e-4).correct


@pytest.mark.parametrize(
    "text", ["1.41*10^", "1.41*11^-3", "10^-3^2", "1.41*10^-3x", "(0.05", "1.4.1", "2*x"]
)
def test_other_text_is_not_a_number(text: str) -> None:
    feedback = check_values(text, "1", {})
    assert feedback.status == "invalid"
    assert "is not a number" in feedback.message


def test_numbers_in_lists_may_have_spaces() -> None:
    feedback = check_values(
        "[4.8 × 10^1, 1.2*10^1]", "x**2*y**2", {"x": 2, "y": 3}, kind="gradient"
    )
    assert significant_figures("4.8 × 10^1") == (2, 2)
    assert feedback.status == "incorrect"  # the gradient is [36, 24]
    right = check_values("[3.6 × 10^1, 2.4*10^1]", "x**2*y**2", "x=2, y=3", kind="gradient")
    assert right.correct
