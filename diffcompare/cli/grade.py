"""``diffcompare grade EXERCISE.toml SUBMISSIONS``: grade a class, one row per answer, streamed.

Submissions are read one record at a time and every row is written (and flushed) as soon as
it is graded, in input order, so a long run shows progress and a crash loses nothing written.
A record that cannot be read becomes an ``error`` row and the rest go on. After the rows comes
a summary: the score distribution per question, how often each mistake occurred, and the
answers that could not be parsed.

Formats of SUBMISSIONS (chosen by its extension):

* ``.csv`` with a header. Either long, ``student,question,answer``: one answer per line,
  graded in file order; or wide, ``student,<question id>,<question id>...``: one student per
  line, an empty cell meaning no answer. A gradient or Hessian in one cell is written as a
  list: ``[x2**2, 2*x1*x2]``, ``[[0, 2], [2, 0]]``.
* ``.jsonl``: one ``{"student": ..., "answers": {question id: answer}}`` per line; an answer
  is text, a number, or a list (of lists) of them.

For wide and jsonl input every question of the exercise gets a row, in the exercise's
order, an unanswered one as ``invalid``. Exit status: 0 when the files could be read (wrong
answers are results, not failures), 2 when the exercise or the submissions file cannot be
read at all.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import shutil
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import click

from ..compare.schema import csv_line, csv_row
from ..errors import DiffCompareError
from ..grading.exercise import Exercise
from .executor import chosen_scheduler, executor_options

COLUMNS = ("student", "question", "score", "status", "mistake", "message")
MAX_FIELD = 16 * 1024 * 1024
"""Largest CSV cell read (a megabyte answer is read, then refused by the parser's limits)."""
SHOWN_ANSWER = 60
"""Characters of an unparsable answer quoted in the summary."""
TABLE_WIDTHS = (14, 14, 5, 12, 18)
NARROW_WIDTHS = (10, 10, 5, 12, 14)
"""Student, question, score, status and mistake columns, and the same for terminals too
narrow for them (below 73 columns)."""


@dataclass
class Task:
    """One answer to grade, or a record that could not be read (`error`)."""

    student: str
    question: str
    answer: Any = None
    error: str | None = None


@dataclass
class Row:
    student: str
    question: str
    score: float
    status: str
    mistake: str | None
    message: str
    answer: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "student": self.student,
            "question": self.question,
            "score": round(self.score, 4),
            "status": self.status,
            "mistake": self.mistake,
            "message": self.message,
        }


class SubmissionsError(Exception):
    """The submissions file cannot be read at all (exit status 2)."""


# ---------------------------------------------------------------------------------------
# reading submissions


def read_tasks(path: Path, exercise: Exercise) -> Iterator[Task]:
    """The answers of `path`, one Task at a time (lazily: a large file is never all in
    memory). Raises SubmissionsError before the first Task when the file is unusable."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl"):
        raise SubmissionsError(f"{path}: submissions must be a .csv or .jsonl file")
    try:
        handle = path.open("r", encoding="utf-8", newline="")
        first = handle.readline()
    except OSError as error:
        raise SubmissionsError(f"{path}: cannot read the file ({error.strerror})") from None
    except UnicodeDecodeError:
        raise SubmissionsError(f"{path}: not UTF-8 text") from None
    lines = _chain(first, handle)
    if suffix == ".csv":
        return _csv_tasks(path, lines, exercise)
    return _jsonl_tasks(lines, exercise)


def _chain(first: str, handle: IO[str]) -> Iterator[str]:
    with handle:
        if first:
            yield first
        while True:
            try:
                line = handle.readline()
            except UnicodeDecodeError:
                yield "\x00undecodable\n"  # one bad line becomes one error row
                continue
            if not line:
                return
            yield line


def _csv_tasks(path: Path, lines: Iterator[str], exercise: Exercise) -> Iterator[Task]:
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(lines)
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise SubmissionsError(f"{path}: the file is empty (expected a header line)") from None
    except csv.Error as error:
        raise SubmissionsError(f"{path}: the header cannot be read ({error})") from None
    if header == ["student", "question", "answer"]:
        return _long_tasks(reader, exercise)
    if header and header[0] == "student" and len(header) > 1:
        unknown = [name for name in header[1:] if name not in exercise.questions]
        if unknown:
            raise SubmissionsError(
                f"{path}: column {unknown[0]!r} names no question of the exercise"
                f" (its questions: {', '.join(exercise.questions)})"
            )
        return _wide_tasks(reader, header[1:], exercise)
    raise SubmissionsError(
        f"{path}: the header must be 'student,question,answer' or 'student,<question ids>'"
    )


def _rows(reader: Any) -> Iterator[tuple[int, list[str] | str]]:
    """(line number, cells) or (line number, error text) for every record."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield reader.line_num, f"this line cannot be read as CSV ({error})"
            continue
        yield reader.line_num, cells


def _long_tasks(reader: Any, exercise: Exercise) -> Iterator[Task]:
    for line, cells in _rows(reader):
        if isinstance(cells, str):
            yield Task(f"line {line}", "", error=cells)
        elif not any(cell.strip() for cell in cells):
            continue
        elif len(cells) != 3:
            yield Task(f"line {line}", "", error=f"expected 3 fields, got {len(cells)}")
        elif cells[1] not in exercise.questions:
            yield Task(cells[0], cells[1], error=f"no question {_clip(cells[1])!r} in the exercise")
        else:
            yield Task(cells[0], cells[1], cells[2])


def _wide_tasks(reader: Any, columns: list[str], exercise: Exercise) -> Iterator[Task]:
    for line, cells in _rows(reader):
        if isinstance(cells, str):
            yield Task(f"line {line}", "", error=cells)
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns) + 1:
            yield Task(
                cells[0] or f"line {line}",
                "",
                error=f"expected {len(columns) + 1} fields, got {len(cells)}",
            )
            continue
        given = {q: a for q, a in zip(columns, cells[1:], strict=True) if a.strip()}
        yield from _student_tasks(cells[0], given, exercise)


def _jsonl_tasks(lines: Iterator[str], exercise: Exercise) -> Iterator[Task]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            yield Task(f"line {number}", "", error=f"not a JSON object ({error})")
            continue
        student = record.get("student") if isinstance(record, dict) else None
        answers = record.get("answers") if isinstance(record, dict) else None
        if not isinstance(student, str | int) or isinstance(student, bool):
            yield Task(f"line {number}", "", error="no 'student' name (text) in this record")
            continue
        if not isinstance(answers, dict):
            yield Task(str(student), "", error="no 'answers' object in this record")
            continue
        for qid in answers:
            if qid not in exercise.questions:
                yield Task(str(student), str(qid), error=f"no question {_clip(qid)!r}")
        given = {q: a for q, a in answers.items() if q in exercise.questions}
        yield from _student_tasks(str(student), given, exercise)


def _student_tasks(student: str, given: dict[str, Any], exercise: Exercise) -> Iterator[Task]:
    for qid in exercise.questions:
        yield Task(student, qid, given.get(qid))


# ---------------------------------------------------------------------------------------
# grading


def grade_task(exercise: Exercise, task: Task) -> Row:
    """Never raises: whatever goes wrong with one answer is that answer's row."""
    if task.error is not None:
        return Row(task.student, task.question, 0.0, "error", None, task.error, task.answer)
    if task.answer is None:
        return Row(task.student, task.question, 0.0, "invalid", None, "No answer was given.")
    try:
        feedback = exercise.grade_one(task.question, task.answer)
    except DiffCompareError as error:
        return Row(task.student, task.question, 0.0, "error", None, error.message, task.answer)
    except Exception as error:  # a bug must cost one row, not the class's results
        message = f"internal error while grading: {type(error).__name__}: {error}"
        return Row(task.student, task.question, 0.0, "error", None, message, task.answer)
    return Row(
        task.student,
        task.question,
        feedback.score,
        feedback.status,
        feedback.mistake,
        feedback.message,
        task.answer,
    )


def graded_rows(
    exercise: Exercise,
    tasks: Iterator[Task],
    jobs: int,
    executor: str = "local",
    scheduler: str | None = None,
) -> Iterator[Row]:
    """Rows in input order. With several jobs, answers are graded by a pool of threads (the
    heavy work runs in sandbox worker processes, so threads are enough) a bounded window
    ahead of the row being written. With `executor` "dask", by the workers of a Dask
    cluster (`scheduler`: an address, or "local"); an answer whose worker is lost (twice,
    on a local cluster) gets an error row."""
    if executor == "dask":
        yield from _graded_on_dask(exercise, list(tasks), jobs, scheduler or "local")
        return
    if jobs <= 1:
        for task in tasks:
            yield grade_task(exercise, task)
        return
    window: list[Future[Row]] = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for task in tasks:
            window.append(pool.submit(grade_task, exercise, task))
            if len(window) >= jobs * 4:
                yield window.pop(0).result()
        for future in window:
            yield future.result()


def _graded_on_dask(
    exercise: Exercise, tasks: list[Task], jobs: int, scheduler: str
) -> Iterator[Row]:
    from ..cluster import ClusterPool
    from ..workers import Failure

    work = functools.partial(grade_task, exercise)
    keyed = [(index, task) for index, task in enumerate(tasks)]
    pool: ClusterPool[Task, Row] = ClusterPool(
        work, keyed, scheduler=scheduler, jobs=jobs, timeout=None
    )
    for task, outcome in zip(tasks, pool.results(), strict=True):
        if isinstance(outcome, Failure):
            yield Row(task.student, task.question, 0.0, "error", None, outcome.message, task.answer)
        else:
            yield outcome


# ---------------------------------------------------------------------------------------
# writing


def _clip(text: Any, width: int = 40) -> str:
    value = str(text)
    return value if len(value) <= width else value[: width - 3] + "..."


def _printable(text: str) -> str:
    """One line without control characters (names and messages come from strangers)."""
    return "".join(ch if ch.isprintable() else " " for ch in text.replace("\n", " "))


PIPED_WIDTH = 80
"""Columns of a table that goes to a pipe or a file."""
INLINE_MESSAGE = 30
"""Fewest columns the message gets beside the others; with fewer it goes beneath its row."""
MESSAGE_INDENT = 4


def table_width(out: IO[str]) -> int:
    """The terminal's width when `out` is one, else `PIPED_WIDTH`."""
    if out.isatty():
        return shutil.get_terminal_size((PIPED_WIDTH, 24)).columns
    return PIPED_WIDTH


class Writer:
    def __init__(self, out: IO[str], fmt: str, width: int = PIPED_WIDTH) -> None:
        self.out = out
        self.format = fmt
        self.width = width
        wide = sum(TABLE_WIDTHS) + 2 * (len(TABLE_WIDTHS) - 1)
        self.widths = TABLE_WIDTHS if width >= wide else NARROW_WIDTHS
        self.message_at = sum(self.widths) + 2 * len(self.widths)
        # the message beside the columns when it has room, else wrapped beneath its row
        self.inline = width - self.message_at >= INLINE_MESSAGE

    def header(self) -> None:
        if self.format == "csv":
            self.out.write(csv_line(COLUMNS))
        elif self.format == "table":
            self.out.write(self._table_lines(list(COLUMNS)))
        self.out.flush()

    def row(self, row: Row) -> None:
        if self.format == "jsonl":
            self.out.write(json.dumps(row.as_dict(), ensure_ascii=False) + "\n")
        elif self.format == "csv":
            self.out.write(csv_row(row.as_dict(), COLUMNS))
        else:
            cells = [
                _clip(_printable(row.student), self.widths[0]),
                _clip(_printable(row.question), self.widths[1]),
                f"{row.score:.2f}",
                row.status,
                _clip(row.mistake or "-", self.widths[4]),
                _printable(row.message),
            ]
            self.out.write(self._table_lines(cells))
        self.out.flush()

    def _table_lines(self, cells: list[str]) -> str:
        """The row's columns, then its message wrapped (never cut) to the table's width."""
        parts = [cell.ljust(width) for cell, width in zip(cells, self.widths, strict=False)]
        columns = "  ".join(parts)
        if self.inline:
            message = textwrap.wrap(cells[-1], self.width - self.message_at) or [""]
            lines = [f"{columns}  {message[0]}"]
            lines += [" " * self.message_at + line for line in message[1:]]
        else:
            indent = " " * MESSAGE_INDENT
            lines = [columns, *textwrap.wrap(cells[-1], self.width, initial_indent=indent,
                                             subsequent_indent=indent)]  # fmt: skip
        return "".join(line.rstrip() + "\n" for line in lines)


@dataclass
class GradeSummary:
    """A class's scores per question, its mistakes and its unreadable answers (what a batch
    of comparisons adds up to is `compare.schema.Summary`)."""

    students: dict[str, float] = field(default_factory=dict)
    by_question: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    mistakes: Counter[str] = field(default_factory=Counter)
    unparsed: list[Row] = field(default_factory=list)
    errors: list[Row] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.statuses[row.status] += 1
        if row.status == "error":
            self.errors.append(row)
            return
        self.students[row.student] = self.students.get(row.student, 0.0) + row.score
        self.by_question.setdefault(row.question, []).append(row.score)
        if row.mistake:
            self.mistakes[row.mistake] += 1
        if row.status == "invalid" and row.answer is not None:
            self.unparsed.append(row)

    def text(self, exercise: Exercise, width: int = PIPED_WIDTH) -> str:
        out = io.StringIO()
        total = len(exercise.questions)
        head = f"summary: {len(self.students)} students, {sum(self.statuses.values())} rows"
        head += " (" + ", ".join(f"{n} {s}" for s, n in sorted(self.statuses.items())) + ")"
        out.write("\n" + "".join(line + "\n" for line in textwrap.wrap(head, width)))
        out.write("\nscores by question\n")
        out.write(
            f"  {'question':<14}  {'answers':>7}  {'mean':>5}  {'1':>4}  {'(0,1)':>5}  {'0':>4}\n"
        )
        for qid in [*exercise.questions, *sorted(set(self.by_question) - set(exercise.questions))]:
            scores = self.by_question.get(qid, [])
            if not scores:
                continue
            full = sum(1 for s in scores if s >= 1.0)
            none = sum(1 for s in scores if s <= 0.0)
            mean = sum(scores) / len(scores)
            out.write(
                f"  {_clip(qid, 14):<14}  {len(scores):>7}  {mean:>5.2f}  {full:>4}"
                f"  {len(scores) - full - none:>5}  {none:>4}\n"
            )
        if self.students:
            out.write(f"\ntotal score per student (out of {total})\n")
            buckets = Counter(_bucket(score / total) for score in self.students.values())
            for label in ("100%", "75-99%", "50-74%", "25-49%", "0-24%"):
                out.write(f"  {label:>7}  {buckets.get(label, 0)}\n")
        out.write("\nmistakes\n")
        if self.mistakes:
            for name, count in self.mistakes.most_common():
                out.write(f"  {name:<20}  {count}\n")
        else:
            out.write("  none recognised\n")
        out.write("\nanswers that could not be parsed\n")
        if self.unparsed:
            for row in self.unparsed:
                line = (
                    f"  {_clip(_printable(row.student), 14):<14}  {_clip(row.question, 14):<14}"
                    f"  {_clip(_printable(str(row.answer)), SHOWN_ANSWER)!r}:"
                    f" {_printable(row.message)}"
                )
                out.write(_wrapped(line, width))
        else:
            out.write("  none\n")
        if self.errors:
            out.write("\nrecords that could not be graded\n")
            for row in self.errors:
                line = (
                    f"  {_clip(_printable(row.student), 14):<14}  {_clip(row.question, 14):<14}"
                    f"  {_printable(row.message)}"
                )
                out.write(_wrapped(line, width))
        return out.getvalue()


def _wrapped(line: str, width: int) -> str:
    # a summary line longer than the width goes on under itself, indented
    if len(line) <= width:
        return line + "\n"
    rest = textwrap.wrap(line[2:], width - 2, subsequent_indent=" " * (MESSAGE_INDENT - 2))
    return "".join(f"  {part}\n" for part in rest)


def _bucket(fraction: float) -> str:
    if fraction >= 1.0:
        return "100%"
    if fraction >= 0.75:
        return "75-99%"
    if fraction >= 0.5:
        return "50-74%"
    if fraction >= 0.25:
        return "25-49%"
    return "0-24%"


# ---------------------------------------------------------------------------------------
# the command


@click.command(name="grade")
@click.argument("exercise_path", metavar="EXERCISE.toml", type=click.Path(path_type=Path))
@click.argument("submissions_path", metavar="SUBMISSIONS", type=click.Path(path_type=Path))
@click.option(
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the rows to FILE (the summary still goes to the terminal).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "jsonl", "csv"]),
    default="table",
    show_default=True,
    help="Rows as an aligned table, JSON lines or CSV.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Answers graded at once (with --executor dask: workers of a local cluster).",
)
@executor_options
def grade(
    exercise_path: Path,
    submissions_path: Path,
    output: Path | None,
    output_format: str,
    jobs: int,
    executor: str,
    scheduler: str | None,
) -> int:
    """Grade SUBMISSIONS (.csv or .jsonl) against EXERCISE.toml: one row per student and
    question, in input order, then a summary.

    \b
    CSV: a header 'student,question,answer' (one answer per line) or
         'student,<question id>,...' (one student per line).
    JSONL: {"student": "ada", "answers": {"d1": "4*x**3 + 6*x**2 - 6*x + 4"}} per line.

    The summary goes to stdout after a table, and to stderr when jsonl or csv rows are
    written to stdout. Exit status 0 once the files could be read, 2 when either cannot.
    """
    scheduler = chosen_scheduler(executor, scheduler)
    try:
        exercise = Exercise.load(exercise_path)
    except DiffCompareError as error:
        raise click.ClickException(error.message) from None
    try:
        tasks = read_tasks(submissions_path, exercise)
    except SubmissionsError as error:
        raise click.ClickException(str(error)) from None
    try:
        sink: IO[str] = (
            output.open("w", encoding="utf-8", newline="") if output is not None else sys.stdout
        )
    except OSError as error:
        raise click.ClickException(f"{output}: cannot write ({error.strerror})") from None
    summary = GradeSummary()
    writer = Writer(sink, output_format, table_width(sink))
    try:
        writer.header()
        for row in graded_rows(exercise, tasks, jobs, executor, scheduler):
            writer.row(row)
            summary.add(row)
    finally:
        if output is not None:
            sink.close()
    to_stderr = output is None and output_format != "table"
    width = table_width(sys.stderr if to_stderr else sys.stdout)
    click.echo(summary.text(exercise, width), nl=False, err=to_stderr)
    return 0
