"""Is the student's expression the derivative? Two independent verdicts, then the mistake.

The numeric verdict evaluates the answer and the reference (sympy's derivative of the
function) at seeded random points of the domain, at 30 significant digits, so rounding can
neither hide a wrong answer nor spoil a right one. The symbolic verdict asks sympy whether
answer - reference simplifies to 0, within a time budget. Either can prove a right answer
right; only the numeric one can show a wrong answer wrong (sympy failing to simplify to 0
proves nothing). A wrong answer is then compared with the catalogue of altered references
(`mistakes`) to say what went wrong.

The student's text is parsed here, in the caller, with the parser's limits; everything that
can take long (sympy, 30-digit evaluation) runs in a sandbox worker under a deadline.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import DiffCompareError, InputError, LimitError, ParseError, TimeLimitError
from ..language.expr import Expr, to_text
from ..language.expr import variables as variables_of
from ..language.limits import DEFAULT_LIMITS, Limits
from ..language.magnitude import check_at_point
from ..language.parse import name_problem, parse
from ..language.student import Reading, read_student
from . import sandbox
from .feedback import Feedback, combine, invalid
from .judge import grade
from .mistakes import Mistake
from .question import (
    DerivativeQuestion,
    Job,
    is_constant_name,
    natural_sorted,
    read_function,
    variable_order,
    without_names,
)

DEFAULT_RTOL = 1e-9
DEFAULT_DOMAIN = (-3.0, 3.0)
DEFAULT_POINTS = 8
SYMBOLIC_SECONDS = 2.0
SECONDS = 15.0
"""Hard deadline of one whole check (parse excluded); past it the worker is killed."""
MEMORY_MB = 1024
CORNER_VARIABLES = 4
"""Up to this many variables, the answer's growth is checked at every corner of the domain."""

Domain = Mapping[str, tuple[float, float]]
Answer = str | int | float


# ---------------------------------------------------------------------------------------------
# the public checks


def check_derivative(
    answer: Answer,
    of: str | Expr,
    wrt: str | Sequence[str],
    *,
    order: int = 1,
    domain: Domain | None = None,
    rtol: float = DEFAULT_RTOL,
    seed: int = 0,
    points: int = DEFAULT_POINTS,
    mistakes: Sequence[Mistake] = (),
    parameters: Sequence[str] = (),
    implicit: bool = False,
    strict_domain: bool = False,
    symbolic_seconds: float = SYMBOLIC_SECONDS,
    seconds: float = SECONDS,
    memory_mb: float | None = MEMORY_MB,
    limits: Limits = DEFAULT_LIMITS,
    use_sandbox: bool = True,
) -> Feedback:
    """Grade `answer` (the student's text) as the derivative of `of` with respect to `wrt`.

    `wrt` is a variable name (with `order` for higher derivatives) or a list of names for a
    mixed partial (``["x", "y"]`` is d²/dx dy). `domain` maps variables to (low, high) for the
    random points; variables not in it range over (-3, 3). Points where the function or its
    derivative is undefined are skipped; when too few are left, the intervals the teacher did
    not give are widened to (-30, 30), then (-300, 300). `mistakes` are the teacher's own
    wrong answers, tried before the built-in catalogue.

    An answer may use a constant of integration (c, C, k, K, c1, ...: `question.CONSTANT_NAME`)
    that is not a variable of the question: it is graded as if the constant were 0, and is
    never right (``x**4/4 + c`` for the derivative of x**3 is ``integrated``, ``2*x + c`` for
    that of x**2 has the mistake ``constant``). `parameters` names letters the answer may use
    as parameters of the question (never constants of integration), besides the function's.
    An answer with no value at any point (``1/0``, ``log(0)``) is ``invalid``.

    Domains: an answer is compared where the function and its derivative are defined. By
    default an answer defined on more than that is right there (``sqrt((x-3)*(x-5))`` for
    ``sqrt(x-3)*sqrt(x-5)``); with `strict_domain=True` it is ``incorrect`` with the mistake
    ``domain``, and ``details["defined_at"]`` names a point where only the answer has a value.

    `implicit=True` reads the answer in student notation (`language.student`: ``2x``,
    ``sin x``, ``|x|``, ``x²``...); the feedback says how ambiguous forms were read
    (``details["read_as"]``, ``details["notes"]``, and a sentence of the message).

    Problems with the question (`of`, `wrt`, `domain`, `mistakes`) raise `DiffCompareError`:
    they are the teacher's to fix; a function with no value anywhere in the (widened) domain
    (``1/0``, ``log(0)``, ``1/(x-x)``) raises `DomainError`. Problems with the answer never
    raise: unreadable or oversized text is ``invalid``, a check that cannot decide (time,
    memory) ``undetermined``.
    `use_sandbox=False` runs the work in this process (no hard deadline: for debugging).
    """
    start = time.perf_counter()
    question = _question(of, wrt, order, domain, mistakes, parameters, limits)
    reading = _reading(answer, question) if implicit else None
    parsed = _parse_answer(answer if reading is None else reading, question, limits)
    if isinstance(parsed, Feedback):
        parsed.details["seconds"] = time.perf_counter() - start
        return _with_reading(parsed, reading)
    tree, constants = parsed
    job = Job(
        answer=without_names(tree, constants) if constants else tree,
        constants=constants,
        strict_domain=strict_domain,
        question=question,
        rtol=rtol,
        seed=seed,
        points=points,
        symbolic_seconds=symbolic_seconds,
        seconds=seconds,
        limits=limits,
    )
    feedback = _run(job, use_sandbox, memory_mb)
    feedback.details["seconds"] = time.perf_counter() - start
    return _with_reading(feedback, reading)


def _reading(answer: Answer, question: DerivativeQuestion) -> Reading | Answer:
    """The answer in the strict language, or the answer as it is when it is not text or
    has a character with no reading (the strict parser then says what is wrong)."""
    if not isinstance(answer, str):
        return answer
    try:
        return read_student(answer, question.variables)
    except ParseError:
        return answer


def _with_reading(feedback: Feedback, reading: Reading | Answer | None) -> Feedback:
    if not isinstance(reading, Reading):
        return feedback
    feedback.details["read_as"] = reading.text
    feedback.details["notes"] = list(reading.notes)
    if reading.notes:
        feedback.message += " (" + "; ".join(reading.notes) + ".)"
    return feedback


def check_gradient(
    answers: Sequence[Answer] | Mapping[str, Answer],
    of: str | Expr,
    *,
    variables: Sequence[str] | None = None,
    parameters: Sequence[str] = (),
    **options: Any,
) -> Feedback:
    """Grade one answer per gradient component: a list in the order of `variables` (by
    default the function's variables sorted by name: x, y, z, x2, x10, less `parameters`,
    which are held fixed), or a dict keyed by variable. Score: the fraction of components
    right; each component's feedback (as a dict) is in ``details["components"]``; a missing
    component counts as invalid. Options are those of `check_derivative`."""
    function = read_function(of, options.get("limits", DEFAULT_LIMITS))
    names = variable_order(function, variables, parameters)
    options = {**options, "parameters": parameters}
    keys = [(name,) for name in names]
    if isinstance(answers, Mapping):
        extra = [key for key in answers if key not in names]
        if extra:
            return _invalid_shape(f"there is no variable {extra[0]!r} in this question", names)
        given: dict[tuple[str, ...], Any] = {(name,): answers.get(name) for name in names}
    elif isinstance(answers, str) or len(answers) != len(names):
        count = 1 if isinstance(answers, str) else len(answers)
        return _invalid_shape(f"{count} answers for {len(names)} components", names)
    else:
        given = dict(zip(keys, answers, strict=True))
    return combine(
        {
            key: check_derivative(text, function, list(key), **options)
            for key, text in given.items()
        },
        "gradient",
    )


def check_hessian(
    answers: Sequence[Sequence[Answer]] | Mapping[tuple[str, str], Answer],
    of: str | Expr,
    *,
    variables: Sequence[str] | None = None,
    parameters: Sequence[str] = (),
    **options: Any,
) -> Feedback:
    """Grade one answer per Hessian entry (`variables` and `parameters` as for
    `check_gradient`): a full n x n nested list (every entry graded, the
    symmetric ones too), or a dict keyed by pairs of variables (the upper triangle, pairs
    (a, b) with a not after b, is required; a missing entry counts as invalid). Score: the
    fraction of entries right. Options are those of `check_derivative`."""
    function = read_function(of, options.get("limits", DEFAULT_LIMITS))
    names = variable_order(function, variables, parameters)
    options = {**options, "parameters": parameters}
    given: dict[tuple[str, ...], Any] = {}
    if isinstance(answers, Mapping):
        for key, text in answers.items():
            pair = tuple(key) if isinstance(key, tuple | list) else (key,)
            if len(pair) != 2 or any(name not in names for name in pair):
                return _invalid_shape(f"{key!r} is not a pair of variables", names)
            given[pair] = text
        for i, a in enumerate(names):
            for b in names[i:]:
                if (a, b) not in given and (b, a) not in given:
                    given[(a, b)] = None
    else:
        rows = list(answers) if not isinstance(answers, str) else []
        if len(rows) != len(names) or any(
            isinstance(row, str) or not isinstance(row, Sequence) or len(row) != len(names)
            for row in rows
        ):
            return _invalid_shape(f"expected {len(names)} rows of {len(names)} entries", names)
        given = {(a, b): rows[i][j] for i, a in enumerate(names) for j, b in enumerate(names)}
    return combine(
        {
            key: check_derivative(text, function, list(key), **options)
            for key, text in given.items()
        },
        "hessian",
    )


def _invalid_shape(problem: str, names: Sequence[str]) -> Feedback:
    return Feedback(
        "invalid",
        0.0,
        f"Your answer does not have the expected shape: {problem} (variables: {', '.join(names)}).",
        details={"error": {"kind": "input", "text": problem}},
    )


# ---------------------------------------------------------------------------------------------
# the question and the answer, checked in the caller


def _question(
    of: str | Expr,
    wrt: str | Sequence[str],
    order: int,
    domain: Domain | None,
    mistakes: Sequence[Mistake],
    parameters: Sequence[str],
    limits: Limits,
) -> DerivativeQuestion:
    function = read_function(of, limits)
    names = [wrt] if isinstance(wrt, str) else list(wrt)
    if not names:
        raise InputError("wrt: name at least one variable")
    for name in names:
        problem = name_problem(name) if isinstance(name, str) else "not text"
        if problem is not None:
            raise InputError(f"wrt: '{name}' is not a usable variable name: {problem}")
    if not isinstance(order, int) or order < 1:
        raise InputError(f"order must be a positive whole number, got {order!r}")
    if len(names) == 1:
        names = names * order
    elif order not in (1, len(names)):
        raise InputError(f"order {order} does not match the {len(names)} variables of wrt")
    if max(names.count(n) for n in names) > limits.max_order:
        raise LimitError(f"derivative order is above the limit of {limits.max_order}")
    bounds = dict(domain or {})
    for name, interval in bounds.items():
        problem = name_problem(name)
        if problem is not None:
            raise InputError(f"domain: '{name}' is not a usable variable name: {problem}")
        try:
            low, high = (float(v) for v in interval)
        except (TypeError, ValueError):
            raise InputError(f"domain of '{name}': expected (low, high)") from None
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise InputError(f"domain of '{name}': ({low}, {high}) is not an interval")
    for name in parameters:
        problem = name_problem(name) if isinstance(name, str) else "not text"
        if problem is not None:
            raise InputError(f"parameters: '{name}' is not a usable name: {problem}")
    found = variables_of(function)
    everything = natural_sorted({*found, *names, *bounds, *parameters})
    if len(everything) > limits.max_variables:
        raise LimitError(f"{len(everything)} variables; the limit is {limits.max_variables}")
    intervals = tuple(
        (name, *(float(v) for v in bounds.get(name, DEFAULT_DOMAIN))) for name in everything
    )
    custom = []
    for mistake in mistakes:
        tree = parse(mistake.answer, limits) if isinstance(mistake.answer, str) else mistake.answer
        unknown = set(variables_of(tree)) - set(everything)
        if unknown:
            raise InputError(f"mistake '{mistake.name}' uses unknown variables {sorted(unknown)}")
        custom.append((mistake.name, tree, mistake.message, mistake.score))
    widen = tuple(name for name in everything if name not in bounds)
    return DerivativeQuestion(
        function,
        tuple(names),
        everything,
        intervals,  # type: ignore[arg-type]
        tuple(custom),
        widen,
    )


def _parse_answer(
    answer: Answer | Reading, question: DerivativeQuestion, limits: Limits
) -> tuple[Expr, tuple[str, ...]] | Feedback:
    """The answer's tree and the constants of integration it uses, or the `invalid` feedback
    that says why there is none."""
    read_as = ""
    if isinstance(answer, Reading):
        read_as = f" (read as '{answer.text}')" if answer.text.strip() else ""
        answer = answer.text
    if answer is None:
        return _invalid("No answer was given.", "input", "")
    if isinstance(answer, bool) or not isinstance(answer, str | int | float):
        return _invalid(
            f"Your answer must be an expression, not {type(answer).__name__}.", "input", ""
        )
    if isinstance(answer, int) and answer.bit_length() > 4 * limits.max_literal_digits:
        # past the digit limit anyway, and Python itself refuses repr() of a huge int
        return _invalid(
            f"Your answer is a number of more than {limits.max_literal_digits} digits.", "limit", ""
        )
    text = answer if isinstance(answer, str) else repr(answer)
    try:
        tree = parse(text, limits)
    except ParseError as error:
        where = f" (column {error.column})" if error.column is not None else ""
        return _invalid(f"Your answer could not be read: {error.reason}{where}{read_as}.", error)
    except DiffCompareError as error:
        return _invalid(f"Your answer could not be used: {error.message}.", error)
    others = [name for name in variables_of(tree) if name not in question.variables]
    constants = tuple(name for name in others if is_constant_name(name))
    unknown = [name for name in others if name not in constants]
    if unknown:
        return _invalid(
            f"Your answer uses {', '.join(repr(n) for n in unknown)}, which is not a variable of"
            f" this question (its variables: {', '.join(question.variables)}).",
            "input",
            "",
        )
    # a tower like x**x**x**x**x is a valid expression whose values need millions of digits
    for corner in _corners(question):
        try:
            check_at_point(tree, {**corner, **dict.fromkeys(constants, 1.0)}, limits)
        except LimitError as error:
            return _invalid(f"Your answer grows too fast to be evaluated: {error.message}.", error)
    return tree, constants


def _invalid(message: str, error: DiffCompareError | str, text: str | None = None) -> Feedback:
    kind = error if isinstance(error, str) else error.kind
    return invalid(message, kind, text if text is not None else str(error))


def _corners(question: DerivativeQuestion) -> Iterable[dict[str, float]]:
    if len(question.variables) > CORNER_VARIABLES:
        return [{name: max(abs(lo), abs(hi)) for name, lo, hi in question.domain}]
    choices = [[(name, lo), (name, hi)] for name, lo, hi in question.domain]
    return [dict(combination) for combination in itertools.product(*choices)]


# ---------------------------------------------------------------------------------------------
# the work, in a worker


def _run(job: Job, use_sandbox: bool, memory_mb: float | None) -> Feedback:
    try:
        if not use_sandbox:
            return grade(job)
        result: Feedback = sandbox.run_limited(grade, job, seconds=job.seconds, memory_mb=memory_mb)
        return result
    except TimeLimitError:
        why = f"the check took longer than {job.seconds:g} s"
        kind = "timeout"
    except sandbox.MemoryLimitError:
        why = f"the check needed more than {memory_mb} MB"
        kind = "memory"
    except sandbox.WorkerError as error:
        why = f"the check failed: {error.message}"
        kind = "worker"
    return Feedback(
        "undetermined",
        0.0,
        "Your answer could not be checked automatically; it will be looked at by hand.",
        details={"error": {"kind": kind, "text": why}, "answer": to_text(job.answer)},
    )
