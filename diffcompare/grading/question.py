"""The question side of grading, shared by every check: the function, its variables in
their order, and the derivative job a worker grades.

Nothing here loads sympy, so an exercise file can be read and checked without it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..errors import InputError
from ..language.expr import Call, Expr, Number, Variable, fold
from ..language.expr import variables as variables_of
from ..language.limits import Limits
from ..language.parse import parse


def read_function(of: str | Expr, limits: Limits) -> Expr:
    """The question's function as a tree (text is parsed with the strict language)."""
    if isinstance(of, str):
        return parse(of, limits)
    return of


CONSTANT_NAME = re.compile(r"[cCkK][0-9]*")
"""Names an answer may use as a constant of integration (c, C, k, K, c1, K2, ...), unless
the question has a variable or parameter of that name."""


def is_constant_name(name: str) -> bool:
    return CONSTANT_NAME.fullmatch(name) is not None


def without_names(tree: Expr, names: Iterable[str]) -> Expr:
    """`tree` with each of `names` replaced by 0: the answer without its constant."""
    dropped = set(names)
    zero = Number(Fraction(0))

    def leaf(node: Expr) -> Expr:
        return zero if isinstance(node, Variable) and node.name in dropped else node

    def call(node: Call, args: list[Expr]) -> Expr:
        same = all(new is old for new, old in zip(args, node.args, strict=True))
        return node if same else Call(node.op, tuple(args))

    return fold(tree, leaf, call)


def natural_key(name: str) -> tuple[str, int]:
    """Sort key of a variable name: x2 before x10, x before x1."""
    stem = name.rstrip("0123456789")
    digits = name[len(stem) :]
    return stem, int(digits) if digits else -1


def natural_sorted(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(names), key=natural_key))


def variable_order(
    function: Expr, given: Sequence[str] | None, parameters: Sequence[str] = ()
) -> tuple[str, ...]:
    """The order of gradient components: `given`, or the function's variables sorted;
    `parameters` are names of the function held fixed (not components)."""
    found = [name for name in variables_of(function) if name not in parameters]
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
    widen: tuple[str, ...] = ()  # variables without a teacher's interval: may be widened


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
    constants: tuple[str, ...] = ()  # constants of integration the answer used, set to 0
    strict_domain: bool = False  # an answer defined where the derivative is not is wrong
