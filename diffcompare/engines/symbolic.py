"""The symbolic engine: sympy's own derivatives, evaluated in float64 the way a user would.

The formulas come from `sympy.diff` on a sympy expression built from our tree (never from
text), so this route shares no derivative rule with the tape. They are evaluated by a small
walker over the sympy tree in numpy float64, not by generated code: what it measures is how
accurate the formula is when someone types it into a float64 program.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import sympy

from ..deadline import time_budget
from ..errors import InputError, SymbolicError, TimeLimitError
from ..language import ops
from ..language.expr import Call, Constant, Expr, Number, Variable, fold
from ..language.limits import DEFAULT_LIMITS, Limits
from ..language.ops import OPERATIONS, Operation
from .base import EngineResult, Entry, canonical
from .formula_text import FormulaNotWritten, formula_to_text

SIMPLIFY_MAX_OPS = 30
"""Largest `sympy.count_ops` worth simplifying. Measured on ~1200 derivatives of compositions
of two table functions: up to 40 ops `simplify` took 0.1 s typically and 1.5 s at worst,
while one 77-op formula (sqrt(x**2+y**2)*tanh(x-y)**2 differentiated twice) ran past 4
minutes. Larger formulas are kept as `diff` wrote them."""

SIMPLIFY_MIN_OPS = 3
"""Formulas this small (3 * x**2 * y) are left as sympy writes them: simplify cannot say
them shorter, and its first call in a process costs half a second of imports."""

SIMPLIFY_SECONDS = 1.0
"""Time all `simplify` calls of one expression may take together: simplification is for
readable formulas, and a user waiting at the command line should not pay seconds for it
(tanh(w1*x1 + w2*x2 + b) has 15 entries, several of which simplify ponders for a second or
more). Past it, the remaining formulas are kept as `diff` wrote them."""

SIMPLIFY_MAX_NUMBER = 10**4
"""Formulas with a number whose numerator or denominator is larger are not simplified:
simplify rewrites 3486784401*log(99) as log(99**3486784401) and computes that power exactly,
in one C call that no time budget can interrupt."""

FORMULA_TEXT_LENGTH = 200


def to_sympy(expr: Expr, symbols: Mapping[str, sympy.Symbol]) -> sympy.Expr:
    """The sympy expression of a tree, built with the table's sympy builders."""

    def call(node: Call, args: list[Any]) -> Any:
        try:
            return OPERATIONS[node.op].sympy(*args)
        except (ValueError, TypeError, ArithmeticError):
            # sympy refuses some constant arguments outright (Max of a complex number is
            # "not comparable"): such a node has no real value, as in float64
            return sympy.nan

    return fold(expr, lambda node: sympy_leaf(node, symbols), call)


def sympy_leaf(node: Expr, symbols: Mapping[str, sympy.Symbol]) -> sympy.Expr:
    """A number (exact), constant or variable of the tree as sympy's."""
    if isinstance(node, Number):
        return sympy.Rational(node.value.numerator, node.value.denominator)
    if isinstance(node, Constant):
        return sympy.pi if node.name == "pi" else sympy.E
    assert isinstance(node, Variable)
    return symbols[node.name]


@dataclass
class SymbolicDerivatives:
    """The derivative formulas of one expression, each computed once on first request.

    Higher entries reuse lower ones: d²f/dx dy is diff(df/dx, y).
    """

    function: sympy.Expr
    symbols: tuple[sympy.Symbol, ...]
    simplify: bool = True
    limits: Limits = DEFAULT_LIMITS
    seconds: float = 0.0
    """Time spent differentiating and simplifying so far."""
    simplify_seconds: float = 0.0
    """Of which simplifying."""
    simplified: set[Entry] = field(default_factory=set)
    unsimplified: dict[Entry, str] = field(default_factory=dict)
    """Entries whose simplification was cut short, and why (too large, out of time)."""
    _formulas: dict[Entry, sympy.Expr] = field(default_factory=dict)
    _texts: dict[Entry, str] = field(default_factory=dict)
    _written: dict[Entry, tuple[str | None, str | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._formulas[()] = self.function

    def text(self, entry: Entry) -> str:
        """The formula as (shortened) text. Printing a sympy formula costs more than
        evaluating it, and batch cases at ten points share one expression: print once."""
        entry = canonical(entry)
        if entry not in self._texts:
            self._texts[entry] = formula_text(self.formula(entry))
        return self._texts[entry]

    def written(self, entry: Entry) -> tuple[str | None, str | None]:
        """The formula in the expression language (it parses back with `parse`), and a
        note: why it could not be written, or that DiracDelta terms were left out."""
        entry = canonical(entry)
        if entry not in self._written:
            try:
                text, dropped = formula_to_text(self.formula(entry))
            except FormulaNotWritten as error:
                self._written[entry] = (None, str(error))
            else:
                note = "holds away from the kinks (DiracDelta terms left out)" if dropped else None
                self._written[entry] = (text, note)
        return self._written[entry]

    def formula(self, entry: Entry) -> sympy.Expr:
        entry = canonical(entry)
        if any(not 0 <= i < len(self.symbols) for i in entry):
            raise InputError(f"entry {entry} names a variable that is not there")
        missing: list[Entry] = []
        probe = entry
        while probe not in self._formulas:
            missing.append(probe)
            probe = probe[:-1]
        for wanted in reversed(missing):
            self._formulas[wanted] = self._differentiate(wanted)
        return self._formulas[entry]

    def _differentiate(self, entry: Entry) -> sympy.Expr:
        start = time.perf_counter()
        try:
            result = sympy.diff(self._formulas[entry[:-1]], self.symbols[entry[-1]])
        except Exception as error:  # sympy's own failures, never the budget's interrupt
            # seen: "Only real AccumulationBounds are supported" for a third derivative of
            # atan2(x, tan(atanh(-1) - x))
            raise SymbolicError(
                f"sympy could not differentiate {formula_text(self._formulas[entry[:-1]])}"
                f" ({type(error).__name__}: {error})"
            ) from error
        self.seconds += time.perf_counter() - start
        if self.seconds > self.limits.symbolic_seconds:
            raise TimeLimitError(
                f"symbolic differentiation took longer than {self.limits.symbolic_seconds:g} s"
                " (Limits.symbolic_seconds)"
            )
        return self._maybe_simplify(entry, result)

    def _maybe_simplify(self, entry: Entry, formula: sympy.Expr) -> sympy.Expr:
        # simplify can take minutes on large formulas: only small ones, only within budget
        if not self.simplify:
            return formula
        if self.seconds > self.limits.symbolic_seconds / 2:
            self.unsimplified[entry] = "not simplified: differentiating used the time"
            return formula
        operations = sympy.count_ops(formula)
        if operations <= SIMPLIFY_MIN_OPS:
            return formula  # sympy's own canonical form already says it as briefly
        if operations > SIMPLIFY_MAX_OPS:
            self.unsimplified[entry] = (
                f"not simplified: {operations} operations, above {SIMPLIFY_MAX_OPS}"
            )
            return formula
        if _has_large_numbers(formula):
            self.unsimplified[entry] = "not simplified: it holds numbers too large to simplify"
            return formula
        remaining = SIMPLIFY_SECONDS - self.simplify_seconds
        if remaining <= 0.01:
            self.unsimplified[entry] = (
                f"not simplified: the {SIMPLIFY_SECONDS:g} s simplification budget was spent"
            )
            return formula
        start = time.perf_counter()
        try:
            # even a 24-op formula can keep simplify busy for minutes (tanh(w1*x1 + w2*x2 + b)
            # differentiated twice): past the budget the formula stays as diff wrote it
            with time_budget(remaining, "simplify"):
                simpler = sympy.simplify(formula)
        except TimeLimitError:
            simpler = formula
            self.unsimplified[entry] = (
                f"not simplified: simplification did not finish within {remaining:.2g} s"
            )
        except Exception as error:  # simplify's own failures: simplifying is optional
            # seen: a ValueError from Heaviside of a complex argument, in relu(acosh(abs(x)));
            # the formula stays as diff wrote it, which is exact
            simpler = formula
            self.unsimplified[entry] = (
                f"not simplified: sympy's simplify failed ({type(error).__name__})"
            )
        spent = time.perf_counter() - start
        self.seconds += spent
        self.simplify_seconds += spent
        if sympy.count_ops(simpler) < sympy.count_ops(formula) and _same_functions(
            simpler, formula
        ):
            self.simplified.add(entry)
            return simpler
        return formula


def _has_large_numbers(formula: sympy.Expr) -> bool:
    return any(
        max(abs(number.p), number.q) > SIMPLIFY_MAX_NUMBER
        for number in formula.atoms(sympy.Rational)
    )


def _same_functions(simpler: sympy.Expr, formula: sympy.Expr) -> bool:
    # simplify may bring in a Piecewise whose special case is wrong (cbrt's derivative "0 at
    # x = 0") or rewrite |x|**(2/3) through atan2: keep only rewrites within the same functions
    def kinds(e: sympy.Expr) -> set[type]:
        return {type(f) for f in e.atoms(sympy.Function)}

    return not simpler.has(sympy.Piecewise) and kinds(simpler) <= kinds(formula)


def make_symbols(variables: Sequence[str]) -> tuple[sympy.Symbol, ...]:
    # real symbols: Abs differentiates to sign, sqrt(x**2) stays |x|
    return tuple(sympy.Symbol(name, real=True) for name in variables)


@lru_cache(maxsize=128)
def derivatives_for(
    expr: Expr, variables: tuple[str, ...], simplify: bool = True, limits: Limits = DEFAULT_LIMITS
) -> SymbolicDerivatives:
    """The shared (cached) formulas of `expr` in `variables`: cases with the same expression
    reuse them, and the reference evaluates the same formulas as this engine."""
    symbols = make_symbols(variables)
    function = to_sympy(expr, dict(zip(variables, symbols, strict=True)))
    return SymbolicDerivatives(function, symbols, simplify=simplify, limits=limits)


def formula_text(formula: sympy.Expr) -> str:
    text = str(formula)
    if len(text) > FORMULA_TEXT_LENGTH:
        return text[: FORMULA_TEXT_LENGTH - 3] + "..."
    return text


def run(
    expr: Expr,
    variables: Sequence[str],
    point: Sequence[float],
    entries: Sequence[Entry],
    *,
    simplify: bool = True,
    limits: Limits = DEFAULT_LIMITS,
    **_: Any,
) -> EngineResult:
    start = time.perf_counter()
    result = EngineResult(engine="symbolic")
    derivatives = derivatives_for(expr, tuple(variables), simplify, limits)
    values = dict(zip(derivatives.symbols, (float(v) for v in point), strict=True))
    formulas: dict[Entry, str] = {}
    value, reason = evaluate_formula(derivatives.formula(()), values)
    for entry in entries:
        if value is None:
            # no derivative where the function itself is undefined, and no formula needed:
            # sympy may fail on the derivatives of what has no value (tan(-oo - x))
            result.values[entry] = None
            result.reasons[entry] = reason or "undefined"
            continue
        formula = derivatives.formula(entry)
        formulas[entry] = derivatives.text(entry)
        result.values[entry], why = evaluate_formula(formula, values)
        if why is not None:
            result.reasons[entry] = why
    result.info["formulas"] = formulas
    result.info["simplified"] = sorted(derivatives.simplified)
    result.info["symbolic_seconds"] = derivatives.seconds
    result.seconds = time.perf_counter() - start
    return result


# ---------------------------------------------------------------------------------------------
# float64 evaluation of a sympy formula


class _Undefined(Exception):
    """Raised inside the walker; becomes a None with this reason."""


def _pow(base: np.float64, exponent: np.float64) -> np.float64:
    if base < 0 and not float(exponent).is_integer():
        raise _Undefined("complex result")
    if base == 0 and exponent < 0:
        raise _Undefined("infinite (zero to a negative power)")
    if exponent == 0.5:
        return np.sqrt(base)
    if exponent == -0.5:
        return 1 / np.sqrt(base)
    return np.power(base, exponent)


def _heaviside(x: np.float64, at_zero: np.float64 | None = None) -> np.float64:
    if x == 0:
        # sympy's Heaviside(0) is 1/2 unless given; the comparison flags kinks itself
        return np.float64(0.5) if at_zero is None else at_zero
    return np.float64(1.0 if x > 0 else 0.0)


def _dirac(x: np.float64, *order: np.float64) -> np.float64:
    if x == 0:
        raise _Undefined("not differentiable here (DiracDelta at 0)")
    return np.float64(0.0)


SYMPY_FUNCTIONS: dict[type, Callable[..., Any]] = {
    sympy.sech: lambda x: 1 / np.cosh(x),
    sympy.csch: lambda x: 1 / np.sinh(x),
    sympy.coth: lambda x: 1 / np.tanh(x),
    sympy.sign: np.sign,
    sympy.Max: lambda *xs: np.max(xs),
    sympy.Min: lambda *xs: np.min(xs),
    sympy.Heaviside: _heaviside,
    sympy.DiracDelta: _dirac,
}
"""Functions that appear in sympy's derivatives without being operations of the table
(d/dx tanh(x) can come back as sech(x)**2, d/dx abs(x) as sign(x)). The table's own
functions come from its rows: see `float_function`."""


def _row_function(row: Operation) -> tuple[type, Callable[..., Any]] | None:
    """The sympy class a row builds and its float64 evaluation, when the row builds one
    function applied to its arguments as they are (sin(x), atan2(y, x)); rows that expand
    into other functions (sigmoid, log2, relu as Max(0, x)) need none."""
    arguments = tuple(sympy.Dummy(f"a{i}", real=True) for i in range(row.arity))
    try:
        built = row.sympy(*arguments)
    except (TypeError, ValueError, ArithmeticError):
        return None
    if not isinstance(built, sympy.Function) or built.args != arguments:
        return None
    domain, why = row.real_domain, row.nan_reason or f"{row.name} outside its real domain"

    def evaluate(*args: np.float64) -> np.float64:
        if domain is not None and not domain(*(float(a) for a in args)):
            raise _Undefined(f"complex result ({why})")
        return np.float64(row.numpy(*args))

    return type(built), evaluate


_from_rows: tuple[int, dict[type, Callable[..., Any]]] = (-1, {})


def float_function(kind: type) -> Callable[..., Any] | None:
    """How to evaluate a sympy function class in float64, or None: from the table's rows
    (rebuilt when the table is), else from `SYMPY_FUNCTIONS`."""
    global _from_rows
    generation, functions = _from_rows
    if generation != ops.generation:
        pairs = (_row_function(row) for row in ops.TABLE)
        functions = dict(pair for pair in pairs if pair is not None)
        _from_rows = (ops.generation, functions)
    return functions.get(kind) or SYMPY_FUNCTIONS.get(kind)


_RELATIONS: dict[type, Callable[[Any, Any], bool]] = {
    sympy.StrictLessThan: lambda a, b: a < b,
    sympy.LessThan: lambda a, b: a <= b,
    sympy.StrictGreaterThan: lambda a, b: a > b,
    sympy.GreaterThan: lambda a, b: a >= b,
    sympy.Equality: lambda a, b: a == b,
    sympy.Unequality: lambda a, b: a != b,
}


def evaluate_formula(
    formula: sympy.Basic, values: Mapping[sympy.Symbol, float]
) -> tuple[float | None, str | None]:
    """`formula` at the point `values` in float64: (value, None) or (None, reason)."""
    try:
        with np.errstate(all="ignore"):
            value = _Walker(values).value(formula)
    except _Undefined as undefined:
        return None, str(undefined)
    if isinstance(value, bool | np.bool_):
        return None, "not a number (a condition)"
    number = float(value)
    if math.isnan(number):
        return None, "undefined"
    if math.isinf(number):
        return None, "infinite"
    return number, None


class _Walker:
    """Post-order evaluation of a sympy tree, memoised on its (shared) subexpressions."""

    def __init__(self, values: Mapping[sympy.Symbol, float]) -> None:
        self.done: dict[sympy.Basic, Any] = {
            symbol: np.float64(value) for symbol, value in values.items()
        }

    def value(self, root: sympy.Basic) -> Any:
        stack: list[tuple[sympy.Basic, bool]] = [(root, False)]
        while stack:
            node, children_ready = stack.pop()
            if node in self.done:
                continue
            if not node.args or isinstance(node, sympy.Piecewise) or children_ready:
                self.done[node] = self._node(node)
                continue
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if a not in self.done)
        return self.done[root]

    def _node(self, node: sympy.Basic) -> Any:
        if node is sympy.zoo or node in (sympy.oo, -sympy.oo):
            raise _Undefined("infinite")
        if node is sympy.nan:
            raise _Undefined("undefined")
        if node is sympy.true or node is sympy.false:
            return bool(node)
        if node.is_Number:
            return np.float64(float(node))
        if node is sympy.pi:
            return np.float64(math.pi)
        if node is sympy.E:
            return np.float64(math.e)
        if node.is_Symbol:
            raise _Undefined(f"no value for {node}")
        if isinstance(node, sympy.Piecewise):
            return self._piecewise(node)
        args = [self.done[a] for a in node.args]
        if isinstance(node, sympy.Add):
            total = args[0]
            for a in args[1:]:
                total = total + a
            return total
        if isinstance(node, sympy.Mul):
            product = args[0]
            for a in args[1:]:
                product = product * a
            return product
        if isinstance(node, sympy.Pow):
            return _pow(args[0], args[1])
        if isinstance(node, sympy.And):
            return all(args)
        if isinstance(node, sympy.Or):
            return any(args)
        if isinstance(node, sympy.Not):
            return not args[0]
        relation = _RELATIONS.get(type(node))
        if relation is not None:
            return relation(args[0], args[1])
        function = float_function(type(node))
        if function is None:
            raise _Undefined(f"cannot evaluate {type(node).__name__} in float64")
        if any(isinstance(a, bool) for a in args):
            raise _Undefined(f"cannot evaluate {type(node).__name__} of a condition")
        return np.float64(function(*args))

    def _piecewise(self, node: sympy.Basic) -> Any:
        # only the branch that applies is evaluated: the others may be undefined here
        for pair in node.args:
            if self.value(pair.cond):
                return self.value(pair.expr)
        raise _Undefined("undefined (no branch of a Piecewise applies)")
