"""One row of the table is all a function needs: added at run time, it is known to the
parser, the three engines, the reference, the magnitude check, grading and the tape (the
README's list of functions is checked against the table by tests/test_functions.py)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

import numpy as np
import pytest
import sympy

import diffcompare.tape as dt
from diffcompare import compare
from diffcompare.engines import symbolic
from diffcompare.errors import DomainError, LimitError
from diffcompare.grading import check_derivative
from diffcompare.language import ops
from diffcompare.language.expr import Call
from diffcompare.language.limits import DEFAULT_LIMITS
from diffcompare.language.magnitude import check_constants
from diffcompare.language.parse import parse
from diffcompare.language.student import read_student

# Two rows as one would write them in the table. expm1 is exp(x) - 1 without the
# cancellation near 0; sympy writes it as that difference, so no sympy function of its own.
EXPM1 = ops.Operation(
    name="expm1",
    arity=1,
    numpy=np.expm1,
    sympy=lambda x: sympy.exp(x) - 1,
    rules=(lambda F, g, ans, x: g * (ans + 1),),
    scalar=math.expm1,
    domain="all x",
    example="expm1(x)/x",
    growth="exponential",
)
# asec is a sympy function of its own (sympy.asec), with a real domain |x| >= 1: the
# symbolic engine must evaluate it in float64 from the row alone, and say why it cannot.
ASEC = ops.Operation(
    name="asec",
    arity=1,
    numpy=lambda x: np.arccos(1 / x),
    sympy=lambda x: sympy.asec(x),
    rules=(lambda F, g, ans, x: g / (F.abs(x) * F.sqrt((x - 1) * (x + 1))),),
    scalar=lambda x: math.acos(1 / x),
    domain="|x| ≥ 1",
    example="asec(x)",
    nan_reason="asec of a number inside (-1, 1)",
    real_domain=lambda x: abs(x) >= 1,
    student_names=("arcsec",),
)


@pytest.fixture
def new_rows(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(ops, "TABLE", (*ops.TABLE, EXPM1, ASEC))
    ops.reindex()
    yield
    monkeypatch.undo()
    ops.reindex()


def test_the_parser_knows_them(new_rows: None) -> None:
    tree = parse("expm1(x) + asec(y)")
    assert {node.op for node in tree.args if isinstance(node, Call)} == {"expm1", "asec"}
    # and student notation, with the row's other name
    assert read_student("2arcsec x", ["x"]).text.replace(" ", "") == "2*asec(x)"


def test_all_three_engines_and_the_reference_agree_on_them(new_rows: None) -> None:
    result = compare("expm1(x) * asec(y)", "x=0.5, y=2")
    assert result.agree, result.to_dict()
    assert set(result.engines) == {"symbolic", "finite", "tape"}
    assert result.value == pytest.approx(math.expm1(0.5) * math.acos(0.5), rel=1e-15)
    dy = math.expm1(0.5) / (2 * math.sqrt(3))
    assert result.reference.values[(1,)] == pytest.approx(dy, rel=1e-15)
    for outcome in result.engines.values():
        assert outcome.checks[(1,)].value == pytest.approx(dy, rel=1e-6)


def test_their_domain_reasons_come_from_the_row(new_rows: None) -> None:
    with pytest.raises(DomainError, match=re.escape("asec of a number inside (-1, 1)")):
        compare("asec(x)", "x=0.5")
    x = sympy.Symbol("x", real=True)
    assert symbolic.evaluate_formula(sympy.asec(x), {x: 0.5}) == (
        None,
        "complex result (asec of a number inside (-1, 1))",
    )
    assert symbolic.evaluate_formula(sympy.asec(x), {x: 2.0})[0] == pytest.approx(math.pi / 3)


def test_their_growth_comes_from_the_row(new_rows: None) -> None:
    # exp(exp(10)) has about 9,566 digits: refused before sympy builds it
    with pytest.raises(LimitError, match="max_constant_log10"):
        check_constants(parse("expm1(expm1(10))"), DEFAULT_LIMITS)
    check_constants(parse("asec(asec(10))"), DEFAULT_LIMITS)  # bounded: no refusal


def test_grading_knows_them(new_rows: None) -> None:
    # in this process: grading's sandbox is a fresh interpreter, which knows the rows written
    # in the table's source, not one added at run time
    here = {"use_sandbox": False}
    right = check_derivative("expm1(x) + 1", of="expm1(x)", wrt="x", **here)
    assert right.correct, right.message
    assert not check_derivative("expm1(x)", of="expm1(x)", wrt="x", **here).correct
    domain = {"x": (1.5, 4.0)}
    answer = "1/(x*sqrt(x**2 - 1))"
    assert check_derivative(answer, of="asec(x)", wrt="x", domain=domain, **here).correct


def test_the_tape_knows_them(new_rows: None) -> None:
    x = dt.Variable(2.0)
    with dt.GradientTape() as outer:
        with dt.GradientTape() as inner:
            y = dt.asec(x) + dt.expm1(x)
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    assert float(dy) == pytest.approx(1 / (2 * math.sqrt(3)) + math.exp(2.0), rel=1e-14)
    exact = -(2 * 2.0**2 - 1) / (2.0**2 * (2.0**2 - 1) ** 1.5) + math.exp(2.0)
    assert float(d2y) == pytest.approx(exact, rel=1e-13)


def test_a_row_taken_away_is_unknown_again() -> None:
    assert "asec" not in ops.OPERATIONS and "asec" not in ops.FUNCTIONS
    assert "arcsec" not in ops.STUDENT_NAMES
    with pytest.raises(Exception, match="unknown function 'asec'"):
        parse("asec(x)")
