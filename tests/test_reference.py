"""The exact reference: symbolic derivatives at 50 significant digits."""

from __future__ import annotations

import warnings

import mpmath
import pytest

from diffcompare.engines import reference
from diffcompare.engines.base import entries_for
from diffcompare.language.parse import parse


def run(text: str, point: list[float], order: int = 1) -> reference.EngineResult:
    names = ["x"] if len(point) == 1 else ["x1", "x2"] if "x1" in text else ["x", "y"]
    return reference.run(parse(text), names, point, entries_for(len(point), order))


def test_fifty_correct_digits_of_d_exp_at_one() -> None:
    result = run("exp(x)", [1.0])
    with mpmath.workdps(60):
        e = +mpmath.e
        assert abs(result.info["exact"][(0,)] - e) < mpmath.mpf(10) ** -49
        assert result.info["exact_text"][(0,)] == mpmath.nstr(e, 50)
    assert result.values[(0,)] == float(mpmath.e)


def test_point_coordinates_are_the_float64_numbers_exactly() -> None:
    # d/dx x**2 at the double nearest 0.1 is twice that double, not 0.2
    result = run("x**2", [0.1])
    with mpmath.workdps(60):
        assert result.info["exact"][(0,)] == 2 * mpmath.mpf(0.1)
        assert result.info["exact"][(0,)] != mpmath.mpf("0.2")


def test_seed_cases() -> None:
    assert run("3*x**2 + 2*x - 1", [1.0]).values == {(): 4.0, (0,): 8.0}
    g = run("(x1 + 5)*x2**2", [2.0, 3.0], order=2)
    assert g.values == {(): 63, (0,): 9, (1,): 42, (0, 0): 0, (0, 1): 6, (1, 1): 14}
    s25 = run("x**4 + 2*x**3 - 3*x**2 + 4*x - 5", [2.0], order=3)
    assert [s25.values[(0,) * k] for k in (1, 2, 3)] == [48, 66, 60]


def test_beyond_float64_the_exact_value_stays() -> None:
    result = run("exp(x)", [1000.0])
    assert result.values[(0,)] is None
    assert result.reasons[(0,)] == "exceeds float64 range"
    with mpmath.workdps(60):
        truth = mpmath.exp(1000)
        assert abs(result.info["exact"][(0,)] / truth - 1) < mpmath.mpf(10) ** -49
    assert result.info["exact_text"][(0,)].endswith("e+434")


def test_cancellation_is_resolved_by_extra_precision() -> None:
    # in float64 the two terms cancel to noise; the reference still gets the small difference
    result = run("exp(x) - 1 - x", [1e-8])
    with mpmath.workdps(80):
        x = mpmath.mpf(1e-8)
        truth = mpmath.expm1(x) - x
        assert abs(result.info["exact"][()] / truth - 1) < mpmath.mpf(10) ** -45


@pytest.mark.parametrize(
    ("text", "x", "entry", "words"),
    [
        ("log(x)", 0.0, (), "infinite"),
        ("log(x)", -1.0, (), "complex result (log of a negative number)"),
        ("sqrt(x)", 0.0, (0,), "infinite (zero to a negative power)"),
        ("1/x", 0.0, (), "infinite (zero to a negative power)"),
        ("acos(x)", 2.0, (0,), "complex result (acos of a number outside [-1, 1])"),
        ("relu(x)", 0.0, (0, 0), "not differentiable here (DiracDelta at 0)"),
    ],
)
def test_undefined_points_are_none_with_reasons(
    text: str, x: float, entry: tuple[int, ...], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run(text, [x], order=2)
    assert result.values[entry] is None
    assert result.reasons[entry] == words
    assert entry not in result.info["exact"]
    assert capsys.readouterr() == ("", "")


def test_derivatives_need_the_function_defined_at_the_point() -> None:
    result = run("sqrt(x)", [-1.0], order=1)
    assert result.values == {(): None, (0,): None}
    assert result.reasons[(0,)].startswith("complex result")
