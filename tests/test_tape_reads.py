"""What a tape record keeps: the values each derivative rule reads, read off its bytecode."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from diffcompare.language.ops import TABLE, Operation
from diffcompare.tape.functions import RAW_MATH
from diffcompare.tape.reads import needed, reads


class Untouchable:
    """Stands for a value the analysis says is not read: any use of it fails the test."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a rule used a value it was said not to read ({name})")

    def _fail(self, *args: Any) -> Any:
        raise AssertionError("a rule used a value it was said not to read")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __neg__ = __array__ = _fail
    __float__ = __bool__ = __lt__ = __gt__ = __le__ = __ge__ = _fail


def _point(op: Operation) -> tuple[float, ...]:
    # inside every domain of the table (logb's base, acosh's x > 1, atanh's |x| < 1)
    return {1: (0.5,), 2: (1.7, 2.3)}[op.arity] if op.name not in ("acosh",) else (1.5,)


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.name)
def test_a_rule_never_touches_what_it_is_said_not_to_read(op: Operation) -> None:
    args = _point(op)
    ans = float(op.numpy(*args))
    for k, rule in enumerate(op.rules):
        used = reads(rule, op.arity)
        full = rule(RAW_MATH, 1.0, ans, *args)
        shown = [v if u else Untouchable() for v, u in zip((ans, *args), used, strict=True)]
        assert rule(RAW_MATH, 1.0, *shown) == pytest.approx(full, rel=1e-15), (op.name, k)


def test_the_table_rules_read_what_a_table_of_derivatives_says() -> None:
    rules = {op.name: op.rules for op in TABLE}
    # (ans, x, y) for each input's rule
    assert reads(rules["add"][0], 2) == (False, False, False)
    assert reads(rules["mul"][0], 2) == (False, False, True)  # d(xy)/dx = y
    assert reads(rules["mul"][1], 2) == (False, True, False)
    assert reads(rules["exp"][0], 1) == (True, False)  # exp' = exp: the answer only
    assert reads(rules["sin"][0], 1) == (False, True)
    assert reads(rules["sqrt"][0], 1) == (True, False)


def test_needed_is_the_union_over_the_followed_inputs_only() -> None:
    rules = {op.name: op.rules for op in TABLE}
    assert needed(rules["mul"], (True, False)) == [False, False, True]
    assert needed(rules["mul"], (True, True)) == [False, True, True]
    # x ** c: the exponent's rule (which reads the answer) is not needed
    assert needed(rules["pow"], (True, False)) == [False, True, True]
    assert needed(rules["pow"], (False, True)) == [True, True, False]


def test_starred_inputs_and_unusual_rules_are_answered_safely() -> None:
    assert reads(lambda F, g, ans, *xs: g, 3) == (False, False, False, False)
    assert reads(lambda F, g, ans, *xs: xs[1], 3) == (False, True, True, True)

    def captures(F: Any, g: Any, ans: Any, x: Any) -> Any:
        return (lambda: x)()  # x lives in a cell: assume it is read

    assert reads(captures, 1) == (True, True)
    assert reads(np.add, 2) == (True, True, True)  # no Python bytecode to read
