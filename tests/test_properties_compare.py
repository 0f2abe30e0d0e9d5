"""Property tests for guarantee 3: whatever the text, the parser and `compare` return a result
or raise a DiffCompareError, in bounded time, without a warning or a printed word; and the
JSON of every comparison is strict JSON (no NaN or Infinity tokens)."""

from __future__ import annotations

import contextlib
import io
import json
import time
import warnings
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diffcompare import DiffCompareError, Limits, compare
from diffcompare.language.expr import Call, Expr, Number, Variable, variables
from diffcompare.language.ops import CONSTANTS, FUNCTIONS, TABLE
from diffcompare.language.parse import parse, parse_point

BOUND = 2.0  # processor seconds for the parser (a busy machine does not inflate them)
COMPARE_BOUND = 8.0  # processor seconds for a comparison: its symbolic budget below, and the rest
LIMITS = Limits(symbolic_seconds=3.0)  # keeps a pathological draw from costing the suite 10 s
POINT_VALUES = st.sampled_from([0.0, 1.0, -1.0, 0.5, 2.0, -2.5, 1e-12, 1e-300, 700.0, -1e300])
SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _parsed_or_refused(text: str) -> Expr | None:
    start = time.process_time()
    try:
        tree = parse(text)
    except DiffCompareError:
        tree = None
    assert time.process_time() - start < BOUND
    return tree


def _compared_or_refused(expression: str | Expr, point: dict[str, float], order: int) -> None:
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy warning would fail here
        try:
            comparison = compare(expression, point, order=order, limits=LIMITS)
        except DiffCompareError:
            comparison = None
    assert time.process_time() - start < COMPARE_BOUND
    if comparison is not None:
        json.dumps(comparison.to_dict(), allow_nan=False)
        for outcome in comparison.engines.values():
            for check in outcome.checks.values():
                assert check.value is not None or check.reason


# -- random text ------------------------------------------------------------------------


@SETTINGS
@given(st.text(max_size=300))
def test_any_text_parses_or_is_refused(text: str) -> None:
    _parsed_or_refused(text)


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_as_a_point_parses_or_is_refused(text: str) -> None:
    try:
        point = parse_point(text)
    except DiffCompareError:
        return
    assert all(isinstance(v, float) for v in point.values())


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80), POINT_VALUES)
def test_any_text_through_compare(text: str, x: float) -> None:
    _compared_or_refused(text, {"x": x}, 2)


# -- random token sequences -------------------------------------------------------------

NUMBERS = st.sampled_from(["0", "1", "2", "3", "0.5", ".25", "10", "1e3", "2.5e-3", "1e308", "7"])
NAMES = st.sampled_from(["x", "y", "z", "x1", "pi", "e", "w"])
FUNCTION_NAMES = st.sampled_from(sorted(FUNCTIONS))
OPERATORS = st.sampled_from(["+", "-", "*", "/", "**", "^"])
PUNCTUATION = st.sampled_from(["(", ")", ",", "(", ")"])
TOKENS = st.one_of(NUMBERS, NAMES, FUNCTION_NAMES, OPERATORS, PUNCTUATION)


def _join(tokens: list[str], spaces: list[bool]) -> str:
    return "".join(t + (" " if s else "") for t, s in zip(tokens, spaces, strict=False))


@SETTINGS
@given(st.lists(TOKENS, max_size=60), st.lists(st.booleans(), min_size=60, max_size=60))
def test_token_sequences_parse_or_are_refused(tokens: list[str], spaces: list[bool]) -> None:
    _parsed_or_refused(_join(tokens, spaces))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(TOKENS, min_size=1, max_size=25),
    st.lists(st.booleans(), min_size=25, max_size=25),
    st.data(),
)
def test_token_sequences_through_compare(
    tokens: list[str], spaces: list[bool], data: st.DataObject
) -> None:
    text = _join(tokens, spaces)
    tree = _parsed_or_refused(text)
    names = variables(tree) if tree is not None else ("x",)
    point = {name: data.draw(POINT_VALUES) for name in names}
    order = data.draw(st.integers(0, 3)) if len(names) == 1 else 2
    _compared_or_refused(text, point, order)


def _shapes(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, OPERATORS, children).map("".join),
        children.map(lambda a: f"({a})"),
        children.map(lambda a: f"-{a}"),
        st.tuples(FUNCTION_NAMES, children).map(lambda p: f"{p[0]}({p[1]})"),
        st.tuples(FUNCTION_NAMES, children, children).map(lambda p: f"{p[0]}({p[1]}, {p[2]})"),
    )


# token sequences shaped like the grammar: most parse (a wrong arity or an undefined point
# does not), so most reach the engines
SHAPED = st.recursive(st.one_of(NUMBERS, NAMES), _shapes, max_leaves=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SHAPED, st.data())
def test_grammar_shaped_token_sequences_through_compare(text: str, data: st.DataObject) -> None:
    tree = _parsed_or_refused(text)
    names = variables(tree) if tree is not None else ("x",)
    point = {name: data.draw(POINT_VALUES) for name in names}
    order = data.draw(st.integers(0, 3)) if len(names) == 1 else 2
    _compared_or_refused(text, point, order)


# -- random valid expressions from the operation table ----------------------------------

LEAVES = st.one_of(
    st.sampled_from([Variable("x"), Variable("y")]),
    st.fractions(min_value=-5, max_value=5, max_denominator=8).map(lambda f: Number(Fraction(f))),
)


def _calls(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    # a branch per operation rather than a flatmap, which hides the recursion from hypothesis
    return st.one_of(
        [st.builds(Call, st.just(op.name), st.tuples(*[children] * op.arity)) for op in TABLE]
    )


EXPRESSIONS = st.recursive(LEAVES, _calls, max_leaves=6)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    EXPRESSIONS,
    st.one_of(POINT_VALUES, st.floats(-4, 4)),
    st.one_of(POINT_VALUES, st.floats(-4, 4)),
)
def test_random_table_expressions_at_random_points(tree: Expr, x: float, y: float) -> None:
    names = variables(tree)
    point = {name: {"x": x, "y": y}[name] for name in names}
    order = 3 if len(names) == 1 else 2
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        _compared_or_refused(tree, point, order)
    assert out.getvalue() == "" and err.getvalue() == ""


def test_the_token_alphabet_knows_the_grammar() -> None:
    # a new function or constant in the table reaches these tests without editing them
    assert set(FUNCTIONS) <= set(FUNCTION_NAMES.elements)  # type: ignore[attr-defined]
    assert set(CONSTANTS) <= set(NAMES.elements)  # type: ignore[attr-defined]
