"""Numbers as students write them, and their significant figures.

A number is read by a small grammar of its own, never by `eval` or a Python literal parser:

    number   := sign? "(" sign? decimal ")" | sign? decimal     (also p/q, an exact quotient)
    decimal  := mantissa ("e" int)? ("*" "10" ("^" | "**") int)?
    mantissa := digits ("." digits?)? | "." digits

so ``48``, ``4.8e1``, ``1.41*10^-3``, ``138*10^(-3)``, ``-(0.05)`` and ``1/3`` are numbers.
Pasted typography is read as what it stands for: ``×`` and ``·`` for ``*``, ``−`` for ``-``,
superscript exponents (``10⁻³``), thin and non-breaking spaces.

Significant figures are counted from the mantissa as written: leading zeros never count,
every digit after the first nonzero one does (``0.0480`` has 3, ``1.50`` has 3, ``0.00`` has
2), and the trailing zeros of a whole number may or may not (``4800`` has 2 to 4). A figure
count is therefore a range; an exact quotient has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from ..language.limits import DEFAULT_LIMITS, Limits

MAX_EXPONENT = 400
"""Largest power of ten accepted in an answer (a student's number, not a stress test)."""

_TYPOGRAPHY = str.maketrans(
    {
        "\u2212": "-",  # minus sign
        "\u2013": "-",  # en dash, pasted from word processors
        "\u00d7": "*",  # multiplication sign
        "\u00b7": "*",  # middle dot
        "\u22c5": "*",  # dot operator
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPERSCRIPT_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")

_INT = r"(?:([+-]?[0-9]+)|\(\s*([+-]?[0-9]+)\s*\))"
_DECIMAL = re.compile(
    r"(?P<mantissa>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"(?:[eE](?P<e>[+-]?[0-9]+))?"
    rf"(?:\*10(?:\^|\*\*){_INT})?"
)


class UnreadableNumber(Exception):
    """Text that is not a number of the grammar; the message says why, for the student."""


@dataclass(frozen=True)
class Written:
    """A number as the student wrote it: its exact value and its significant figures."""

    value: Fraction
    text: str
    figures: tuple[int, int] | None  # (fewest, most) figures it may have; None: exact p/q


def normalize(text: str) -> str:
    """The text with pasted typography replaced by the characters of the grammar."""
    text = text.translate(_TYPOGRAPHY)
    return _SUPERSCRIPT_RUN.sub(lambda run: "^" + run.group().translate(_SUPERSCRIPTS), text)


def read_written(text: str, limits: Limits = DEFAULT_LIMITS) -> Written:
    """The number `text` stands for, with its figures as written."""
    clean = "".join(normalize(text).split())
    numerator, slash, denominator = clean.partition("/")
    if slash:
        top, bottom = _signed(numerator, text, limits), _signed(denominator, text, limits)
        if bottom.value == 0:
            raise UnreadableNumber(f"'{_shown(text)}' divides by zero")
        return Written(top.value / bottom.value, text.strip(), None)
    return _signed(clean, text, limits)


def read_number(text: str, limits: Limits = DEFAULT_LIMITS) -> Fraction:
    """The exact value of a number as students write it ("-4.8e1", "1.41*10^-3", "1/3")."""
    return read_written(text, limits).value


def significant_figures(text: str) -> tuple[int, int] | None:
    """(fewest, most) significant figures of a written number; None for a quotient or text
    that is not a number. ``"0.0480"`` -> (3, 3), ``"4800"`` -> (2, 4)."""
    try:
        return read_written(text).figures
    except UnreadableNumber:
        return None


def round_figures(value: Decimal, figures: int) -> Decimal:
    """`value` rounded to `figures` significant figures, half away from zero."""
    if value == 0 or figures <= 0:
        return value if figures > 0 else Decimal(0)
    quantum = Decimal(1).scaleb(value.adjusted() - figures + 1)
    with localcontext() as context:
        context.prec = max(figures + 5, 60)
        return value.quantize(quantum, rounding=ROUND_HALF_UP)


def as_decimal(value: Fraction, digits: int = 60) -> Decimal:
    with localcontext() as context:
        context.prec = digits
        return Decimal(value.numerator) / Decimal(value.denominator)


def _signed(clean: str, original: str, limits: Limits) -> Written:
    negative = False
    body = clean
    while body[:1] in ("+", "-"):
        negative ^= body[0] == "-"
        body = body[1:]
    if body.startswith("(") and body.endswith(")"):
        body = body[1:-1]
        while body[:1] in ("+", "-"):
            negative ^= body[0] == "-"
            body = body[1:]
    if body.lower() in ("nan", "inf", "infinity"):
        raise UnreadableNumber(f"'{_shown(original)}' is not a finite number")
    match = _DECIMAL.fullmatch(body)
    if match is None:
        raise UnreadableNumber(
            f"'{_shown(original)}' is not a number (write a decimal like 48.0, 4.8e1 or 4.8*10^1)"
        )
    mantissa = match.group("mantissa")
    digits = mantissa.replace(".", "").lstrip("0")
    if len(digits) > limits.max_literal_digits:
        raise UnreadableNumber(f"a number has more than {limits.max_literal_digits} digits")
    exponent = 0
    for part in (match.group("e"), match.group(3), match.group(4)):
        if part is not None:
            if len(part.lstrip("+-")) > 6 or abs(int(part)) > MAX_EXPONENT:
                raise UnreadableNumber(f"'{_shown(original)}' is too large or too small")
            exponent += int(part)
    if abs(exponent) > MAX_EXPONENT:
        raise UnreadableNumber(f"'{_shown(original)}' is too large or too small")
    value = Fraction(mantissa) * Fraction(10) ** exponent
    return Written(-value if negative else value, original.strip(), _figures(mantissa))


def _figures(mantissa: str) -> tuple[int, int]:
    whole, point, decimals = mantissa.partition(".")
    digits = (whole + decimals).lstrip("0")
    if not digits.strip("0"):  # the number zero: "0.00" shows 2 figures, "0" one
        count = max(len(decimals), 1)
        return count, count
    if point:
        return len(digits), len(digits)
    return len(digits.rstrip("0")), len(digits)


def _shown(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 30 else text[:27] + "..."
