"""Grading student code: a Python function that computes a derivative, gradient or Hessian.

The student's function is called at seeded random points of the domain and its numbers are
measured against the exact reference (sympy's derivative evaluated at high precision).
Running student code is the point of this check, so it is run where it can do the least
harm: in a worker process with a time and a memory limit, killed afterwards
(`sandbox.run_untrusted`). Only plain numbers come back from the worker, as size-limited
JSON lines, never pickles and never the student's objects, so nothing the student wrote is
unpickled (and so run) in the grader's own process.

Two ways to hand in the code:

* a callable that pickles (a function defined at the top of an importable module): it is
  sent to the worker as it is;
* its source text (``source=...``, or a `str` in place of the callable): the text is
  compiled and run **in the worker only**; the grader merely checks its syntax with `ast`.

A callable that does not pickle (a lambda, a closure, a function defined in a notebook or
inside a test) cannot reach a worker. It is then called in a thread of the grader's own
process, with the same per-call time limit but no memory limit, and a function that never
returns keeps its thread busy until the process ends. `details["isolation"]` says which way
was taken. Pass the source text when the code is untrusted.
"""

from __future__ import annotations

import ast
import math
import pickle
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..compare.schema import entry_name
from ..compare.settings import non_negative
from ..errors import DiffCompareError, InputError, LimitError
from ..language.expr import Expr
from ..language.expr import variables as variables_of
from ..language.limits import DEFAULT_LIMITS, Limits
from ..language.parse import check_coordinate, name_problem, parse
from ..workers import MAX_REPLY_BYTES, Reply
from .exact import Entry, canonical
from .feedback import Feedback
from .question import natural_sorted

Kind = Literal["derivative", "gradient", "hessian"]
Takes = Literal["floats", "array"]

DEFAULT_DOMAIN = (-2.0, 2.0)
"""Where points are drawn for a variable the domain does not mention."""
DEFAULT_CALL_SECONDS = 2.0
"""Time limit of one call of the student's function."""
DEFAULT_MEMORY_MB = 512
"""Memory limit of the worker process that runs it."""
MAX_SOURCE_LENGTH = 100_000
"""Characters of source text accepted (a megabyte of code is refused before parsing)."""
MAX_RETURNED = 10_000
"""Numbers brought back from one call; a larger result can only be of the wrong shape."""
POINT_DECIMALS = 3
"""Points are rounded so that a message can quote them exactly."""
ATTEMPTS_PER_POINT = 20
"""Random draws per wanted point before giving up on an undefined-almost-everywhere domain."""
REFERENCE_DIGITS = 30
LOAD_SECONDS = 5.0
"""Added to `call_seconds` for running the student's source text (its imports)."""


# ---------------------------------------------------------------------------------------
# running the student's code: plain data out, nothing of the student's objects back


@dataclass(frozen=True)
class StudentSource:
    """Student code as text; `name` picks the function when the text defines several."""

    text: str
    name: str


# One call's outcome, as plain data: ("ok", shape, numbers) | ("none",) | ("not_numbers", why)
# | ("raised", "ValueError: ...") | ("timeout",)
Outcome = tuple[Any, ...]


def _plain_numbers(value: Any) -> Outcome:
    """The student's return value as a shape and a flat list of floats."""
    if value is None:
        return ("none",)
    if isinstance(value, str | bytes | bool):
        return ("not_numbers", f"a {type(value).__name__}")
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("error")  # a complex number must not lose its imaginary part
            array = np.asarray(value, dtype=np.float64)
    except BaseException as error:  # anything a student's object may raise
        return ("not_numbers", f"a {type(value).__name__} ({_error_text(error)})")
    if array.size > MAX_RETURNED:
        return ("ok", [int(n) for n in array.shape], [])
    return ("ok", [int(n) for n in array.shape], [float(v) for v in array.ravel()])


def _error_text(error: BaseException) -> str:
    text = str(error)
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _arguments(point: Sequence[float], takes: Takes) -> tuple[Any, ...]:
    if takes == "array":
        return (np.array(point, dtype=np.float64),)  # a fresh array: the student may change it
    return tuple(float(v) for v in point)


def _load(target: Callable[..., Any] | StudentSource) -> Callable[..., Any]:
    """The student's function; for source text, by running it (only ever in a worker)."""
    if not isinstance(target, StudentSource):
        return target
    namespace: dict[str, Any] = {"__name__": "student"}
    exec(compile(target.text, "<student code>", "exec"), namespace)  # student code, by design
    function = namespace.get(target.name)
    if not callable(function):
        raise _LoadFailed(f"your code does not define a function '{target.name}'")
    return function


class _LoadFailed(Exception):
    pass


def student_messages(
    target: Callable[..., Any] | StudentSource, points: Sequence[Sequence[float]], takes: Takes
) -> Iterator[dict[str, Any]]:
    """Runs in a worker that is killed afterwards (`sandbox.run_untrusted`): loads the
    student's function, then calls it at each point. Yields plain JSON-able data only:
    ``{"load_error": text or None}``, then one ``{"outcome": [...]}`` per point."""
    try:
        function = _load(target)
    except BaseException as error:  # whatever loading the code raises
        reason = str(error) if isinstance(error, _LoadFailed) else None
        yield {"load_error": reason or f"your code raised {_error_text(error)} while loading"}
        return
    yield {"load_error": None}
    for point in points:
        try:
            outcome = _plain_numbers(function(*_arguments(point, takes)))
        except BaseException as error:  # SystemExit too: report, go on
            outcome = ("raised", _error_text(error))
        yield {"outcome": list(outcome)}


def call_at_points(
    target: Callable[..., Any] | StudentSource,
    points: Sequence[Sequence[float]],
    takes: Takes,
    call_seconds: float,
    memory_mb: int,
) -> tuple[str | None, list[Outcome]]:
    """Call the student's function at each point: (load error or None, one outcome per point).

    The code runs in a worker process that is killed when the calls are done or one of them
    overstays `call_seconds`; its reports come back as JSON lines that are parsed, never
    unpickled, and validated field by field. Calling stops at the first call that runs out
    of time."""
    from .sandbox import run_untrusted

    outcomes: list[Outcome] = []
    with run_untrusted(student_messages, target, points, takes, memory_mb=memory_mb) as replies:
        first = replies.next(call_seconds + LOAD_SECONDS)
        if first.status == "timeout":
            return f"your code did not finish loading within {call_seconds + LOAD_SECONDS:g} s", []
        if first.status != "ok" or not isinstance(first.value, dict):
            return f"the process running your code {_ended(first)} while loading it", []
        load_error = first.value.get("load_error")
        if load_error is not None:
            return str(load_error)[:400], []
        for _ in points:
            reply = replies.next(call_seconds)
            if reply.status == "timeout":
                outcomes.append(("timeout",))
                break
            if reply.status == "ok" and isinstance(reply.value, dict):
                outcomes.append(_outcome_from(reply.value))
            else:
                outcomes.append(("raised", f"the process running your function {_ended(reply)}"))
    return None, outcomes


def _ended(reply: Reply) -> str:
    if reply.status == "too long":
        return f"sent back more than {MAX_REPLY_BYTES} bytes"
    if reply.status == "ended":
        return "ended"
    return "sent back something unreadable"


def _outcome_from(message: dict[str, Any]) -> Outcome:
    """Validate a worker's message (its process ran student code: trust no field)."""
    item = message.get("outcome")
    if not isinstance(item, list) or not item or not isinstance(item[0], str):
        return ("not_numbers", "unreadable output")
    status = item[0]
    if status == "ok" and len(item) == 3:
        shape, numbers = item[1], item[2]
        if (
            isinstance(shape, list)
            and all(isinstance(s, int) and s >= 0 for s in shape)
            and isinstance(numbers, list)
            and all(isinstance(v, float | int) for v in numbers)
        ):
            return ("ok", shape, [float(v) for v in numbers])
    elif status == "none":
        return ("none",)
    elif status in ("raised", "not_numbers") and len(item) == 2:
        return (status, str(item[1])[:400])
    return ("not_numbers", "unreadable output")


def call_in_threads(
    target: Callable[..., Any],
    points: Sequence[Sequence[float]],
    takes: Takes,
    call_seconds: float,
) -> tuple[str | None, list[Outcome]]:
    """The weaker way, for a callable that cannot reach a worker: each call in a daemon
    thread of this process with a timeout; no memory limit, and a call that never returns
    keeps its thread running until the process ends."""
    outcomes: list[Outcome] = []
    for point in points:
        box: list[Outcome] = []

        def work(
            arguments: tuple[Any, ...] = _arguments(point, takes), box: list[Outcome] = box
        ) -> None:
            try:
                box.append(_plain_numbers(target(*arguments)))
            except BaseException as error:  # SystemExit too
                box.append(("raised", _error_text(error)))

        thread = threading.Thread(target=work, name="student-function", daemon=True)
        thread.start()
        thread.join(call_seconds)
        if not box:
            outcomes.append(("timeout",))
            break
        outcomes.append(box[0])
    return None, outcomes


# ---------------------------------------------------------------------------------------
# the check, in the grader


@dataclass(frozen=True)
class _Component:
    label: str  # "d/dy", "d2/dx dy", "f''"
    entry: Entry
    index: tuple[int, ...]  # where it sits in the student's array


def check_function(
    fn: Callable[..., Any] | str | None,
    of: str | Expr,
    *,
    kind: Kind = "gradient",
    points: int = 20,
    domain: Mapping[str, tuple[float, float]] | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    seed: int = 0,
    order: int = 1,
    takes: Takes = "floats",
    variables: Sequence[str] | None = None,
    source: str | None = None,
    name: str | None = None,
    call_seconds: float = DEFAULT_CALL_SECONDS,
    memory_mb: int = DEFAULT_MEMORY_MB,
    limits: Limits = DEFAULT_LIMITS,
) -> Feedback:
    """Is the student's function `fn` the derivative, gradient or Hessian of `of`?

    `fn` is a callable, or the source text of a Python function (also accepted as
    ``source=``; `name` picks the function when the text defines several). Source text is
    code and is run, in a worker process under `call_seconds` per call and `memory_mb`;
    see the module docstring for callables that do not pickle.

    The function is called at `points` seeded random points of `domain` (name -> (lo, hi),
    default (-2, 2) for each variable), skipping points where the reference is undefined.
    With ``takes="floats"`` it gets one float per variable (in the order of `variables`,
    default: sorted by name, x2 before x10); with ``takes="array"`` one numpy array of them.
    It returns a number for ``kind="derivative"`` (the `order`-th derivative of a function
    of one variable), n numbers for ``"gradient"`` and an n x n array for ``"hessian"``.

    A number is right when ``|got - exact| <= rtol * |exact| + atol * scale``, scale being
    the largest |exact| component at that point (at least 1). Score: the fraction of
    (point, component) pairs that are right; a call that raises, returns None, the wrong
    shape or not numbers counts all its components wrong, and a call that does not return
    in time ends the check (the points after it count wrong). The message quotes the worst
    point and component. Problems of the student's code give an "incorrect" (or, for
    source that does not compile, "invalid") Feedback; a bad `of`, `domain` or option
    raises a DiffCompareError.
    """
    expr = parse(of, limits) if isinstance(of, str) else of
    names = _variables(expr, variables)
    _check_options(kind, points, rtol, atol, order, takes, call_seconds, memory_mb, names)
    components = _components(kind, names, order)
    bounds = _domain(names, domain, limits)
    if isinstance(fn, str):
        if source is not None:
            raise InputError("give the student's code either as fn or as source, not both")
        source, fn = fn, None
    started = time.perf_counter()
    chosen, expected = _reference_points(expr, names, bounds, components, points, seed, limits)

    target: Callable[..., Any] | StudentSource
    if source is not None:
        if fn is not None:
            raise InputError("give the student's code either as fn or as source, not both")
        loaded = _student_source(source, name)
        if isinstance(loaded, Feedback):
            return loaded
        target = loaded
    elif fn is None or not callable(fn):
        return Feedback(
            "invalid", 0.0, "No function was handed in.", details={"got": type(fn).__name__}
        )
    else:
        target = fn
    load_error, outcomes, isolation = _run_student(target, chosen, takes, call_seconds, memory_mb)
    details: dict[str, Any] = {
        "kind": kind,
        "variables": list(names),
        "takes": takes,
        "isolation": isolation,
        "points": [dict(zip(names, p, strict=True)) for p in chosen],
        "rtol": rtol,
        "atol": atol,
    }
    if load_error is not None:
        details["seconds"] = time.perf_counter() - started
        return Feedback("incorrect", 0.0, _sentence(load_error), details=details)
    feedback = _judge(outcomes, chosen, expected, components, names, kind, rtol, atol, details)
    details["seconds"] = time.perf_counter() - started
    feedback.details["call_seconds"] = call_seconds
    return feedback


def _variables(expr: Expr, given: Sequence[str] | None) -> tuple[str, ...]:
    found = variables_of(expr)
    if given is None:
        return natural_sorted(found)
    names = tuple(given)
    for name in names:
        problem = name_problem(name)
        if problem is not None:
            raise InputError(f"variables: '{name}' is not a usable variable name: {problem}")
    if len(set(names)) != len(names):
        raise InputError(f"variables: a name is given twice in {list(names)}")
    missing = [v for v in found if v not in names]
    if missing:
        raise InputError(f"variables: the function also depends on {', '.join(missing)}")
    return names


def _check_options(
    kind: str,
    points: int,
    rtol: float,
    atol: float,
    order: int,
    takes: str,
    call_seconds: float,
    memory_mb: int,
    names: tuple[str, ...],
) -> None:
    if kind not in ("derivative", "gradient", "hessian"):
        raise InputError(f"kind must be derivative, gradient or hessian, not {kind!r}")
    if takes not in ("floats", "array"):
        raise InputError(f"takes must be 'floats' or 'array', not {takes!r}")
    if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= 1000:
        raise InputError(f"points must be a whole number from 1 to 1000, not {points!r}")
    non_negative("rtol", rtol)
    non_negative("atol", atol)
    if not (isinstance(call_seconds, int | float) and 0 < call_seconds <= 600):
        raise InputError(f"call_seconds must be in (0, 600], not {call_seconds!r}")
    if isinstance(memory_mb, bool) or not isinstance(memory_mb, int) or memory_mb < 64:
        raise InputError(f"memory_mb must be a whole number >= 64, not {memory_mb!r}")
    if not names:
        raise InputError("the function has no variable: there is nothing to differentiate")
    if kind == "derivative":
        if len(names) != 1:
            raise InputError(
                f"kind='derivative' needs a function of one variable, not of {', '.join(names)}"
                " (use kind='gradient')"
            )
        if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= 6:
            raise InputError(f"order must be a whole number from 1 to 6, not {order!r}")


def _components(kind: str, names: tuple[str, ...], order: int) -> list[_Component]:
    if kind == "derivative":
        return [_Component(entry_name((0,) * order, names, plain=True), (0,) * order, ())]
    n = len(names)
    if kind == "gradient":
        return [_Component(entry_name((i,), names, plain=True), (i,), (i,)) for i in range(n)]
    return [
        _Component(entry_name((i, j), names, plain=True), canonical((i, j)), (i, j))
        for i in range(n)
        for j in range(n)
    ]


def _domain(
    names: tuple[str, ...], domain: Mapping[str, tuple[float, float]] | None, limits: Limits
) -> list[tuple[float, float]]:
    given = dict(domain or {})
    for name in given:
        if name not in names:
            raise InputError(f"domain: '{name}' is not a variable of the function")
    bounds = []
    for name in names:
        pair = given.get(name, DEFAULT_DOMAIN)
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise InputError(f"domain: '{name}' needs two numbers (lo, hi), not {pair!r}")
        lo = check_coordinate(name, pair[0], limits, where="domain")
        hi = check_coordinate(name, pair[1], limits, where="domain")
        if not lo < hi:
            raise InputError(f"domain: '{name}' needs lo < hi, not ({lo:g}, {hi:g})")
        bounds.append((lo, hi))
    return bounds


def _reference_points(
    expr: Expr,
    names: tuple[str, ...],
    bounds: list[tuple[float, float]],
    components: list[_Component],
    wanted: int,
    seed: int,
    limits: Limits,
) -> tuple[list[tuple[float, ...]], list[dict[Entry, float]]]:
    """`wanted` points of the domain where the function and every derivative asked for are
    finite, with the exact values there (rounded to float64)."""
    from ..language.magnitude import check_at_point
    from .exact import has_kink, reference_floats

    entries = sorted({(), *(c.entry for c in components)}, key=lambda e: (len(e), e))
    rng = np.random.default_rng(seed)
    chosen: list[tuple[float, ...]] = []
    expected: list[dict[Entry, float]] = []
    for _ in range(wanted * ATTEMPTS_PER_POINT):
        if len(chosen) == wanted:
            break
        point = tuple(
            min(max(round(float(rng.uniform(lo, hi)), POINT_DECIMALS), lo), hi) for lo, hi in bounds
        )
        if point in chosen:
            continue
        at = dict(zip(names, point, strict=True))
        try:
            check_at_point(expr, at, limits)
        except LimitError:
            continue
        if has_kink(expr, at):
            continue
        values = reference_floats(expr, names, point, entries, limits, digits=REFERENCE_DIGITS)
        if any(values.get(e) is None for e in entries):
            continue
        chosen.append(point)
        expected.append({e: float(v) for e, v in values.items() if v is not None})
    if not chosen:
        raise InputError(
            "no point of the domain where the function and its derivatives are defined"
            f" (tried {wanted * ATTEMPTS_PER_POINT} random points)"
        )
    return chosen, expected


def _student_source(text: str, name: str | None) -> StudentSource | Feedback:
    """Check the source's syntax here (parsing is not running) and find the function."""
    if not isinstance(text, str):
        raise InputError(f"source must be text, not {type(text).__name__}")
    if len(text) > MAX_SOURCE_LENGTH:
        return Feedback(
            "invalid",
            0.0,
            f"Your code is {len(text):,} characters long; the limit is {MAX_SOURCE_LENGTH:,}.",
            details={"length": len(text)},
        )
    try:
        module = ast.parse(text, "<student code>")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        where = f" (line {error.lineno})" if isinstance(error, SyntaxError) and error.lineno else ""
        reason = error.msg if isinstance(error, SyntaxError) else type(error).__name__
        return Feedback(
            "invalid",
            0.0,
            f"Your code is not valid Python{where}: {reason}.",
            details={"error": _error_text(error)},
        )
    defined = [
        node.name
        for node in module.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    if name is None:
        if len(defined) != 1:
            found = ", ".join(defined) if defined else "none"
            return Feedback(
                "invalid",
                0.0,
                f"Your code should define exactly one function (found: {found}).",
                details={"defined": defined},
            )
        name = defined[0]
    elif name not in defined:
        return Feedback(
            "invalid",
            0.0,
            f"Your code does not define a function named '{name}'.",
            details={"defined": defined},
        )
    return StudentSource(text, name)


def _picklable(target: Callable[..., Any]) -> bool:
    module = getattr(target, "__module__", None)
    if module == "__main__":
        # pickles by reference to __main__, which a worker may not share (notebooks)
        return False
    try:
        pickle.dumps(target)
    except Exception:  # whatever pickling raises, the answer is "no"
        return False
    return True


def _run_student(
    target: Callable[..., Any] | StudentSource,
    chosen: list[tuple[float, ...]],
    takes: Takes,
    call_seconds: float,
    memory_mb: int,
) -> tuple[str | None, list[Outcome], str]:
    """(load error, outcomes, isolation): in a worker whenever the code can get there."""
    if not isinstance(target, StudentSource) and not _picklable(target):
        load_error, outcomes = call_in_threads(target, chosen, takes, call_seconds)
        return load_error, outcomes, "thread"
    try:
        load_error, outcomes = call_at_points(target, chosen, takes, call_seconds, memory_mb)
    except DiffCompareError as error:  # no worker could be started
        return f"the process running your code failed ({error.message})", [], "process"
    return load_error, outcomes, "process"


def _sentence(text: str) -> str:
    text = text[0].upper() + text[1:] if text else text
    return text if text.endswith(".") else text + "."


def _where(names: tuple[str, ...], point: Sequence[float]) -> str:
    return ", ".join(f"{n}={v:g}" for n, v in zip(names, point, strict=True))


def _expected_shape(kind: str, n: int) -> tuple[int, ...]:
    return {"derivative": (), "gradient": (n,), "hessian": (n, n)}[kind]


def _shape_ok(kind: str, n: int, shape: tuple[int, ...]) -> bool:
    if kind == "derivative" or (kind == "gradient" and n == 1):
        return int(np.prod(shape)) == 1 and len(shape) <= 1
    return shape == _expected_shape(kind, n)


def _describe_shape(shape: tuple[int, ...]) -> str:
    if not shape:
        return "a single number"
    return (
        "an array of shape ("
        + ", ".join(str(s) for s in shape)
        + ("," if len(shape) == 1 else "")
        + ")"
    )


def _judge(
    outcomes: list[Outcome],
    chosen: list[tuple[float, ...]],
    expected: list[dict[Entry, float]],
    components: list[_Component],
    names: tuple[str, ...],
    kind: str,
    rtol: float,
    atol: float,
    details: dict[str, Any],
) -> Feedback:
    n = len(names)
    total = len(chosen) * len(components)
    right = 0
    problems: list[str] = []  # the first failing call that gave no numbers, in words
    worst: dict[str, Any] | None = None
    worst_size = -1.0
    pairs: list[tuple[float, float, float]] = []  # (got, exact, value) for mistake detection
    per_point: list[str] = []
    for k, point in enumerate(chosen):
        where = _where(names, point)
        if k >= len(outcomes):
            per_point.append("not called")
            continue
        outcome = outcomes[k]
        status = outcome[0]
        if status != "ok":
            per_point.append(status)
            problems.append(_call_problem(outcome, where, kind, n))
            continue
        shape, numbers = tuple(outcome[1]), list(outcome[2])
        if not _shape_ok(kind, n, shape) or not numbers:
            per_point.append("wrong shape")
            problems.append(
                f"at {where} your function returned {_describe_shape(shape)};"
                f" expected {_describe_shape(_expected_shape(kind, n))}"
            )
            continue
        got_array = np.asarray(numbers, dtype=np.float64).reshape(_expected_shape(kind, n))
        exact_here = expected[k]
        scale = max([1.0, *(abs(exact_here[c.entry]) for c in components)])
        point_right = 0
        for component in components:
            got = float(got_array[component.index])
            exact = exact_here[component.entry]
            error = abs(got - exact) if math.isfinite(got) else math.inf
            tolerance = rtol * abs(exact) + atol * scale
            pairs.append((got, exact, exact_here[()]))
            if error <= tolerance:
                point_right += 1
                continue
            size = error / tolerance if tolerance > 0 else math.inf
            if size > worst_size:
                worst_size = size
                worst = {
                    "point": dict(zip(names, point, strict=True)),
                    "component": component.label,
                    "got": got,
                    "expected": exact,
                    "abs_error": error,
                    "tolerance": tolerance,
                }
        right += point_right
        per_point.append("right" if point_right == len(components) else "wrong")
    details["per_point"] = per_point
    details["right"] = right
    details["total"] = total
    if worst is not None:
        details["worst"] = worst
    score = right / total if total else 0.0
    if right == total:
        return Feedback(
            "correct",
            1.0,
            f"Right at all {len(chosen)} points.",
            details=details,
        )
    mistake = _numeric_mistake(pairs, kind, rtol, atol) if not problems else None
    parts = [
        f"Right at {per_point.count('right')} of {len(chosen)} points"
        + (f" ({right} of {total} numbers right)." if right else ".")
    ]
    if problems:
        parts.append(_sentence(problems[0]))
    if worst is not None:
        parts.append(
            f"Worst at {_where(names, tuple(worst['point'].values()))}:"
            f" {worst['component']} is {worst['got']:.6g}, expected {worst['expected']:.6g}."
        )
    if mistake is not None:
        parts.append(_MISTAKE_MESSAGES[mistake].format(kind=kind))
    return Feedback("incorrect", score, " ".join(parts), mistake=mistake, details=details)


def _call_problem(outcome: Outcome, where: str, kind: str, n: int) -> str:
    status = outcome[0]
    if status == "raised":
        return f"at {where} your function raised {outcome[1]}"
    if status == "none":
        return f"at {where} your function returned None (is a return statement missing?)"
    if status == "timeout":
        return f"at {where} your function did not return in time"
    return f"at {where} your function returned {outcome[1]}, not numbers"


_MISTAKE_MESSAGES = {
    "sign": "Every value has the wrong sign.",
    "factor": "Every value is off by the same constant factor.",
    "not_differentiated": "Your function returns the function's value, not its derivative.",
}


def _numeric_mistake(
    pairs: list[tuple[float, float, float]], kind: str, rtol: float, atol: float
) -> str | None:
    """A mistake that explains every number: the negative, a constant multiple, or (for a
    derivative) the function itself."""
    if not pairs or not all(math.isfinite(got) for got, _, _ in pairs):
        return None
    scale = max([1.0, *(abs(exact) for _, exact, _ in pairs)])

    def close(a: float, b: float) -> bool:
        return abs(a - b) <= 10 * (rtol * abs(b) + atol * scale)

    if kind == "derivative" and all(close(got, value) for got, _, value in pairs):
        return "not_differentiated"
    if all(exact == 0 for _, exact, _ in pairs):
        return None
    if all(close(got, -exact) for got, exact, _ in pairs):
        return "sign"
    got0, exact0, _ = max(pairs, key=lambda p: abs(p[1]))
    factor = got0 / exact0
    if factor not in (0.0, 1.0) and all(close(got, factor * exact) for got, exact, _ in pairs):
        return "factor"
    return None
