"""The catalogue of mistakes: altered references, each a wrong derivative a student might write.

An answer that is not the derivative is compared with each altered reference in turn (the
derivative with its sign flipped, with the chain rule's inner derivative left out, with a
product rule applied as u'v', ...); the first one it matches names the mistake. Three
mistakes are relations rather than formulas and are recognised from the values directly:
``integrated`` (differentiating the answer gives the function back), ``factor`` (a constant
ratio) and ``constant`` (a constant difference).

The rule mistakes (chain, product, quotient) need the structure the student saw, so they are
built from our tree, not from sympy's rewritten form: the tree is differentiated node by node
with each operation's partial derivatives (sympy's diff of the operation on fresh symbols,
then the arguments substituted back), and one node at a time is differentiated wrongly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

import sympy

from ..language.expr import Call, Expr, Variable, walk
from ..language.ops import OPERATIONS
from .exact import SympyTree

MESSAGES: dict[str, str] = {
    "sign": "Check the sign: your answer is the negative of the derivative.",
    "factor": "Your answer is off by a constant factor: check the coefficients.",
    "chain_rule": (
        "You left out an inner derivative: by the chain rule the derivative of f(g(x)) is"
        " f'(g(x)) times g'(x)."
    ),
    "product_rule": "Check the product rule: the derivative of u*v is u'*v + u*v'.",
    "quotient_rule": "Check the quotient rule: the derivative of u/v is (u'*v - u*v')/v**2.",
    "wrong_variable": "You differentiated with respect to the wrong variable.",
    "not_differentiated": "Your answer is the function itself: it still needs differentiating.",
    "wrong_order": "Your answer is a derivative of a different order than the one asked for.",
    "integrated": "Your answer is an antiderivative: you integrated instead of differentiating.",
    "constant": (
        "Your answer differs from the derivative by a constant: check the constant terms"
        " (the derivative of a constant is 0)."
    ),
}
"""The student's message for each built-in mistake, by name."""

RULE_MISTAKE_LIMIT = 40
"""At most this many altered references from the rule mistakes (one per node and variant)."""


@dataclass(frozen=True)
class Mistake:
    """A teacher's own wrong answer: when the student's answer equals `answer` (numerically,
    like any answer), the feedback names `name`, shows `message` and gives `score`."""

    name: str
    answer: str | Expr
    message: str
    score: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"a mistake's score must be in [0, 1], got {self.score}")


def altered_references(
    function: Expr,
    symbols: dict[str, sympy.Symbol],
    wrt: Sequence[str],
    reference: sympy.Expr,
) -> Iterator[tuple[str, sympy.Expr]]:
    """(mistake name, wrong derivative) pairs, most specific first; lazily, because a match
    usually ends the search early and some alterations cost a differentiation each."""
    sympy_function = SympyTree(symbols).value(function)
    # the rules first: a quotient rule with its numerator swapped is also the negative of the
    # derivative, and naming the rule says more
    if len(wrt) == 1:
        yield from _rule_mistakes(function, symbols, wrt[0])
    yield "sign", -reference
    yield from _wrong_variables(sympy_function, symbols, wrt)
    yield "not_differentiated", sympy_function
    yield from _wrong_orders(sympy_function, symbols, wrt)


def _wrong_variables(
    function: sympy.Expr, symbols: dict[str, sympy.Symbol], wrt: Sequence[str]
) -> Iterator[tuple[str, sympy.Expr]]:
    seen = {tuple(sorted(wrt))}
    others = [name for name in symbols if name not in wrt]
    candidates: list[list[str]] = [[name] * len(wrt) for name in others]
    for i in range(len(wrt)):
        for name in symbols:
            if name != wrt[i]:
                candidates.append([*wrt[:i], name, *wrt[i + 1 :]])
    for candidate in candidates:
        key = tuple(sorted(candidate))
        if key not in seen:
            seen.add(key)
            yield "wrong_variable", sympy.diff(function, *(symbols[n] for n in candidate))


def _wrong_orders(
    function: sympy.Expr, symbols: dict[str, sympy.Symbol], wrt: Sequence[str]
) -> Iterator[tuple[str, sympy.Expr]]:
    if len(set(wrt)) == 1:
        variable = symbols[wrt[0]]
        orders = [k for k in range(1, len(wrt) + 3) if k != len(wrt)]
        for k in orders:
            yield "wrong_order", sympy.diff(function, variable, k)
        return
    seen = {tuple(sorted(wrt))}
    candidates = [[*wrt[:i], *wrt[i + 1 :]] for i in range(len(wrt))]
    candidates += [[*wrt, name] for name in wrt]
    for candidate in candidates:
        key = tuple(sorted(candidate))
        if key not in seen:
            seen.add(key)
            yield "wrong_order", sympy.diff(function, *(symbols[n] for n in candidate))


# ---------------------------------------------------------------------------------------------
# rule mistakes on the tree

_ARITHMETIC = frozenset({"add", "sub", "neg", "mul", "div"})
_EVERYWHERE = -1  # a fault at every node of its kind at once

Fault = tuple[int, str] | None  # (node id or _EVERYWHERE, kind)


@cache
def _partials(op: str) -> tuple[tuple[sympy.Symbol, ...], tuple[sympy.Expr, ...]]:
    """The operation's partial derivatives, on fresh real symbols."""
    dummies = tuple(sympy.Dummy(f"u{i}", real=True) for i in range(OPERATIONS[op].arity))
    value = OPERATIONS[op].sympy(*dummies)
    return dummies, tuple(sympy.diff(value, u) for u in dummies)


class _FaultyDerivative:
    """d/dx of a tree, correct except at the node (or nodes) the fault names."""

    def __init__(self, function: Expr, symbols: dict[str, sympy.Symbol], x: str) -> None:
        self.x = x
        self.values = SympyTree(symbols)
        self.depends: dict[int, bool] = {}
        self.inside: dict[int, set[int]] = {}  # node id -> ids of the nodes under it
        self._index(function)
        self.memo: dict[tuple[int, Fault], sympy.Expr] = {}

    def _index(self, root: Expr) -> None:
        order = list(walk(root))
        for node in reversed(order):  # children before parents
            key = id(node)
            if isinstance(node, Call):
                self.depends[key] = any(self.depends[id(a)] for a in node.args)
                below = {key}
                for a in node.args:
                    below |= self.inside[id(a)]
                self.inside[key] = below
            else:
                self.depends[key] = isinstance(node, Variable) and node.name == self.x
                self.inside[key] = {key}

    def derivative(self, node: Expr, fault: Fault) -> sympy.Expr:
        if fault is not None and fault[0] != _EVERYWHERE and fault[0] not in self.inside[id(node)]:
            fault = None  # the fault is elsewhere: this subtree is differentiated correctly
        key = (id(node), fault)
        if key not in self.memo:
            self.memo[key] = self._derivative(node, fault)
        return self.memo[key]

    def _derivative(self, node: Expr, fault: Fault) -> sympy.Expr:
        if not self.depends[id(node)]:
            return sympy.Integer(0)
        if not isinstance(node, Call):
            return sympy.Integer(1)
        here = fault is not None and fault[0] in (id(node), _EVERYWHERE)
        kind = fault[1] if here and fault is not None else None
        args = [self.values.value(a) for a in node.args]
        slopes = [self.derivative(a, fault) for a in node.args]
        if kind is not None and node.op == "mul":
            (u, v), (du, dv) = args, slopes
            wrong = {"product_both": du * dv, "product_left": du * v, "product_right": u * dv}
            if kind in wrong:
                return wrong[kind]
        if kind is not None and node.op == "div":
            (u, v), (du, dv) = args, slopes
            wrong = {
                "quotient_swapped": (u * dv - du * v) / v**2,
                "quotient_unsquared": (du * v - u * dv) / v,
            }
            if kind in wrong:
                return wrong[kind]
        if kind == "chain" and node.op not in _ARITHMETIC:
            # the inner derivative of every non-trivial argument taken as 1
            slopes = [
                sympy.Integer(1) if self._inner(a) else slope
                for a, slope in zip(node.args, slopes, strict=True)
            ]
        dummies, partials = _partials(node.op)
        substitution = dict(zip(dummies, args, strict=True))
        total = sympy.Integer(0)
        for partial, slope in zip(partials, slopes, strict=True):
            if slope != 0:  # skips log(u) of a constant exponent, undefined for u < 0
                total += partial.xreplace(substitution) * slope
        return total

    def _inner(self, node: Expr) -> bool:
        return isinstance(node, Call) and self.depends[id(node)]

    def faults(self, function: Expr) -> Iterator[tuple[str, Fault]]:
        chain_nodes = 0
        for node in walk(function):
            if not isinstance(node, Call) or not self.depends[id(node)]:
                continue
            key = id(node)
            if node.op not in _ARITHMETIC and any(self._inner(a) for a in node.args):
                chain_nodes += 1
                yield "chain_rule", (key, "chain")
            elif node.op == "mul" and all(self.depends[id(a)] for a in node.args):
                for kind in ("product_both", "product_left", "product_right"):
                    yield "product_rule", (key, kind)
            elif node.op == "div" and self.depends[id(node.args[1])]:
                # with a constant numerator (1/x) u'v - uv' has one term, and "swapping" it
                # is just a sign error: the simpler story, told by the sign mistake
                if self.depends[id(node.args[0])]:
                    yield "quotient_rule", (key, "quotient_swapped")
                yield "quotient_rule", (key, "quotient_unsquared")
        if chain_nodes > 1:
            yield "chain_rule", (_EVERYWHERE, "chain")


def _rule_mistakes(
    function: Expr, symbols: dict[str, sympy.Symbol], x: str
) -> Iterator[tuple[str, sympy.Expr]]:
    faulty = _FaultyDerivative(function, symbols, x)
    faults = list(faulty.faults(function))
    # the outermost nodes first: walk() yields parents first; the all-at-once fault is last
    for name, fault in faults[:RULE_MISTAKE_LIMIT]:
        yield name, faulty.derivative(function, fault)
