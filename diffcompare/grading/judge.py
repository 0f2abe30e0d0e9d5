"""The verdicts on one derivative answer, worked out in a sandbox worker.

`grade(job)` is the worker's entry point. `Judge` holds the answer, the reference derivative
and the sample points, and produces the `Feedback`: the numeric verdict (30-digit values at
seeded random points), the symbolic one (sympy simplification under a time budget), their
combination, and the mistake search.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy
from sympy.calculus.util import continuous_domain

from ..deadline import time_budget
from ..errors import DomainError, LimitError, TimeLimitError
from ..language.evaluate import evaluate, undefined_reason
from ..language.expr import Expr, to_text
from ..language.magnitude import check_at_point
from .exact import SympyTree, symbols_for, value_at
from .feedback import Feedback, invalid
from .mistakes import MESSAGES, altered_references
from .question import DerivativeQuestion, Job

DIGITS = 30
ATOL_FACTOR = 1e-20
"""Absolute floor of a comparison, relative to the largest reference value: 30-digit
evaluation leaves errors near 1e-30 of the intermediate values."""
MAX_ATTEMPTS_PER_POINT = 20
TEXT_LENGTH = 200
DOMAIN_SEARCH_POINTS = 40
"""Points per box tried, with strict_domain, for one where only the answer is defined."""
WIDER = (30.0, 300.0)
"""Half-widths the intervals the teacher did not give are widened to, in turn, when too few
points of (-3, 3) have the function and its derivative defined (log(x - 3) has none)."""
NATURAL_DOMAIN_SECONDS = 1.0
"""Time sympy may take to find a function's natural domain, when even the widest box has too
few points where it is defined (log(x - 300), log(x - 3) + log(3.5 - x))."""
NATURAL_DOMAIN_WIDTH = 6.0
"""Width sampled from the finite end of an unbounded piece of the natural domain: that of
the default domain (-3, 3)."""
NATURAL_DOMAIN_PIECES = 4
"""Pieces of a natural domain made of several intervals that are sampled, in order."""
UNDETERMINED_MESSAGE = (
    "Your answer could not be checked automatically; it will be looked at by hand."
)


@dataclass
class _Point:
    coordinates: dict[str, float]
    reference: mpmath.mpf
    answer: mpmath.mpf | None
    answer_reason: str | None = None


@dataclass
class _Verdict:
    verdict: str  # "equal", "different", "undetermined", "not shown", "timeout", "error"
    info: dict[str, Any] = field(default_factory=dict)


class _Refused(Exception):
    """The answer turned out unusable inside the worker: carries the invalid feedback."""

    def __init__(self, feedback: Feedback) -> None:
        super().__init__(feedback.message)
        self.feedback = feedback


@dataclass
class JudgedQuestion:
    """The question in sympy: the function and its exact derivative."""

    symbols: dict[str, sympy.Symbol]
    sympy_tree: SympyTree
    function: sympy.Expr
    reference: sympy.Expr


def judge_question(job: Job) -> JudgedQuestion:
    question = job.question
    symbols = symbols_for(question.variables)
    sympy_tree = SympyTree(symbols)
    function = sympy_tree.value(question.function)
    reference = sympy.diff(function, *(symbols[n] for n in question.wrt))
    return JudgedQuestion(symbols, sympy_tree, function, reference)


class Judge:
    def __init__(self, job: Job, question: JudgedQuestion) -> None:
        self.job = job
        self.names = job.question.variables
        self.symbols = question.symbols
        self.sympy_tree = question.sympy_tree
        self.function = question.function
        self.reference = question.reference
        self.answer = self.sympy_tree.value(job.answer)
        self.points: list[_Point] = []
        self.skipped = 0
        self.timings: dict[str, float] = {}
        self.atol: mpmath.mpf | float = 0.0
        self.widened_to: dict[str, list[float]] | None = None

    # -- values

    def value(self, formula: sympy.Expr, point: Mapping[str, float]) -> mpmath.mpf | None:
        number, _ = value_at(formula, self.symbols, point, DIGITS)
        return number

    def close(self, a: mpmath.mpf, b: mpmath.mpf, atol: Any = None) -> bool:
        """Equal to the check's tolerance; `atol` replaces the floor on the values' scale."""
        floor = self.atol if atol is None else atol
        return bool(abs(a - b) <= self.job.rtol * max(abs(a), abs(b)) + floor)

    def where(self, point: Mapping[str, float]) -> str:
        return ", ".join(f"{name} = {value:.4g}" for name, value in point.items())

    # -- the check

    def feedback(self) -> Feedback:
        # every difference of two 30-digit values is taken at that precision, not at 15
        with mpmath.workdps(DIGITS + 10):
            result = self._feedback()
            if self.job.constants and result.status in ("correct", "incorrect"):
                # e**x + c for the derivative of e**x: the constant tells the story
                integrated = result.correct and self.integrated()
                return _with_constants(result, self.job.constants, integrated)
        return result

    def _feedback(self) -> Feedback:
        start = time.perf_counter()
        try:
            numeric = self.numeric()
        except _Refused as refused:
            return refused.feedback
        self.timings["numeric"] = time.perf_counter() - start
        symbolic = self.symbolic()
        details: dict[str, Any] = {
            "answer": to_text(self.job.answer),
            "reference": _short(self.reference),
            "numeric": {"verdict": numeric.verdict, **numeric.info},
            "symbolic": {"verdict": symbolic.verdict, **symbolic.info},
            "points": [
                {
                    "at": p.coordinates,
                    "answer": None if p.answer is None else float(p.answer),
                    "expected": float(p.reference),
                }
                for p in self.points
            ],
            "skipped_points": self.skipped,
            "timings": self.timings,
        }
        proved = symbolic.verdict == "equal"
        if numeric.verdict == "equal" or (numeric.verdict == "undetermined" and proved):
            details["decided_by"] = "numeric" if numeric.verdict == "equal" else "symbolic"
            if symbolic.verdict == "timeout":
                details["note"] = "the symbolic check ran out of time; the numeric one decided"
            wider = self.defined_beyond() if self.job.strict_domain else None
            if wider is not None:
                details["defined_at"] = wider
                message = (
                    f"Your answer is defined at {self.where(wider)}, where the derivative is"
                    " not: it is right only on part of its domain."
                )
                return Feedback("incorrect", 0.0, message, "domain", details)
            return Feedback("correct", 1.0, "Correct.", details=details)
        if numeric.verdict == "undetermined":
            details["decided_by"] = None
            return Feedback("undetermined", 0.0, UNDETERMINED_MESSAGE, details=details)
        if proved:
            # sympy proves equality, the values disagree: one of them is wrong, say so
            details["decided_by"] = None
            details["note"] = "the symbolic and numeric verdicts disagree"
            return Feedback("undetermined", 0.0, UNDETERMINED_MESSAGE, details=details)
        details["decided_by"] = "numeric"
        if symbolic.verdict == "timeout":
            details["note"] = "the symbolic check ran out of time; the numeric one decided"
        return self.wrong(numeric, details)

    def numeric(self) -> _Verdict:
        rng = np.random.default_rng(self.job.seed)
        attempts = 0
        defined = 0  # points where the function itself has a value
        first_reason: str | None = None
        for box, wide in self.boxes():
            budget = MAX_ATTEMPTS_PER_POINT * self.job.points
            while len(self.points) < self.job.points and budget > 0:
                budget -= 1
                attempts += 1
                point = {name: float(rng.uniform(lo, hi)) for name, lo, hi in box}
                # the function must be defined where the student computes (our float
                # semantics: sympy would call sqrt(x)**2 just x, defined everywhere)
                if not _defined(self.job.question.function, point):
                    first_reason = first_reason or undefined_reason(
                        self.job.question.function, point
                    )
                    self.skipped += 1
                    continue
                defined += 1
                expected = self.value(self.reference, point)
                if expected is None:
                    self.skipped += 1
                    continue
                try:
                    check_at_point(self.job.answer, point, self.job.limits)
                except LimitError as error:
                    if wide:  # a point we chose far out: the answer is not at fault
                        self.skipped += 1
                        continue
                    raise _Refused(
                        invalid(
                            f"Your answer grows too fast to be evaluated: {error.message}.",
                            error.kind,
                            str(error),
                        )
                    ) from None
                given, reason = value_at(self.answer, self.symbols, point, DIGITS)
                if given is None or np.isnan(evaluate(self.job.answer, point)):
                    # undefined in our semantics even where sympy rewrote it (sqrt(x)**2 is
                    # x); our float walk also names the operation at fault
                    given, reason = None, undefined_reason(self.job.answer, point) or reason
                self.points.append(_Point(point, expected, given, reason))
                if wide:
                    self.widened_to = {name: [lo, hi] for name, lo, hi in box}
            if len(self.points) >= self.job.points:
                break
        if defined == 0:
            raise DomainError(
                f"the function {_short_text(self.job.question.function)} has no value at any of"
                f" {attempts} points tried in the domain and around it"
                + (f": {first_reason}" if first_reason else "")
            )
        if self.points and all(p.answer is None for p in self.points):
            reason = self.points[0].answer_reason or "undefined"
            raise _Refused(
                invalid(f"Your answer has no value at any point ({reason}).", "domain", reason)
            )
        info: dict[str, Any] = {"points_used": len(self.points), "attempts": attempts}
        if self.widened_to is not None:
            info["widened_to"] = self.widened_to
        if len(self.points) < _min_points(self.job.points):
            info["reason"] = "too few points where the function and its derivative are defined"
            return _Verdict("undetermined", info)
        # in mpmath: a reference of 10**4000 is past float64 (and would make the floor inf);
        # relative to the values themselves, so that 10**-1800 is not taken for 0
        largest = max(abs(p.reference) for p in self.points)
        self.atol = ATOL_FACTOR * (largest if largest > 0 else mpmath.mpf(1))
        for p in self.points:
            if p.answer is None:
                info["undefined_at"] = p.coordinates
                info["reason"] = p.answer_reason
                return _Verdict("different", info)
        worst = max(self.points, key=lambda p: _relative(p.answer, p.reference))
        info["max_relative_difference"] = _relative(worst.answer, worst.reference)
        if all(self.close(p.answer, p.reference) for p in self.points if p.answer is not None):
            return _Verdict("equal", info)
        info["differs_at"] = worst.coordinates
        return _Verdict("different", info)

    def boxes(self) -> Iterator[tuple[Box, bool]]:
        """Where to draw points, in turn: the domain, the wider boxes, then the pieces of
        the function's natural domain (found only if the others fall short)."""
        yield from _boxes(self.job.question)
        for box in _natural_boxes(self.job.question, self.function, self.symbols):
            yield box, True

    def defined_beyond(self) -> dict[str, float] | None:
        """A point of the domain (or of the widened boxes) where the answer has a value and
        the function or its derivative has none, if the search finds one."""
        rng = np.random.default_rng(self.job.seed + 1)
        for box, _ in _boxes(self.job.question):
            for _ in range(DOMAIN_SEARCH_POINTS):
                point = {name: float(rng.uniform(lo, hi)) for name, lo, hi in box}
                if not np.isfinite(evaluate(self.job.answer, point)):
                    continue
                if not _defined(self.job.question.function, point):
                    return point
                if self.value(self.reference, point) is None:
                    return point
        return None

    def symbolic(self) -> _Verdict:
        start = time.perf_counter()
        budget = self.job.symbolic_seconds
        try:
            with time_budget(budget, "the symbolic check"):
                difference = self.answer - self.reference
                if difference == 0:
                    verdict, how = "equal", "identical"
                elif sympy.simplify(difference) == 0:
                    verdict, how = "equal", "simplify"
                elif difference.equals(0) is True:
                    verdict, how = "equal", "equals"
                else:
                    verdict, how = "not shown", "did not simplify to 0"
        except TimeLimitError:
            verdict, how = "timeout", f"no result within {budget:g} s"
        except Exception as error:  # sympy's own failures: this route has no opinion
            verdict, how = "error", f"{type(error).__name__}: {error}"[:TEXT_LENGTH]
        seconds = time.perf_counter() - start
        self.timings["symbolic"] = seconds
        return _Verdict(verdict, {"how": how, "seconds": seconds})

    # -- what went wrong

    def wrong(self, numeric: _Verdict, details: dict[str, Any]) -> Feedback:
        start = time.perf_counter()
        remaining = self.job.seconds - sum(self.timings.values()) - 1.0
        found: tuple[str, str, float] | None = None
        tried = 0
        if "undefined_at" not in numeric.info:
            try:
                with time_budget(max(remaining * 0.8, 0.1), "the search for the mistake"):
                    for candidate in self.mistakes():
                        tried += 1
                        if candidate is not None:
                            found = candidate
                            break
            except TimeLimitError:
                details["note"] = "the search for the mistake ran out of time"
            except Exception as error:  # a sympy failure ends the search, not the check
                details["mistake_error"] = f"{type(error).__name__}: {error}"[:TEXT_LENGTH]
        details["mistakes_tried"] = tried
        self.timings["mistakes"] = time.perf_counter() - start
        if found is not None:
            name, message, score = found
            return Feedback("incorrect", score, message, name, details)
        if "undefined_at" in numeric.info:
            at = self.where(numeric.info["undefined_at"])
            message = f"Your answer is undefined at {at}, where the derivative exists."
        else:
            at = self.where(numeric.info["differs_at"])
            message = f"Your answer is not the derivative: it differs from it at {at}."
        return Feedback("incorrect", 0.0, message, None, details)

    def mistakes(self) -> Any:
        """Yields None per candidate that does not match, (name, message, score) for one that
        does: the teacher's mistakes first, then the catalogue in order."""
        usable = [p for p in self.points if p.answer is not None]
        for name, tree, message, score in self.job.question.mistakes:
            yield (name, message, score) if self.matches(self.sympy_tree.value(tree)) else None
        question = self.job.question
        for name, altered in altered_references(
            question.function, self.symbols, question.wrt, self.reference
        ):
            yield (name, MESSAGES[name], 0.0) if self.matches(altered) else None
        yield ("integrated", MESSAGES["integrated"], 0.0) if self.integrated() else None
        # every nonzero reference has 30 correct digits, however small beside the largest
        ratios = [p.answer / p.reference for p in usable if p.reference != 0]
        if (
            len(ratios) >= 2
            and self.same(ratios, ATOL_FACTOR)  # ratios are near 1, not on the values' scale
            and not any(self.close(ratios[0], mpmath.mpf(c), ATOL_FACTOR) for c in (0, 1, -1))
        ):
            yield ("factor", MESSAGES["factor"], 0.0)
        differences = [p.answer - p.reference for p in usable]
        if self.same(differences) and abs(differences[0]) > self.atol:
            yield ("constant", MESSAGES["constant"], 0.0)

    def same(self, values: list[mpmath.mpf], atol: Any = None) -> bool:
        return len(values) >= 2 and all(self.close(v, values[0], atol) for v in values[1:])

    def matches(self, formula: sympy.Expr) -> bool:
        usable = [p for p in self.points if p.answer is not None]
        for p in usable:
            value = self.value(formula, p.coordinates)
            if value is None or p.answer is None or not self.close(value, p.answer):
                return False
        return bool(usable)

    def integrated(self) -> bool:
        # an antiderivative: the asked-for derivative of the answer is the function itself
        question = self.job.question
        derivative = sympy.diff(self.answer, *(self.symbols[n] for n in question.wrt))
        for p in self.points:
            function = self.value(self.function, p.coordinates)
            if function is None:
                continue
            value = self.value(derivative, p.coordinates)
            if value is None or not self.close(value, function):
                return False
        return bool(self.points)


def grade(job: Job) -> Feedback:
    """The whole check of one answer; runs in a sandbox worker (module level: it pickles)."""
    try:
        question = judge_question(job)  # the teacher's part: its failures are not the answer's
    except RecursionError:
        raise LimitError(
            "the question's function nests too deeply for sympy (past Python's recursion limit)"
        ) from None
    try:
        return Judge(job, question).feedback()
    except RecursionError:
        # sympy recurses once a level of its own: an answer nested deep enough (a sigmoid is
        # four levels) takes it past Python's stack, though the parser's limits let it in
        return invalid(
            "Your answer nests too deeply to be checked: write it with less nesting.",
            "limit",
            "the answer takes sympy past Python's recursion limit",
        )


def _with_constants(
    graded: Feedback, constants: tuple[str, ...], integrated: bool = False
) -> Feedback:
    """The feedback on an answer with constants of integration, graded without them: a
    derivative has no such constant, so the answer is never right. `integrated`: the answer
    without them is an antiderivative too."""
    names = " and ".join(constants)
    details = {**graded.details, "constants_of_integration": list(constants)}
    if graded.correct and not integrated:
        message = (
            f"A derivative has no constant of integration: without {names} your answer would"
            " be right."
        )
        return Feedback("incorrect", 0.0, message, "constant", details)
    if integrated or graded.mistake == "integrated":
        message = f"{MESSAGES['integrated']} The constant {names} gives it away."
        return Feedback(
            "incorrect", 0.0 if integrated else graded.score, message, "integrated", details
        )
    message = f"{graded.message} The constant {names} does not belong in a derivative either."
    return Feedback("incorrect", graded.score, message, graded.mistake, details)


def _defined(tree: Expr, point: dict[str, float]) -> bool:
    """Defined in our float semantics; a value past float64 ((x-a)**6000) is defined, only
    too large for floats: the 30-digit reference has it."""
    if np.isfinite(evaluate(tree, point)):
        return True
    reason = undefined_reason(tree, point)
    return reason is not None and reason.startswith("overflow")


Box = tuple[tuple[str, float, float], ...]
"""Per variable, the interval points are drawn from: (name, lo, hi)."""


def _natural_boxes(
    question: DerivativeQuestion, function: sympy.Expr, symbols: Mapping[str, sympy.Symbol]
) -> list[Box]:
    """Boxes inside the natural domain of a function of the one variable the teacher gave
    no interval: sympy's continuous domain, its unbounded pieces cut to a finite width. None
    where sympy cannot tell in time, or the function has other variables."""
    if len(question.widen) != 1:
        return []
    name = question.widen[0]
    if function.free_symbols != {symbols[name]}:
        return []
    try:
        with time_budget(NATURAL_DOMAIN_SECONDS, "the natural domain"):
            domain = continuous_domain(function, symbols[name], sympy.S.Reals)
    except Exception:  # out of time, or sympy's own failures: no natural domain, no box
        return []
    if isinstance(domain, sympy.Complement):
        domain = domain.args[0]  # less isolated points (tan's poles), which no draw will hit
    pieces = domain.args if isinstance(domain, sympy.Union) else (domain,)
    boxes = []
    for piece in pieces[:NATURAL_DOMAIN_PIECES]:
        if not isinstance(piece, sympy.Interval):  # isolated points: nothing to sample
            continue
        start, end = piece.start, piece.end
        if start.is_infinite and end.is_infinite:
            continue  # defined everywhere: the default boxes had points, if any
        lo = float(start) if start.is_finite else float(end) - NATURAL_DOMAIN_WIDTH
        hi = float(end) if end.is_finite else lo + NATURAL_DOMAIN_WIDTH
        if lo < hi:
            boxes.append(
                tuple((n, lo, hi) if n == name else (n, a, b) for n, a, b in question.domain)
            )
    return boxes


def _boxes(question: DerivativeQuestion) -> list[tuple[Box, bool]]:
    """The boxes to draw points from, in turn: the domain, then wider ones (flagged True)."""
    boxes = [(question.domain, False)]
    if question.widen:
        for half in WIDER:
            box = tuple(
                (name, -half, half) if name in question.widen else (name, lo, hi)
                for name, lo, hi in question.domain
            )
            boxes.append((box, True))
    return boxes


def _short_text(tree: Expr) -> str:
    text = to_text(tree)
    return text if len(text) <= 60 else text[:57] + "..."


def _min_points(wanted: int) -> int:
    return min(wanted, 3)


def _relative(a: mpmath.mpf | None, b: mpmath.mpf) -> float:
    if a is None:
        return math.inf
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else float(abs(a - b) / scale)


def _short(formula: sympy.Expr) -> str:
    text = str(formula)
    return text if len(text) <= TEXT_LENGTH else text[: TEXT_LENGTH - 3] + "..."
