"""Numeric answers: a value, a derivative, a gradient or a Hessian at a point.

The student's text is read here with a small grammar of its own (decimal numbers, ``p/q``,
and bracketed lists of them), never with `eval` or a Python literal parser, and is kept, so
significant figures are judged from what was written ("48.0" has three, "48" two). The
expected numbers are the exact reference at 50 significant digits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
    "sigfigs": "Give at least {sigfigs} significant figures.",
}


@dataclass(frozen=True)
class _Number:
    value: Fraction
    text: str | None  # as written, when it was text: significant figures are read from it


class _Unreadable(Exception):
    """The student's text is not a number or a list of numbers; the message says why."""


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
    sigfigs: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Feedback:
    """Grade a numeric `answer` to "what is the value / derivative / gradient / Hessian of
    `of` at `at`?".

    `answer` is a number, the student's raw text ("48.0", "4.8e1", "1/3", "[9, 42]",
    "[[2, 1], [1, 0]]"), a list of those, or a dict keyed by variable (gradient) or by pairs
    of variables (Hessian). Components are ordered by `variables` (default: the function's
    variables sorted by name). `kind="derivative"` is the `order`-th derivative with respect
    to `wrt` (default: the only variable).

    Tolerance: with `sigfigs`, the answer must show at least that many significant figures
    and agree with the expected value rounded to them; otherwise ``|answer - expected| <=
    rtol * |expected| + atol * max(1, largest |expected|)`` (defaults 1e-6 and 1e-12).
    Problems with the question raise `DiffCompareError`; problems with the answer give an
    ``invalid`` feedback. Gradients and Hessians get partial credit per component.
    """
    function = read_function(of, limits)
    names = variable_order(function, variables)
    point = _point(at, names, function, limits)
    entries = _entries(kind, order, wrt, names, limits)
    reference = _reference(function, names, point, kind, order, entries, limits)
    try:
        given = _answer_components(answer, kind, names, limits)
    except _Unreadable as unreadable:
        return Feedback(
            "invalid",
            0.0,
            f"Your answer could not be read: {unreadable}.",
            details={"error": {"kind": "input", "text": str(unreadable)}},
        )
    if kind in ("value", "derivative"):
        given = {key: given[()] for key in entries}
    scale = max([1.0, *(float(abs(v)) for v in reference.values() if v is not None)])
    tolerance = _Tolerance(rtol, atol, sigfigs, scale)
    parts = {key: _grade_one(given.get(key), entries[key], reference, tolerance) for key in entries}
    if kind in ("value", "derivative"):
        return next(iter(parts.values()))
    return combine(parts, kind)


# ---------------------------------------------------------------------------------------------
# the question


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


_NUMBER = re.compile(r"([+-]?)((?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:[eE]([+-]?[0-9]+))?")
_TOKEN = re.compile(r"\s*(?:(\[)|(\])|(,)|([^\s\[\],]+))")
MAX_EXPONENT = 400


def read_number(text: str, limits: Limits = DEFAULT_LIMITS) -> Fraction:
    """The exact value of a decimal number ("-4.8e1") or a quotient of two ("1/3")."""
    numerator, slash, denominator = text.partition("/")
    value = _decimal(numerator.strip(), limits)
    if slash:
        divisor = _decimal(denominator.strip(), limits)
        if divisor == 0:
            raise _Unreadable(f"'{text}' divides by zero")
        value /= divisor
    return value


def _decimal(text: str, limits: Limits) -> Fraction:
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise _Unreadable(f"'{text}' is not a finite number")
    match = _NUMBER.fullmatch(text)
    if match is None:
        shown = text if len(text) <= 30 else text[:27] + "..."
        raise _Unreadable(f"'{shown}' is not a number (write a decimal like 48.0 or 4.8e1)")
    sign, mantissa, exponent = match.groups()
    digits = mantissa.replace(".", "").lstrip("0")
    if len(digits) > limits.max_literal_digits:
        raise _Unreadable(f"a number has more than {limits.max_literal_digits} digits")
    if exponent is not None and abs(int(exponent[:6])) > MAX_EXPONENT:
        raise _Unreadable(f"'{text[:30]}' is too large or too small")
    value = Fraction(mantissa) * Fraction(10) ** int(exponent or 0)
    return -value if sign == "-" else value


def significant_figures(text: str) -> int | None:
    """Significant figures as written ("0.0480" has 3); None for a quotient ("1/3" is exact).
    Trailing zeros of a whole number ("4800") count: the writer may mean them."""
    if "/" in text:
        return None
    match = _NUMBER.fullmatch(text.strip())
    if match is None:
        return None
    digits = match.group(2).replace(".", "").lstrip("0")
    return max(len(digits), 1)


def _last_place(text: str) -> mpmath.mpf | None:
    """The value of one unit in the last written digit ("0.33" -> 0.01, "4.8e1" -> 1)."""
    match = _NUMBER.fullmatch(text.strip())
    if match is None:
        return None
    mantissa, exponent = match.group(2), int(match.group(3) or 0)
    decimals = len(mantissa.partition(".")[2])
    return mpmath.mpf(10) ** (exponent - decimals)


def _read_text(text: str, limits: Limits) -> Any:
    """A number or a (nested) list of numbers from text, with an explicit stack."""
    if len(text) > limits.max_length:
        raise _Unreadable(f"the answer is {len(text)} characters long")
    stripped = text.strip()
    if not stripped.startswith("["):
        return _Number(read_number(stripped, limits), stripped)
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
            raise _Unreadable("text after the closing ']'")
        if opening:
            if len(stack) >= 2:
                raise _Unreadable("lists nest at most two deep")
            stack.append([])
            expect_item = True
        elif closing:
            if not stack:
                raise _Unreadable("a ']' without its '['")
            done = stack.pop()
            if stack:
                stack[-1].append(done)
            else:
                result = done
            expect_item = False
        elif comma:
            if expect_item or not stack:
                raise _Unreadable("a ',' where a number should be")
            expect_item = True
        else:
            if not stack:
                raise _Unreadable("a number outside the brackets")
            stack[-1].append(_Number(read_number(word, limits), word))
            expect_item = False
    if stack or result is None or position != len(stripped.rstrip()):
        raise _Unreadable("unbalanced brackets or stray characters")
    return result


def _item(value: Any, limits: Limits) -> Any:
    """Any accepted form (number, text, list, array) as nested lists of _Number."""
    if isinstance(value, _Number):
        return value
    if isinstance(value, str):
        return _read_text(value, limits)
    if isinstance(value, bool) or value is None:
        raise _Unreadable("expected a number")
    if hasattr(value, "tolist"):  # a numpy array or scalar
        return _item(value.tolist(), limits)
    if isinstance(value, int | float | Fraction) or hasattr(value, "__float__"):
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise _Unreadable("expected a number") from None
        if not math.isfinite(number):
            raise _Unreadable(f"{number} is not a finite number")
        return _Number(Fraction(value) if isinstance(value, int) else Fraction(number), None)
    if isinstance(value, Sequence):
        if len(value) > MAX_ENTRIES:
            raise _Unreadable(f"more than {MAX_ENTRIES} numbers")
        return [_item(v, limits) for v in value]
    raise _Unreadable(f"expected a number, not {type(value).__name__}")


def _answer_components(
    answer: Any, kind: str, names: Sequence[str], limits: Limits
) -> dict[tuple[str, ...], _Number]:
    if kind in ("value", "derivative"):
        number = _item(answer, limits)
        if isinstance(number, list) and len(number) == 1 and isinstance(number[0], _Number):
            number = number[0]  # "[48]"
        if not isinstance(number, _Number):
            raise _Unreadable("expected a single number")
        return {(): number}
    n = len(names)
    if isinstance(answer, Mapping):
        components: dict[tuple[str, ...], _Number] = {}
        for key, value in answer.items():
            pair = (key,) if isinstance(key, str) else tuple(key)
            if any(name not in names for name in pair):
                raise _Unreadable(f"{key!r} does not name the variables {', '.join(names)}")
            item = _item(value, limits)
            if not isinstance(item, _Number):
                raise _Unreadable(f"the entry {key!r} is not a single number")
            components[pair] = item
        if kind == "hessian":  # one triangle given: the other follows by symmetry
            for (a, b), number in list(components.items()):
                components.setdefault((b, a), number)
        return components
    items = _item(answer, limits)
    if not isinstance(items, list):
        raise _Unreadable(f"expected a list of {n if kind == 'gradient' else f'{n} x {n}'}")
    if kind == "gradient":
        if len(items) != n or not all(isinstance(i, _Number) for i in items):
            raise _Unreadable(f"expected a list of {n} numbers, one per variable")
        return {(name,): item for name, item in zip(names, items, strict=True)}
    if len(items) == n * n and all(isinstance(i, _Number) for i in items):
        items = [items[i * n : (i + 1) * n] for i in range(n)]  # flattened, row by row
    if len(items) != n or not all(
        isinstance(row, list) and len(row) == n and all(isinstance(v, _Number) for v in row)
        for row in items
    ):
        raise _Unreadable(f"expected {n} rows of {n} numbers")
    return {(a, b): items[i][j] for i, a in enumerate(names) for j, b in enumerate(names)}


# ---------------------------------------------------------------------------------------------
# one component


@dataclass(frozen=True)
class _Tolerance:
    rtol: float | None
    atol: float | None
    sigfigs: int | None
    scale: float

    def allowed(self, expected: mpmath.mpf) -> mpmath.mpf:
        if self.sigfigs is not None and self.rtol is None and self.atol is None:
            if expected == 0:
                return mpmath.mpf(DEFAULT_ATOL) * self.scale
            exponent = int(mpmath.floor(mpmath.log10(abs(expected))))
            # half a unit in the last wanted place, and a hair for decimal ties
            return mpmath.mpf(10) ** (exponent - self.sigfigs + 1) * mpmath.mpf("0.5000001")
        rtol = DEFAULT_RTOL if self.rtol is None else self.rtol
        atol = DEFAULT_ATOL if self.atol is None else self.atol
        return rtol * abs(expected) + atol * self.scale


def _grade_one(
    given: _Number | None,
    entry: Entry,
    reference: Mapping[Entry, mpmath.mpf | None],
    tolerance: _Tolerance,
) -> Feedback:
    with mpmath.workdps(WORKING_DIGITS):
        return _judge_one(given, entry, reference, tolerance)


def _judge_one(
    given: _Number | None,
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
    details["given"] = given.text if given.text is not None else float(value)
    error = abs(value - expected)
    details["error"] = float(error)
    allowed = tolerance.allowed(expected)
    if error <= allowed:
        figures = significant_figures(given.text) if given.text is not None else None
        wanted = tolerance.sigfigs
        if wanted is not None and figures is not None and figures < wanted:
            message = MESSAGES["sigfigs"].format(sigfigs=wanted)
            return Feedback("incorrect", 0.0, message, "sigfigs", details)
        return Feedback("correct", 1.0, "Correct.", details=details)
    wanted = tolerance.sigfigs
    if wanted is not None and given.text is not None:
        figures, place = significant_figures(given.text), _last_place(given.text)
        # right to the digits written, but too few of them
        if figures is not None and place is not None and figures < wanted and error <= place / 2:
            message = MESSAGES["sigfigs"].format(sigfigs=wanted)
            return Feedback("incorrect", 0.0, message, "sigfigs", details)
    mistake = _mistake(value, entry, reference, tolerance)
    if mistake is not None:
        return Feedback("incorrect", 0.0, MESSAGES[mistake], mistake, details)
    return Feedback("incorrect", 0.0, "That is not the expected number.", details=details)


def _mistake(
    value: mpmath.mpf,
    entry: Entry,
    reference: Mapping[Entry, mpmath.mpf | None],
    tolerance: _Tolerance,
) -> str | None:
    def near(other: mpmath.mpf | None) -> bool:
        return other is not None and abs(value - other) <= tolerance.allowed(other)

    expected = reference[entry]
    if expected is not None and expected != 0 and near(-expected):
        return "sign"
    if entry and near(reference.get(())):
        return "not_differentiated"
    if entry and len(set(entry)) == 1:
        for other, other_value in reference.items():
            same_variable = other and len(set(other)) == 1 and other[0] == entry[0]
            if same_variable and other != entry and near(other_value):
                return "wrong_order"
    return None
