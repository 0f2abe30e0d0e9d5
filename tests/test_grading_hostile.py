"""Hostile answers: nothing runs, nothing hangs, every one ends as a feedback within seconds.

Also the sandbox the checks run in: deadlines, memory caps, crashes, and calls from threads.
"""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest

from diffcompare.errors import InputError, LimitError, TimeLimitError
from diffcompare.grading import check_derivative, check_gradient, check_values
from diffcompare.grading.sandbox import MemoryLimitError, WorkerError, run_limited

BOUND = 10.0  # seconds: generous; each check below takes well under one

PAYLOADS = [
    "__import__('os').system('touch {canary}')",
    "eval(\"__import__('os').system('touch {canary}')\")",
    "exec('import os; os.system(\"touch {canary}\")')",
    "(lambda: __import__('os').system('touch {canary}'))()",
    "x.__class__.__mro__[1].__subclasses__()",
    "[c for c in ().__class__.__bases__[0].__subclasses__()]",
    "open('{canary}', 'w').write('x')",
    'f\'{{__import__("os").system("touch {canary}")}}\'',
    "sin(x); __import__('os').system('touch {canary}')",
    "x if __import__('os').system('touch {canary}') else x",
]

BLOW_UPS = [
    "9**9**9",
    "((9**9)**9999)**9999",
    "x**x**x**x**x",
    "exp(exp(exp(exp(x))))",
    "x**(9**9**2)",
    "(" * 100_000 + "x" + ")" * 100_000,
    "x+" * 500_000 + "x",
    "x" * 1_000_000,
    "\x00" * 1000,
]


def timed_check(answer: str, **options: object) -> tuple[object, float]:
    start = time.perf_counter()
    feedback = check_derivative(answer, "sin(x)", "x", symbolic_seconds=1.0, **options)  # type: ignore[arg-type]
    return feedback, time.perf_counter() - start


@pytest.mark.parametrize("template", PAYLOADS)
def test_code_never_runs(template: str, tmp_path: Path) -> None:
    canary = tmp_path / "CANARY"
    answer = template.format(canary=canary)
    feedback, seconds = timed_check(answer)
    assert feedback.status == "invalid"  # type: ignore[attr-defined]
    assert feedback.score == 0.0  # type: ignore[attr-defined]
    assert seconds < BOUND
    values = check_values(answer, "sin(x)", {"x": 1.0}, kind="derivative")
    gradient = check_gradient([answer, answer], "x*y", symbolic_seconds=1.0)
    assert values.status == "invalid"
    assert gradient.status == "invalid"
    assert not canary.exists()


@pytest.mark.parametrize("answer", BLOW_UPS, ids=lambda a: a[:20])
def test_blow_ups_are_invalid_in_bounded_time(answer: str) -> None:
    feedback, seconds = timed_check(answer)
    assert feedback.status == "invalid", feedback.details  # type: ignore[attr-defined]
    assert feedback.score == 0.0  # type: ignore[attr-defined]
    assert feedback.message.startswith("Your answer")  # type: ignore[attr-defined]
    assert seconds < BOUND


def test_growth_inside_the_domain_is_refused_at_the_corners() -> None:
    # harmless on (0, 1), hopeless at 3: refused as a whole, whatever the seed
    for seed in range(3):
        feedback = check_derivative("x**x**x**x**x", "x", "x", seed=seed, symbolic_seconds=1.0)
        assert feedback.status == "invalid"
        assert "grows too fast" in feedback.message


def test_an_answer_too_deep_for_sympy_is_invalid_and_a_question_too_deep_is_refused() -> None:
    deep = "sigmoid(" * 99 + "x" + ")" * 99  # within the parser's limits; 400 sympy levels
    feedback = check_derivative(deep, "x**2", "x")
    assert (feedback.status, feedback.details["error"]["kind"]) == ("invalid", "limit")
    assert "nests too deeply" in feedback.message
    with pytest.raises(LimitError, match="question's function nests too deeply"):
        check_derivative("1", deep, "x")


def test_a_check_past_its_deadline_is_undetermined() -> None:
    start = time.perf_counter()
    feedback = check_derivative("sin(x)**9*cos(x)**8", "sin(x)**10*cos(x)**7/x", "x", seconds=0.001)
    assert time.perf_counter() - start < BOUND
    assert feedback.status == "undetermined"
    assert feedback.details["error"]["kind"] == "timeout"
    assert feedback.score == 0.0


def test_checks_from_threads_install_no_signal_handler() -> None:
    before = signal.getsignal(signal.SIGALRM)
    results: list[str] = []

    def grade() -> None:
        results.append(check_derivative("cos(x**2)", "sin(x**2)", "x").mistake or "")

    threads = [threading.Thread(target=grade) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == ["chain_rule"] * 3
    assert signal.getsignal(signal.SIGALRM) is before


# -- the sandbox itself (module-level functions: the worker imports them)


def add(a: int, b: int) -> int:
    return a + b


def sleep_for(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def divide_by_zero() -> float:
    return 1 / 0


def refuse() -> None:
    raise InputError("no, thank you")


def touch(path: str) -> None:
    Path(path).touch()


def test_sandbox_runs_and_returns() -> None:
    assert run_limited(add, 2, b=3) == 5


def test_sandbox_deadline_kills_the_worker() -> None:
    start = time.perf_counter()
    with pytest.raises(TimeLimitError):
        run_limited(sleep_for, 30, seconds=0.5)
    assert time.perf_counter() - start < BOUND
    assert run_limited(add, 1, 1) == 2  # a fresh worker takes over


def test_sandbox_memory_cap() -> None:
    with pytest.raises(MemoryLimitError):
        run_limited(allocate, 4000, memory_mb=200)
    assert run_limited(allocate, 50, memory_mb=200) == 50 * 1024 * 1024


def test_sandbox_errors() -> None:
    with pytest.raises(WorkerError, match="ZeroDivisionError"):
        run_limited(divide_by_zero)
    with pytest.raises(InputError, match="no, thank you"):
        run_limited(refuse)
    with pytest.raises(WorkerError, match="cannot send"):
        run_limited(lambda: 1)


def test_sandbox_work_runs_elsewhere(tmp_path: Path) -> None:
    # the work's side effects are real (it is a process, not a jail): only the worker does them
    marker = tmp_path / "marker"
    run_limited(touch, str(marker))
    assert marker.exists()
