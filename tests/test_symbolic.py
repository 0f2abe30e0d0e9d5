"""The symbolic engine: sympy's derivatives, evaluated in float64 by our own walker."""

from __future__ import annotations

import warnings
from fractions import Fraction

import pytest
import sympy
from operation_samples import sample

from diffcompare.engines import reference, symbolic
from diffcompare.engines.base import entries_for
from diffcompare.language.expr import Call, Constant, Number, Variable
from diffcompare.language.ops import TABLE
from diffcompare.language.parse import parse


def run(text: str, point: list[float], order: int = 1) -> symbolic.EngineResult:
    names = ["x"] if len(point) == 1 else ["x1", "x2"] if "x1" in text else ["x", "y"]
    return symbolic.run(parse(text), names, point, entries_for(len(point), order))


def test_s19_is_exact() -> None:
    result = run("3*x**2 + 2*x - 1", [1.0])
    assert result.values == {(): 4.0, (0,): 8.0}
    assert result.info["formulas"][(0,)] == "6*x + 2"


def test_s20_gradient_and_hessian() -> None:
    result = run("(x1 + 5)*x2**2", [2.0, 3.0], order=2)
    assert result.values == {(): 63, (0,): 9, (1,): 42, (0, 0): 0, (0, 1): 6, (1, 1): 14}


def test_s25_three_derivatives() -> None:
    result = run("x**4 + 2*x**3 - 3*x**2 + 4*x - 5", [2.0], order=3)
    assert [result.values[(0,) * k] for k in (1, 2, 3)] == [48, 66, 60]


def test_tree_to_sympy_keeps_numbers_exact_and_constants_symbolic() -> None:
    x = sympy.Symbol("x", real=True)
    tree = Call("add", (Call("mul", (Number(Fraction(1, 10)), Variable("x"))), Constant("pi")))
    assert symbolic.to_sympy(tree, {"x": x}) == sympy.Rational(1, 10) * x + sympy.pi
    assert symbolic.to_sympy(Constant("e"), {}) is sympy.E


def test_abs_differentiates_to_sign_because_symbols_are_real() -> None:
    result = run("abs(x)", [-2.0], order=1)
    assert result.values[(0,)] == -1.0
    assert "sign(x)" in result.info["formulas"][(0,)]


def test_derivatives_are_cached_and_built_on_lower_orders() -> None:
    expr = parse("sin(x)*y")
    first = symbolic.derivatives_for(expr, ("x", "y"))
    assert symbolic.derivatives_for(parse("sin(x)*y"), ("x", "y")) is first
    mixed = first.formula((1, 0))  # canonical: (0, 1)
    x, y = first.symbols
    assert mixed == sympy.cos(x)
    assert first.formula((0,)) == y * sympy.cos(x)  # computed on the way, kept
    assert first.formula((0, 1)) is mixed


@pytest.mark.parametrize("op", [op.name for op in TABLE])
def test_every_operation_matches_the_reference(op: str) -> None:
    text, point = sample(op)
    names = ["x"] if len(point) == 1 else ["x", "y"]
    entries = entries_for(len(point), 3 if len(point) == 1 else 2)
    expr = parse(text)
    exact = reference.run(expr, names, point, entries)
    result = symbolic.run(expr, names, point, entries)
    for entry in entries:
        assert result.values[entry] == pytest.approx(exact.values[entry], rel=1e-12, abs=1e-14)


@pytest.mark.parametrize(
    ("text", "x", "order", "words"),
    [
        ("log(x)", 0.0, 1, "infinite"),
        ("log(x)", -1.0, 1, "complex result (log of a negative number)"),
        ("1/x", 0.0, 1, "infinite (zero to a negative power)"),
        ("acos(x)", 2.0, 1, "complex result (acos of a number outside [-1, 1])"),
    ],
)
def test_undefined_points_are_none_with_reasons(
    text: str, x: float, order: int, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run(text, [x], order)
    assert all(v is None for v in result.values.values())
    assert result.reasons[(0,)] == words
    assert capsys.readouterr() == ("", "")


def test_sqrt_is_defined_at_zero_but_its_derivative_is_not() -> None:
    result = run("sqrt(x)", [0.0], order=1)
    assert result.values[()] == 0.0
    assert result.values[(0,)] is None
    assert result.reasons[(0,)].startswith("infinite")


def test_kinks_report_what_sympy_says() -> None:
    relu = run("relu(x)", [0.0], order=2)
    assert relu.values[(0,)] == 0.5  # Heaviside(0) = 1/2
    assert relu.values[(0, 0)] is None  # DiracDelta(0)
    assert relu.reasons[(0, 0)].startswith("not differentiable here")


def test_walker_names_what_it_cannot_evaluate() -> None:
    x = sympy.Symbol("x", real=True)
    assert symbolic.evaluate_formula(sympy.gamma(x), {x: 2.0}) == (
        None,
        "cannot evaluate gamma in float64",
    )
    assert symbolic.evaluate_formula(sympy.sqrt(x), {x: -1.0}) == (None, "complex result")


def test_walker_evaluates_piecewise_branch_that_applies_only() -> None:
    x = sympy.Symbol("x", real=True)
    formula = sympy.Piecewise((0, sympy.Eq(x, 0)), (sympy.log(x), True))
    assert symbolic.evaluate_formula(formula, {x: 0.0}) == (0.0, None)
    assert symbolic.evaluate_formula(formula, {x: 1.0}) == (0.0, None)


def test_cheap_formulas_are_simplified_and_text_is_truncated() -> None:
    result = run("x/(x + 1)", [0.3], order=1)
    assert result.info["simplified"] == [(0,)]
    assert result.info["formulas"][(0,)] == "(x + 1)**(-2)"
    assert result.values[(0,)] == pytest.approx(1 / 1.3**2, rel=1e-15)
    big = run("(" + " + ".join(f"sin({k}*x)" for k in range(1, 40)) + ")**3", [0.3], order=1)
    assert len(big.info["formulas"][(0,)]) <= symbolic.FORMULA_TEXT_LENGTH
    assert big.info["formulas"][(0,)].endswith("...")


def test_a_constant_sympy_refuses_to_build_is_undefined_not_a_crash() -> None:
    # Max(0, log(-2)): sympy raises "not comparable" for the complex constant
    from diffcompare import compare
    from diffcompare.errors import DomainError

    with pytest.raises(DomainError):
        compare("x + relu(log(-2))", "x=1")


def test_a_failure_inside_sympys_simplify_leaves_the_formula_unsimplified() -> None:
    # sympy's simplify raises ValueError on relu(acosh(abs(x)))'s derivative (Heaviside of
    # acosh's complex values below 1): the comparison goes on with diff's exact formula
    from diffcompare import compare
    from diffcompare.errors import DomainError

    comparison = compare("relu(acosh(abs(x)))", {"x": 1.5}, order=1)
    assert comparison.agree
    notes = comparison.to_dict()["formulas"]["notes"]
    assert any("simplify failed (ValueError)" in note for note in notes.values()), notes
    with pytest.raises(DomainError, match="acosh of a number below 1"):
        compare("relu(acosh(abs(x)))", {"x": 0.5}, order=1)


def test_sympy_failing_to_differentiate_is_a_clear_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from diffcompare import SymbolicError, compare

    def failing_diff(*_: object) -> None:
        raise ValueError("Only real AccumulationBounds are supported")

    monkeypatch.setattr(sympy, "diff", failing_diff)
    with pytest.raises(SymbolicError, match="could not differentiate") as caught:
        compare("x**3 + 7*x/13", {"x": 0.5}, order=1)  # an expression no other test caches
    assert caught.value.kind == "symbolic"
    assert "ValueError: Only real AccumulationBounds are supported" in caught.value.message


def test_where_the_function_has_no_value_its_derivatives_are_not_asked_of_sympy() -> None:
    # tan(-oo - x) is AccumBounds(-oo, oo) to sympy, whose third derivative it cannot take
    from diffcompare import compare
    from diffcompare.errors import DomainError

    with pytest.raises(DomainError, match=r"infinite \(atanh of ±1\)"):
        compare("atan2(x, tan(atanh(-1) - x))", {"x": -0.8}, order=3)
