"""Every operation of the table at, just inside and just outside the edges of its domain,
through all three engines: a comparison whose missing numbers carry reasons, or a
DomainError; nothing else, no warning, nothing printed."""

from __future__ import annotations

import json
import math
import warnings

import pytest
from click.testing import CliRunner, Result

from diffcompare import DiffCompareError, DomainError, compare
from diffcompare.cli.main import main
from diffcompare.compare.comparison import NOT_DIFFERENTIABLE, OUT_OF_RANGE, Comparison
from diffcompare.language.ops import TABLE, Operation

# Edges the table does not list, from knowing the functions: poles of the trigonometric
# functions and the float64 overflow of the exponentials.
EXTRA_EDGES: dict[str, tuple[float, ...]] = {
    "tan": (math.pi / 2,),
    "sec": (math.pi / 2,),
    "csc": (math.pi,),
    "cot": (math.pi,),
    "exp": (709.782712893384,),
    "sinh": (710.4758600739439,),
    "cosh": (-710.4758600739439,),
    "sigmoid": (-745.0,),
    "softplus": (710.0,),
    "erf": (6.0,),
    "atan": (0.0,),
    "asinh": (0.0,),
    "tanh": (20.0,),
    "sin": (0.0,),
    "cos": (0.0,),
}
NUDGES = (0.0, 1e-9, -1e-9, 1e-3, -1e-3)


def _expressions(op: Operation) -> list[str]:
    """The operation with x in each argument slot (the others at harmless constants)."""
    name = "log" if op.name == "logb" else op.name
    if op.symbol is not None:
        if op.name == "neg":
            return ["-x"]
        return [f"x {op.symbol} 1.5", f"1.5 {op.symbol} x", f"x {op.symbol} x"]
    if op.arity == 1:
        return [f"{name}(x)"]
    return [f"{name}(x, 1.5)", f"{name}(1.5, x)", f"{name}(x, x)"]


def _cases() -> list[tuple[str, float]]:
    cases = []
    for op in TABLE:
        edges = tuple(op.edges) + EXTRA_EDGES.get(op.name, ())
        for edge in edges or (0.0,):
            for nudge in NUDGES:
                point = edge + nudge * max(1.0, abs(edge))
                cases.extend((text, point) for text in _expressions(op))
    return cases


CASES = _cases()


def _judged(expression: str, point: dict[str, float]) -> Comparison | DomainError:
    """The comparison, with the guarantees every answer must keep."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy warning fails the test
        try:
            comparison = compare(expression, point)
        except DomainError as error:
            assert "nothing can be computed" in error.message
            return error
    for name, outcome in comparison.engines.items():
        for entry, check in outcome.checks.items():
            if check.value is None:
                assert check.reason, (name, entry)
    json.dumps(comparison.to_dict(), allow_nan=False)
    return comparison


def test_every_operation_is_covered() -> None:
    covered = {text.split("(")[0] for text, _ in CASES}
    for op in TABLE:
        spelled = "log" if op.name == "logb" else op.name
        assert spelled in covered or op.symbol is not None


@pytest.mark.parametrize(("expression", "x"), CASES)
def test_at_and_around_each_edge(expression: str, x: float, capsys: pytest.CaptureFixture) -> None:
    _judged(expression, {"x": x})
    printed = capsys.readouterr()
    assert printed.out == "" and printed.err == ""


@pytest.mark.parametrize(("expression", "x"), [("sqrt(x)", 1e-12), ("log(x)", 1e-10)])
def test_next_to_an_edge_finite_answers_one_sided(expression: str, x: float) -> None:
    comparison = _judged(expression, {"x": x})
    assert isinstance(comparison, Comparison)
    finite = comparison.engines["finite"]
    check = finite.checks[(0,)]
    assert check.rel_error is not None and check.rel_error <= 1e-6
    assert finite.info["method"][(0,)] == "forward"
    document = comparison.to_dict()["engines"]["finite"]
    assert document["method"]["gradient[0]"] == "forward"
    assert comparison.agree


def test_at_the_edge_a_stencil_that_crosses_says_where() -> None:
    comparison = _judged("sqrt(x)", {"x": 0.0})
    assert isinstance(comparison, Comparison)
    # the exact f' is infinite: no engine may give a number, and finite says why it gave none
    check = comparison.engines["finite"].checks[(0,)]
    assert check.value is None and check.agrees
    central = compare("sqrt(x)", {"x": 0.0}, engines=["finite"], method="central")
    reason = central.engines["finite"].checks[(0,)].reason or ""
    assert "stencil crosses the edge of the domain" in reason


@pytest.mark.parametrize("expression", ["abs(x)", "relu(x)"])
def test_kinks_are_flagged(expression: str) -> None:
    comparison = _judged(expression, {"x": 0.0})
    assert isinstance(comparison, Comparison)
    assert [k.subexpression for k in comparison.kinks] == [expression]
    assert any("not differentiable" in note for note in comparison.notes)
    for outcome in comparison.engines.values():
        assert outcome.checks[(0,)].status == NOT_DIFFERENTIABLE
        assert outcome.checks[(0, 0)].status == NOT_DIFFERENTIABLE


def test_exp_overflow_is_reported_per_engine() -> None:
    comparison = _judged("exp(x)", {"x": 1000.0})
    assert isinstance(comparison, Comparison)
    for name, outcome in comparison.engines.items():
        for check in outcome.checks.values():
            assert check.value is None
            assert check.status == OUT_OF_RANGE
            assert "overflow" in (check.reason or ""), name
    assert comparison.reference.exact_text[()] is not None  # the exact value is finite


@pytest.mark.parametrize(
    ("expression", "x", "why"),
    [
        ("acos(x)", 2.0, "acos of a number outside [-1, 1]"),
        ("log(x)", -1.0, "log of a negative number"),
        ("1/x", 0.0, "division by zero"),
        ("sqrt(x)", -1.0, "square root of a negative number"),
        ("atanh(x)", 1.0, "atanh of ±1"),
    ],
)
def test_undefined_functions_are_refused_cleanly(expression: str, x: float, why: str) -> None:
    with pytest.raises(DomainError) as caught:
        compare(expression, {"x": x})
    assert why in caught.value.message
    assert caught.value.kind == "domain"


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e301, "1", None])
def test_points_that_are_not_finite_numbers_are_refused(value: object) -> None:
    with pytest.raises(DiffCompareError) as caught:
        compare("x", {"x": value})  # type: ignore[dict-item]
    assert caught.value.kind == "input"


def _cli(*args: str) -> Result:
    # in process: test_cli runs the real `python -m diffcompare` once
    env = {"NO_COLOR": "1", "COLUMNS": "100"}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("x", "--at", "x=nan"), "finite number"),
        (("log(x)", "--at", "x=-1"), "log of a negative number"),
    ],
)
def test_cli_refuses_with_exit_2_and_one_line(args: tuple[str, ...], words: str) -> None:
    done = _cli(*args)
    assert done.exit_code == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ") and words in lines[0]
    assert done.stdout == ""


def test_cli_reports_the_non_differentiable_point() -> None:
    done = _cli("abs(x)", "--at", "x=0")
    assert done.exit_code == 0, done.stderr
    assert "not differentiable" in done.stdout
    done = _cli("abs(x)", "--at", "x=0", "--format", "json")
    document = json.loads(done.stdout)
    assert document["kinks"][0]["subexpression"] == "abs(x)"
