"""Batch in a terminal: rows above the progress bar, never on its line; a layout that fits the
terminal's width, with nothing cut (sources, cases with their points, errors, notes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from terminal import ROOT, in_terminal, plain, segments

LONG_NAME = "cases-with-a-rather-long-file-name-from-an-optimization-suite.txt"
CASES = (
    "x**2 @ x=3\n"
    "log(x) @ x=-1\n"
    "(1 - cos(x))/x**2 @ x=1e-4\n"
    "exp(-((x1-1)**2+(x2-2)**2)/2)*sin(x1*x2) + x3**3 @ x1=0.3, x2=0.5, x3=0.9\n"
)


@pytest.fixture(scope="module")
def case_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("batch") / LONG_NAME
    path.write_text(CASES, encoding="utf-8")
    return path


@pytest.mark.parametrize("columns", [80, 60])
def test_batch_in_a_terminal_fits_and_cuts_nothing(case_file: Path, columns: int) -> None:
    output, status = in_terminal(["batch", str(case_file), "-j", "1"], columns)
    assert status == 1, output  # the log(-1) case is an error row
    # the bar never shares a line with a row
    for segment in segments(output):
        if "cases" in segment and "━" in segment:
            assert "agree" not in segment and "verdict" not in segment, segment
    lines = [line for line in segments(output) if line.strip() and "━" not in line]
    assert max(len(line.rstrip()) for line in lines) <= columns
    joined = " ".join(" ".join(line.split()) for line in lines)
    assert str(case_file) in "".join(line.strip() for line in lines)  # the source, whole
    assert "x3**3 @ x1=0.3, x2=0.5, x3=0.9" in joined  # the case with its point
    assert "(log of a negative number) at x=-1" in joined  # the error message, whole
    assert "ill-conditioned" in joined  # the note behind an agreement at 6.3e+00
    assert "~" in plain(output)


def test_piped_batch_is_laid_out_for_80_columns(case_file: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "diffcompare", "batch", str(case_file), "-j", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert "\x1b" not in done.stdout and "━" not in done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    assert any(line.strip() == str(case_file) for line in lines) or str(case_file) in (
        "".join(line.strip() for line in lines)
    )


def test_ctrl_c_during_a_batch_is_one_line_from_the_whole_process_group() -> None:
    output, status = in_terminal(
        ["batch", "expressions/", "-j", "2"], 80, interrupt_at=" agree ", seconds=120
    )
    assert status in (130, -2), output
    text = plain(output)
    assert "interrupted" in text
    assert "Traceback" not in text and "Process" not in text and "KeyboardInterrupt" not in text
