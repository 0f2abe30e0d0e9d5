"""The expression tree: immutable nodes shared by the parser and all three engines.

Numbers keep their exact rational value (``0.1`` is 1/10, not the nearest float) so that the
exact reference sees what the user wrote; engines that work in float64 round it themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from .ops import OPERATIONS


@dataclass(frozen=True, slots=True)
class Number:
    value: Fraction

    def __float__(self) -> float:
        return float(self.value)


@dataclass(frozen=True, slots=True)
class Constant:
    name: str  # "pi" or "e"


@dataclass(frozen=True, slots=True)
class Variable:
    name: str


@dataclass(frozen=True, slots=True)
class Call:
    op: str  # a key of ops.OPERATIONS
    args: tuple[Expr, ...]


Expr = Number | Constant | Variable | Call


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node, parents before children (iterative: trees may be deep)."""
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Call):
            stack.extend(reversed(node.args))


def variables(expr: Expr) -> tuple[str, ...]:
    """Variable names in order of first appearance, left to right."""
    seen: dict[str, None] = {}
    for node in walk(expr):
        if isinstance(node, Variable):
            seen.setdefault(node.name)
    return tuple(seen)


def size(expr: Expr) -> int:
    return sum(1 for _ in walk(expr))


def depth(expr: Expr) -> int:
    best = 0
    stack: list[tuple[Expr, int]] = [(expr, 1)]
    while stack:
        node, d = stack.pop()
        best = max(best, d)
        if isinstance(node, Call):
            stack.extend((arg, d + 1) for arg in node.args)
    return best


# Binding strength for printing: higher binds tighter.
_PRECEDENCE = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}


def _number_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    decimal = _exact_decimal(value)
    return decimal if decimal is not None else f"{value.numerator}/{value.denominator}"


def _exact_decimal(value: Fraction) -> str | None:
    """The exact decimal text of `value` when it has a short one. (A float's repr is not
    exact: repr(Fraction(0.1)) would read back as 1/10.)"""
    rest, twos, fives = value.denominator, 0, 0
    while rest % 2 == 0:
        rest, twos = rest // 2, twos + 1
    while rest % 5 == 0:
        rest, fives = rest // 5, fives + 1
    places = max(twos, fives)
    if rest != 1 or places > 60:
        return None
    digits = str(abs(value.numerator) * 10**places // value.denominator).rjust(places + 1, "0")
    sign = "-" if value < 0 else ""
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def to_text(expr: Expr) -> str:
    """Canonical text: parses back to the same tree, with only the parentheses it needs."""
    text, _ = _text(expr)
    return text


def _text(expr: Expr) -> tuple[str, int]:
    if isinstance(expr, Number):
        text = _number_text(expr.value)
        # a fraction or a negative prints as a quotient or negation: bind it like one
        if "/" in text:
            return text, 2
        if text.startswith("-"):
            return text, 3
        return text, 5
    if isinstance(expr, Constant | Variable):
        return expr.name, 5
    op = OPERATIONS[expr.op]
    if op.symbol is None:
        name = "log" if expr.op == "logb" else expr.op
        return f"{name}({', '.join(to_text(a) for a in expr.args)})", 5
    prec = _PRECEDENCE[expr.op]
    if expr.op == "neg":
        inner, p = _text(expr.args[0])
        # -x**2 means -(x**2): a power needs no parentheses under a minus
        return "-" + (inner if p > prec else f"({inner})"), prec
    (left, lp), (right, rp) = _text(expr.args[0]), _text(expr.args[1])
    if expr.op == "pow":  # right associative
        left = left if lp > prec else f"({left})"
        right = right if rp >= prec or rp == 3 else f"({right})"
        return f"{left}**{right}", prec
    left = left if lp >= prec else f"({left})"
    right = right if rp > prec else f"({right})"
    return f"{left} {op.symbol} {right}", prec
