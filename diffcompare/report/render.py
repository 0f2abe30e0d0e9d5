"""Shows a Comparison: a rich table for people, JSON and CSV for programs.

Only formatting lives here; every number and every verdict comes from the comparison. The
table is built to read at 80 columns: one row per entry, one column per engine holding its
value and, beneath it, its error against the exact reference.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..compare.comparison import Check, Comparison
from ..compare.names import entry_name
from ..compare.schema import (
    ENTRY_COLUMNS,
    Status,
    csv_line,
    csv_row,
    entry_rows,
    error_text,
    verdict,
)
from ..engines.base import Entry

EXACT_DIGITS = 13
VALUE_DIGITS = EXACT_DIGITS  # an engine shows as many digits as the exact value
LEGEND = "errors: relative (± absolute where the exact value is 0); ✗ beyond tolerance"
ESTIMATE_LEGEND = "est: the engine's own error estimate, not part of the verdict; ⚠ fell short"


def point_text(comparison: Comparison) -> str:
    return ", ".join(f"{name}={value:.15g}" for name, value in comparison.point.items())


def render(comparison: Comparison, console: Console) -> None:
    """Print the table, any notes and the verdict, fitted to the console's width."""
    console.print(renderable(comparison, console))


def renderable(comparison: Comparison, console: Console) -> Group:
    names = ", ".join(comparison.variables)
    at = point_text(comparison)
    title = Text(f"f({names}) = {comparison.expression}", style="bold")
    if at:
        title.append(f"  at {at}", style="")
    grid = table(comparison)
    if console.measure(grid, options=console.options.update_width(10_000)).maximum > console.width:
        grid = long_table(comparison)  # one row per engine: fits where columns would not
    lines: list[Text | Table] = [title, grid, Text(LEGEND, style="dim")]
    if _shows_estimates(comparison):
        lines.append(Text(ESTIMATE_LEGEND, style="dim"))
    lines.extend(Text(note, style="yellow") for note in notes(comparison))
    lines.append(Text(verdict(comparison), style="bold green" if comparison.agree else "bold red"))
    return Group(*lines)


def _shows_estimates(comparison: Comparison) -> bool:
    return any(
        check.error_estimate is not None and check.value is not None
        for outcome in comparison.engines.values()
        for check in outcome.checks.values()
    )


def table(comparison: Comparison) -> Table:
    grid = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 2, 0, 0))
    grid.add_column("entry", overflow="fold")
    grid.add_column("exact", justify="right")
    for name in comparison.engines:
        grid.add_column(name, justify="right")
    for entry in comparison.entries:
        row: list[Text] = [
            Text(entry_name(entry, comparison.variables)),
            _exact_cell(comparison, entry),
        ]
        for outcome in comparison.engines.values():
            row.append(_engine_cell(outcome.checks[entry]))
        grid.add_row(*row)
    return grid


def long_table(comparison: Comparison) -> Table:
    """The same numbers with a row per engine under each entry, for narrow consoles."""
    grid = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 2, 0, 0))
    grid.add_column("entry", overflow="fold")
    grid.add_column("engine")
    grid.add_column("value", justify="right")
    grid.add_column("error", justify="right")
    for entry in comparison.entries:
        name = Text(entry_name(entry, comparison.variables))
        grid.add_row(name, Text("exact"), _exact_cell(comparison, entry), Text(""))
        for engine, outcome in comparison.engines.items():
            check = outcome.checks[entry]
            value = "—" if check.value is None else _number(check.value, EXACT_DIGITS)
            error = Text(_error_text(check), style=_error_style(check))
            if check.error_estimate is not None and check.value is not None:
                error.append("  " + _estimate_text(check), style="dim")
            grid.add_row(Text(""), Text(engine), Text(value), error)
    return grid


def _exact_cell(comparison: Comparison, entry: Entry) -> Text:
    if not comparison.reference.values.get(entry) and _at_kink(comparison, entry):
        return Text("—")
    value = comparison.reference.values.get(entry)
    if value is not None:
        return Text(_number(value, EXACT_DIGITS))
    exact = comparison.reference.exact_text.get(entry)
    if exact is not None:  # beyond float64: the 50-digit text, shortened
        try:
            return Text(format(Decimal(exact), f".{EXACT_DIGITS}g"))
        except InvalidOperation:
            return Text(exact)
    reason = comparison.reference.reasons.get(entry, "undefined")
    return Text(reason.split(" (")[0], style="yellow")


def _at_kink(comparison: Comparison, entry: Entry) -> bool:
    return any(
        outcome.checks[entry].status == Status.NOT_DIFFERENTIABLE
        for outcome in comparison.engines.values()
    )


def _engine_cell(check: Check) -> Text:
    cell = Text()
    if check.value is None:
        cell.append("—")
    else:
        cell.append(_number(check.value, VALUE_DIGITS))
    cell.append("\n")
    cell.append(_error_text(check), style=_error_style(check))
    if check.error_estimate is not None and check.value is not None:
        cell.append("\n")
        cell.append(_estimate_text(check), style="yellow" if check.estimate_ok is False else "dim")
    return cell


def _estimate_text(check: Check) -> str:
    """The engine's own error estimate, measured like its error, marked ⚠ when the true
    error exceeded it: evidence about the engine, not part of the verdict."""
    if check.rel_estimate is not None:
        size = error_text(check.rel_estimate)
    else:
        size = "±" + error_text(check.error_estimate or 0.0)
    return f"est {size}" + (" ⚠" if check.estimate_ok is False else "")


def _error_text(check: Check) -> str:
    if check.status == Status.NOT_DIFFERENTIABLE:
        return "not judged"
    if check.status in (Status.UNDEFINED, Status.OUT_OF_RANGE):
        return check.status
    if check.status == Status.MISSING:
        return "no value ✗"
    if check.status == Status.SPURIOUS:
        return "undefined ✗"
    mark = " ✗" if check.status == Status.DISAGREE else ""
    if check.rel_error is not None:
        return error_text(check.rel_error) + mark
    if check.abs_error is not None:  # the exact value is 0: relative error means nothing
        return ("±" + error_text(check.abs_error) if check.abs_error else "0") + mark
    return check.status + mark


def _error_style(check: Check) -> str:
    if not check.agrees:
        return "bold red"
    if check.status == Status.NOT_DIFFERENTIABLE:
        return "yellow"
    return "dim"


def notes(comparison: Comparison) -> list[str]:
    """Reasons worth a line under the table: kinks and derivatives that do not exist."""
    lines = list(comparison.notes)
    for entry, reason in comparison.reference.reasons.items():
        if entry in comparison.entries and entry and not _at_kink(comparison, entry):
            lines.append(f"exact {entry_name(entry, comparison.variables)}: {reason}")
    return lines


def _number(value: float, digits: int) -> str:
    text = f"{value:.{digits}g}"
    return "0" if text == "-0" else text


def to_json(comparison: Comparison) -> str:
    """The JSON document; never NaN or Infinity (allow_nan=False would raise first)."""
    return json.dumps(comparison.to_dict(), indent=2, allow_nan=False, ensure_ascii=False)


CSV_COLUMNS = ENTRY_COLUMNS


def to_csv(comparison: Comparison) -> str:
    """One row per entry per engine; empty cells where there is no number."""
    rows = entry_rows(comparison.to_dict())
    return csv_line(CSV_COLUMNS) + "".join(csv_row(row, CSV_COLUMNS) for row in rows)
