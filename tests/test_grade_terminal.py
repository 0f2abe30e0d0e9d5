"""diffcompare grade laid out for the terminal's width (and 80 columns when piped): the columns
kept, each message wrapped, never cut."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from terminal import ROOT, in_terminal, plain

from diffcompare.cli.grade import Row, Writer

ARGUMENTS = ["grade", "expressions/exercises/01_quartic.toml", "tests/data/submissions.csv"]
LONG_MESSAGE = "Your answer differs from the derivative by a constant: check the constant"


def check_layout(text: str, columns: int) -> None:
    lines = [line.rstrip() for line in text.split("\n")]
    assert max(len(line) for line in lines) <= columns
    header = lines[0]
    assert header.split()[:5] == ["student", "question", "score", "status", "mistake"]
    # every row starts its columns where the header does
    where = header.index("status")
    rows = [line for line in lines[1:] if line.startswith(("ada ", "bob ", "eve "))]
    assert rows and all(line[where - 2 : where] == "  " for line in rows)
    assert all(line[where:].split()[0] in {"correct", "incorrect", "invalid", "error"}
               for line in rows)  # fmt: skip
    flowing = " ".join(" ".join(line.split()) for line in lines)
    assert LONG_MESSAGE in flowing  # wrapped, whole
    assert "(Limits.max_constant_log10)." in flowing


@pytest.mark.parametrize("columns", [80, 60])
def test_grade_in_a_terminal_fits_its_width(columns: int) -> None:
    output, status = in_terminal(ARGUMENTS, columns)
    assert status == 0, output
    check_layout(plain(output), columns)


def test_piped_grade_is_laid_out_for_80_columns() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "diffcompare", *ARGUMENTS],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr
    check_layout(done.stdout, 80)
    assert "\n    Check the sign: your answer is the negative of the derivative.\n" in done.stdout


def test_a_wide_terminal_keeps_each_message_beside_its_row() -> None:
    out = io.StringIO()
    writer = Writer(out, "table", width=130)
    writer.header()
    writer.row(Row("ada", "d1", 0.0, "incorrect", "constant", LONG_MESSAGE + " " + LONG_MESSAGE))
    header, first, second, *_ = out.getvalue().splitlines()
    assert header.endswith("message") and first.startswith("ada")
    at = header.index("message")
    assert first[at:].startswith("Your answer differs") and second[:at].strip() == ""
    assert max(len(line) for line in out.getvalue().splitlines()) <= 130
