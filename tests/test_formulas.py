"""The symbolic formulas: shown with --formulas, always in the JSON, written in the
expression language so that each parses back and gives the symbolic engine's value."""

from __future__ import annotations

import json
import math
from fractions import Fraction

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diffcompare import DiffCompareError, Limits, compare
from diffcompare.cli.main import main
from diffcompare.compare.comparison import NOT_DIFFERENTIABLE
from diffcompare.language.evaluate import evaluate
from diffcompare.language.expr import Call, Expr, Number, Variable, variables
from diffcompare.language.ops import TABLE
from diffcompare.language.parse import parse

GENEROUS = Limits(max_depth=400, symbolic_seconds=3.0)


def test_formulas_flag_shows_the_derivatives_above_the_table() -> None:
    result = CliRunner().invoke(main, ["3*x**2+2*x-1", "--at", "x=1", "--formulas"])
    assert result.exit_code == 0
    lines = [" ".join(line.split()) for line in result.output.splitlines()]
    assert "f'(x) = 6 * x + 2" in lines
    assert "f''(x) = 6" in lines
    assert lines.index("f''(x) = 6") < next(i for i, s in enumerate(lines) if "entry" in s)


def test_without_the_flag_no_formulas_are_shown() -> None:
    result = CliRunner().invoke(main, ["3*x**2+2*x-1", "--at", "x=1"])
    assert "6 * x + 2" not in result.output


def test_json_carries_gradient_and_hessian_formulas() -> None:
    result = CliRunner().invoke(main, ["(x1+5)*x2**2", "--at", "x1=2,x2=3", "--format", "json"])
    formulas = json.loads(result.output)["formulas"]
    assert formulas["gradient"] == ["x2**2", "2 * x2 * (x1 + 5)"]
    assert formulas["hessian"] == [["0", "2 * x2"], ["2 * x2", "2 * x1 + 10"]]


def test_one_variable_above_order_two_has_a_derivatives_list() -> None:
    document = compare("x**4+2*x**3-3*x**2+4*x-5", {"x": 2.0}, order=3).to_dict()
    assert document["formulas"]["derivatives"] == [
        "4 * x**3 + 6 * x**2 - 6 * x + 4",
        "12 * x**2 + 12 * x - 6",
        "24 * x + 12",
    ]


def test_functions_sympy_writes_its_own_way_are_written_with_the_table() -> None:
    comparison = compare("abs(x) + relu(y) * x", {"x": 1.0, "y": 2.0})
    assert comparison.formulas[(0,)] == "x / abs(x) + relu(y)"
    assert comparison.formulas[(0, 1)] == "relu(y) / y"
    assert "kink" in comparison.formula_notes[(0, 0)]
    assert compare("exp(x) + e", {"x": 0.5}).formulas[(0,)] == "exp(x)"


def test_long_formulas_wrap_and_nothing_is_cut() -> None:
    expression = "tanh(w1*x1+w2*x2+b)*sin(w1*w2*x1*x2*b)"
    point = "w1=.5,w2=.3,x1=1,x2=2,b=.1"
    args = [expression, "--at", point, "--formulas", "--order", "1", "--engine", "tape"]
    result = CliRunner().invoke(main, args, env={"COLUMNS": "60"})
    assert max(len(line) for line in result.output.splitlines()) <= 60
    document = compare(expression, point, order=1, engines=("tape",)).to_dict()
    squeezed = "".join(result.output.split())
    for formula in document["formulas"]["gradient"]:
        assert len(formula) > 60
        assert "".join(formula.split()) in squeezed  # every character is there, in order


def test_a_formula_not_simplified_in_time_says_so() -> None:
    # four formulas of about this size: the 1 s simplification budget does not cover them all
    comparison = compare("tanh(w1*x1+w2*x2+b)", "w1=.5,w2=.3,x1=1,x2=2,b=.1", order=1)
    notes = comparison.to_dict()["formulas"]["notes"]
    assert any("not simplified" in note for note in notes.values())


LEAVES = st.one_of(
    st.sampled_from([Variable("x"), Variable("y")]),
    st.fractions(min_value=-5, max_value=5, max_denominator=8).map(lambda f: Number(Fraction(f))),
)


def _calls(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    # a branch per operation rather than a flatmap, which hides the recursion from hypothesis
    return st.one_of(
        [st.builds(Call, st.just(op.name), st.tuples(*[children] * op.arity)) for op in TABLE]
    )


EXPRESSIONS = st.recursive(LEAVES, _calls, max_leaves=5)
COORDINATES = st.one_of(st.sampled_from([0.5, 1.0, -1.5, 2.0]), st.floats(-3, 3))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS, COORDINATES, COORDINATES)
def test_every_formula_parses_back_to_the_symbolic_value(tree: Expr, x: float, y: float) -> None:
    point = {name: {"x": x, "y": y}[name] for name in variables(tree)}
    try:
        comparison = compare(tree, point, engines=("symbolic",), limits=GENEROUS)
    except DiffCompareError:
        return
    document = comparison.to_dict()
    texts = document["formulas"]
    symbolic = comparison.engines["symbolic"]
    for entry, text in comparison.formulas.items():
        label = comparison.label(entry)
        shaped = texts["gradient"][entry[0]] if len(entry) == 1 else texts["hessian"][entry[0]]
        assert shaped == text or shaped[entry[1]] == text, label
        if text is None:
            continue
        formula = parse(text, GENEROUS)  # every formula parses with our own parser
        check = symbolic.checks[entry]
        if check.value is None or check.status == NOT_DIFFERENTIABLE or check.tolerance is None:
            continue
        mine = float(evaluate(formula, point))
        assert math.isfinite(mine), (text, point)
        assert abs(mine - check.value) <= 2 * check.tolerance, (label, text, mine, check.value)


def test_every_table_function_is_written_as_itself_or_with_table_functions() -> None:
    import sympy

    from diffcompare.engines.formula_text import formula_to_text

    t, u = sympy.symbols("t u", real=True)
    for op in TABLE:
        built = op.sympy(*(t, u)[: op.arity])
        for formula in (built, sympy.diff(built, t), sympy.diff(built, t, 2)):
            text, _ = formula_to_text(formula)
            tree = parse(text)
            for at in (0.37, 1.37):
                value = float(evaluate(tree, {"t": at, "u": 0.61}))
                expected = complex(formula.subs({t: at, u: 0.61}).evalf(30))
                if expected.imag:  # acosh at 0.37, asin at 1.37: undefined in both
                    assert math.isnan(value), (op.name, text)
                    continue
                close = math.isclose(value, expected.real, rel_tol=1e-12, abs_tol=1e-14)
                assert close, (op.name, text, at)


def test_a_formula_the_language_cannot_write_is_none_with_the_reason() -> None:
    raised = Limits(max_constant_log10=30_000)
    comparison = compare("2**2**2**2**2*x", {"x": 1.0}, limits=raised)  # f' = 2**65536
    assert comparison.formulas[(0,)] is None
    assert "about 19,728 digits" in comparison.formula_notes[(0,)]
    assert comparison.to_dict()["formulas"]["gradient"] == [None]


def test_batch_rows_carry_the_formulas() -> None:
    from diffcompare.batch.runner import Case, run

    (row,) = list(run([Case("x**2*y", "x=1, y=2")], jobs=1))
    assert row["formulas"]["gradient"] == ["2 * x * y", "x**2"]
    assert row["formulas"]["hessian"][0] == ["2 * y", "2 * x"]
