"""The shape of a result, in one place: statuses, the JSON layout, CSV rows, the summary
(entries are named in `names`, re-exported here), and the one-line verdict.

A comparison's result travels as a `Comparison` (in the process that made it) and as its
JSON document (`Comparison.to_dict`, one line of a batch output, a resumed run). Everything
that reads or writes either shape — the reporter, batch's writers, grading — takes the
names and the layout from here, so a new status or a new column is one change.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engines.base import Entry, entries_for
from .names import entry_label, entry_name

if TYPE_CHECKING:
    from .comparison import Comparison

__all__ = [
    "AGREEING", "BATCH_COLUMNS", "CASE_COLUMNS", "ENTRY_COLUMNS", "ERROR", "Status", "Summary",
    "agrees", "batch_rows", "csv_cell", "csv_line", "csv_row", "entries", "entry_label",
    "entry_name", "entry_rows", "error_text", "finite_or_none", "jsonable", "point_text",
    "shaped", "summarize", "unshaped", "verdict",
]  # fmt: skip

# -- statuses -----------------------------------------------------------------------------


class Status(StrEnum):
    """How one engine's number for one entry measures against the reference."""

    AGREE = "agree"
    UNDEFINED = "undefined"
    """No derivative here, and the engine gave no number."""
    OUT_OF_RANGE = "beyond float64"
    """The exact value is too large for float64, and the engine gave no number."""
    NOT_DIFFERENTIABLE = "not differentiable"
    """At a kink: shown, not judged."""
    DISAGREE = "disagree"
    MISSING = "no value"
    """The derivative exists, the engine gave no number."""
    SPURIOUS = "value where undefined"
    """The derivative does not exist, the engine gave a number."""

    @property
    def agrees(self) -> bool:
        return self in AGREEING


AGREEING = frozenset(
    {Status.AGREE, Status.UNDEFINED, Status.OUT_OF_RANGE, Status.NOT_DIFFERENTIABLE}
)
"""The statuses that count as agreement."""

ERROR = "error"
"""The status column of a CSV row for a case that produced no comparison."""


def agrees(status: str | None) -> bool:
    """Whether a status read back from a document counts as agreement."""
    return status in AGREEING


# -- entries (named in .names) -----------------------------------------------------------


def entries(n_variables: int, order: int) -> list[Entry]:
    """The entries of a result, in the order every output lists them."""
    return entries_for(n_variables, order)


# -- the JSON layout ----------------------------------------------------------------------


def finite_or_none(value: Any) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def shaped(by_entry: Mapping[Entry, Any], n: int, order: int) -> dict[str, Any]:
    """Entry-keyed items laid out as the JSON document has them: value, gradient list, full
    symmetric Hessian, and for one variable above order 2 the derivatives list."""

    def get(entry: Entry) -> Any:
        item = by_entry.get(entry)
        if isinstance(item, bool):  # a flag (estimate_ok), not the number 0 or 1
            return item
        return finite_or_none(item) if isinstance(item, float | int) else item

    layout: dict[str, Any] = {"value": get(())}
    if order >= 1:
        layout["gradient"] = [get((i,)) for i in range(n)]
    if order >= 2:
        layout["hessian"] = [[get((min(i, j), max(i, j))) for j in range(n)] for i in range(n)]
    if n == 1 and order > 2:
        layout["derivatives"] = [get((0,) * k) for k in range(1, order + 1)]
    return layout


def unshaped(layout: Mapping[str, Any], entry: Entry, n: int, order: int) -> Any:
    """The item of `entry` in a layout made by `shaped` (None where there is none)."""
    if not entry:
        path: tuple[Any, ...] = ("value",)
    elif n == 1 and order > 2:
        path = ("derivatives", len(entry) - 1)
    else:
        path = ("gradient" if len(entry) == 1 else "hessian", *entry)
    item: Any = layout.get(path[0])
    for index in path[1:]:
        if not isinstance(item, list) or index >= len(item):
            return None
        item = item[index]
    return item


def jsonable(item: Any, key: Callable[[Any], str] = str) -> Any:
    """`item` as JSON can hold it: numpy numbers to Python ones, tuples and arrays to lists,
    non-finite numbers to null, dictionary keys through `key`, anything else to its text."""
    if isinstance(item, dict):
        return {key(k): jsonable(v, key) for k, v in item.items()}
    if isinstance(item, list | tuple):
        return [jsonable(v, key) for v in item]
    if isinstance(item, np.ndarray):
        return jsonable(item.tolist(), key)
    if isinstance(item, bool | str) or item is None:
        return item
    if isinstance(item, int | np.integer):
        return int(item)
    try:
        number = float(item)
    except (TypeError, ValueError, OverflowError):
        return str(item)
    return number if math.isfinite(number) else None


# -- CSV ----------------------------------------------------------------------------------

ENTRY_COLUMNS = (
    "entry", "variables", "reference", "exact", "engine", "value", "abs_error", "rel_error",
    "tolerance", "status", "agree", "reason",
)  # fmt: skip
"""A row per entry and engine of one comparison (``diffcompare --format csv``)."""

CASE_COLUMNS = ("id", "file", "line", "expression", "point")
"""Before the entry's columns in a batch's CSV: which case the row belongs to."""

BATCH_COLUMNS = (
    *CASE_COLUMNS, "entry", "engine", "reference", "exact", "value", "abs_error", "rel_error",
    "tolerance", "status", "agree", "reason",
)  # fmt: skip
"""A row per case, entry and engine (``diffcompare batch --format csv``)."""


def csv_cell(value: Any) -> str:
    """A number as Python writes it back exactly (``repr``); empty for no number."""
    return repr(float(value)) if isinstance(value, int | float) else ""


def entry_rows(document: Mapping[str, Any]) -> Iterator[dict[str, str]]:
    """The ENTRY_COLUMNS of a comparison's JSON document, a row per entry and engine."""
    variables = list(document.get("variables") or [])
    n, order = len(variables), int(document.get("order") or 0)
    reference = document.get("reference") or {}
    exact = reference.get("exact") or {}
    for entry in entries(n, order):
        label = entry_label(entry, n, order)
        for name, engine in (document.get("engines") or {}).items():
            errors = engine.get("errors") or {}
            status = unshaped(engine.get("status") or {}, entry, n, order)
            yield {
                "entry": label,
                "variables": " ".join(variables[i] for i in entry),
                "reference": csv_cell(
                    document.get("value") if not entry else unshaped(reference, entry, n, order)
                ),
                "exact": unshaped(exact, entry, n, order) or "",
                "engine": name,
                "value": csv_cell(unshaped(engine, entry, n, order)),
                "abs_error": csv_cell(unshaped(errors.get("abs") or {}, entry, n, order)),
                "rel_error": csv_cell(unshaped(errors.get("rel") or {}, entry, n, order)),
                "tolerance": csv_cell(unshaped(engine.get("tolerance") or {}, entry, n, order)),
                "status": status or "",
                "agree": "true" if agrees(status) else "false",
                "reason": (engine.get("reasons") or {}).get(label, ""),
            }


def batch_rows(result: Mapping[str, Any]) -> Iterator[dict[str, str]]:
    """The BATCH_COLUMNS of one batch result; a case that failed is one row, status
    ``error``, its kind and message as the reason."""
    source = result.get("source") or {}
    case = {
        "id": str(result.get("id") or ""),
        "file": str(source.get("file", "")),
        "line": str(source.get("line", "")),
        "expression": str(result.get("expression", "")),
        "point": point_text(result),
    }
    error = result.get("error")
    if error:
        yield {**case, "status": ERROR, "agree": "false",
               "reason": f"{error['kind']}: {error['message']}"}  # fmt: skip
        return
    for row in entry_rows(result):
        yield {**case, **row}


def point_text(result: Mapping[str, Any]) -> str:
    """The point of a result as a CSV cell: ``x=1.0;y=2.0``."""
    point = result.get("point")
    if isinstance(point, dict):
        return ";".join(f"{name}={value!r}" for name, value in point.items())
    at = result.get("at", "")
    if isinstance(at, dict):
        return ";".join(f"{name}={value}" for name, value in at.items())
    return str(at)


def csv_line(cells: Sequence[Any]) -> str:
    """One CSV line in the house's one dialect: quoted as needed, ``\n`` at the end, an
    empty cell for None."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(["" if c is None else c for c in cells])
    return out.getvalue()


def csv_row(row: Mapping[str, Any], columns: Sequence[str]) -> str:
    """The line of a row given by column name (a missing column is an empty cell)."""
    return csv_line([row.get(column) for column in columns])


# -- the verdict --------------------------------------------------------------------------
# Here, below the comparison, so the terminal's table and the notebook's HTML (a view that
# sits below the results it shows) say it in the same words.


def verdict(comparison: Comparison) -> str:
    """One line: agreement, or which engine disagrees where and by how much."""
    if comparison.agree:
        text = "all engines agree with the exact reference"
        if comparison.kinks:
            text += " where the function is differentiable"
        return text
    parts = []
    for name, outcome in comparison.engines.items():
        bad = [(entry, c) for entry, c in outcome.checks.items() if not c.agrees]
        if not bad:
            continue
        entry, check = bad[0]
        where = entry_name(entry, comparison.variables)
        if check.status == Status.DISAGREE and check.abs_error is not None:
            tolerance = error_text(check.tolerance or 0.0)
            off = error_text(check.abs_error)
            what = f"{name} disagrees at {where}: off by {off} (tolerance {tolerance})"
        elif check.status == Status.DISAGREE:
            what = f"{name} disagrees at {where}: {check.reason or 'out of float64 range'}"
        elif check.status == Status.SPURIOUS:
            what = f"{name} gives a number at {where}, where the exact value is undefined"
        else:
            what = f"{name} gives no value at {where} ({check.reason or 'no reason given'})"
        if len(bad) > 1:
            what += f", and at {len(bad) - 1} more"
        parts.append(what)
    return "; ".join(parts)


def error_text(value: float) -> str:
    """An error as the table and the verdict write it: ``0`` or ``1.2e-05``."""
    return "0" if value == 0 else f"{value:.1e}"


# -- the summary --------------------------------------------------------------------------


@dataclass
class Summary:
    """What many results add up to (a batch run, resumed runs included)."""

    cases: int
    agreed: int
    disagreed: int
    errors: dict[str, int]
    """Error rows by kind."""
    engines: dict[str, dict[str, dict[str, float | None]]]
    """Per engine, per part (gradient, hessian): median and worst relative error."""
    slowest: list[dict[str, Any]]
    """The slowest cases: id, expression, source and seconds."""
    estimates: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per engine that estimates its own error: entries whose estimate bounded the true
    error ("bounded") and entries where it fell short ("short")."""

    @property
    def all_agree(self) -> bool:
        return self.cases == self.agreed

    def to_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "agreed": self.agreed,
            "disagreed": self.disagreed,
            "errors": dict(self.errors),
            "engines": self.engines,
            "slowest": self.slowest,
            "estimates": self.estimates,
        }


def summarize(results: Iterable[Mapping[str, Any]], slowest: int = 5) -> Summary:
    """Counts, error kinds, each engine's relative errors and the slowest cases."""
    cases = agreed = disagreed = 0
    errors: dict[str, int] = {}
    relative: dict[str, dict[str, list[float]]] = {}
    timed: list[dict[str, Any]] = []
    estimates: dict[str, dict[str, int]] = {}
    for result in results:
        cases += 1
        error = result.get("error")
        if error:
            kind = str(error.get("kind", "error"))
            errors[kind] = errors.get(kind, 0) + 1
        elif result.get("agree"):
            agreed += 1
        else:
            disagreed += 1
        for name, engine in (result.get("engines") or {}).items():
            parts = relative.setdefault(name, {"gradient": [], "hessian": []})
            rel = (engine.get("errors") or {}).get("rel") or {}
            parts["gradient"].extend(_numbers(rel.get("gradient")))
            parts["hessian"].extend(_numbers(_upper(rel.get("hessian"))))
            judged = _flags(engine.get("estimate_ok"))
            if judged:
                counts = estimates.setdefault(name, {"bounded": 0, "short": 0})
                counts["bounded"] += sum(judged)
                counts["short"] += len(judged) - sum(judged)
        timed.append(
            {
                "id": result.get("id"),
                "expression": result.get("expression"),
                "source": result.get("source"),
                "seconds": float(result.get("seconds") or 0.0),
            }
        )
    engines = {
        name: {part: _spread(values) for part, values in parts.items()}
        for name, parts in relative.items()
    }
    timed.sort(key=lambda item: item["seconds"], reverse=True)
    return Summary(cases, agreed, disagreed, errors, engines, timed[:slowest], estimates)


def _flags(layout: Any) -> list[bool]:
    """The estimate_ok flags of one engine's derivative entries (each Hessian entry once,
    and for one variable the derivatives above the second)."""
    if not isinstance(layout, dict):
        return []
    items = list(layout.get("gradient") or []) + _upper(layout.get("hessian"))
    items += list(layout.get("derivatives") or [])[2:]
    return [x for x in items if isinstance(x, bool)]


def _upper(matrix: Any) -> list[Any]:
    # a Hessian is symmetric: count each entry once
    if not isinstance(matrix, list):
        return []
    return [
        row[j] for i, row in enumerate(matrix) if isinstance(row, list) for j in range(i, len(row))
    ]


def _numbers(items: Any) -> list[float]:
    if not isinstance(items, list):
        return []
    return [float(x) for x in items if isinstance(x, int | float) and math.isfinite(x)]


def _spread(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "worst": None, "entries": 0}
    return {"median": statistics.median(values), "worst": max(values), "entries": len(values)}
