"""The rounding scale: how far float64 may honestly be off, entry by entry."""

from __future__ import annotations

import math

import pytest
import sympy

from diffcompare import compare
from diffcompare.engines.rounding import rounding_scale

x, y = sympy.symbols("x y", real=True)


def test_a_lone_function_carries_its_own_rounding() -> None:
    scale = rounding_scale(sympy.cos(x), {x: 0.5})
    assert scale == pytest.approx(math.cos(0.5), rel=1e-12)


def test_a_cancelling_sum_carries_the_size_of_its_terms() -> None:
    # 6x + 2 at x = -1/3: terms of size 2 cancel to ~1e-16, the rounding of 6x stays
    scale = rounding_scale(6 * x + 2, {x: -0.3333333333333333})
    assert scale is not None and 1.5 <= scale <= 8.0


def test_products_scale_the_bounds_of_their_factors() -> None:
    # y * ((x + 10**8) - 10**8): the sum's rounding (size 1e8) is multiplied by y
    scale = rounding_scale(y * sympy.Add(x + 10**8, -(10**8), evaluate=False), {x: 1.0, y: 3.0})
    assert scale is not None and 3e8 <= scale <= 1e9


def test_an_undefined_formula_has_no_scale() -> None:
    assert rounding_scale(sympy.log(x), {x: -1.0}) is None
    assert rounding_scale(1 / x, {x: 0.0}) is None


def test_a_gradient_at_a_minimum_agrees_with_a_note() -> None:
    result = compare("3*x**2 + 2*x - 1", "x=-0.3333333333333333")
    assert result.agree
    assert any("ill-conditioned" in note for note in result.notes)


def test_a_well_conditioned_entry_is_still_judged_relatively() -> None:
    result = compare("x**3", "x=2")
    assert result.reference.rounding[(0,)] < 100
    assert not any("ill-conditioned" in note for note in result.notes)
    tolerance = result.engines["tape"].checks[(0,)].tolerance
    assert tolerance is not None and tolerance < 1e-8 * 12  # rtol * |12| + a few eps
