"""The guard against constants too large to compute exactly: it refuses the hopeless ones
quickly, names them, and lets ordinary ones through."""

from __future__ import annotations

import time

import pytest

from diffcompare.errors import InputError, LimitError
from diffcompare.language.limits import DEFAULT_LIMITS, Limits
from diffcompare.language.magnitude import check_at_point, check_constants
from diffcompare.language.parse import parse

# parse() runs check_constants itself; these trees are built with the guard off and then
# checked directly, so that each test exercises the guard alone.
_OFF = Limits(max_constant_log10=float("inf"))


@pytest.mark.parametrize(
    "text",
    [
        "9**9**9",
        "((9**9)**9999)**9999",
        "10**10**10",
        "exp(exp(exp(10)))",
        "2**(2**(2**(2**(2**5))))",
        "x + sin(9^9^9)",
        "2**-(9**9)",  # tiny numbers cost as many digits as huge ones
        "1.0001**(10**7)",  # a modest magnitude, but a 40-million-digit numerator
        "2**(10**9 + 1/2)",
        "cosh(sinh(100))",
        "exp(10**400)",
        "(10**200)**(10**200)",
    ],
)
def test_hopeless_constants_are_refused_quickly(text: str) -> None:
    tree = parse(text, _OFF)
    start = time.process_time()  # which a busy machine does not inflate
    with pytest.raises(LimitError, match=r"Limits\.max_constant_log10"):
        check_constants(tree, DEFAULT_LIMITS)
    assert time.process_time() - start < 5.0  # computing any of these would take far longer


def test_parse_refuses_them_too() -> None:
    start = time.perf_counter()
    with pytest.raises(LimitError):
        parse("9**9**9")
    assert time.perf_counter() - start < 1.0


def test_the_message_names_the_constant_and_its_size() -> None:
    with pytest.raises(LimitError) as caught:
        check_constants(parse("x + 9**9**9", _OFF), DEFAULT_LIMITS)
    assert caught.value.message == (
        "the constant 9**9**9 has about 3.7e8 digits;"
        " the limit is 4,000 digits (Limits.max_constant_log10)"
    )
    with pytest.raises(LimitError) as caught:
        check_constants(parse("exp(exp(exp(10)))", _OFF), DEFAULT_LIMITS)
    assert caught.value.message.startswith("the constant exp(exp(10)) has about 9,566 digits")


def test_long_constants_are_shortened_in_the_message() -> None:
    text = "(" + " + ".join(["1"] * 40) + ")**(9**9)"
    with pytest.raises(LimitError) as caught:
        check_constants(parse(text, _OFF), DEFAULT_LIMITS)
    shown = caught.value.message.split(" has ")[0].removeprefix("the constant ")
    assert len(shown) == 60 and shown.endswith("...")


@pytest.mark.parametrize(
    "text",
    [
        "2**10",
        "exp(700)",
        "10**300",
        "(1/3)**50",
        "2**-1074",
        "2**5000",
        "1**(9**9)",
        "0**(9**9)",
        "(-1)**(9**9)",
        "exp(-700) + sinh(3) * cosh(2)",
        "log(10**300) * sqrt(2)",
        "tan(pi/2)",
        "1/0",
        "log(0)",
        "x**(9**9)",  # not a constant: depends on the point
        "exp(exp(x))",
    ],
)
def test_ordinary_constants_pass(text: str) -> None:
    check_constants(parse(text, _OFF), DEFAULT_LIMITS)


def test_the_limit_is_the_callers() -> None:
    tree = parse("2**20000", _OFF)
    with pytest.raises(LimitError):
        check_constants(tree, DEFAULT_LIMITS)
    check_constants(tree, Limits(max_constant_log10=7000))


@pytest.mark.parametrize(
    ("text", "point", "refused"),
    [
        ("x**(9**9)", {"x": 2.0}, True),
        ("x**(9**9)", {"x": 1.0}, False),
        ("x**(9**9)", {"x": 0.0}, False),
        ("x**x**x**x", {"x": 9.0}, True),
        ("x**x**x**x", {"x": 2.0}, False),
        ("exp(exp(x))", {"x": 13.0}, True),  # e**442413: 192,137 digits
        ("exp(exp(x))", {"x": 10.0}, False),  # e**22026: 9,566 digits, a mantissa and exponent
        ("exp(exp(x))", {"x": 2.0}, False),
        ("y * x**y", {"x": 10.0, "y": 1e5}, True),
        ("y * x**y", {"x": 10.0, "y": 300.0}, False),
        ("sinh(x) / cosh(y)", {"x": 1e6, "y": 0.0}, True),
        ("(x-a)**6000", {"x": 3.0, "a": -3.0}, False),  # 6**6000: 4,669 digits
        ("x**6000", {"x": 0.01}, False),  # tiny: nothing to pay
        ("exp(x**6000)", {"x": 3.0}, True),
        ("sin(x) + log(y)", {"x": 1e300, "y": 1e-300}, False),
    ],
)
def test_at_a_point(text: str, point: dict[str, float], refused: bool) -> None:
    tree = parse(text)
    start = time.perf_counter()
    if refused:
        with pytest.raises(LimitError, match=r"^at this point, .* digits"):
            check_at_point(tree, point, DEFAULT_LIMITS)
    else:
        check_at_point(tree, point, DEFAULT_LIMITS)
    assert time.perf_counter() - start < 1.0


def test_at_a_point_needs_every_variable() -> None:
    with pytest.raises(InputError, match="'y'"):
        check_at_point(parse("x + y"), {"x": 1.0}, DEFAULT_LIMITS)


def test_deep_trees_do_not_recurse() -> None:
    # ten times Python's recursion limit: a recursive walk would fail long before the end
    deep = Limits(max_depth=10**6, max_nodes=10**6, max_length=10**6)
    tree = parse("-" * 10_000 + "2**10", deep)
    check_constants(tree, deep)
    check_at_point(parse("-" * 10_000 + "x", deep), {"x": 3.0}, deep)
