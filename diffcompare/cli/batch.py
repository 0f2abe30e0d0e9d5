"""``diffcompare batch``: many cases from files, folders or stdin, through `batch.run`.

Thin on purpose: it reads the inputs, hands them to the library, and writes each result as
it arrives (in input order) in the chosen format, then the summary.

Exit status: 0 every case agrees; 1 a disagreement or an error row; 2 an input that cannot be
read at all (or bad options).
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import click
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..batch.inputs import Case, read_cases
from ..batch.runner import (
    DEFAULT_TIMEOUT,
    Summary,
    result_key,
    resume_output,
    run,
    summarize,
)
from ..compare.schema import (
    BATCH_COLUMNS,
    batch_rows,
    csv_line,
    csv_row,
    entries,
    point_text,
    unshaped,
)
from ..compare.settings import Settings
from ..errors import InputError
from ..workers import shutdown as stop_workers
from .executor import chosen_scheduler, executor_options
from .options import comparison_options

EXIT_AGREE, EXIT_DISAGREE = 0, 1
FORMATS = ("table", "jsonl", "json", "csv")


@click.command("batch")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table for people; jsonl, json, csv for programs.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the results here instead of stdout.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, None),
    default=None,
    help="Worker processes.  [default: the number of cores]",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0, None, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds one case may take before it is an error row.",
)
@comparison_options("As for the single command; a case's own order wins.")
@click.option(
    "--resume",
    is_flag=True,
    help="With --output (jsonl): skip the cases already there, append the rest.",
)
@click.option("--fail-fast", is_flag=True, help="Stop after the first case that does not agree.")
@click.option(
    "--simplify",
    is_flag=True,
    help="Simplify the symbolic formulas as the single command does (slower).",
)
@executor_options
def batch(
    paths: tuple[str, ...],
    output_format: str,
    output: str | None,
    jobs: int | None,
    timeout: float,
    settings: Settings,
    resume: bool,
    fail_fast: bool,
    simplify: bool,
    executor: str,
    scheduler: str | None,
) -> int:
    """Compare the engines on every case of PATH... (.txt, .jsonl, .csv files, folders of
    them, or - for stdin) and write one result per case, in input order.

    \b
    .txt    EXPR @ x=1, y=2        ('#' starts a comment)
    .jsonl  {"id": "a1", "expr": "x*y", "at": {"x": 1, "y": 2}, "order": 2}
    .csv    id,expr,at   with at like x=1;y=2
    """
    scheduler = chosen_scheduler(executor, scheduler)
    if resume and (output is None or output_format != "jsonl"):
        raise click.UsageError("--resume needs --output FILE and --format jsonl")
    cases = read_cases(paths)
    if not cases:
        raise InputError(f"no cases in {', '.join(paths)}")
    previous = resume_output(output) if resume and output is not None else []
    done = {result_key(result) for result in previous}
    pending = [case for case in cases if case.key not in done]

    settings = settings.replace(simplify=simplify)
    new: list[dict[str, Any]] = []
    with _destination(output, append=resume) as stream:
        writer = _writer(output_format, stream, pending, settings.engines)
        results = run(
            pending,
            jobs=jobs,
            timeout=timeout,
            settings=settings,
            executor=executor,
            scheduler=scheduler,
        )
        # the workers (and the process that forks them) end before the command does
        with (
            contextlib.ExitStack() as cleanup,
            contextlib.closing(results),
            _progress(len(pending), _bar_console(writer)) as advance,
        ):
            cleanup.callback(stop_workers)
            for result in results:
                writer.write(result)
                new.append(result)
                advance()
                if fail_fast and not result.get("agree"):
                    break
        writer.close()
        summary = summarize([*previous, *new])
        if output_format == "table":
            _print_summary(summary, _console(stream))
    if output_format != "table":
        _print_summary(summary, Console(stderr=True, highlight=False))
    everything_agrees = summary.all_agree and len(new) == len(pending)
    return EXIT_AGREE if everything_agrees else EXIT_DISAGREE


@contextlib.contextmanager
def _destination(output: str | None, *, append: bool) -> Iterator[IO[str] | None]:
    """The output file, or None for standard output (looked up at each write, so that a
    progress bar that redirects it keeps the lines above the bar)."""
    if output is None:
        yield None
        return
    with contextlib.ExitStack() as stack:
        try:
            mode = "a" if append else "w"
            handle = stack.enter_context(Path(output).open(mode, encoding="utf-8", newline=""))
        except OSError as error:
            raise InputError(f"{output}: cannot be written ({error.strerror})") from None
        yield handle


@contextlib.contextmanager
def _progress(total: int, console: Console) -> Iterator[Any]:
    """A progress bar on `console`, only when it is a terminal (never in logs or pipes).

    Rows printed on the same console while the bar shows go above it: the table's lines
    and the bar share one console when both are on the terminal, so they never overwrite
    each other."""
    if not console.is_terminal or total == 0:
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        redirect_stderr=False,
    )
    with progress:
        task = progress.add_task("cases", total=total)
        yield lambda: progress.advance(task)


def _console(stream: IO[str] | None) -> Console:
    return Console(file=stream, highlight=False, soft_wrap=False)


def _bar_console(writer: _Writer) -> Console:
    # the table on the terminal: the bar on the table's own console, below its rows
    if isinstance(writer, _TableLines) and writer.console.is_terminal:
        return writer.console
    return Console(stderr=True)


# -- writers ------------------------------------------------------------------------------


class _Writer:
    def __init__(self, stream: IO[str] | None) -> None:
        self._stream = stream

    @property
    def stream(self) -> IO[str]:
        return self._stream if self._stream is not None else sys.stdout

    def write(self, result: dict[str, Any]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.stream.flush()


def _writer(
    output_format: str, stream: IO[str] | None, cases: Sequence[Case], engines: Sequence[str]
) -> _Writer:
    kinds: dict[str, type[_Writer]] = {
        "jsonl": _JsonLines,
        "json": _JsonArray,
        "csv": _CsvRows,
        "table": _TableLines,
    }
    if output_format == "table":
        return _TableLines(stream, cases, engines)
    return kinds[output_format](stream)


def _json(result: Mapping[str, Any]) -> str:
    return json.dumps(result, allow_nan=False, ensure_ascii=False)


class _JsonLines(_Writer):
    def write(self, result: dict[str, Any]) -> None:
        # one write per line: a killed run leaves at most one torn line (resume cuts it)
        self.stream.write(_json(result) + "\n")
        self.stream.flush()


class _JsonArray(_Writer):
    def __init__(self, stream: IO[str] | None) -> None:
        super().__init__(stream)
        self.first = True

    def write(self, result: dict[str, Any]) -> None:
        self.stream.write(("[\n" if self.first else ",\n") + _json(result))
        self.first = False

    def close(self) -> None:
        self.stream.write("[]\n" if self.first else "\n]\n")
        super().close()


class _CsvRows(_Writer):
    """A row per case, entry and engine; a failed case is one row with status ``error``."""

    def __init__(self, stream: IO[str] | None) -> None:
        super().__init__(stream)
        self.stream.write(csv_line(BATCH_COLUMNS))

    def write(self, result: dict[str, Any]) -> None:
        self.stream.write("".join(csv_row(row, BATCH_COLUMNS) for row in batch_rows(result)))
        self.stream.flush()


class _TableLines(_Writer):
    """A row per case as it arrives, under its file's name: the line, the verdict, each
    engine's worst error, the case (its id, expression and point, wrapped rather than cut),
    and beneath it the case's error or notes in full. Laid out for the console's width (80
    columns when piped)."""

    def __init__(
        self, stream: IO[str] | None, cases: Sequence[Case], engines: Sequence[str]
    ) -> None:
        super().__init__(stream)
        self.console = _console(stream)
        self.engines = list(engines)
        self.started = False
        self.file: str | None = None
        self.line_width = max([len("line"), *(len(str(case.line)) for case in cases)])

    def grid(self) -> Table:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, justify="right", min_width=self.line_width)
        grid.add_column(no_wrap=True, min_width=8)
        for _ in self.engines:
            grid.add_column(no_wrap=True, justify="right", min_width=9)
        grid.add_column(overflow="fold", ratio=1)
        return grid

    def write(self, result: dict[str, Any]) -> None:
        if not self.started:  # the header, even when the first case is an error row
            self.started = True
            header = self.grid()
            titles = ["line", "verdict", *self.engines, "case"]
            header.add_row(*(Text(title, style="bold") for title in titles))
            self.console.print(header)
        source = result.get("source") or {}
        if source.get("file") != self.file:  # a file's rows under its name, never cut
            self.file = str(source.get("file", ""))
            self.console.print(Text(self.file, style="bold"), overflow="fold")
        row: list[Text] = [Text(str(source.get("line", "")))]
        error = result.get("error")
        if error:
            row.append(Text("error", style="bold red"))
        elif result.get("agree"):
            row.append(Text("agree", style="green"))
        else:
            row.append(Text("DISAGREE", style="bold red"))
        for name in self.engines:
            engine = (result.get("engines") or {}).get(name)
            cell = "" if engine is None else _worst_text(result, engine, name)
            style = "bold red" if engine is not None and not engine.get("agree") else "dim"
            row.append(Text(cell, style=style))
        row.append(Text(_label(result)))
        grid = self.grid()
        grid.add_row(*row)
        self.console.print(grid)
        below = []
        if error:
            message = f"{error['kind']} error: " + " ".join(str(error["message"]).split())
            below.append(Text(message, style="dim"))
        below.extend(Text(note, style="yellow") for note in result.get("notes") or [])
        for line in below:
            self.console.print(Padding(line, (0, 0, 0, 4)))
        self.stream.flush()

    def close(self) -> None:
        if self.started:
            self.console.print(Text(LEGEND, style="dim"))
        super().close()


def _label(result: Mapping[str, Any]) -> str:
    """The case: its id (if it has one), its expression and its point."""
    point = result.get("point")
    if isinstance(point, dict):
        point = ", ".join(f"{name}={value:.15g}" for name, value in point.items())
    else:
        point = point_text(result).replace(";", ", ")
    expression = str(result.get("expression", ""))
    case = f"{expression} @ {point}" if point else expression
    return f"{result['id']}: {case}" if result.get("id") else case


FLOOR_MARK = "~"
LEGEND = (
    f"{FLOOR_MARK} within tolerance only by its absolute part: the exact value is near 0, or"
    " float64 itself cannot do better here (the notes say where); ✗ beyond tolerance"
)


def _worst_text(result: Mapping[str, Any], engine: Mapping[str, Any], name: str) -> str:
    """The largest relative error over the case's entries (absolute where the exact value is
    0), with ✗ when the engine disagrees, and `FLOOR_MARK` when it agrees although that
    error is beyond its relative tolerance (the single command's notes say why)."""
    errors = engine.get("errors") or {}
    n, order = len(result.get("variables") or []), int(result.get("order") or 0)
    worst: float | None = None
    relative: float = 0.0
    for entry in entries(n, order):
        error = unshaped(errors.get("rel") or {}, entry, n, order)
        if isinstance(error, int | float):
            relative = max(relative, error)
        else:
            error = unshaped(errors.get("abs") or {}, entry, n, order)
        if isinstance(error, int | float):
            worst = error if worst is None else max(worst, error)
    text = "—" if worst is None else ("0" if worst == 0 else f"{worst:.1e}")
    if not engine.get("agree"):
        return text + " ✗"
    tolerances = result.get("tolerances") or {}
    rtol = tolerances.get("fd_rtol" if name == "finite" else "rtol")
    if isinstance(rtol, int | float) and relative > rtol:
        return text + " " + FLOOR_MARK
    return text


# -- the summary --------------------------------------------------------------------------


def _print_summary(summary: Summary, console: Console) -> None:
    errors = sum(summary.errors.values())
    head = (
        f"{summary.cases} cases: {summary.agreed} agreed, {summary.disagreed} disagreed, "
        f"{errors} error{'s' if errors != 1 else ''}"
    )
    if summary.errors:
        head += " (" + ", ".join(f"{k} {v}" for k, v in sorted(summary.errors.items())) + ")"
    console.print(Text(head, style="bold" if summary.all_agree else "bold red"))
    if summary.engines:
        grid = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 2, 0, 0))
        grid.add_column("relative error")
        for part in ("gradient", "hessian"):
            grid.add_column(f"{part} median", justify="right")
            grid.add_column(f"{part} worst", justify="right")
        for name, parts in summary.engines.items():
            cells = [name]
            for part in ("gradient", "hessian"):
                spread = parts.get(part) or {}
                cells += [_number(spread.get("median")), _number(spread.get("worst"))]
            grid.add_row(*cells)
        console.print(grid)
    for name, counts in summary.estimates.items():
        judged = counts["bounded"] + counts["short"]
        console.print(
            Text(
                f"{name}'s own error estimate bounded its true error in {counts['bounded']} of "
                f"{judged} entries ({counts['bounded'] / judged:.1%})",
                style="bold" if not counts["short"] else "yellow",
            )
        )
    if summary.slowest:
        console.print(Text("slowest:", style="bold"))
        for item in summary.slowest:
            source = item.get("source") or {}
            what = item.get("id") or item.get("expression") or ""
            where = f"{Path(str(source.get('file'))).name}:{source.get('line')}"
            line = Text(f"{item['seconds']:8.3f} s  {where}  {what}")
            console.print(Padding(line, (0, 0, 0, 2)), overflow="fold")


def _number(value: Any) -> str:
    if value is None:
        return "—"
    return "0" if value == 0 else f"{value:.1e}"
