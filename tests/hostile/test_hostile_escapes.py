"""Only our errors escape, and every entry point finishes or refuses in bounded time.

One test per escape found: a tree handed to `compare` that the parser would have refused,
sympy work that runs past its budget (simplify, diff, evalf), and the interrupt that enforces
the budget in any thread.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from fractions import Fraction

import pytest
import sympy

from diffcompare import DiffCompareError, LimitError, Limits, TimeLimitError, compare
from diffcompare.deadline import time_budget
from diffcompare.engines import symbolic
from diffcompare.grading import check_derivative
from diffcompare.language.expr import Call, Constant, Number, Variable
from diffcompare.language.parse import check_tree


def _spin() -> None:
    while True:
        sum(range(100))


def test_time_budget_interrupts_pure_python_work() -> None:
    start = time.perf_counter()
    expected = pytest.raises(TimeLimitError, match="spinning took longer than 0.2 s")
    with expected, time_budget(0.2, "spinning"):
        _spin()
    assert time.perf_counter() - start < 2.0


def test_time_budget_is_not_swallowed_by_except_exception() -> None:
    # sympy often catches Exception and tries another way: the deadline is not an Exception
    def retrying() -> None:
        for _ in range(10_000):
            try:
                _spin()
            except Exception:  # noqa: S112
                continue

    start = time.perf_counter()
    with pytest.raises(TimeLimitError), time_budget(0.2, "retrying work"):
        retrying()
    assert time.perf_counter() - start < 1.5


def test_time_budget_works_off_the_main_thread() -> None:
    caught: list[BaseException] = []

    def worker() -> None:
        try:
            with time_budget(0.2, "work in a thread"):
                _spin()
        except BaseException as error:
            caught.append(error)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert len(caught) == 1 and isinstance(caught[0], TimeLimitError)


def test_time_budget_leaves_nothing_behind_when_the_work_is_quick() -> None:
    with time_budget(0.1, "quick work"):
        total = sum(range(1000))
    time.sleep(0.3)  # a stray interrupt would land here
    assert total == 499500
    with time_budget(float("inf"), "unbounded work"):
        assert sum(range(10)) == 45


def test_compare_enforces_the_symbolic_budget() -> None:
    # found by probing: the second derivative of sin nested 60 deep took 35 s in sympy
    # (evalf of a huge tree); now the budget stops it
    nested = "sin(" * 60 + "x" + ")" * 60
    start = time.perf_counter()
    with pytest.raises(TimeLimitError, match="Limits.symbolic_seconds"):
        compare(nested, {"x": 0.5}, limits=Limits(symbolic_seconds=0.5))
    assert time.perf_counter() - start < 5.0


def test_order_six_of_a_product_finishes_or_refuses_in_bounded_time() -> None:
    product = "*".join(f"(x+{k})" for k in range(1, 31))
    start = time.perf_counter()
    with contextlib.suppress(TimeLimitError):
        compare(product, {"x": 0.5}, order=6, limits=Limits(symbolic_seconds=1.0))
    assert time.perf_counter() - start < 6.0


def test_simplify_gets_its_own_budget_and_the_formula_survives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # found by probing: simplify ran for minutes on this 24-op second derivative, which made
    # tanh(w1*x1 + w2*x2 + b) (from expressions/ml.txt) unusable
    monkeypatch.setattr(symbolic, "SIMPLIFY_SECONDS", 0.2)
    names = ("w1", "w2", "x1", "x2", "b")
    symbols = symbolic.make_symbols(names)
    w1, w2, x1, x2, b = symbols
    derivatives = symbolic.SymbolicDerivatives(sympy.tanh(w1 * x1 + w2 * x2 + b), symbols)
    start = time.perf_counter()
    formula = derivatives.formula((0, 2))  # d²/dw1 dx1
    assert time.perf_counter() - start < 3.0
    value = formula.subs({w1: 0.5, w2: -0.3, x1: 1, x2: 2, b: 0.1})
    assert abs(float(value) - float(sympy.diff(derivatives.function, w1, x1).subs(
        {w1: 0.5, w2: -0.3, x1: 1, x2: 2, b: 0.1}))) < 1e-12  # fmt: skip


NINE = Number(Fraction(9))


def _nested(depth: int) -> Call | Variable:
    tree: Call | Variable = Variable("x")
    for _ in range(depth):
        tree = Call("sin", (tree,))
    return tree


@pytest.mark.parametrize(
    ("tree", "kind"),
    [
        (_nested(3000), "limit"),  # was a RecursionError from sympy
        (Call("nope", (Variable("x"),)), "input"),  # was a KeyError
        (Call("sin", (Variable("x"), Variable("x"))), "input"),  # was a TypeError
        (Call("mul", (Number(1.5), Variable("x"))), "input"),  # type: ignore[arg-type]
        (Variable("__class__"), "input"),
        (Constant("tau"), "input"),
        ("not a tree", "input"),
        (Call("pow", (NINE, Call("pow", (NINE, NINE)))), "limit"),
    ],
    ids=["deep", "unknown op", "arity", "float number", "dunder name", "constant", "str", "tower"],
)
def test_a_hand_built_tree_meets_the_parsers_limits(tree: object, kind: str) -> None:
    with pytest.raises(DiffCompareError) as caught:
        check_tree(tree)
    assert caught.value.kind == kind
    if isinstance(tree, str):
        return  # text is parsed by compare, not checked as a tree
    with pytest.raises(DiffCompareError) as caught:
        compare(tree, {"x": 0.5})  # type: ignore[arg-type]
    assert caught.value.kind == kind


@pytest.mark.parametrize(
    ("expression", "point"),
    [
        ("x**300", {"x": 1e10}),  # math.pow would overflow on the tape's fast path
        ("exp(x)", {"x": 1000.0}),
        ("cosh(x)*x", {"x": -800.0}),
        ("x*1e300*1e300", {"x": 1.0}),
        ("1e-300*1e-300*x", {"x": 1.0}),
        ("x/y", {"x": 1e300, "y": 1e-300}),
        ("erf(x)", {"x": 1e300}),
        ("hypot(x, y)", {"x": 1e300, "y": 1e300}),
        ("x**x", {"x": 1e-300}),
        ("atan2(y, x)", {"x": -1e-300, "y": 0.0}),
        ("sqrt(x**2)", {"x": 0.0}),
        ("abs(x)**x", {"x": 0.0}),
        ("relu(x)**0.5", {"x": 0.0}),
        ("log(x, y)", {"x": 2.0, "y": 1e-300}),
        ("softplus(x)", {"x": 1e5}),
        ("sigmoid(x)", {"x": -1e5}),
    ],
)
def test_numbers_at_the_edge_of_float64_are_answers(
    expression: str, point: dict[str, float]
) -> None:
    try:
        comparison = compare(expression, point)
    except DiffCompareError as error:
        assert error.kind == "domain"
        return
    for outcome in comparison.engines.values():
        for check in outcome.checks.values():
            assert check.value is not None or check.reason


def test_order_and_variables_past_the_limits_are_refused() -> None:
    with pytest.raises(LimitError):
        compare("x**2", {"x": 1.0}, order=7)
    wide = "+".join(f"(v{i}*v{i})" for i in range(3))
    with pytest.raises(LimitError):
        compare(wide, {f"v{i}": 1.0 for i in range(3)}, limits=Limits(max_variables=2))


def test_a_caller_who_trusts_its_input_can_raise_the_limits() -> None:
    deep = "-" * 150 + "x"
    with pytest.raises(LimitError):
        compare(deep, {"x": 1.0})
    assert compare(deep, {"x": 1.0}, limits=Limits(max_depth=200)).agree
    tower = "2**2**2**2*x"  # 65536 * x: 65536**1 is fine, the tower 2**65536 is not
    assert compare(tower, {"x": 1.0}).agree
    with pytest.raises(LimitError):
        compare("2**2**2**2**2*x", {"x": 1.0})
    raised = Limits(max_constant_log10=30_000)
    assert compare("2**2**2**2**2*x", {"x": 1.0}, limits=raised).expression


@pytest.mark.parametrize(
    ("text", "limits"),
    [
        # within the default depth limit, but four sympy levels per sigmoid
        ("sigmoid(" * 99 + "x" + ")" * 99, Limits()),
        # a trusted caller's raised depth limit, past what sympy can recurse through
        ("sin(" * 1000 + "x" + ")" * 1000, Limits(max_depth=2000, max_nodes=5000)),
    ],
    ids=["nested sigmoid", "raised depth"],
)
def test_recursion_past_pythons_limit_is_a_limit_error(text: str, limits: Limits) -> None:
    # the point is which error ends it, not how soon: a generous symbolic budget, so that a
    # busy machine's TimeLimitError cannot stand in for the recursion
    generous = dataclasses.replace(limits, max_length=50_000, symbolic_seconds=600.0)
    with pytest.raises(LimitError, match="nests too deeply for sympy"):
        compare(text, {"x": 0.9}, limits=generous)


def test_a_long_flat_sum_works_once_the_depth_limit_is_raised() -> None:
    # a chain 1,500 deep: our own walkers, the tree's hash and equality, and pickling (to
    # grading's workers) go without recursion, and sympy keeps a sum flat
    terms = " + ".join(f"{i}*x**2" for i in range(1, 1500))
    trusted = Limits(max_depth=2000, max_nodes=9000, max_length=50_000)
    with pytest.raises(LimitError, match="Limits.max_depth"):
        compare(terms, {"x": 0.5}, limits=dataclasses.replace(trusted, max_depth=100))
    assert compare(terms, {"x": 0.5}, limits=trusted).agree
    derivative = " + ".join(f"{2 * i}*x" for i in range(1, 1500))
    assert check_derivative(derivative, terms, "x", limits=trusted).status == "correct"


def test_a_coordinate_in_an_exponent_is_not_computed_exactly() -> None:
    # found by fuzzing: with q=-1 and obl=-1e300 the reference substituted exact rationals and
    # sympy computed a power with a 300-digit exponent in one C call (no budget can stop
    # that); such formulas are now evaluated by evalf, which takes powers by logarithms
    start = time.perf_counter()
    comparison = compare("9**q**obl*g2", {"q": -1.0, "obl": -1e300, "g2": -1e300})
    assert time.perf_counter() - start < 10.0
    assert comparison.reference.values[()] == pytest.approx(-9e300, rel=1e-15)


def test_a_huge_integer_answer_is_invalid_not_a_value_error() -> None:
    # found by probing: repr(10**5000) raises ValueError (Python's int-to-text digit limit)
    from diffcompare import grading

    feedback = grading.check_derivative(10**5000, of="x**2", wrt="x")
    assert feedback.status == "invalid" and feedback.score == 0
    assert "digits" in feedback.message


def test_simplify_never_sees_huge_numbers() -> None:
    # found by fuzzing: simplify's logcombine turned 3486784401*log(99) into
    # log(99**3486784401) and computed that power exactly, in one C call nothing can stop
    start = time.perf_counter()
    comparison = compare("9*9**9*99**n9**ob", {"n9": 2.0, "ob": 0.5})
    assert time.perf_counter() - start < 10.0
    assert comparison.engines["symbolic"].info["simplified"] == []


@pytest.mark.parametrize(
    ("expression", "point"),
    [
        ("sqrt(x**1000 + 1)", {"x": 0.1}),
        ("atan2(y, x) + hypot(x2^3^2, y)", {"y": -1e300, "x": 1e-12, "x2": -1e300}),
    ],
)
def test_roots_of_exact_coordinates_are_not_factored(
    expression: str, point: dict[str, float]
) -> None:
    # found by fuzzing: the reference substituted 0.1 as the exact rational 3602879701896397/2**55;
    # sympy then primality-tested the 17,000-digit numerator of sqrt(x**1000 + 1) in single C
    # calls the time budget cannot interrupt (226 s against a 5 s budget)
    start = time.perf_counter()
    comparison = compare(expression, point, order=1, limits=Limits(symbolic_seconds=5.0))
    assert time.perf_counter() - start < 8.0
    assert comparison.reference.exact_text[()] is not None


def test_many_budgets_share_one_watchdog_thread() -> None:
    import threading

    from diffcompare.deadline import time_budget

    for _ in range(200):
        with time_budget(30.0, "nothing"):
            pass
    watchdogs = [t for t in threading.enumerate() if t.name == "diffcompare-deadline"]
    assert len(watchdogs) == 1
