"""Finite differences: the textbook figures bit for bit, and honest error estimates."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from operation_samples import sample

from diffcompare.engines import finite, reference, stencils
from diffcompare.engines.base import entries_for
from diffcompare.language.expr import Call, Expr, Number, Variable
from diffcompare.language.ops import TABLE
from diffcompare.language.parse import parse

S19 = "3*x**2 + 2*x - 1"
G = "(x1 + 5)*x2**2"
S25 = "x**4 + 2*x**3 - 3*x**2 + 4*x - 5"


def run(text: str, point: list[float], order: int = 1, **options: float) -> finite.EngineResult:
    expr = parse(text)
    names = ["x"] if len(point) == 1 else ["x1", "x2"] if "x1" in text else ["x", "y"]
    return finite.run(expr, names, point, entries_for(len(point), order), **options)


def test_s19_fixed_step_is_the_textbook_number_bit_for_bit() -> None:
    result = run(S19, [1.0], step=1e-3)
    assert result.values[(0,)] == 7.999999999999119
    x, h = 1.0, 1e-3
    f = lambda x: 3 * x**2 + 2 * x - 1
    assert result.values[(0,)] == (f(x + h) - f(x - h)) / (2 * h)
    assert result.info["method"] == {(0,): "central"}
    assert result.info["step"][(0,)] == 1e-3
    # the truncation is nil for a quadratic: what is left is rounding, and the estimate covers it
    assert result.error_estimates[(0,)] >= abs(result.values[(0,)] - 8)


def test_s19_automatic_step_beats_the_fixed_step_and_says_so_honestly() -> None:
    result = run(S19, [1.0], order=2)
    error = abs(result.values[(0,)] - 8)
    assert error < 1e-13
    assert error <= result.error_estimates[(0,)] < 8.8e-13
    assert result.info["method"] == {(0,): "complex", (0, 0): "complex"}
    assert abs(result.values[(0, 0)] - 6) <= result.error_estimates[(0, 0)] < 1e-9


def test_s20_fixed_step_gradient_bit_for_bit() -> None:
    result = run(G, [2.0, 3.0], step=1e-3)
    assert (result.values[(0,)], result.values[(1,)]) == (8.999999999993236, 41.999999999994486)


def test_fixed_step_second_and_mixed_follow_the_textbook_formulas() -> None:
    h = 1e-3
    g = lambda x1, x2: (x1 + 5) * x2**2
    result = run(G, [2.0, 3.0], order=2, step=h)
    x, y = 2.0, 3.0
    assert result.values[(1, 1)] == (g(x, y + h) - 2 * g(x, y) + g(x, y - h)) / h**2
    mixed = (g(x + h, y + h) - g(x + h, y - h) - g(x - h, y + h) + g(x - h, y - h)) / (4 * h * h)
    assert result.values[(0, 1)] == mixed


def test_gradient_and_hessian_of_g() -> None:
    result = run(G, [2.0, 3.0], order=2)
    expected = {(): 63, (0,): 9, (1,): 42, (0, 0): 0, (0, 1): 6, (1, 1): 14}
    for entry, exact in expected.items():
        assert abs(result.values[entry] - exact) <= result.error_estimates.get(entry, 1e-300)
        assert abs(result.values[entry] - exact) < 1e-9


@pytest.mark.parametrize("step", [None, 1e-3])
def test_s25_first_three_derivatives(step: float | None) -> None:
    result = run(S25, [2.0], order=3, step=step)
    for entry, exact in {(0,): 48, (0, 0): 66, (0, 0, 0): 60}.items():
        error = abs(result.values[entry] - exact)
        assert error <= result.error_estimates[entry]
        assert error < (1e-9 if step is None else 1e-4)


@pytest.mark.parametrize("order", range(1, 7))
def test_kth_stencil_is_exact_on_polynomials_of_degree_k_plus_1(order: int) -> None:
    # a central difference of order k has error O(h²): exact for degree k + 1 up to rounding
    stencil = stencils.stencil((0,) * order, "central")
    assert sum(stencil.coefficients) == 0
    h, x = 0.5, 0.25
    p = lambda t: t ** (order + 1)
    total = sum(
        c * p(x + o[0] * h) for o, c in zip(stencil.offsets, stencil.coefficients, strict=True)
    )
    value = total / (stencil.divisor * h**order)
    assert value == pytest.approx(math.factorial(order + 1) * x, rel=1e-12, abs=1e-12)


def test_stencil_points_go_through_one_evaluation_per_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []
    original = finite.evaluate

    def counting(expr: Expr, env: dict) -> object:
        calls.append(len(next(iter(env.values()))))
        return original(expr, env)

    monkeypatch.setattr(finite, "evaluate", counting)
    result = run(G, [2.0, 3.0], order=2, method="central")
    rounds = math.ceil(finite.LEVELS / finite.CHUNK)
    assert 2 <= len(calls) <= 1 + rounds and max(calls) > 30
    assert result.info["evaluations"] == sum(calls)


@pytest.mark.parametrize("op", [op.name for op in TABLE])
def test_every_operation_matches_the_reference_within_its_estimate(op: str) -> None:
    text, point = sample(op)
    expr = parse(text)
    names = ["x"] if len(point) == 1 else ["x", "y"]
    entries = entries_for(len(point), 3 if len(point) == 1 else 2)
    exact = reference.run(expr, names, point, entries)
    result = finite.run(expr, names, point, entries)
    assert result.values[()] == pytest.approx(exact.values[()], rel=4e-16)  # one evaluation
    for entry in entries[1:]:
        truth = exact.values[entry]
        error = abs(result.values[entry] - truth)
        assert error <= result.error_estimates[entry], (entry, error)
        assert error <= 1e-6 * max(1.0, abs(truth)), (entry, error)


@pytest.mark.parametrize(
    ("text", "x", "words"),
    [
        ("log(x)", 0.0, "infinite (log of zero)"),
        ("log(x)", -1.0, "undefined (log of a negative number)"),
        ("1/x", 0.0, "infinite (division by zero)"),
        ("acos(x)", 2.0, "undefined (acos of a number outside [-1, 1])"),
    ],
)
def test_undefined_points_are_none_with_reasons(
    text: str, x: float, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run(text, [x], order=2)
    assert all(v is None for v in result.values.values())
    assert all(r == words for r in result.reasons.values())
    assert capsys.readouterr() == ("", "")


def test_stencil_that_always_crosses_the_edge_says_where() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run("sqrt(x)", [0.0], order=1, method="central")
    assert result.values[()] == 0.0
    assert result.values[(0,)] is None
    reason = result.reasons[(0,)]
    assert reason.startswith("stencil crosses the edge of the domain")
    assert "square root of a negative number" in reason and "x=-" in reason


def test_an_infinite_derivative_is_not_given_a_number() -> None:
    # at the edge auto turns one-sided; forward differences of sqrt at 0 grow like h^-1/2
    result = run("sqrt(x)", [0.0], order=1)
    assert result.values[(0,)] is None
    assert "grow without bound" in result.reasons[(0,)]


@pytest.mark.parametrize(("text", "x", "exact"), [("sqrt(x)", 1e-12, 5e5), ("log(x)", 1e-10, 1e10)])
def test_next_to_an_edge_auto_answers_one_sided(text: str, x: float, exact: float) -> None:
    result = run(text, [x], order=1)
    assert result.info["method"][(0,)] == "forward"
    assert abs(result.values[(0,)] - exact) <= 1e-6 * exact
    assert abs(result.values[(0,)] - exact) <= result.error_estimates[(0,)]


def test_levels_that_cross_an_edge_are_dropped() -> None:
    # h0 = 0.0625 > 0.05 puts log's stencil at negative x: smaller steps still answer
    result = run("log(x)", [0.05], order=2)
    assert abs(result.values[(0,)] - 20) <= result.error_estimates[(0,)] < 1e-8
    assert abs(result.values[(0, 0)] + 400) <= result.error_estimates[(0, 0)] < 1e-4
    assert result.info["step"][(0,)] < 0.05


# random small expressions: the estimate should cover the actual error nearly always

UNARY = [op.name for op in TABLE if op.arity == 1]
BINARY = [op.name for op in TABLE if op.arity == 2]
X = Variable("x")


def expressions(depth: int) -> st.SearchStrategy[Expr]:
    leaf = st.one_of(
        st.just(X),
        st.integers(1, 5).map(lambda n: Number(Fraction(n, 2))),
    )
    if depth == 0:
        return leaf
    inner = expressions(depth - 1)
    return st.one_of(
        leaf,
        st.builds(lambda op, a: Call(op, (a,)), st.sampled_from(UNARY), inner),
        st.builds(lambda op, a, b: Call(op, (a, b)), st.sampled_from(BINARY), inner, inner),
    )


def covered(expr: Expr, x: float) -> bool | None:
    """True/False: the estimate covers the error (x10) for every derivative; None: not usable."""
    entries = entries_for(1, 2)
    truth = reference.run(expr, ["x"], [x], entries, simplify=False)
    if any(truth.values.get(e) is None for e in entries):
        return None
    result = finite.run(expr, ["x"], [x], entries)
    if any(result.values.get(e) is None for e in entries):
        return None
    for entry in entries[1:]:
        error = abs(result.values[entry] - truth.values[entry])
        if error > 10 * result.error_estimates[entry]:
            return False
    return True


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(expressions(3), st.sampled_from([-1.3, -0.4, 0.3, 0.8, 1.7, 2.9])),
        min_size=120,
        max_size=120,
    )
)
def test_error_estimates_are_honest_for_random_expressions(
    cases: list[tuple[Expr, float]],
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        outcomes = [covered(expr, x) for expr, x in cases]
    judged = [o for o in outcomes if o is not None]
    assert len(judged) >= 40
    assert sum(judged) >= 0.95 * len(judged), f"{sum(judged)} of {len(judged)}"
