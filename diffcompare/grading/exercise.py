"""Exercises as files: a teacher's TOML (the function, the questions, tolerances, custom
mistakes, sample answers) loaded into an `Exercise` that grades answers and tests itself.

The file format is described in README.md ("Exercises as files"); `expressions/exercises/`
holds examples. Loading checks everything that can be checked without grading (keys, types,
that every expression parses) and names the file, the key and what is wrong; `selftest`
then grades the samples, so a teacher learns about a wrong sample or a tolerance too tight
before the students do.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DiffCompareError, InputError
from ..language.evaluate import evaluate
from ..language.expr import variables as variables_of
from ..language.limits import DEFAULT_LIMITS, Limits
from ..language.parse import name_problem, parse
from ..language.student import read_student
from .feedback import Feedback
from .mistakes import Mistake
from .question import natural_sorted

QUESTION_TYPES = ("derivative", "gradient", "hessian", "value", "code")
VALUE_KINDS = ("value", "derivative", "gradient", "hessian")
CODE_KINDS = ("derivative", "gradient", "hessian")
MISTAKE_POINTS = 8
"""Points at which a student's answer is compared with a teacher's custom mistake."""


class ExerciseError(DiffCompareError):
    """An exercise file that cannot be used: unreadable, not TOML, or a key that is wrong."""

    kind = "exercise"


class SelftestError(DiffCompareError):
    """A sample answer graded against its label: a right one marked wrong, or the reverse."""

    kind = "selftest"

    def __init__(self, report: SelftestReport) -> None:
        super().__init__(report.text())
        self.report = report


@dataclass(frozen=True)
class CustomMistake:
    """A teacher's own wrong answer: a student's answer equal to `answer` (at random points
    of the domain, or as a number) gets `message` and `score`, and `name` as its mistake."""

    name: str
    answer: Any
    message: str
    score: float = 0.0


@dataclass(frozen=True)
class Sample:
    """A sample answer. For a wrong one, `mistake` and `status` (when given) are what the
    grading must say about it."""

    answer: Any
    mistake: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    function: str
    variables: tuple[str, ...]
    prompt: str = ""
    parameters: tuple[str, ...] = ()
    implicit: bool = False  # answers in student notation (2x, sin x): language.student
    strict_domain: bool = False  # an answer defined where the derivative is not is wrong
    wrt: tuple[str, ...] = ()
    order: int = 1
    kind: str = "value"
    at: dict[str, float] = field(default_factory=dict)
    sigfigs: int | tuple[int, int] | None = None
    more_figures: bool = False
    takes: str = "floats"
    name: str | None = None
    call_seconds: float | None = None
    domain: dict[str, tuple[float, float]] = field(default_factory=dict)
    points: int | None = None
    rtol: float | None = None
    atol: float | None = None
    seed: int = 0
    right: tuple[Any, ...] = ()
    wrong: tuple[Sample, ...] = ()
    mistakes: tuple[CustomMistake, ...] = ()

    @property
    def shape(self) -> str:
        """What one answer is: "expression", "list", "matrix", "number", "code"."""
        if self.type == "code":
            return "code"
        if self.type == "value":
            return {"gradient": "list", "hessian": "matrix"}.get(self.kind, "number")
        return {"gradient": "list", "hessian": "matrix"}.get(self.type, "expression")


@dataclass
class Exercise:
    title: str
    questions: dict[str, Question]
    source: str = "<exercise>"
    limits: Limits = DEFAULT_LIMITS

    # -----------------------------------------------------------------------------------
    # loading

    @classmethod
    def load(cls, path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> Exercise:
        """Read and check an exercise file; ExerciseError says which file, key and problem."""
        where = str(path)
        try:
            raw = Path(path).read_bytes()
        except OSError as error:
            raise ExerciseError(f"{where}: cannot read the file ({error.strerror})") from None
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise ExerciseError(f"{where}: not UTF-8 text (byte {error.start})") from None
        except tomllib.TOMLDecodeError as error:
            raise ExerciseError(f"{where}: not valid TOML: {error}") from None
        return cls.from_dict(data, source=where, limits=limits)

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, source: str = "<exercise>", limits: Limits = DEFAULT_LIMITS
    ) -> Exercise:
        reader = _Reader(source, limits)
        return reader.exercise(data)

    # -----------------------------------------------------------------------------------
    # grading

    def grade(self, answers: Mapping[str, Any]) -> list[Feedback]:
        """One Feedback per question, in the file's order; a question without an answer gets
        an "invalid" one. An id that names no question raises InputError."""
        unknown = [key for key in answers if key not in self.questions]
        if unknown:
            raise InputError(
                f"no question {', '.join(repr(k) for k in unknown)} in this exercise"
                f" (its questions: {', '.join(self.questions)})"
            )
        return [
            self.grade_one(qid, answers[qid]) if qid in answers else _no_answer(qid)
            for qid in self.questions
        ]

    def grade_one(self, question_id: str, answer: Any) -> Feedback:
        """Grade one answer. Anything wrong with the answer itself ends as a Feedback; only a
        question id that does not exist raises."""
        question = self.questions.get(question_id)
        if question is None:
            raise InputError(f"no question {question_id!r} in this exercise")
        normalized = _normalize(question, answer)
        if isinstance(normalized, Feedback):
            feedback = normalized
        else:
            try:
                feedback = _check(question, normalized, self.limits)
            except DiffCompareError as error:
                feedback = Feedback(
                    "invalid", 0.0, error.message, details={"error_kind": error.kind}
                )
            # derivative questions hand their custom mistakes to check_derivative
            if feedback.status != "correct" and question.mistakes and question.type != "derivative":
                feedback = _custom_mistake(question, normalized, feedback, self.limits)
        feedback.details.setdefault("question", question_id)
        return feedback

    # -----------------------------------------------------------------------------------
    # self-test

    def selftest(self, *, raise_on_failure: bool = True) -> SelftestReport:
        """Grade every sample answer. A right sample must be "correct"; a wrong one must not
        be, and must get the mistake and status its label names. Raises SelftestError
        listing every failure (or returns the report when `raise_on_failure` is False)."""
        results: list[SampleResult] = []
        for question in self.questions.values():
            for answer in question.right:
                feedback = self.grade_one(question.id, answer)
                results.append(
                    SampleResult(question.id, "right", answer, feedback, feedback.correct, "")
                )
            for sample in question.wrong:
                feedback = self.grade_one(question.id, sample.answer)
                problem = _wrong_sample_problem(sample, feedback)
                results.append(
                    SampleResult(
                        question.id, "wrong", sample.answer, feedback, not problem, problem
                    )
                )
        report = SelftestReport(self.source, results)
        if raise_on_failure and not report.ok:
            raise SelftestError(report)
        return report


@dataclass(frozen=True)
class SampleResult:
    question: str
    label: str  # "right" or "wrong"
    answer: Any
    feedback: Feedback
    ok: bool
    problem: str


@dataclass
class SelftestReport:
    source: str
    results: list[SampleResult]

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)

    @property
    def failures(self) -> list[SampleResult]:
        return [result for result in self.results if not result.ok]

    def text(self) -> str:
        lines = [
            f"{self.source}: {len(self.results) - len(self.failures)} of {len(self.results)}"
            " sample answers graded as labelled"
        ]
        for result in self.failures:
            problem = result.problem or "a right sample was not graded correct"
            got = f"{result.feedback.status}, mistake {result.feedback.mistake}"
            lines.append(
                f"  question {result.question}: {result.label} sample {_short(result.answer)}:"
                f" {problem} (got {got}: {result.feedback.message})"
            )
        return "\n".join(lines)


def _wrong_sample_problem(sample: Sample, feedback: Feedback) -> str:
    if feedback.correct:
        return "a wrong sample was graded correct"
    if sample.status is not None and feedback.status != sample.status:
        return f"expected status {sample.status}"
    if sample.mistake is not None and feedback.mistake != sample.mistake:
        return f"expected mistake {sample.mistake}"
    return ""


def _short(answer: Any, width: int = 60) -> str:
    text = repr(answer)
    return text if len(text) <= width else text[: width - 3] + "..."


def _no_answer(question_id: str) -> Feedback:
    return Feedback("invalid", 0.0, "No answer was given.", details={"question": question_id})


# ---------------------------------------------------------------------------------------
# answers: from TOML, JSON or a CSV cell into what the checks take


def split_list(text: str) -> list[str]:
    """``"[2*x, log(x, 2)]"`` -> ``["2*x", "log(x, 2)"]``: commas inside parentheses or
    brackets belong to the item. The outer brackets are optional."""
    body = text.strip()
    if body.startswith("[") and body.endswith("]") and _closes_at_end(body):
        body = body[1:-1]
    items: list[str] = []
    depth = 0
    start = 0
    for i, char in enumerate(body):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(body[start:i].strip())
            start = i + 1
    items.append(body[start:].strip())
    return [] if items == [""] else items


def _closes_at_end(text: str) -> bool:
    """True when the '[' at the start is closed by the ']' at the end (not "[a], [b]")."""
    depth = 0
    for i, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
            if depth == 0 and i < len(text) - 1:
                return False
    return True


def _item_text(item: Any) -> str | None:
    if isinstance(item, bool):
        return None
    if isinstance(item, str):
        return item
    if isinstance(item, int | float):
        return repr(item)
    return None


def _normalize(question: Question, answer: Any) -> Any:
    """The answer in the form the question's check takes, or an "invalid" Feedback."""
    shape = question.shape
    n = len(question.variables)
    if shape in ("expression", "number", "code"):
        text = _item_text(answer) if shape != "code" else answer
        if isinstance(text, str):
            return text
        wanted = {"expression": "an expression", "number": "a number", "code": "code"}[shape]
        return _invalid(f"Expected {wanted} as text, got {type(answer).__name__}.")
    items = split_list(answer) if isinstance(answer, str) else answer
    if not isinstance(items, list | tuple):
        wanted = f"a list of {n} answers" if shape == "list" else f"a {n} x {n} matrix"
        return _invalid(f"Expected {wanted}, got {type(answer).__name__}.")
    if shape == "list":
        texts = [_item_text(item) for item in items]
        if len(texts) != n or any(t is None for t in texts):
            return _invalid(
                f"Expected a list of {n} answers (one per variable: "
                f"{', '.join(question.variables)}), got {len(items)}."
            )
        return texts
    rows: list[list[str]] = []
    for row in items:
        cells = split_list(row) if isinstance(row, str) else row
        if not isinstance(cells, list | tuple):
            return _invalid(f"Expected a {n} x {n} matrix: a list of {n} rows.")
        texts = [_item_text(cell) for cell in cells]
        if len(texts) != n or any(t is None for t in texts):
            return _invalid(f"Expected a {n} x {n} matrix: each row has {n} entries.")
        rows.append([t for t in texts if t is not None])
    if len(rows) != n:
        return _invalid(f"Expected a {n} x {n} matrix, got {len(rows)} rows.")
    return rows


def _invalid(message: str) -> Feedback:
    return Feedback("invalid", 0.0, message)


# ---------------------------------------------------------------------------------------
# the checks each question type uses


def _check(question: Question, answer: Any, limits: Limits) -> Feedback:
    tolerance: dict[str, Any] = {}
    if question.rtol is not None:
        tolerance["rtol"] = question.rtol
    if question.points is not None and question.type != "value":
        tolerance["points"] = question.points
    domain = question.domain or None
    if question.type in ("derivative", "gradient", "hessian"):
        from . import derivative
    if question.type == "derivative":
        wrt: str | list[str] = question.wrt[0] if len(question.wrt) == 1 else list(question.wrt)
        return derivative.check_derivative(
            answer,
            question.function,
            wrt,
            order=question.order,
            domain=domain,
            seed=question.seed,
            mistakes=[Mistake(m.name, m.answer, m.message, m.score) for m in question.mistakes],
            parameters=question.parameters,
            implicit=question.implicit,
            strict_domain=question.strict_domain,
            limits=limits,
            **tolerance,
        )
    if question.type in ("gradient", "hessian"):
        check = (
            derivative.check_gradient if question.type == "gradient" else derivative.check_hessian
        )
        return check(
            answer,
            question.function,
            variables=list(question.variables),
            parameters=question.parameters,
            implicit=question.implicit,
            strict_domain=question.strict_domain,
            domain=domain,
            seed=question.seed,
            limits=limits,
            **tolerance,
        )
    if question.type == "value":
        from . import values

        if question.atol is not None:
            tolerance["atol"] = question.atol
        return values.check_values(
            answer,
            question.function,
            question.at,
            kind=question.kind,  # type: ignore[arg-type]
            order=question.order,
            sigfigs=question.sigfigs,
            more_figures=question.more_figures,
            variables=list(question.variables),
            limits=limits,
            **tolerance,
        )
    from . import function

    options: dict[str, Any] = dict(tolerance)
    if question.atol is not None:
        options["atol"] = question.atol
    if question.call_seconds is not None:
        options["call_seconds"] = question.call_seconds
    return function.check_function(
        None,
        question.function,
        source=answer,
        name=question.name,
        kind=question.kind,  # type: ignore[arg-type]
        domain=domain,
        seed=question.seed,
        order=question.order,
        takes=question.takes,  # type: ignore[arg-type]
        variables=question.variables,
        limits=limits,
        **options,
    )


def _custom_mistake(
    question: Question, answer: Any, feedback: Feedback, limits: Limits
) -> Feedback:
    """The teacher's own mistake that the answer equals, if any, in place of `feedback`."""
    for mistake in question.mistakes:
        try:
            same = _same_answer(question, answer, mistake.answer, limits)
        except DiffCompareError:
            continue  # an answer the parser refuses equals no mistake
        if same:
            details = dict(feedback.details)
            details["custom_mistake"] = mistake.name
            details["check"] = {"status": feedback.status, "mistake": feedback.mistake}
            return Feedback("incorrect", mistake.score, mistake.message, mistake.name, details)
    return feedback


def _same_answer(question: Question, answer: Any, alternative: Any, limits: Limits) -> bool:
    answers = _flat(answer)
    alternatives = _flat(_normalize(question, alternative))
    if len(answers) != len(alternatives):
        return False
    rng = np.random.default_rng(question.seed)
    names = (*question.variables, *question.parameters)
    bounds = [question.domain.get(v, (-2.0, 2.0)) for v in names]
    points = {
        name: np.round(rng.uniform(lo, hi, MISTAKE_POINTS), 3)
        for name, (lo, hi) in zip(names, bounds, strict=True)
    }
    for mine, theirs in zip(answers, alternatives, strict=True):
        if question.implicit:  # the student's notation; the teacher's mistake may use it too
            mine = read_student(mine, (*question.variables, *question.parameters)).text
            theirs = read_student(theirs, (*question.variables, *question.parameters)).text
        a, b = parse(mine, limits), parse(theirs, limits)
        if set(variables_of(a)) - set(names) or set(variables_of(b)) - set(names):
            return False
        if question.type == "value":
            env: dict[str, Any] = {}
        else:
            from ..language.magnitude import check_at_point

            env = points
            for k in range(MISTAKE_POINTS):
                at = {name: float(values[k]) for name, values in points.items()}
                check_at_point(a, at, limits)
                check_at_point(b, at, limits)
        left, right = evaluate(a, env), evaluate(b, env)
        defined = np.isfinite(right)
        if not defined.any():
            return False
        if not np.allclose(left[defined], right[defined], rtol=1e-8, atol=1e-10):
            return False
    return True


def _flat(answer: Any) -> list[str]:
    if isinstance(answer, str):
        return [answer]
    if isinstance(answer, Feedback):
        return []
    return [cell for row in answer for cell in _flat(row)]


# ---------------------------------------------------------------------------------------
# reading the file: every key checked, every problem named with its place

_ID = re.compile(r"[A-Za-z0-9_.-]{1,40}")
_TOP_KEYS = {
    "title", "description", "function", "variables", "parameters", "implicit",
    "strict_domain", "domain", "points", "rtol", "atol", "seed", "questions",
}  # fmt: skip
_QUESTION_KEYS = {
    "id", "type", "prompt", "function", "variables", "parameters", "implicit",
    "strict_domain", "domain",
    "points", "rtol", "atol", "seed", "wrt", "order", "kind", "at", "sigfigs", "more_figures",
    "takes", "name", "call_seconds", "right", "wrong", "mistakes",
}  # fmt: skip
_ONLY_FOR = {
    "wrt": ("derivative",),
    "at": ("value",),
    "sigfigs": ("value",),
    "more_figures": ("value",),
    "kind": ("value", "code"),
    "takes": ("code",),
    "name": ("code",),
    "call_seconds": ("code",),
    "order": ("derivative", "value", "code"),
}


class _Reader:
    def __init__(self, source: str, limits: Limits) -> None:
        self.source = source
        self.limits = limits

    def fail(self, where: str, message: str) -> ExerciseError:
        return ExerciseError(f"{self.source}: {where}: {message}")

    def exercise(self, data: Mapping[str, Any]) -> Exercise:
        self.unknown_keys(data, _TOP_KEYS, "the top level")
        title = self.text(data, "title", "the top level", default="")
        raw_questions = data.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            raise self.fail("questions", "needs at least one [[questions]] table")
        defaults = {
            key: data[key]
            for key in (
                "function",
                "variables",
                "parameters",
                "implicit",
                "strict_domain",
                "domain",
                "points",
                "rtol",
                "atol",
                "seed",
            )
            if key in data
        }
        questions: dict[str, Question] = {}
        for index, raw in enumerate(raw_questions):
            where = f"questions[{index}]"
            if not isinstance(raw, dict):
                raise self.fail(where, "must be a table")
            question = self.question({**defaults, **raw}, where)
            if question.id in questions:
                raise self.fail(f"{where} (id '{question.id}')", "id is used twice")
            questions[question.id] = question
        return Exercise(title, questions, self.source, self.limits)

    def unknown_keys(self, data: Mapping[str, Any], allowed: set[str], where: str) -> None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise self.fail(
                where, f"unknown key {unknown[0]!r} (known: {', '.join(sorted(allowed))})"
            )

    def text(
        self, data: Mapping[str, Any], key: str, where: str, default: str | None = None
    ) -> str:
        value = data.get(key, default)
        if value is None:
            raise self.fail(where, f"'{key}' is required")
        if not isinstance(value, str):
            raise self.fail(where, f"'{key}' must be text, not {type(value).__name__}")
        return value

    def number(
        self, data: Mapping[str, Any], key: str, where: str, default: float | None
    ) -> float | None:
        value = data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, f"'{key}' must be a number, not {value!r}")
        if not math.isfinite(value) or value < 0:
            raise self.fail(where, f"'{key}' must be a finite number >= 0, not {value!r}")
        return float(value)

    def whole(
        self, data: Mapping[str, Any], key: str, where: str, default: int, low: int, high: int
    ) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(
                where, f"'{key}' must be a whole number from {low} to {high}, not {value!r}"
            )
        return value

    def choice(
        self, data: Mapping[str, Any], key: str, where: str, options: Sequence[str], default: str
    ) -> str:
        value = data.get(key, default)
        if value not in options:
            raise self.fail(where, f"'{key}' must be one of {', '.join(options)}, not {value!r}")
        return str(value)

    def question(self, data: dict[str, Any], where: str) -> Question:
        self.unknown_keys(data, _QUESTION_KEYS, where)
        qid = self.text(data, "id", where)
        if not _ID.fullmatch(qid):
            raise self.fail(where, f"id {qid!r} must be 1-40 letters, digits, '_', '-' or '.'")
        where = f"{where} (id '{qid}')"
        qtype = self.choice(data, "type", where, QUESTION_TYPES, default="")
        for key, types in _ONLY_FOR.items():
            if key in data and qtype not in types:
                raise self.fail(where, f"'{key}' does not apply to a {qtype} question")
        function = self.text(data, "function", where)
        try:
            expr = parse(function, self.limits)
        except DiffCompareError as error:
            raise self.fail(where, f"'function' does not parse: {error.message}") from None
        parameters = self.parameters(data, where, qtype)
        found = tuple(name for name in variables_of(expr) if name not in parameters)
        variables = self.variables(data, where, found)
        if set(variables) & set(parameters):
            raise self.fail(where, "a name is both in 'variables' and in 'parameters'")
        domain = self.domain(data, where, (*variables, *parameters))
        kind = "value"
        if qtype == "value":
            kind = self.choice(data, "kind", where, VALUE_KINDS, default="value")
        elif qtype == "code":
            kind = self.choice(data, "kind", where, CODE_KINDS, default="gradient")
        wrt: tuple[str, ...] = ()
        if qtype == "derivative":
            wrt = self.wrt(data, where, variables)
        at: dict[str, float] = {}
        if qtype == "value":
            at = self.point(data, where, variables)
        sigfigs = self.figures(data, where)
        more_figures = data.get("more_figures", False)
        if not isinstance(more_figures, bool):
            raise self.fail(where, "'more_figures' must be true or false")
        call_seconds = self.number(data, "call_seconds", where, None)
        if call_seconds is not None and not 0 < call_seconds <= 600:
            raise self.fail(where, "'call_seconds' must be in (0, 600]")
        name = data.get("name")
        if name is not None and not (isinstance(name, str) and name.isidentifier()):
            raise self.fail(where, f"'name' must be a Python function name, not {name!r}")
        question = Question(
            id=qid,
            type=qtype,
            function=function,
            variables=variables,
            prompt=self.text(data, "prompt", where, default=""),
            parameters=parameters,
            implicit=self.flag(data, "implicit", where, qtype),
            strict_domain=self.flag(data, "strict_domain", where, qtype),
            wrt=wrt,
            order=self.whole(data, "order", where, 1, 0 if qtype == "value" else 1, 6),
            kind=kind,
            at=at,
            sigfigs=sigfigs,
            more_figures=more_figures,
            takes=self.choice(data, "takes", where, ("floats", "array"), default="floats"),
            name=name,
            call_seconds=call_seconds,
            domain=domain,
            points=self.whole(data, "points", where, 1, 1, 1000) if "points" in data else None,
            rtol=self.number(data, "rtol", where, None),
            atol=self.number(data, "atol", where, None),
            seed=self.whole(data, "seed", where, 0, 0, 2**32 - 1),
        )
        if qtype == "code" and kind == "derivative" and len(variables) != 1:
            raise self.fail(where, "a code question of kind 'derivative' needs one variable")
        right = data.get("right")
        if not isinstance(right, list) or not right:
            raise self.fail(where, "'right' needs a list of at least one right sample answer")
        wrong = self.samples(data.get("wrong", []), where)
        mistakes = self.mistakes(data.get("mistakes", []), where, qtype)
        return Question(
            **{**question.__dict__, "right": tuple(right), "wrong": wrong, "mistakes": mistakes}
        )

    def flag(self, data: Mapping[str, Any], key: str, where: str, qtype: str) -> bool:
        """A switch of the expression-answer checks (implicit, strict_domain)."""
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(where, f"'{key}' must be true or false")
        # a default for the whole file: it applies to the questions with expression answers
        return value and qtype in ("derivative", "gradient", "hessian")

    def figures(self, data: Mapping[str, Any], where: str) -> int | tuple[int, int] | None:
        raw = data.get("sigfigs")
        if raw is None:
            return None
        if isinstance(raw, list) and len(raw) == 2:
            n = self.whole({"sigfigs": raw[0]}, "sigfigs", where, 1, 1, 50)
            m = self.whole({"sigfigs[1]": raw[1]}, "sigfigs[1]", where, 0, 0, n)
            return n, m
        return self.whole(data, "sigfigs", where, 1, 1, 50)

    def variables(
        self, data: Mapping[str, Any], where: str, found: tuple[str, ...]
    ) -> tuple[str, ...]:
        given = data.get("variables")
        if given is None:
            return natural_sorted(found)
        if not isinstance(given, list) or not all(isinstance(v, str) for v in given):
            raise self.fail(where, "'variables' must be a list of names")
        for name in given:
            problem = name_problem(name)
            if problem is not None:
                raise self.fail(where, f"'variables': {name!r} is not usable: {problem}")
        missing = [v for v in found if v not in given]
        if missing or len(set(given)) != len(given):
            raise self.fail(
                where,
                f"'variables' must list each variable of the function once (it has"
                f" {', '.join(found)})",
            )
        return tuple(given)

    def parameters(self, data: Mapping[str, Any], where: str, qtype: str) -> tuple[str, ...]:
        """Names held fixed: never gradient components, never constants of integration."""
        given = data.get("parameters", [])
        if not isinstance(given, list) or not all(isinstance(v, str) for v in given):
            raise self.fail(where, "'parameters' must be a list of names")
        if qtype not in ("derivative", "gradient", "hessian"):
            return ()  # a default for the whole file, for the questions it applies to
        for name in given:
            problem = name_problem(name)
            if problem is not None:
                raise self.fail(where, f"'parameters': {name!r} is not usable: {problem}")
        return tuple(given)

    def domain(
        self, data: Mapping[str, Any], where: str, variables: tuple[str, ...]
    ) -> dict[str, tuple[float, float]]:
        raw = data.get("domain", {})
        if not isinstance(raw, dict):
            raise self.fail(where, "'domain' must be a table like { x = [0.1, 3] }")
        domain: dict[str, tuple[float, float]] = {}
        for name, pair in raw.items():
            if name not in variables:
                raise self.fail(where, f"'domain': {name!r} is not a variable of the function")
            if (
                not isinstance(pair, list)
                or len(pair) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pair)
                or not all(math.isfinite(v) for v in pair)
                or not pair[0] < pair[1]
            ):
                raise self.fail(where, f"'domain.{name}' must be [lo, hi] with lo < hi")
            domain[name] = (float(pair[0]), float(pair[1]))
        return domain

    def wrt(
        self, data: Mapping[str, Any], where: str, variables: tuple[str, ...]
    ) -> tuple[str, ...]:
        raw = data.get("wrt")
        if raw is None:
            if len(variables) != 1:
                raise self.fail(where, "'wrt' is required when the function has several variables")
            return variables
        names = [raw] if isinstance(raw, str) else raw
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise self.fail(where, "'wrt' must be a variable name or a list of them")
        for name in names:
            if name not in variables:
                raise self.fail(where, f"'wrt': {name!r} is not a variable of the function")
        return tuple(names)

    def point(
        self, data: Mapping[str, Any], where: str, variables: tuple[str, ...]
    ) -> dict[str, float]:
        raw = data.get("at")
        if not isinstance(raw, dict):
            raise self.fail(where, "'at' is required: a table like { x = 2 }")
        point: dict[str, float] = {}
        for name in variables:
            value = raw.get(name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.fail(where, f"'at.{name}' must be a number")
            if not math.isfinite(value):
                raise self.fail(where, f"'at.{name}' must be finite")
            point[name] = float(value)
        extra = sorted(set(raw) - set(variables))
        if extra:
            raise self.fail(where, f"'at': {extra[0]!r} is not a variable of the function")
        return point

    def samples(self, raw: Any, where: str) -> tuple[Sample, ...]:
        if not isinstance(raw, list):
            raise self.fail(where, "'wrong' must be a list")
        samples = []
        for index, item in enumerate(raw):
            if isinstance(item, dict):
                place = f"{where}: wrong[{index}]"
                self.unknown_keys(item, {"answer", "mistake", "status"}, place)
                if "answer" not in item:
                    raise self.fail(place, "'answer' is required")
                status = item.get("status")
                if status is not None and status not in ("incorrect", "invalid", "undetermined"):
                    raise self.fail(place, "'status' must be incorrect, invalid or undetermined")
                mistake = item.get("mistake")
                if mistake is not None and not isinstance(mistake, str):
                    raise self.fail(place, "'mistake' must be text")
                samples.append(Sample(item["answer"], mistake, status))
            else:
                samples.append(Sample(item))
        return tuple(samples)

    def mistakes(self, raw: Any, where: str, qtype: str) -> tuple[CustomMistake, ...]:
        if not isinstance(raw, list):
            raise self.fail(where, "'mistakes' must be a list of [[questions.mistakes]] tables")
        if raw and qtype == "code":
            raise self.fail(where, "custom 'mistakes' do not apply to a code question")
        found = []
        for index, item in enumerate(raw):
            place = f"{where}: mistakes[{index}]"
            if not isinstance(item, dict):
                raise self.fail(place, "must be a table with name, answer, message, score")
            self.unknown_keys(item, {"name", "answer", "message", "score"}, place)
            name = self.text(item, "name", place)
            message = self.text(item, "message", place)
            if "answer" not in item:
                raise self.fail(place, "'answer' is required")
            score = self.number(item, "score", place, 0.0) or 0.0
            if score > 1:
                raise self.fail(place, "'score' must be in [0, 1]")
            found.append(CustomMistake(name, item["answer"], message, score))
        return tuple(found)
