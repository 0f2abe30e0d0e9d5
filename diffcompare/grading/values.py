"""Numeric answers: a value, a derivative, a gradient or a Hessian at a point.

The student's text is read with a small grammar of its own (`numbers`: decimals as students
write them, ``p/q``, and bracketed lists of them), never with `eval` or a Python literal
parser, and is kept, so significant figures are judged from what was written ("48.0" has
three, "48" two). The expected numbers are the exact reference at 50 significant digits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import mpmath

from ..errors import DomainError, InputError
from ..language.expr import Expr
from ..language.expr import variables as variables_of
from ..language.limits import DEFAULT_LIMITS, Limits
from ..language.parse import check_coordinate, parse_point
from . import exact, sandbox
from .exact import Entry, canonical
from .feedback import Feedback, combine
from .numbers import (
    UnreadableNumber,
    Written,
    as_decimal,
    read_number,
    read_written,
    round_figures,
    significant_figures,
)
from .question import read_function, variable_order

Kind = Literal["value", "derivative", "gradient", "hessian"]

DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-12
"""Absolute floor, times the largest expected magnitude (at least 1): lets an exact 0 absorb
a student's rounding of that size."""
REFERENCE_SECONDS = 10.0
WORKING_DIGITS = 60
"""Digits of the arithmetic on answers and expected values (the reference has 50)."""
MAX_ENTRIES = 64 * 64

MESSAGES = {
    "sign": "Check the sign: your number is the negative of the expected one.",
    "not_differentiated": "That is the value of the function itself, not of its derivative.",
    "wrong_order": "That is the value of a derivative of a different order.",
    "too_few_figures": "Give your answer to {wanted} significant figures: {text} has {count}.",
    "too_many_figures": "Give your answer to {wanted} significant figures: {text} has {count}.",
    "inaccurate": "That is not the expected value rounded to {correct} significant figures.",
    "not_decimal": "Write your answer as a decimal number with {wanted} significant figures.",
}

__all__ = ["MESSAGES", "check_values", "read_number", "significant_figures"]

Figures = int | tuple[int, int]


# ---------------------------------------------------------------------------------------------
# the public check


def check_values(
    answer: Any,
    of: str | Expr,
    at: Mapping[str, float] | str,
    *,
    kind: Kind = "value",
    order: int = 1,
    wrt: str | None = None,
    variables: Sequence[str] | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    sigfigs: Figures | None = None,
    more_figures: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Feedback:
    """Grade a numeric `answer` to "what is the value / derivative / gradient / Hessian of
    `of` at `at`?".

    `answer` is a number, the student's raw text ("48.0", "4.8e1", "1/3", "[9, 42]",
    "[[2, 1], [1, 0]]"), a list of those, or a dict keyed by variable (gradient) or by pairs
    of variables (Hessian). Components are ordered by `variables` (default: the function's
    variables sorted by name). `kind="derivative"` is the `order`-th derivative with respect
    to `wrt` (default: the only variable).

    Tolerance: ``|answer - expected| <= rtol * |expected| + atol * max(1, largest
    |expected|)`` (defaults 1e-6 and 1e-12). With ``sigfigs=n`` (STACK's NumSigFigs) the
    tolerance is replaced by figures: the answer must be written with exactly n significant
    figures (``more_figures=True``: at least n), and it rounded to n figures must equal the
    expected value rounded to n, half away from zero, on exact decimals. ``sigfigs=(n, m)``:
    n figures written, m of them correct (m = 0: only the count is checked).
    Problems with the question raise `DiffCompareError`; problems with the answer give an
    ``invalid`` feedback. Gradients and Hessians get partial credit per component.
    """
    figures = _figures_option(sigfigs)
    function = read_function(of, limits)
    names = variable_order(function, variables)
    point = _point(at, names, function, limits)
    entries = _entries(kind, order, wrt, names, limits)
    reference = _reference(function, names, point, kind, order, entries, limits)
    try:
        given = _answer_components(answer, kind, names, limits)
    except UnreadableNumber as unreadable:
        return Feedback(
            "invalid",
            0.0,
            f"Your answer could not be read: {unreadable}.",
            details={"error": {"kind": "input", "text": str(unreadable)}},
        )
    if kind in ("value", "derivative"):
        given = {key: given[()] for key in entries}
    scale = max([1.0, *(float(abs(v)) for v in reference.values() if v is not None)])
    tolerance = _Tolerance(rtol, atol, figures, more_figures, scale)
    parts = {key: _grade_one(given.get(key), entries[key], reference, tolerance) for key in entries}
    if kind in ("value", "derivative"):
        return next(iter(parts.values()))
    return combine(parts, kind)


# ---------------------------------------------------------------------------------------------
# the question


def _figures_option(sigfigs: Figures | None) -> tuple[int, int] | None:
    """(figures written, figures correct), checked: the teacher's option, not the answer."""
    if sigfigs is None:
        return None
    pair = (sigfigs, sigfigs) if isinstance(sigfigs, int) else tuple(sigfigs)
    if (
        len(pair) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in pair)
        or not 1 <= pair[0] <= 50
        or not 0 <= pair[1] <= pair[0]
    ):
        raise InputError(f"sigfigs must be n (1 to 50) or (n, m) with 0 <= m <= n, not {sigfigs!r}")
    return pair[0], pair[1]


def _point(
    at: Mapping[str, float] | str, names: Sequence[str], function: Expr, limits: Limits
) -> dict[str, float]:
    point = parse_point(at, where="at", limits=limits) if isinstance(at, str) else dict(at)
    for name in variables_of(function):
        if name not in point:
            raise InputError(f"at: variable '{name}' has no value")
    for name, value in point.items():
        if name not in names:
            raise InputError(f"at: '{name}' is not a variable of the function")
        try:
            point[name] = check_coordinate(name, float(value), limits, where="at")
        except (TypeError, ValueError):
            raise InputError(f"at: the value of '{name}' is not a number") from None
    return {name: point[name] for name in names}


def _entries(
    kind: str, order: int, wrt: str | None, names: Sequence[str], limits: Limits
) -> dict[tuple[str, ...], Entry]:
    """Component key (the variables differentiated by) -> the reference's entry."""
    if kind == "value":
        return {(): ()}
    if kind == "derivative":
        if wrt is None:
            if len(names) != 1:
                raise InputError("kind='derivative' of a function of several variables: give wrt")
            wrt = names[0]
        if wrt not in names:
            raise InputError(f"wrt: '{wrt}' is not a variable of the function")
        if not isinstance(order, int) or not 1 <= order <= limits.max_order:
            raise InputError(f"order must be between 1 and {limits.max_order}, got {order!r}")
        return {(wrt,) * order: (names.index(wrt),) * order}
    if kind == "gradient":
        return {(name,): (i,) for i, name in enumerate(names)}
    if kind == "hessian":
        return {(a, b): canonical((i, j)) for i, a in enumerate(names) for j, b in enumerate(names)}
    raise InputError(f"kind must be value, derivative, gradient or hessian, not {kind!r}")


def _reference(
    function: Expr,
    names: Sequence[str],
    point: Mapping[str, float],
    kind: str,
    order: int,
    entries: Mapping[tuple[str, ...], Entry],
    limits: Limits,
) -> dict[Entry, mpmath.mpf | None]:
    """Exact values of the asked-for entries, and of their neighbours (for mistakes)."""
    wanted = {(), *entries.values()}
    if kind == "derivative":
        first = next(iter(entries.values()))
        wanted |= {(first[0],) * k for k in range(1, order + 2)}
    coordinates = [point[name] for name in names]
    values: dict[Entry, mpmath.mpf | None] = sandbox.run_limited(
        exact.exact_values,
        function,
        tuple(names),
        coordinates,
        sorted(wanted, key=len),
        limits,
        seconds=REFERENCE_SECONDS,
    )
    for key, entry in entries.items():
        if values.get(entry) is None:
            what = "function" if not key else "derivative " + "".join(key)
            raise DomainError(f"the {what} has no value at the point {dict(point)}")
    return values


# ---------------------------------------------------------------------------------------------
# the answer


_TOKEN = re.compile(r"\s*(?:(\[)|(\])|(,)|([^\[\],]+))")


def _read_text(text: str, limits: Limits) -> Any:
    """A number or a (nested) list of numbers from text, with an explicit stack."""
    if len(text) > limits.max_length:
        raise UnreadableNumber(f"the answer is {len(text)} characters long")
    stripped = text.strip()
    if not stripped.startswith("["):
        return read_written(stripped, limits)
    stack: list[list[Any]] = []
    result: Any = None
    position = 0
    expect_item = True
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if match is None or match.end() == position:
            break
        position = match.end()
        opening, closing, comma, word = match.groups()
        if result is not None:
            raise UnreadableNumber("text after the closing ']'")
        if opening:
            if len(stack) >= 2:
                raise UnreadableNumber("lists nest at most two deep")
            stack.append([])
            expect_item = True
        elif closing:
            if not stack:
                raise UnreadableNumber("a ']' without its '['")
            done = stack.pop()
            if stack:
                stack[-1].append(done)
            else:
                result = done
            expect_item = False
        elif comma:
            if expect_item or not stack:
                raise UnreadableNumber("a ',' where a number should be")
            expect_item = True
        else:
            if not stack:
                raise UnreadableNumber("a number outside the brackets")
            stack[-1].append(read_written(word, limits))
            expect_item = False
    if stack or result is None or position != len(stripped.rstrip()):
        raise UnreadableNumber("unbalanced brackets or stray characters")
    return result


def _item(value: Any, limits: Limits) -> Any:
    """Any accepted form (number, text, list, array) as nested lists of Written."""
    if isinstance(value, Written):
        return value
    if isinstance(value, str):
        return _read_text(value, limits)
    if isinstance(value, bool) or value is None:
        raise UnreadableNumber("expected a number")
    if hasattr(value, "tolist"):  # a numpy array or scalar
        return _item(value.tolist(), limits)
    if isinstance(value, int | float | Fraction) or hasattr(value, "__float__"):
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise UnreadableNumber("expected a number") from None
        if not math.isfinite(number):
            raise UnreadableNumber(f"{number} is not a finite number")
        # figures of a Python number: those of its shortest repr ("0.1", "48")
        figures = read_written(repr(value) if isinstance(value, int) else repr(number)).figures
        return Written(Fraction(value) if isinstance(value, int) else Fraction(number), "", figures)
    if isinstance(value, Sequence):
        if len(value) > MAX_ENTRIES:
            raise UnreadableNumber(f"more than {MAX_ENTRIES} numbers")
        return [_item(v, limits) for v in value]
    raise UnreadableNumber(f"expected a number, not {type(value).__name__}")


def _answer_components(
    answer: Any, kind: str, names: Sequence[str], limits: Limits
) -> dict[tuple[str, ...], Written]:
    if kind in ("value", "derivative"):
        number = _item(answer, limits)
        if isinstance(number, list) and len(number) == 1 and isinstance(number[0], Written):
            number = number[0]  # "[48]"
        if not isinstance(number, Written):
            raise UnreadableNumber("expected a single number")
        return {(): number}
    n = len(names)
    if isinstance(answer, Mapping):
        components: dict[tuple[str, ...], Written] = {}
        for key, value in answer.items():
            pair = (key,) if isinstance(key, str) else tuple(key)
            if any(name not in names for name in pair):
                raise UnreadableNumber(f"{key!r} does not name the variables {', '.join(names)}")
            item = _item(value, limits)
            if not isinstance(item, Written):
                raise UnreadableNumber(f"the entry {key!r} is not a single number")
            components[pair] = item
        if kind == "hessian":  # one triangle given: the other follows by symmetry
            for (a, b), number in list(components.items()):
                components.setdefault((b, a), number)
        return components
    items = _item(answer, limits)
    if not isinstance(items, list):
        raise UnreadableNumber(f"expected a list of {n if kind == 'gradient' else f'{n} x {n}'}")
    if kind == "gradient":
        if len(items) != n or not all(isinstance(i, Written) for i in items):
            raise UnreadableNumber(f"expected a list of {n} numbers, one per variable")
        return {(name,): item for name, item in zip(names, items, strict=True)}
    if len(items) == n * n and all(isinstance(i, Written) for i in items):
        items = [items[i * n : (i + 1) * n] for i in range(n)]  # flattened, row by row
    if len(items) != n or not all(
        isinstance(row, list) and len(row) == n and all(isinstance(v, Written) for v in row)
        for row in items
    ):
        raise UnreadableNumber(f"expected {n} rows of {n} numbers")
    return {(a, b): items[i][j] for i, a in enumerate(names) for j, b in enumerate(names)}


# ---------------------------------------------------------------------------------------------
# one component


@dataclass(frozen=True)
class _Tolerance:
    rtol: float | None
    atol: float | None
    figures: tuple[int, int] | None  # (written, correct), STACK's [n, m]
    more_figures: bool
    scale: float

    def allowed(self, expected: mpmath.mpf) -> mpmath.mpf:
        rtol = DEFAULT_RTOL if self.rtol is None else self.rtol
        atol = DEFAULT_ATOL if self.atol is None else self.atol
        return rtol * abs(expected) + atol * self.scale


def _grade_one(
    given: Written | None,
    entry: Entry,
    reference: Mapping[Entry, mpmath.mpf | None],
    tolerance: _Tolerance,
) -> Feedback:
    with mpmath.workdps(WORKING_DIGITS):
        return _judge_one(given, entry, reference, tolerance)


def _judge_one(
    given: Written | None,
    entry: Entry,
    reference: Mapping[Entry, mpmath.mpf | None],
    tolerance: _Tolerance,
) -> Feedback:
    expected = reference[entry]
    assert expected is not None
    details: dict[str, Any] = {
        "expected": float(expected),
        "expected_text": mpmath.nstr(expected, 20),
    }
    if given is None:
        return Feedback("invalid", 0.0, "No answer was given.", details=details)
    value = mpmath.mpf(given.value.numerator) / given.value.denominator
    details["given"] = given.text or float(value)
    error = abs(value - expected)
    details["error"] = float(error)
    if tolerance.figures is not None:
        return _judge_figures(given, entry, reference, tolerance, tolerance.figures, details)
    if error <= tolerance.allowed(expected):
        return Feedback("correct", 1.0, "Correct.", details=details)
    mistake = _mistake(
        entry, reference, lambda other: abs(value - other) <= tolerance.allowed(other)
    )
    if mistake is not None:
        return Feedback("incorrect", 0.0, MESSAGES[mistake], mistake, details)
    return Feedback("incorrect", 0.0, "That is not the expected number.", details=details)


def _judge_figures(
    given: Written,
    entry: Entry,
    reference: Mapping[Entry, mpmath.mpf | None],
    tolerance: _Tolerance,
    figures: tuple[int, int],
    details: dict[str, Any],
) -> Feedback:
    """STACK's NumSigFigs: the figures written, then the value rounded to the figures asked."""
    wanted, correct = figures
    expected = reference[entry]
    assert expected is not None
    text = given.text or str(float(given.value))
    if given.figures is None:
        message = MESSAGES["not_decimal"].format(wanted=wanted)
        return Feedback("incorrect", 0.0, message, "not_decimal", details)
    fewest, most = given.figures
    details["figures_written"] = [fewest, most]
    student = as_decimal(given.value)

    def same(other: mpmath.mpf) -> bool:
        return round_figures(student, correct) == round_figures(_decimal(other), correct)

    accurate = correct == 0 or same(expected)
    details["accurate"] = accurate
    count = str(fewest) if fewest == most else f"{fewest} to {most}"
    if most < wanted or (fewest > wanted and not tolerance.more_figures):
        name = "too_few_figures" if most < wanted else "too_many_figures"
        at_least = f"at least {wanted}" if tolerance.more_figures else str(wanted)
        message = MESSAGES[name].format(wanted=at_least, text=text, count=count)
        if not accurate:
            message += " Check the value too."
        return Feedback("incorrect", 0.0, message, name, details)
    if accurate:
        return Feedback("correct", 1.0, "Correct.", details=details)
    mistake = _mistake(entry, reference, same) or "inaccurate"
    message = MESSAGES[mistake].format(correct=correct)
    return Feedback("incorrect", 0.0, message, mistake, details)


def _decimal(value: mpmath.mpf) -> Decimal:
    # 45 digits: a true tie (0.04985 exactly) stays a tie; the 50-digit reference's last
    # binary digits cannot tip it
    return Decimal(mpmath.nstr(value, 45, min_fixed=-1, max_fixed=-1))


def _mistake(
    entry: Entry,
    reference: Mapping[Entry, mpmath.mpf | None],
    near: Callable[[mpmath.mpf], bool],
) -> str | None:
    expected = reference[entry]
    if expected is not None and expected != 0 and near(-expected):
        return "sign"
    function_value = reference.get(())
    if entry and function_value is not None and near(function_value):
        return "not_differentiated"
    if entry and len(set(entry)) == 1:
        for other, other_value in reference.items():
            same_variable = other and len(set(other)) == 1 and other[0] == entry[0]
            if same_variable and other != entry and other_value is not None and near(other_value):
                return "wrong_order"
    return None
