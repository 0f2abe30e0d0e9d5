"""The question side of grading, shared by every check: the function, its variables in
their order, and the derivative job a worker grades.

Nothing here loads sympy, so an exercise file can be read and checked without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import InputError
from ..language.expr import Expr
from ..language.expr import variables as variables_of
from ..language.limits import Limits
from ..language.parse import parse


def read_function(of: str | Expr, limits: Limits) -> Expr:
    """The question's function as a tree (text is parsed with the strict language)."""
    if isinstance(of, str):
        return parse(of, limits)
    return of


def natural_key(name: str) -> tuple[str, int]:
    """Sort key of a variable name: x2 before x10, x before x1."""
    stem = name.rstrip("0123456789")
    digits = name[len(stem) :]
    return stem, int(digits) if digits else -1


def natural_sorted(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(names), key=natural_key))


def variable_order(function: Expr, given: Sequence[str] | None) -> tuple[str, ...]:
    """The order of gradient components: `given`, or the function's variables sorted."""
    found = variables_of(function)
    if given is None:
        return natural_sorted(found)
    names = tuple(given)
    missing = [name for name in found if name not in names]
    if missing or len(set(names)) != len(names):
        raise InputError(f"variables {list(names)} must name each variable of the function once")
    return names


@dataclass(frozen=True)
class DerivativeQuestion:
    """A checked derivative question: everything the worker needs, as plain data."""

    function: Expr
    wrt: tuple[str, ...]  # one name per differentiation: ("x", "x") is d²/dx²
    variables: tuple[str, ...]
    domain: tuple[tuple[str, float, float], ...]
    mistakes: tuple[tuple[str, Expr, str, float], ...]


@dataclass(frozen=True)
class Job:
    """One answer to grade against one question, with the check's settings."""

    answer: Expr
    question: DerivativeQuestion
    rtol: float
    seed: int
    points: int
    symbolic_seconds: float
    seconds: float
    limits: Limits
