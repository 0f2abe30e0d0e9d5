"""What grading needs from the exact reference, in one place.

Grading measures answers against the same yardstick as the comparison: our tree built in
sympy with the table's builders, differentiated by sympy, evaluated at many digits. This
module is the only door from `grading` to the engines; the other grading modules ask it,
so a change inside the engines touches one file here. The engines (and sympy) are imported
on first use: reading an exercise file or a student's code does not load them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..engines.base import Entry, canonical
from ..language.expr import Expr, fold
from ..language.limits import Limits
from ..language.ops import OPERATIONS

if TYPE_CHECKING:
    import mpmath
    import sympy

__all__ = [
    "Entry",
    "SympyTree",
    "canonical",
    "exact_values",
    "has_kink",
    "reference_floats",
    "symbols_for",
    "value_at",
]


def symbols_for(names: Sequence[str]) -> dict[str, sympy.Symbol]:
    """Sympy symbols for the variables, made as the reference makes them (real)."""
    from ..engines.symbolic import make_symbols

    return dict(zip(names, make_symbols(names), strict=True))


class SympyTree:
    """Sympy values of a tree's nodes, each built once: the mistake search differentiates
    node by node and asks for the same subtrees again and again."""

    def __init__(self, symbols: Mapping[str, sympy.Symbol]) -> None:
        self.symbols = symbols
        self.done: dict[int, sympy.Expr] = {}

    def value(self, node: Expr) -> sympy.Expr:
        from ..engines.symbolic import sympy_leaf

        return fold(
            node,
            lambda leaf: sympy_leaf(leaf, self.symbols),
            lambda call, args: OPERATIONS[call.op].sympy(*args),
            self.done,
        )


def value_at(
    formula: sympy.Expr,
    symbols: Mapping[str, sympy.Symbol],
    point: Mapping[str, float],
    digits: int,
) -> tuple[mpmath.mpf | None, str | None]:
    """`formula` at `point` to `digits` significant digits, or None and why not."""
    import sympy

    from ..engines import reference

    subs = {symbols[n]: sympy.Float(v, digits + reference.GUARD_DIGITS) for n, v in point.items()}
    floats = {symbols[n]: v for n, v in point.items()}
    return reference.exact_value(formula, subs, floats, digits)


def exact_values(
    function: Expr,
    names: Sequence[str],
    coordinates: Sequence[float],
    entries: Sequence[Entry],
    limits: Limits,
    digits: int = 50,
) -> dict[Entry, mpmath.mpf | None]:
    """The reference's exact values of `entries` at one point (None where undefined).
    Refuses, with LimitError, a point where the function's values would be too large."""
    from ..engines import reference
    from ..language.magnitude import check_at_point

    check_at_point(function, dict(zip(names, coordinates, strict=True)), limits)
    result = reference.run(
        function, names, coordinates, entries, digits=digits, simplify=False, limits=limits
    )
    exact: dict[Entry, mpmath.mpf] = result.info["exact"]
    return {entry: exact.get(entry) for entry in entries}


def reference_floats(
    function: Expr,
    names: Sequence[str],
    coordinates: Sequence[float],
    entries: Sequence[Entry],
    limits: Limits,
    digits: int = 30,
) -> dict[Entry, float | None]:
    """The reference's values rounded to float64 (None where undefined or beyond float64)."""
    from ..engines import reference

    result = reference.run(function, names, coordinates, entries, digits=digits, limits=limits)
    return {entry: result.values.get(entry) for entry in entries}


def has_kink(expr: Expr, point: Mapping[str, float]) -> bool:
    """Whether some operation of `expr` sits on its kink here (|u| at u = 0, ...)."""
    from ..compare.comparison import find_kinks

    return bool(find_kinks(expr, point))
