"""`diffcompare grade` end to end, as a teacher runs it: a subprocess on real files."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_EXERCISE = ROOT / "expressions" / "exercises" / "01_quartic.toml"
TWO_VARIABLES = ROOT / "expressions" / "exercises" / "04_two_variables.toml"
SUBMISSIONS = ROOT / "tests" / "data" / "submissions.csv"
SUBMISSIONS_JSONL = ROOT / "tests" / "data" / "submissions.jsonl"
CANARY = "diffcompare_grade_canary"


def grade(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "diffcompare", "grade", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def test_seed_exercise_rows_and_summary(tmp_path: Path) -> None:
    result = grade(str(SEED_EXERCISE), str(SUBMISSIONS), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # at 80 columns (piped) each message goes beneath its row
    assert lines[0].split() == ["student", "question", "score", "status", "mistake"]
    assert lines[1].split() == ["message"]
    rows = [line.split()[:5] for line in lines[1:] if line and not line.startswith(" ")]
    assert ["ada", "d1", "1.00", "correct", "-"] in rows
    assert ["bob", "d1", "0.00", "incorrect", "sign"] in rows
    assert ["bob", "d2", "0.00", "incorrect", "wrong_order"] in rows
    assert ["cy", "d1", "0.00", "incorrect", "integrated"] in rows
    assert ["eve", "d1", "0.00", "invalid", "-"] in rows
    assert ["eve", "d2", "0.00", "invalid", "-"] in rows
    # input order, every student graded, the malformed line an error row
    students = [row[0] for row in rows[:20] if row[0] in {"ada", "bob", "eve", "cy", "dan"}]
    assert students == sorted(students, key=["ada", "bob", "eve", "cy", "dan"].index)
    assert "dan" in students
    assert "expected 3 fields, got 4" in result.stdout
    for part in ("summary:", "scores by question", "mistakes", "answers that could not be parsed"):
        assert part in result.stdout
    assert "'9**9**9'" in result.stdout
    assert not (tmp_path / CANARY).exists()
    assert "Traceback" not in result.stderr


def test_hostile_answers_are_invalid_in_bounded_time(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.csv"
    shutil.copy(SUBMISSIONS, hostile)
    with hostile.open("a", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["mal", "d1", "1" * 1_000_000])  # a megabyte answer
        writer.writerow(["mal", "d2", "(" * 100_000 + "x" + ")" * 100_000])
        writer.writerow(["mal", "v1", "().__class__.__base__.__subclasses__()"])
        writer.writerow(["mal", "d3", "lambda: open('" + CANARY + "', 'w')"])
        writer.writerow(["zoe", "d1", "4*x**3 + 6*x**2 - 6*x + 4"])
    start = time.monotonic()
    result = grade(str(SEED_EXERCISE), str(hostile), "--format", "jsonl", cwd=tmp_path)
    assert time.monotonic() - start < 120
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    mal = [row for row in rows if row["student"] == "mal"]
    assert [row["status"] for row in mal] == ["invalid"] * 4
    assert rows[-1] == {**rows[-1], "student": "zoe", "status": "correct"}
    assert "summary:" in result.stderr  # jsonl rows on stdout: the summary goes to stderr
    assert not (tmp_path / CANARY).exists()


def test_jsonl_submissions_csv_output_file(tmp_path: Path) -> None:
    output = tmp_path / "rows.csv"
    result = grade(
        str(TWO_VARIABLES), str(SUBMISSIONS_JSONL), "--format", "csv", "--output", str(output),
        "--jobs", "2", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(output.read_text())))
    assert [r["student"] for r in rows[:4]] == ["ada"] * 4
    assert all(r["status"] == "correct" for r in rows[:4])
    assert any(r["status"] == "error" and r["student"] == "line 3" for r in rows)
    assert {r["student"] for r in rows} >= {"ada", "bob", "eve"}
    assert "summary: 3 students" in result.stdout


def test_unreadable_files_exit_2(tmp_path: Path) -> None:
    missing = grade(str(tmp_path / "nope.toml"), str(SUBMISSIONS), cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: ") and "cannot read" in missing.stderr
    bad_header = tmp_path / "bad.csv"
    bad_header.write_text("name,answer\nada,1\n")
    result = grade(str(SEED_EXERCISE), str(bad_header), cwd=tmp_path)
    assert result.returncode == 2
    assert "header" in result.stderr
    wrong_type = tmp_path / "answers.txt"
    wrong_type.write_text("")
    assert grade(str(SEED_EXERCISE), str(wrong_type), cwd=tmp_path).returncode == 2


def test_wide_csv_one_column_per_question(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text('student,v1,d1\nada,48,"4*x**3 + 6*x**2 - 6*x + 4"\nbob,47,\n')
    result = grade(str(SEED_EXERCISE), str(wide), "--format", "jsonl", cwd=tmp_path)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 12  # every question of the exercise for each student
    by_key = {(r["student"], r["question"]): r["status"] for r in rows}
    assert by_key[("ada", "v1")] == "correct" and by_key[("ada", "d1")] == "correct"
    assert by_key[("bob", "v1")] == "incorrect" and by_key[("bob", "d1")] == "invalid"
