"""check_function: student code called at random points and judged against the exact reference.

The student functions are defined at module level, so they pickle and run in a sandbox
worker, as real submissions do; one test covers the in-process fallback for a lambda.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pytest

from diffcompare.errors import DiffCompareError
from diffcompare.grading.function import check_function

F = "x**2*y + 3*y"  # gradient (2*x*y, x**2 + 3); Hessian [[2*y, 2*x], [2*x, 0]]


def gradient_floats(x: float, y: float) -> list[float]:
    return [2 * x * y, x**2 + 3]


def gradient_array(v: np.ndarray) -> np.ndarray:
    return np.array([2 * v[0] * v[1], v[0] ** 2 + 3])


def hessian_floats(x: float, y: float) -> list[list[float]]:
    return [[2 * y, 2 * x], [2 * x, 0.0]]


def one_component_wrong(x: float, y: float) -> list[float]:
    return [2 * x * y, x**2]  # forgot the + 3


def negated(x: float, y: float) -> list[float]:
    return [-2 * x * y, -(x**2) - 3]


def raises(x: float, y: float) -> list[float]:
    raise ZeroDivisionError("my bad")


def loops_forever(x: float, y: float) -> list[float]:
    while True:
        pass


def returns_none(x: float, y: float) -> None:
    return None


def wrong_shape(x: float, y: float) -> list[float]:
    return [2 * x * y, x**2 + 3, 0.0]


def returns_nan(x: float, y: float) -> list[float]:
    return [math.nan, x**2 + 3]


def returns_text(x: float, y: float) -> str:
    return "2*x*y"


def exits(x: float, y: float) -> list[float]:
    raise SystemExit(1)


def fails_far_from_origin(x: float, y: float) -> list[float]:
    if x > 1:
        raise ValueError("not implemented for x > 1")
    return [2 * x * y, x**2 + 3]


def test_right_in_float_style() -> None:
    feedback = check_function(gradient_floats, F, kind="gradient", points=12)
    assert feedback.status == "correct" and feedback.score == 1.0
    assert feedback.details["isolation"] == "process"
    assert feedback.details["right"] == feedback.details["total"] == 24


def test_right_in_array_style() -> None:
    feedback = check_function(gradient_array, F, kind="gradient", takes="array", points=12)
    assert feedback.correct


def test_array_style_function_called_with_floats_fails() -> None:
    feedback = check_function(gradient_array, F, kind="gradient", takes="floats", points=4)
    assert feedback.status == "incorrect"
    assert "raised TypeError" in feedback.message


def test_right_hessian() -> None:
    assert check_function(hessian_floats, F, kind="hessian", points=6).correct


def test_one_component_wrong_gets_half_credit_and_names_it() -> None:
    feedback = check_function(one_component_wrong, F, kind="gradient", points=10)
    assert feedback.status == "incorrect"
    assert feedback.score == pytest.approx(0.5)
    worst = feedback.details["worst"]
    assert worst["component"] == "d/dy"
    assert worst["got"] == pytest.approx(worst["expected"] - 3)
    assert "d/dy" in feedback.message


def test_negated_gradient_is_a_sign_mistake() -> None:
    feedback = check_function(negated, F, kind="gradient", points=8)
    assert feedback.mistake == "sign" and feedback.score == 0.0


@pytest.mark.parametrize(
    ("function", "words"),
    [
        (raises, "raised ZeroDivisionError: my bad"),
        (returns_none, "returned None"),
        (wrong_shape, "shape (3,)"),
        (returns_text, "not numbers"),
        (exits, "raised SystemExit"),
    ],
)
def test_broken_functions_fail_with_their_message(function, words) -> None:  # type: ignore[no-untyped-def]
    feedback = check_function(function, F, kind="gradient", points=5)
    assert feedback.status == "incorrect"
    assert feedback.score == 0.0
    assert words in feedback.message


def test_nan_component_counts_wrong() -> None:
    feedback = check_function(returns_nan, F, kind="gradient", points=5)
    assert feedback.status == "incorrect"
    assert feedback.score == pytest.approx(0.5)


def test_partial_failure_gives_partial_credit() -> None:
    feedback = check_function(fails_far_from_origin, F, kind="gradient", points=20)
    per_point = feedback.details["per_point"]
    assert "raised" in per_point and "right" in per_point
    assert feedback.score == pytest.approx(per_point.count("right") / 20)
    assert "not implemented for x > 1" in feedback.message


def test_infinite_loop_ends_within_the_call_limit() -> None:
    start = time.monotonic()
    feedback = check_function(loops_forever, F, kind="gradient", points=5, call_seconds=0.5)
    elapsed = time.monotonic() - start
    assert feedback.status == "incorrect"
    assert "did not return in time" in feedback.message
    assert elapsed < 20  # generous: one call limit plus a worker start


def test_the_worker_survives_a_looping_student() -> None:
    check_function(loops_forever, F, kind="gradient", points=2, call_seconds=0.3)
    assert check_function(gradient_floats, F, kind="gradient", points=3).correct


def test_derivative_of_higher_order_from_source() -> None:
    source = "def d2(x):\n    return 6*x\n"
    assert check_function(source, "x**3", kind="derivative", order=2, points=5).correct


def test_source_is_compiled_only_in_the_worker_and_bad_syntax_is_invalid() -> None:
    feedback = check_function("def d(x)\n    return x\n", "x**2", kind="derivative")
    assert feedback.status == "invalid"
    assert "not valid Python" in feedback.message


def test_source_that_loops_while_loading_is_stopped() -> None:
    source = "while True:\n    pass\ndef d(x):\n    return 2*x\n"
    start = time.monotonic()
    feedback = check_function(source, "x**2", kind="derivative", call_seconds=0.3)
    assert feedback.status == "incorrect"
    assert "loading" in feedback.message
    assert time.monotonic() - start < 30


def test_source_must_name_its_function_when_it_defines_several() -> None:
    source = "def helper(x):\n    return 2*x\ndef d(x):\n    return helper(x)\n"
    assert check_function(source, "x**2", kind="derivative").status == "invalid"
    assert check_function(source, "x**2", kind="derivative", name="d", points=4).correct


def test_megabyte_of_source_is_refused_before_parsing() -> None:
    feedback = check_function("#" * 1_000_000, "x**2", kind="derivative")
    assert feedback.status == "invalid"


def test_student_prints_do_not_reach_the_grader(capfd: pytest.CaptureFixture[str]) -> None:
    source = "def d(x):\n    print('LOUD STUDENT')\n    return 2*x\n"
    assert check_function(source, "x**2", kind="derivative", points=3).correct
    captured = capfd.readouterr()
    assert "LOUD STUDENT" not in captured.out + captured.err


HOSTILE = """
import os, pickle, stat

class Armed(float):
    # unpickling this would create MARKER: proof that the grader ran the student's code
    def __reduce__(self):
        return (open, (MARKER, "w"))

def to_sockets(data):
    for name in os.listdir("/proc/self/fd"):
        try:
            if stat.S_ISSOCK(os.fstat(int(name)).st_mode):
                os.write(int(name), data)
        except OSError:
            pass

def d(x):
    if MODE == "frame":  # a pickle framed as a reply of the worker protocol
        payload = pickle.dumps(("ok", Armed(2 * x)))
        to_sockets(len(payload).to_bytes(4, "big") + payload)
    elif MODE == "flood":  # far more than one reply may hold, with no line end
        to_sockets(b"[" * 5_000_000)
    elif MODE == "list":
        return [Armed(2 * x)] * 10**6
    return Armed(2 * x)
"""


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("return", ""),
        ("frame", "sent back something unreadable"),
        ("flood", "sent back more than"),
        ("list", "shape"),
    ],
)
def test_nothing_the_student_returns_or_sends_is_unpickled(
    mode: str, words: str, tmp_path: Path
) -> None:
    marker = tmp_path / "unpickled"
    source = f"MARKER = {str(marker)!r}\nMODE = {mode!r}\n" + HOSTILE
    feedback = check_function(source, "x**2", kind="derivative", name="d", points=3, call_seconds=5)
    assert not marker.exists()
    if mode == "return":  # a float subclass: only its number comes back
        assert feedback.correct
    else:
        assert feedback.status == "incorrect"
        assert words in feedback.message


def test_domain_skips_undefined_points() -> None:
    feedback = check_function(
        "def d(x):\n    return 1/x\n", "log(x)", kind="derivative", domain={"x": (-1, 2)}
    )
    assert feedback.correct
    assert all(p["x"] > 0 for p in feedback.details["points"])


def test_same_seed_same_points() -> None:
    a = check_function(gradient_floats, F, points=5, seed=3).details["points"]
    b = check_function(gradient_floats, F, points=5, seed=3).details["points"]
    c = check_function(gradient_floats, F, points=5, seed=4).details["points"]
    assert a == b and a != c


def test_unpicklable_callable_falls_back_to_a_thread() -> None:
    feedback = check_function(lambda x, y: [2 * x * y, x**2 + 3], F, points=5)
    assert feedback.correct and feedback.details["isolation"] == "thread"
    slow = check_function(lambda x, y: time.sleep(5), F, points=3, call_seconds=0.2)
    assert slow.status == "incorrect" and "did not return in time" in slow.message


@pytest.mark.parametrize(
    "options",
    [
        {"kind": "jacobian"},
        {"takes": "tuple"},
        {"points": 0},
        {"domain": {"z": (0, 1)}},
        {"domain": {"x": (1, 0)}},
        {"kind": "derivative"},  # two variables
    ],
)
def test_teacher_errors_raise(options) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DiffCompareError):
        check_function(gradient_floats, F, **options)


def test_nowhere_defined_raises() -> None:
    with pytest.raises(DiffCompareError, match="no point of the domain"):
        check_function(gradient_floats, "log(-x**2 - 1) + y", points=2)
