"""The public stencils: textbook differences bit for bit, one-sided ones exact on the
polynomials they should be, and the complex step on every analytic row of the table."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from operation_samples import sample

from diffcompare.engines import reference, stencils
from diffcompare.engines.base import entries_for
from diffcompare.language.evaluate import evaluate
from diffcompare.language.evaluate_complex import evaluate_complex, not_analytic_reason
from diffcompare.language.ops import TABLE
from diffcompare.language.parse import parse

EPS = 2.0**-52


def test_central_with_a_step_is_the_textbook_number() -> None:
    d = stencils.difference(parse("3*x**2 + 2*x - 1"), ["x"], [1.0], (0,), "central", 1e-3)
    assert d.value == 7.999999999999119


@pytest.mark.parametrize("method", ["forward", "backward"])
@pytest.mark.parametrize("order", [1, 2, 3])
def test_one_sided_differences_stay_on_one_side_and_are_exact_on_degree_k(
    method: str, order: int
) -> None:
    s = stencils.stencil((0,) * order, method)
    offsets = [o[0] for o in s.offsets]
    assert all(o >= 0 for o in offsets) if method == "forward" else all(o <= 0 for o in offsets)
    assert 0 in offsets and len(offsets) == order + 1
    x, h = 0.25, 0.5
    values = np.array([(x + o * h) ** order for o in offsets])
    d = stencils.combine(s, values, [h])
    assert d.value == pytest.approx(math.factorial(order), rel=1e-12)


def test_one_sided_first_difference_is_the_textbook_formula() -> None:
    f = lambda x: math.sqrt(x)
    x, h = 2.0, 1e-4
    d = stencils.difference(parse("sqrt(x)"), ["x"], [x], (0,), "forward", h)
    assert d.value == (f(x + h) - f(x)) / h
    d = stencils.difference(parse("sqrt(x)"), ["x"], [x], (0,), "backward", h)
    assert d.value == (f(x) - f(x - h)) / h


def test_complex_first_derivative_is_exact_to_two_eps() -> None:
    d = stencils.difference(parse("exp(x)*sin(x)"), ["x"], [1.0], (0,), "complex", 1e-20)
    exact = mpmath.e * (mpmath.sin(1) + mpmath.cos(1))
    assert abs(d.value - exact) <= 2 * EPS * abs(exact)


def test_complex_second_derivative_has_no_h2_term() -> None:
    # Im[f(x+ωh) + f(x-ωh)]/h² is exact up to degree five: its truncation starts at h⁴ f⁽⁶⁾
    d = stencils.difference(parse("x**5 - x**2"), ["x"], [0.7], (0, 0), "complex", 0.1)
    assert d.value == pytest.approx(20 * 0.7**3 - 2, rel=1e-13)
    mixed = stencils.difference(
        parse("(x1 + 5)*x2**2"), ["x1", "x2"], [2.0, 3.0], (0, 1), "complex", 0.1
    )
    assert mixed.value == pytest.approx(6, rel=1e-13)


def test_complex_stencil_stops_at_order_two() -> None:
    with pytest.raises(ValueError, match="up to order two"):
        stencils.stencil((0, 0, 0), "complex")
    with pytest.raises(ValueError, match="unknown method"):
        stencils.stencil((0,), "sideways")


@pytest.mark.parametrize("operation", TABLE, ids=lambda op: op.name)
def test_every_analytic_row_takes_the_complex_step(operation) -> None:  # type: ignore[no-untyped-def]
    text, point = sample(operation.name)
    expr = parse(text)
    names = ["x", "y"][: len(point)]
    if not operation.analytic:
        assert not_analytic_reason(expr) is not None and operation.kink is not None
        return
    assert not_analytic_reason(expr) is None
    env = {n: np.array([v]) for n, v in zip(names, point, strict=True)}
    # on the real axis the complex form is the real function
    real = evaluate(expr, env)[0]
    assert complex(evaluate_complex(expr, env)[0]) == pytest.approx(real, rel=1e-14)
    exact = reference.run(expr, names, point, entries_for(len(names), 1)).info["exact"]
    for i in range(len(names)):
        d = stencils.difference(expr, names, point, (i,), "complex", 1e-20)
        assert abs(d.value - float(exact[(i,)])) <= 8 * EPS * max(1.0, abs(float(exact[(i,)])))
