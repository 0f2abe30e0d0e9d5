"""The expression tree: immutable nodes shared by the parser and all three engines.

Numbers keep their exact rational value (``0.1`` is 1/10, not the nearest float) so that the
exact reference sees what the user wrote; engines that work in float64 round it themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, TypeVar

from .ops import OPERATIONS

T = TypeVar("T")


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


@dataclass(frozen=True, slots=True, eq=False)
class Call:
    """An operation applied to its arguments.

    Hashing and equality walk the tree without recursion: a flat sum of n terms is a chain
    n deep, and a caller who raises `Limits.max_depth` may build one longer than Python's
    stack. The hash is computed once, from the children's (already computed) hashes.
    """

    op: str  # a key of ops.OPERATIONS
    args: tuple[Expr, ...]
    _hash: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.op, self.args)))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Call):
            return NotImplemented
        pairs: list[tuple[Expr, Expr]] = [(self, other)]
        while pairs:
            a, b = pairs.pop()
            if a is b:
                continue
            if not (isinstance(a, Call) and isinstance(b, Call)):
                if a != b:
                    return False
                continue
            if a._hash != b._hash or a.op != b.op or len(a.args) != len(b.args):
                return False
            pairs.extend(zip(a.args, b.args, strict=True))
        return True

    def __reduce__(self) -> tuple[Any, tuple[list[Any]]]:
        # Pickled flat, in post-order, so that pickle does not recurse down the tree (it
        # goes to grading's workers); the hash is computed again on arrival, since the hash
        # of a string differs from one process to the next.
        return (_rebuild, (_post_order(self),))


def _post_order(root: Call) -> list[Any]:
    """Leaves as they are, each Call as (op, number of arguments), children first."""
    items: list[Any] = []
    stack: list[tuple[Expr, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if not isinstance(node, Call):
            items.append(node)
        elif children_done:
            items.append((node.op, len(node.args)))
        else:
            stack.append((node, True))
            stack.extend((arg, False) for arg in reversed(node.args))
    return items


def _rebuild(items: list[Any]) -> Call:
    built: list[Expr] = []
    for item in items:
        if isinstance(item, tuple):
            op, count = item
            args = tuple(built[len(built) - count :])
            del built[len(built) - count :]
            built.append(Call(op, args))
        else:
            built.append(item)
    (root,) = built
    assert isinstance(root, Call)
    return root


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


def fold(
    expr: Expr,
    leaf: Callable[[Expr], T],
    call: Callable[[Call, list[T]], T],
    done: dict[int, T] | None = None,
) -> T:
    """The value of `expr` built bottom up: `leaf` gives a number's, constant's or
    variable's, `call` an operation's from its arguments' values.

    Without recursion (a flat sum of n terms nests n deep); a subtree shared by several
    parents is computed once. `done` maps node ids to values and may be kept between calls
    on the same living tree.
    """
    done = {} if done is None else done
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in done:
            continue
        if not isinstance(node, Call):
            done[id(node)] = leaf(node)
        elif children_done:
            done[id(node)] = call(node, [done[id(arg)] for arg in node.args])
        else:
            stack.append((node, True))
            stack.extend((arg, False) for arg in node.args if id(arg) not in done)
    return done[id(expr)]


def to_text(expr: Expr) -> str:
    """Canonical text: parses back to the same tree, with only the parentheses it needs."""
    return fold(expr, lambda node: _text(node, []), _text)[0]


def _text(expr: Expr, args: list[tuple[str, int]]) -> tuple[str, int]:
    """The text of one node and how tightly it binds, from its arguments' texts."""
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
        return f"{name}({', '.join(text for text, _ in args)})", 5
    prec = _PRECEDENCE[expr.op]
    if expr.op == "neg":
        inner, p = args[0]
        # -x**2 means -(x**2): a power needs no parentheses under a minus
        return "-" + (inner if p > prec else f"({inner})"), prec
    (left, lp), (right, rp) = args
    if expr.op == "pow":  # right associative
        left = left if lp > prec else f"({left})"
        right = right if rp >= prec or rp == 3 else f"({right})"
        return f"{left}**{right}", prec
    left = left if lp >= prec else f"({left})"
    right = right if rp > prec else f"({right})"
    return f"{left} {op.symbol} {right}", prec
