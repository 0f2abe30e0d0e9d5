"""The parser: the language it accepts, every refusal's message and column, its limits, and
the text of a point."""

from __future__ import annotations

import math
import pickle
import time
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffcompare.errors import (
    DiffCompareError,
    InputError,
    LimitError,
    MissingValueError,
    ParseError,
)
from diffcompare.language.expr import Call, Constant, Expr, Number, Variable, to_text
from diffcompare.language.limits import Limits
from diffcompare.language.ops import CONSTANTS, OPERATIONS, TABLE
from diffcompare.language.parse import (
    check_coordinate,
    check_point,
    parse,
    parse_point,
    unused_variables,
)


def value(expr: Expr, **env: float) -> float:
    """A plain float evaluation, independent of the engines, to check what a tree means."""
    if isinstance(expr, Number):
        return float(expr.value)
    if isinstance(expr, Constant):
        return CONSTANTS[expr.name]
    if isinstance(expr, Variable):
        return env[expr.name]
    scalar = OPERATIONS[expr.op].scalar
    assert scalar is not None
    return scalar(*(value(arg, **env) for arg in expr.args))


def n(v: int | str) -> Number:
    return Number(Fraction(v))


X, Y = Variable("x"), Variable("y")


def call(op: str, *args: Expr) -> Call:
    return Call(op, args)


# ---------------------------------------------------------------------------------------
# what the language means


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2^3^2", 512.0),
        ("2**3**2", 512.0),
        ("(2**3)**2", 64.0),
        ("8/4/2", 1.0),
        ("2-3-4", -5.0),
        ("2+3*4", 14.0),
        ("(2+3)*4", 20.0),
        ("-2**2", -4.0),
        ("2**-1", 0.5),
        ("2**-1*4", 2.0),
        ("-2*-3", 6.0),
        ("3 - -2", 5.0),
        ("+3 - +2", 1.0),
        ("2*3/4*5", 7.5),
        ("--2", 2.0),
        ("log(8, 2)", 3.0),
        ("ln(e)", 1.0),
        ("pow(2, 10)", 1024.0),
        ("atan2(1, 1) * 4", math.pi),
    ],
)
def test_evaluates_as_written(text: str, expected: float) -> None:
    assert value(parse(text)) == pytest.approx(expected, rel=1e-15)


def test_trees_for_unary_minus_and_power() -> None:
    assert parse("-x**2") == call("neg", call("pow", X, n(2)))
    assert parse("x**-2") == call("pow", X, call("neg", n(2)))
    assert parse("x^-y^2") == call("pow", X, call("neg", call("pow", Y, n(2))))
    assert parse("2*-x") == call("mul", n(2), call("neg", X))
    assert parse("-x*y") == call("mul", call("neg", X), Y)
    assert parse("+x") == X
    # a negative literal stays a negation of a positive number
    assert parse("-2") == call("neg", n(2))


def test_calls_resolve_through_the_function_table() -> None:
    assert parse("log(x, 2)") == call("logb", X, n(2))
    assert parse("log(x)") == call("log", X)
    assert parse("ln(x)") == call("log", X)
    assert parse("pow(x, y)") == call("pow", X, Y)
    assert parse("sin(cos(x))") == call("sin", call("cos", X))
    assert parse("atan2(y, x)") == call("atan2", Y, X)


@pytest.mark.parametrize(
    ("text", "exact"),
    [
        ("12", Fraction(12)),
        ("1.5", Fraction(3, 2)),
        (".5", Fraction(1, 2)),
        ("5.", Fraction(5)),
        ("0.1", Fraction(1, 10)),
        ("1e-3", Fraction(1, 1000)),
        ("2.5E+4", Fraction(25000)),
        ("007.250", Fraction(29, 4)),
        ("0e999999999999999999", Fraction(0)),
        ("1" + "0" * 200, Fraction(10**200)),
        ("1" * 100, Fraction(int("1" * 100))),
    ],
)
def test_numbers_keep_their_exact_decimal_value(text: str, exact: Fraction) -> None:
    assert parse(text) == Number(exact)


def test_names_constants_and_whitespace() -> None:
    assert parse("pi") == Constant("pi")
    assert parse("e") == Constant("e")
    assert parse("x1_b") == Variable("x1_b")
    assert parse("Pi") == Variable("Pi")  # names are case-sensitive
    assert parse("exp_1 + ex") == call("add", Variable("exp_1"), Variable("ex"))
    assert parse(" \tx\n +\r\n1 ") == call("add", X, n(1))


# ---------------------------------------------------------------------------------------
# refusals: message and column


@pytest.mark.parametrize(
    ("text", "reason", "column"),
    [
        ("", "empty expression", None),
        ("   ", "empty expression", None),
        ("2 × x", "unexpected character '×' (U+00D7): write * instead", 3),
        ("2 − x", "unexpected character '−' (U+2212): write - instead", 3),
        ("2 ÷ x", "unexpected character '÷' (U+00F7): write / instead", 3),
        ("x²", "unexpected character '²' (U+00B2): write **2 instead", 2),
        ("2π", "unexpected character 'π' (U+03C0): write pi instead", 2),
        ("ｘ+1", "fullwidth character 'ｘ' (U+FF58): write x", 1),
        ("x\u200b+1", "invisible character U+200B (ZERO WIDTH SPACE): delete it", 2),
        ("x\ufeff", "invisible character U+FEFF (ZERO WIDTH NO-BREAK SPACE): delete it", 2),
        ("x\u00a0+ 1", "unusual space U+00A0 (NO-BREAK SPACE): use an ordinary space", 2),
        ("x+\x00", "control character U+0000: delete it", 3),
        ("x\x1b", "control character U+001B: delete it", 2),
        ("α*2", "unexpected character 'α' (U+03B1): names are ASCII; write alpha instead", 1),
        ("sinn(x)", "unknown function 'sinn' — did you mean 'sin'?", 1),
        ("1 + expp(x)", "unknown function 'expp' — did you mean 'exp'?", 5),
        ("gamma(x)", "unsupported function 'gamma' (diffcompare functions lists those there are)",
         1),
        ("2*max(x, 1)", "unsupported function 'max' (for max(a, b) write b + relu(a - b); "
         "diffcompare functions lists those there are)", 3),
        ("factorial(x)", "unsupported function 'factorial' (diffcompare functions lists those "
         "there are)", 1),
        ("theta(x)", "unsupported function 'theta' (diffcompare functions lists those there are)",
         1),
        ("w1(x)", "'w1' is a variable, not a function (missing operator? write w1*(...))", 1),
        ("sin(x, y)", "sin takes 1 argument, got 2", 1),
        ("atan2(x)", "atan2 takes 2 arguments, got 1", 1),
        ("log(x, 2, 3)", "log takes 1 or 2 arguments, got 3", 1),
        ("2*cos()", "cos takes 1 argument, got none", 3),
        ("x(2)", "'x' is a variable, not a function (missing operator? write x*(...))", 1),
        ("pi(2)", "'pi' is a constant, not a function (missing operator? write pi*(...))", 1),
        ("sin + 1", "'sin' is a function: write sin(...)", 1),
        ("x * sin", "'sin' is a function: write sin(...)", 5),
        ("(x + 1", "missing ')': this '(' is never closed", 1),
        ("sin(x", "missing ')': this '(' is never closed", 4),
        ("((x) + (1", "missing ')': this '(' is never closed", 8),
        ("x + 1)", "unmatched ')'", 6),
        (")", "unmatched ')'", 1),
        ("x +", "expected an expression after '+'", 4),
        ("x + * 2", "expected an expression after '+', found '*'", 5),
        ("2 * * 3", "expected an expression after '*', found '*' (for a power write **)", 5),
        ("* 2", "expected an expression before '*'", 1),
        ("(x + )", "expected an expression after '+', found ')'", 6),
        ("sin(x,)", "expected an expression after ',', found ')'", 7),
        ("()", "empty parentheses: expected an expression inside", 2),
        ("2x", "missing operator between '2' and 'x' — write 2*x", 2),
        ("2(x+1)", "missing operator between '2' and '(' — write 2*(...)", 2),
        ("x y", "missing operator between 'x' and 'y' — write x*y", 3),
        ("(x)(y)", "missing operator between ')' and '(' — write )*(...)", 4),
        ("2sin(x)", "missing operator between '2' and 'sin' — write 2*sin", 2),
        ("__import__('os')", "names may not start with '_'", 1),
        ("_x + 1", "names may not start with '_'", 1),
        ("lambda: 1", "'lambda' is Python, not part of the expression language", 1),
        ("x if x else y", "'if' is Python, not part of the expression language", 3),
        ("[x]", "unexpected character '[' (U+005B): use parentheses ( ) for grouping", 1),
        ("{x}", "unexpected character '{' (U+007B): use parentheses ( ) for grouping", 1),
        ("x.real", "unexpected character '.' (U+002E): attributes and methods are not part of"
         " the language", 2),
        ("x + .", "unexpected character '.' (U+002E): a number needs a digit next to its '.'", 5),
        ("1, 2", "',' is only allowed between a function's arguments", 2),
        ("(x, y)", "',' is only allowed between a function's arguments", 3),
        ("x = 1", "unexpected character '=' (U+003D): write an expression, not an equation or"
         " an assignment", 3),
        ("'x'", "unexpected character \"'\" (U+0027): strings are not part of the language", 1),
        ('"x"', "unexpected character '\"' (U+0022): strings are not part of the language", 1),
        ("x @ y", "unexpected character '@' (U+0040): there is no matrix multiplication;"
         " write * to multiply", 3),
        ("x % 2", "unexpected character '%' (U+0025): there is no remainder operator", 3),
        ("x // 2", "'//' (floor division) is not part of the language: write /", 3),
        ("1.2.3", "malformed number '1.2.'", 1),
        ("1e+", "malformed number '1e+': its exponent needs digits", 1),
        ("x $ 1", "unexpected character '$' (U+0024)", 3),
    ],
)  # fmt: skip
def test_refusals_say_what_and_where(text: str, reason: str, column: int | None) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert caught.value.reason == reason
    assert caught.value.column == column
    assert caught.value.text == text


def test_rendered_message_has_a_caret_under_the_column() -> None:
    with pytest.raises(ParseError) as caught:
        parse("1 + 2x")
    assert str(caught.value).splitlines() == [
        "missing operator between '2' and 'x' — write 2*x at column 6",
        "  1 + 2x",
        "       ^",
    ]


def test_non_text_is_an_input_error() -> None:
    with pytest.raises(InputError):
        parse(b"x + 1")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# limits


def test_length_is_checked_before_anything_else() -> None:
    with pytest.raises(LimitError) as caught:
        parse("x" * 12_000)
    assert caught.value.message == (
        "expression is 12000 characters long; the limit is 10000 (Limits.max_length)"
    )
    # a megabyte of text that would be a parse error is refused for its length before it is
    # read: a LimitError, not the ParseError its first character would give
    with pytest.raises(LimitError, match="Limits.max_length"):
        parse("\x00" * 1_000_000)


def test_deep_nesting_is_a_limit_error_not_a_recursion_error() -> None:
    for text in ("(" * 100_000 + "x" + ")" * 100_000, "-" * 5000 + "x", "sin(" * 3000 + "x"):
        start = time.process_time()
        with pytest.raises(LimitError, match=r"Limits\.max_depth"):
            parse(text, Limits(max_length=10**6))
        # not a speed goal (those live in benchmarks/): a bound a busy machine cannot reach,
        # while work quadratic in 200,000 characters would take hours
        assert time.process_time() - start < 30.0
    with pytest.raises(LimitError, match=r"limit is 100 \(Limits.max_depth\)"):
        parse("+".join(["x"] * 150))  # a long sum is a deep tree
    assert parse("(" * 99 + "x" + ")" * 99) == X


def test_the_parser_itself_never_recurses() -> None:
    # with the depth limit raised, 20 000 parentheses parse (twenty times Python's recursion
    # limit): nothing uses the Python stack
    generous = Limits(max_length=10**6, max_depth=10**6)
    assert parse("(" * 20_000 + "x" + ")" * 20_000, generous) == X
    tree = parse("-" * 20_000 + "x", Limits(max_depth=10**6, max_nodes=10**6, max_length=10**6))
    assert isinstance(tree, Call) and tree.op == "neg"


def test_nodes_and_variables_limits() -> None:
    with pytest.raises(LimitError, match=r"more than 4 nodes; the limit is 4 \(Limits.max_nodes\)"):
        parse("x + y + z", Limits(max_nodes=4))
    assert parse("x + y", Limits(max_nodes=3)) == call("add", X, Y)
    with pytest.raises(LimitError, match=r"the limit is 3 \(Limits.max_variables\)"):
        parse("a + b + c + d", Limits(max_variables=3))
    assert parse("a * a + b * c", Limits(max_variables=3)) is not None


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("1e400", "is too large (about 1e400); the limit is 1e300"),
        ("1e-400", "is too small (about 1e-400); the limit is 1e-300"),
        ("1e999999999", "is too large (about 1e999999999)"),
        ("x + 1e99999999999999999999999999", "at column 5 is too large"),
        ("0." + "0" * 310 + "1", "is too small"),
        ("1" * 101, "has 101 significant digits; the limit is 100 (Limits.max_literal_digits)"),
    ],
)
def test_oversized_literals(text: str, what: str) -> None:
    with pytest.raises(LimitError) as caught:
        parse(text)
    assert what in caught.value.message


def test_ten_thousand_characters_parse_fast() -> None:
    text = "+".join(["sin(x1)*2.5"] * 900)[:9990].rstrip("+*.sin(x12")
    big = Limits(max_nodes=10**5, max_depth=10**5)
    start = time.process_time()
    tree = parse(text, big)
    # milliseconds in practice; the bound (processor time, which a busy machine does not
    # inflate) only catches work that grows faster than the text
    assert time.process_time() - start < 10.0
    assert isinstance(tree, Call)


def test_constant_growth_is_refused_at_parse_time() -> None:
    with pytest.raises(LimitError, match="9\\*\\*9\\*\\*9"):
        parse("x + 9**9**9")


# ---------------------------------------------------------------------------------------
# round trip and robustness

_NAMES = st.sampled_from(["x", "y", "z1", "a_b", "Theta", "ex"])
_DECIMALS = st.builds(lambda m, k: Fraction(m, 10**k), st.integers(0, 10**6), st.integers(0, 8))
_LEAVES: st.SearchStrategy[Expr] = st.one_of(
    _DECIMALS.map(Number),
    st.sampled_from(sorted(CONSTANTS)).map(Constant),
    _NAMES.map(Variable),
)


def _calls(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    # a branch per operation rather than a flatmap, which hides the recursion from hypothesis
    return st.one_of(
        [st.builds(Call, st.just(op.name), st.tuples(*[children] * op.arity)) for op in TABLE]
    )


_TREES = st.recursive(_LEAVES, _calls, max_leaves=16)
_UNBOUNDED_CONSTANTS = Limits(max_constant_log10=math.inf)


@settings(max_examples=200, deadline=None)
@given(_TREES)
def test_canonical_text_parses_back_to_the_same_tree(tree: Expr) -> None:
    assert parse(to_text(tree), _UNBOUNDED_CONSTANTS) == tree


_SOUP = st.text(
    alphabet=st.sampled_from(list("0123456789.eE+-*/^(),xy _sinlogpq ×²\u200b\x00=[")),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(_SOUP)
def test_any_text_parses_or_is_refused_with_our_errors(text: str) -> None:
    try:
        tree = parse(text)
    except DiffCompareError as error:
        assert error.kind in ("parse", "limit")
        if isinstance(error, ParseError) and error.column is not None:
            assert 1 <= error.column <= len(text) + 1
    else:
        assert parse(to_text(tree)) == tree


# ---------------------------------------------------------------------------------------
# points


def test_parse_point_reads_names_and_values_in_order() -> None:
    point = parse_point("x=1, y = -2.5e-1 ;z1=3")
    assert point == {"x": 1.0, "y": -0.25, "z1": 3.0}
    assert list(point) == ["x", "y", "z1"]
    assert parse_point("x1=2,x2=3") == {"x1": 2.0, "x2": 3.0}
    assert parse_point("a=pi, b=-e, c=-pi/2, d=2*pi, f=+.5") == {
        "a": math.pi,
        "b": -math.e,
        "c": -math.pi / 2,
        "d": 2 * math.pi,
        "f": 0.5,
    }
    assert parse_point("") == {}
    assert parse_point("x=0") == {"x": 0.0}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x=nan", "--at: value of 'x' is 'nan': a point must be a finite number"),
        ("x=-inf", "--at: value of 'x' is '-inf': a point must be a finite number"),
        ("x=Infinity", "--at: value of 'x' is 'Infinity': a point must be a finite number"),
        ("x=1e400", "--at: value of 'x' is '1e400': too large for a float64"),
        ("x=1e-400", "--at: value of 'x' is '1e-400': too small for a float64 (it would be 0)"),
        ("x=1e305", "--at: value of 'x' is 1e+305: its size is beyond 1e±300"),
        ("x=abc", "--at: value of 'x' is 'abc': not a number"),
        ("x=1.2.3", "--at: value of 'x' has a malformed number '1.2.3'"),
        ("x=1, x=2", "--at: 'x' is given twice"),
        ("_x=1", "--at: '_x' is not a usable variable name: names may not start with '_'"),
        ("sin=1", "--at: 'sin' is not a usable variable name: 'sin' is a function"),
        ("pi=3", "--at: 'pi' is not a usable variable name: 'pi' is a constant"),
        ("2x=1", "--at: '2x' is not a usable variable name"),
        ("x", "--at: expected name=value, got 'x'"),
        ("x=", "--at: 'x' has no value"),
        ("x=1/0", "--at: value of 'x' is '1/0': division by zero"),
    ],
)
def test_parse_point_refusals(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_point(text)
    assert caught.value.message.startswith(message)


def test_parse_point_names_where_the_point_came_from() -> None:
    with pytest.raises(InputError, match="^point: value of 'y'"):
        parse_point("y=nan", where="point")


def test_check_point() -> None:
    check_point(["x", "y"], {"x": 1.0, "y": 2.0})
    check_point([], {})
    with pytest.raises(MissingValueError) as caught:
        check_point(["x", "y"], {"x": 1.0})
    assert caught.value.message == "variable 'y' has no value"  # no --at: not only the CLI
    assert caught.value.name == "y"
    # a name the expression does not use is accepted (its derivatives are 0), not unchecked
    check_point(["x", "y"], {"x": 1.0, "y": 2.0, "z": 3.0})
    assert unused_variables(["x", "y"], {"z": 3.0, "x": 1.0, "w": 0.0}) == ["z", "w"]
    with pytest.raises(InputError, match="a point must be a finite number"):
        check_point(["x"], {"x": math.nan})
    with pytest.raises(InputError, match="value of 'z'.*a point must be a finite number"):
        check_point(["x"], {"x": 1.0, "z": math.inf})


def test_check_coordinate() -> None:
    assert check_coordinate("x", 0.0) == 0.0
    assert check_coordinate("x", -1e300) == -1e300
    for bad in (math.inf, math.nan, 1e-310, 1e301):
        with pytest.raises(InputError):
            check_coordinate("x", bad)


def test_a_deep_tree_hashes_compares_prints_and_pickles_without_recursion() -> None:
    trusted = Limits(max_depth=5000, max_nodes=20_000, max_length=100_000)
    terms = [f"{i}*x" for i in range(1, 3000)]
    tree = parse(" + ".join(terms), trusted)
    same = parse(" + ".join(terms), trusted)
    other = parse(" + ".join([*terms[:-1], "3000*x"]), trusted)  # differs at the last term
    first = parse(" + ".join(["0*x", *terms[1:]]), trusted)  # differs at the deepest leaf
    assert tree == same and hash(tree) == hash(same) and tree is not same
    assert tree != other and tree != first
    assert to_text(tree) == " + ".join(t.replace("*", " * ") for t in terms)
    again = pickle.loads(pickle.dumps(tree))
    assert again == tree and hash(again) == hash(tree) and to_text(again) == to_text(tree)
    assert {tree: 1}[same] == 1
