"""The symbolic engine's formulas written back in the expression language.

A formula shown to a user should be one they can paste back into diffcompare: sympy's own
printer writes ``Abs``, ``E`` and ``Heaviside``, which the parser does not know. So a sympy
formula is turned into our expression tree, and `expr.to_text` (which always parses back)
writes it. sympy's functions that the language lacks are written with the table's own:
``sign(u)`` as ``u/abs(u)``, ``Heaviside(u)`` as ``relu(u)/u``, ``Max(0, u)`` as
``relu(u)``; these agree with sympy wherever the function is differentiable, and are
undefined at the kink itself, where the derivative does not exist either.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy

from ..language.expr import Call, Constant, Expr, Number, Variable, to_text
from ..language.ops import OPERATIONS


class FormulaNotWritten(Exception):
    """The formula holds something the expression language cannot write."""


def _operation_named(node: sympy.Basic) -> str | None:
    """The table's function that a sympy function application is, by name and arity: sympy
    calls them as we do (sin, atan2, erf; Abs for abs). Building each row's sympy form to
    compare classes would cost a fifth of a second in every fresh worker."""
    op = OPERATIONS.get(type(node).__name__.lower())
    if op is None or op.symbol is not None or op.arity != len(node.args):
        return None
    return op.name


def formula_to_text(formula: sympy.Basic) -> tuple[str, bool]:
    """The formula as expression-language text, and whether DiracDelta terms were dropped.

    DiracDelta(u) is 0 wherever u != 0; at u = 0 the derivative does not exist. Raises
    FormulaNotWritten for what the language cannot say (a Piecewise, an infinity).
    """
    return to_text(formula_tree(formula)), formula.has(sympy.DiracDelta)


def formula_tree(formula: sympy.Basic) -> Expr:
    """The formula as our expression tree (DiracDelta terms left out, as above), so that
    our own evaluator can run it on arrays."""
    if formula.has(sympy.DiracDelta):
        formula = formula.replace(sympy.DiracDelta, lambda *args: sympy.S.Zero)
    return from_sympy(formula)


MAX_NODES = 5000
"""Largest formula written, in nodes of its tree: the derivative of a deeply nested
expression can hold tens of thousands, which no one reads (and which would cost seconds)."""


def from_sympy(formula: sympy.Basic, done: dict[sympy.Basic, Expr] | None = None) -> Expr:
    """Our expression tree of a sympy formula (post-order, without recursion). `done` holds
    the subtrees already converted, shared with the calls made for rewritten pieces."""
    done = {} if done is None else done
    stack: list[tuple[sympy.Basic, bool]] = [(formula, False)]
    while stack:
        node, ready = stack.pop()
        if node in done:
            continue
        if ready or not node.args or isinstance(node, sympy.Rational):
            done[node] = _node(node, done)
            if len(done) > MAX_NODES:
                raise FormulaNotWritten(f"it is too long to write (over {MAX_NODES:,} nodes)")
            continue
        stack.append((node, True))
        stack.extend((a, False) for a in node.args if a not in done)
    return done[formula]


def _node(node: sympy.Basic, done: dict[sympy.Basic, Expr]) -> Expr:
    if isinstance(node, sympy.Symbol):
        return Variable(node.name)
    if node is sympy.pi:
        return Constant("pi")
    if node is sympy.E:
        return Constant("e")
    if isinstance(node, sympy.Rational):
        return _number(Fraction(int(node.p), int(node.q)))
    if isinstance(node, sympy.Float):
        return _number(Fraction(float(node)))
    if node.is_Number:  # an infinity or nan
        raise FormulaNotWritten(f"the language has no way to write {node}")
    if isinstance(node, sympy.Add):
        return _sum(node, done)
    if isinstance(node, sympy.Mul):
        return _product(node, done)
    if isinstance(node, sympy.Pow):
        return _power(node, done)
    args = [done[a] for a in node.args]
    if isinstance(node, sympy.exp):  # exp(u) is a Pow in some sympy versions, a Function here
        return Call("exp", (args[0],))
    name = _operation_named(node)
    if name is not None:
        return Call(name, tuple(args))
    if isinstance(node, sympy.sign):
        return Call("div", (args[0], Call("abs", (args[0],))))
    if isinstance(node, sympy.Heaviside):
        return Call("div", (Call("relu", (args[0],)), args[0]))
    if isinstance(node, sympy.Max | sympy.Min):
        return _extremum(node, args)
    raise FormulaNotWritten(f"the language has no way to write {type(node).__name__}")


MAX_DIGITS = 4000
"""Longest number written (the parser's default limit on constants): a derivative of
2**2**2**2**2*x holds 2**65536, which no one reads, and Python will not print."""


def _number(value: Fraction) -> Expr:
    for part in (value.numerator, value.denominator):
        if abs(part).bit_length() > MAX_DIGITS * 3.33:
            digits = int(abs(part).bit_length() * 0.30103)
            raise FormulaNotWritten(f"it holds a number of about {digits:,} digits")
    if value < 0:
        return Call("neg", (Number(-value),))
    return Number(value)


def _negated(node: sympy.Basic) -> bool:
    return bool(node.could_extract_minus_sign())


def _sum(node: sympy.Add, done: dict[sympy.Basic, Expr]) -> Expr:
    terms = node.as_ordered_terms()
    positive = [t for t in terms if not _negated(t)]
    if positive and _negated(terms[0]):  # 1 - x**2 rather than -x**2 + 1
        terms.remove(positive[0])
        terms.insert(0, positive[0])
    result = _known(terms[0], done)
    for term in terms[1:]:
        if _negated(term):
            result = Call("sub", (result, _known(-term, done)))
        else:
            result = Call("add", (result, _known(term, done)))
    return result


def _known(node: sympy.Basic, done: dict[sympy.Basic, Expr]) -> Expr:
    return done[node] if node in done else from_sympy(node, done)


def _product(node: sympy.Mul, done: dict[sympy.Basic, Expr]) -> Expr:
    coefficient, rest = node.as_coeff_Mul()
    negative = bool(coefficient < 0)
    numerator: list[Expr] = []
    denominator: list[Expr] = []
    magnitude = abs(coefficient)
    if isinstance(magnitude, sympy.Rational):
        if magnitude.p != 1:
            numerator.append(_number(Fraction(int(magnitude.p))))
        if magnitude.q != 1:
            denominator.append(_number(Fraction(int(magnitude.q))))
    else:  # a float coefficient
        numerator.append(Number(Fraction(float(magnitude))))
    factors = rest.as_ordered_factors() if rest != 1 else []
    for factor in factors:
        base, exponent = factor.as_base_exp()
        if exponent.is_Number and exponent < 0 and not isinstance(factor, sympy.exp):
            denominator.append(_known(base**-exponent, done))
        else:
            numerator.append(_known(factor, done))
    if negative:  # -2 * x rather than -(2 * x): the sign goes on the first factor
        first = numerator[0] if numerator else Number(Fraction(1))
        numerator[:1] = [Call("neg", (first,))]
    top = _chain("mul", numerator) if numerator else Number(Fraction(1))
    return Call("div", (top, _chain("mul", denominator))) if denominator else top


def _chain(op: str, items: list[Expr]) -> Expr:
    result = items[0]
    for item in items[1:]:
        result = Call(op, (result, item))
    return result


def _power(node: sympy.Pow, done: dict[sympy.Basic, Expr]) -> Expr:
    base, exponent = node.args
    if base is sympy.E:
        return Call("exp", (_known(exponent, done),))
    if exponent == sympy.Rational(1, 2):
        return Call("sqrt", (done[base],))
    if exponent.is_Number and exponent < 0:
        return Call("div", (Number(Fraction(1)), _known(base**-exponent, done)))
    return Call("pow", (done[base], _exponent(exponent, done)))


def _exponent(exponent: sympy.Basic, done: dict[sympy.Basic, Expr]) -> Expr:
    if isinstance(exponent, sympy.Rational) and exponent.q != 1:
        # 3/2 as a quotient, so it prints as x**(3/2) rather than x**1.5
        value = Fraction(int(exponent.p), int(exponent.q))
        return Call(
            "div", (_number(Fraction(value.numerator)), Number(Fraction(value.denominator)))
        )
    return done[exponent]


def _extremum(node: Any, args: list[Expr]) -> Expr:
    # Max(a, b) = b + relu(a - b) and Min(a, b) = a - relu(a - b), folded over the arguments
    result = args[0]
    for other in args[1:]:
        if isinstance(node, sympy.Max):
            if result == Number(Fraction(0)):
                result = Call("relu", (other,))
            else:
                result = Call("add", (other, Call("relu", (Call("sub", (result, other)),))))
        else:
            result = Call("sub", (result, Call("relu", (Call("sub", (result, other)),))))
    return result
