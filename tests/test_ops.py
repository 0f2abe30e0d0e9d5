"""The one table of operations: each row's pieces describe the same function."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

from diffcompare.language.ops import FUNCTIONS, OPERATIONS, TABLE

# a point inside every row's domain (first argument, second argument)
INSIDE = {"acosh": (1.7, 2.0), "logb": (2.5, 3.0), "pow": (1.3, 2.5), "atanh": (0.4, 0.0)}


def point_for(name: str, arity: int) -> tuple[float, ...]:
    return INSIDE.get(name, (0.37, 1.9))[:arity]


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.name)
def test_scalar_numpy_and_sympy_agree_inside_the_domain(op) -> None:  # type: ignore[no-untyped-def]
    args = point_for(op.name, op.arity)
    with np.errstate(all="raise"):
        by_numpy = float(op.numpy(*(np.float64(a) for a in args)))
    symbols = [sympy.Float(a, 30) for a in args]
    by_sympy = float(sympy.N(op.sympy(*symbols), 30))
    assert by_numpy == pytest.approx(by_sympy, rel=1e-14)
    if op.scalar is not None:  # checked to exist below
        assert op.scalar(*args) == pytest.approx(by_sympy, rel=1e-14)


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.name)
def test_scalar_fast_path_propagates_nan_like_numpy(op) -> None:  # type: ignore[no-untyped-def]
    assert op.scalar is not None, "every row gives the tape a fast path on floats"
    nans = [math.nan] * op.arity
    try:
        result = op.scalar(*nans)
    except (ValueError, ArithmeticError):
        return  # the tape falls back to numpy, which gives nan
    assert math.isnan(result)


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.name)
def test_every_row_has_one_rule_per_argument(op) -> None:  # type: ignore[no-untyped-def]
    assert len(op.rules) == op.arity
    assert all(callable(rule) for rule in op.rules)


def test_every_function_row_is_spelled_by_the_parser() -> None:
    spelled = {op for by_arity in FUNCTIONS.values() for op in by_arity.values()}
    functions = {op.name for op in TABLE if op.symbol is None}
    assert functions <= spelled
    assert spelled <= set(OPERATIONS)
