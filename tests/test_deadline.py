"""Budgets end their work within the budget plus a second: nested, in threads, under a tracer.

The tracer case runs in a subprocess bounded by a timeout: when it went wrong, it went wrong
by never finishing (an interrupt cleared with SetAsyncExc(id, NULL) left CPython's eval
breaker set, and a traced thread spun on its next call).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from diffcompare.deadline import time_budget
from diffcompare.errors import TimeLimitError

ROOT = Path(__file__).resolve().parent.parent


def _spin() -> None:
    while True:
        sum(range(100))


def _nested(outer: float, inner: float) -> BaseException:
    """An outer budget around a loop whose inner budget's end is caught and retried: the
    inner handler must not swallow the outer budget's end."""
    try:
        with time_budget(outer, "outer"):
            while True:
                try:
                    with time_budget(inner, "inner"):
                        _spin()
                except TimeLimitError:
                    pass
    except BaseException as error:
        return error
    raise AssertionError("unreachable")


def test_the_outer_budget_ends_work_whose_inner_budgets_are_caught() -> None:
    start = time.perf_counter()
    error = _nested(0.3, 0.05)
    assert isinstance(error, TimeLimitError)
    assert "outer took longer than 0.3 s" in str(error)
    assert time.perf_counter() - start < 1.3


def test_an_inner_budget_that_ends_first_is_caught_where_it_is_handled() -> None:
    caught = 0
    with time_budget(5.0, "outer"):
        for _ in range(3):
            try:
                with time_budget(0.05, "inner"):
                    _spin()
            except TimeLimitError as error:
                assert "inner" in str(error)
                caught += 1
    assert caught == 3
    time.sleep(0.2)  # nothing of the inner budgets may land after they ended


def test_nested_budgets_in_threads_end_on_their_own() -> None:
    outcomes: dict[int, BaseException] = {}
    outers = [0.2, 0.4, 0.6, 0.8]

    def work(number: int) -> None:
        outcomes[number] = _nested(outers[number], 0.03)

    start = time.perf_counter()
    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(outers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads)
    for number, seconds in enumerate(outers):
        assert isinstance(outcomes[number], TimeLimitError)
        assert f"outer took longer than {seconds:g} s" in str(outcomes[number])
    assert time.perf_counter() - start < max(outers) + 1.5


_TRACED = textwrap.dedent(
    """
    import sys, time
    import sympy  # loaded untraced: the budgets below time the work, not a traced import
    from diffcompare import Limits, compare
    from diffcompare.deadline import time_budget
    from diffcompare.errors import TimeLimitError

    lines = 0
    def tracer(frame, event, arg):  # what a debugger or a pure-Python coverage tool does
        global lines
        lines += 1
        return tracer

    sys.settrace(tracer)
    # issue 13 item 12: under a tracer this never finished (simplify's budget inside the
    # symbolic budget); a small symbolic budget makes both run out
    text = "exp(-((x1-1)**2+(x2-2)**2+(x3-3)**2)/2)/sqrt(2*pi)*sin(x1*x2)+x3**3"
    at = {"x1": 0.3, "x2": 0.5, "x3": 0.9}
    for seconds in (0.3, 1.0):
        start = time.perf_counter()
        try:
            with time_budget(seconds, "the whole comparison"):
                compare(text, at, limits=Limits(symbolic_seconds=seconds))
            outcome = "finished"
        except TimeLimitError:
            outcome = "timed-out"
        print(outcome, round(time.perf_counter() - start - seconds, 2), sys.gettrace() is tracer)
    # an interrupt never lands in an import (sympy imports parts of itself on first use, and
    # one cut short would stay broken): with time enough, the comparison is whole
    print(compare(text, at).agree)
    """
)


def test_budgets_end_under_a_trace_function() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _TRACED],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    *lines, whole, _ = done.stdout.split("\n")
    assert whole == "True"
    for line in lines:
        outcome, overtime, tracer_kept = line.split(" ")[-3:]
        # within a second, plus an import the interrupt waited for: under a pure-Python
        # tracer sympy's first-use imports of itself take most of a second more
        assert float(overtime) < 2.0, line
        assert tracer_kept == "True", line  # the tracer is put back if the interrupt hit it
    assert len(lines) == 2


_FIRST_CALL = textwrap.dedent(
    """
    import contextlib, importlib, time
    from diffcompare import Limits, compare
    from diffcompare.errors import TimeLimitError

    comparison = importlib.import_module("diffcompare.compare.comparison")
    budget = comparison.time_budget
    spans = []

    @contextlib.contextmanager
    def timed(seconds, *rest):  # how long the symbolic budget's block really ran
        start = time.perf_counter()
        try:
            with budget(seconds, *rest):
                yield
        finally:
            spans.append(time.perf_counter() - start - seconds)

    comparison.time_budget = timed
    text = "exp(-((x1-1)**2+(x2-2)**2+(x3-3)**2)/2)/sqrt(2*pi)*sin(x1*x2)+x3**3"
    at = {"x1": 0.3, "x2": 0.5, "x3": 0.9}
    try:
        compare(text, at, limits=Limits(symbolic_seconds=0.2))
        outcome = "finished"
    except TimeLimitError:
        outcome = "timed-out"
    print(outcome, round(spans[0], 2))
    """
)


@pytest.mark.parametrize("core", ["plain", "ctrace", "pytrace"])
def test_the_first_budget_ends_in_time_under_coverage(core: str, tmp_path: Path) -> None:
    # coverage's tracer slows every line; sympy's first-use imports, done inside the budget,
    # kept the interrupt waiting (an import is never cut short) well past the budget. The
    # script times the budget through a contextmanager, whose frame is off the stack while
    # the block runs: the budget must still fire.
    script = tmp_path / "first_call.py"
    script.write_text(_FIRST_CALL)
    if core == "plain":
        command = [sys.executable, str(script)]
    else:
        command = [sys.executable, "-m", "coverage", "run", f"--data-file={tmp_path / 'data'}"]
        command.append(str(script))
    done = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "COVERAGE_CORE": core, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr
    outcome, overtime = done.stdout.split()
    assert outcome == "timed-out"  # the symbolic work on it takes over a second
    assert float(overtime) < 1.0, done.stdout


def test_a_budget_opened_by_a_generator_fires_while_the_generator_is_suspended() -> None:
    @contextlib.contextmanager
    def limited(seconds: float) -> Iterator[None]:
        with time_budget(seconds, "the wrapped work"):
            yield

    start = time.monotonic()
    with pytest.raises(TimeLimitError, match="the wrapped work"), limited(0.1):
        while True:
            sum(range(1000))
    assert time.monotonic() - start < 1.1


@pytest.mark.parametrize("seconds", [0.0, 0.05])
def test_a_budget_that_ends_as_its_block_ends_leaves_no_interrupt_behind(seconds: float) -> None:
    for _ in range(20):
        try:
            with time_budget(seconds, "short"):
                time.sleep(seconds)
        except TimeLimitError:
            pass
    time.sleep(0.1)  # a stray interrupt would land here
