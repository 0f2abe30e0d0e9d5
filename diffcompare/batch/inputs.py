"""Reading cases for a batch: `.txt`, `.jsonl` and `.csv` files, folders of them, and stdin.

A line that cannot be read as a case is still a case: it carries its `problem` and becomes an
error row, so one bad line never costs the others their results. Only an input that cannot
be read at all (a missing file, an unknown format, a CSV without its header) is refused with
an InputError before any work starts.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..errors import InputError

FORMATS = (".txt", ".jsonl", ".csv")
STDIN = "-"
CSV_COLUMNS = ("id", "expr", "at")


@dataclass(frozen=True)
class Case:
    """One expression at one point, and where it came from."""

    expression: str
    at: str | Mapping[str, Any] = ""
    """``"x=1, y=2"`` or a mapping of names to numbers; its order is the variables' order."""
    id: str | None = None
    file: str = ""
    line: int = 0
    order: int | None = None
    """None: the batch's order."""
    problem: str | None = None
    """Why the line could not be read as a case (it becomes an error row of kind input)."""

    @property
    def key(self) -> tuple[str, int, str | None]:
        """What identifies the case across runs (``--resume``)."""
        return (self.file, self.line, self.id)


def read_cases(paths: Iterable[str], stdin: TextIO | None = None) -> list[Case]:
    """Every case of every path, in order. A folder gives its expression files, sorted by
    name; ``-`` reads standard input, its format told by its first line."""
    sources: list[tuple[str, str, str]] = []  # (name shown, format, text)
    for path in paths:
        if path == STDIN:
            text = (stdin or sys.stdin).read()
            sources.append(("<stdin>", _sniff(text), text))
            continue
        for file in _files(Path(path)):
            sources.append((str(file), file.suffix.lower(), _read_text(file)))
    cases: list[Case] = []
    for name, kind, text in sources:
        if kind == ".jsonl":
            cases.extend(_jsonl_cases(name, text))
        elif kind == ".csv":
            cases.extend(_csv_cases(name, text))
        else:
            cases.extend(_txt_cases(name, text))
    return cases


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FORMATS)
        if not found:
            raise InputError(f"{path}: no expression files here ({', '.join(FORMATS)})")
        return found
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.suffix.lower() not in FORMATS:
        raise InputError(
            f"{path}: cannot tell its format; name it {', '.join(FORMATS)} (or use a folder)"
        )
    return [path]


def _read_text(path: Path) -> str:
    # bytes that are not UTF-8 spoil their own line only (see _not_utf8), not the file
    try:
        return path.read_text(encoding="utf-8-sig", errors="surrogateescape")
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None


def _sniff(text: str) -> str:
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("{"):
            return ".jsonl"
        if [c.strip().lower() for c in stripped.split(",")][:3] == list(CSV_COLUMNS):
            return ".csv"
        return ".txt"
    return ".txt"


# -- .txt: EXPR @ x=1, y=2 ---------------------------------------------------------------


def _not_utf8(line: str) -> str | None:
    """Why a line read with surrogateescape is not UTF-8 text, or None when it is."""
    for column, char in enumerate(line, start=1):
        if "\udc80" <= char <= "\udcff":
            return f"not UTF-8 text: byte 0x{ord(char) - 0xDC00:02X} at column {column}"
    return None


def _txt_cases(name: str, text: str) -> Iterable[Case]:
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _without_comment(raw).strip()
        if not line:
            continue
        problem = _not_utf8(line)
        if problem is not None:
            yield Case(
                line.encode("utf-8", "replace").decode(), "", None, name, number, None, problem
            )
            continue
        expression, _, at = line.partition("@")
        # no '@': the case has no point, which only an expression without variables can use
        yield Case(expression.strip(), at.strip(), None, name, number)


def _without_comment(line: str) -> str:
    # '#' is not part of the expression language nor of a point, so the first one starts it
    return line.split("#", 1)[0]


# -- .jsonl: {"id": ..., "expr": ..., "at": {...}, "order": 2} ------------------------------


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is beyond float64")
    return value


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _jsonl_cases(name: str, text: str) -> Iterable[Case]:
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        problem = _not_utf8(line)
        if problem is not None:
            yield Case("", "", None, name, number, problem=problem)
            continue
        try:
            item = json.loads(line, parse_float=_finite_float, parse_constant=_no_constants)
        except ValueError as error:  # JSONDecodeError is one
            yield Case("", "", None, name, number, problem=f"not a JSON object: {error}")
            continue
        yield _case_from_mapping(item, name, number)


JSONL_KEYS = ("id", "expr", "at", "order")


def _case_from_mapping(item: Any, name: str, number: int) -> Case:
    if not isinstance(item, dict):
        return Case("", "", None, name, number, problem="not a JSON object")
    raw_id = item.get("id")
    case_id = None if raw_id is None else str(raw_id)
    expression = item.get("expr")
    at = item.get("at", "")
    order = item.get("order")
    problem = None
    unknown = [key for key in item if key not in JSONL_KEYS]
    if unknown:
        problem = f"unknown key {unknown[0]!r} (the keys are {', '.join(JSONL_KEYS)})"
    if not isinstance(expression, str):
        problem = problem or "'expr' must be a string (the expression)"
        expression = ""
    if isinstance(at, dict):
        at, at_problem = _point_with_text_values(at)
        problem = problem or at_problem
    elif not isinstance(at, str):
        problem = problem or '\'at\' must be an object like {"x": 1.5} or text like "x=1.5"'
        at = ""
    if order is not None and (isinstance(order, bool) or not isinstance(order, int)):
        problem = problem or "'order' must be a whole number"
        order = None
    return Case(expression, at, case_id, name, number, order, problem)


def _point_with_text_values(at: dict[str, Any]) -> tuple[str | dict[str, Any], str | None]:
    """A point whose values may be written as on the command line (``{"x": "pi/2"}``): as
    text for `parse_point` when any value is text, else the mapping as it is."""
    if not any(isinstance(value, str) for value in at.values()):
        return at, None
    parts = []
    for key, value in at.items():
        text = value if isinstance(value, str) else json.dumps(value)
        if any(mark in f"{key}{text}" for mark in ",;="):
            return "", f"'at.{key}' must be a number or text like \"pi/2\", not {value!r}"
        parts.append(f"{key}={text}")
    return ", ".join(parts), None


# -- .csv: id,expr,at with at like x=1;y=2 ------------------------------------------------


def _extra_cells_hint(row: list[str]) -> str:
    # x=1,y=2 unquoted spills the point's second coordinate into a cell of its own
    if "=" in row[-1]:
        return "separate the point's coordinates with ';', as in x=1;y=2, or quote the cell"
    return "quote an expression with commas"


def _csv_cases(name: str, text: str) -> Iterable[Case]:
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    start = 1
    for row in reader:
        number, start = start, reader.line_num + 1  # a quoted field may span lines
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            missing = [c for c in ("expr", "at") if c not in header]
            if missing:
                raise InputError(
                    f"{name}: a CSV needs a header with the columns {', '.join(CSV_COLUMNS)}"
                    f" (missing: {', '.join(missing)})"
                )
            continue
        problem = _not_utf8(",".join(row))
        if problem is not None:  # shown with U+FFFD where the bad bytes were
            row = [cell.encode("utf-8", "replace").decode() for cell in row]
        cells = dict(zip(header, (cell.strip() for cell in row), strict=False))
        case_id = cells.get("id") or None
        order_text = cells.get("order", "")
        order: int | None = None
        if len(row) > len(header):
            problem = f"{len(row)} cells for {len(header)} columns ({_extra_cells_hint(row)})"
        if order_text:
            try:
                order = int(order_text)
            except ValueError:
                problem = problem or f"order '{order_text}' is not a whole number"
        yield Case(
            cells.get("expr", ""), cells.get("at", ""), case_id, name, number, order, problem
        )
