"""Batch evaluation: input formats, order, bad lines, timeouts, crashes, resume, the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from diffcompare.batch.runner import (
    Case,
    Settings,
    evaluate_case,
    read_cases,
    resume_output,
    run,
    summarize,
)
from diffcompare.cli.main import main
from diffcompare.errors import InputError

ROOT = Path(__file__).resolve().parent.parent

CRASH_MARK = "crash_here"
HANG_MARK = "hang_here"


def crash_on_mark(task: Any) -> dict[str, Any]:
    """A worker function for tests: dies like a segfaulting extension on one variable name,
    and never finishes on another, so any timeout cuts it however generous (a really slow
    case would race a busy machine's ordinary cases against the timeout)."""
    if CRASH_MARK in task.case.expression:
        os._exit(3)
    while HANG_MARK in task.case.expression:
        time.sleep(60)
    return evaluate_case(task)


def strict(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise AssertionError(f"JSON holds {name}")

    return json.loads(text, parse_constant=refuse)


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def cli(*args: str, stdin: str | None = None) -> Ran:
    # in process, saving an interpreter start a call; the workers are real processes all the
    # same, and the resume test below runs the real command (and kills it)
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


def test_three_formats_read_the_same_cases(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("# comment\n\nx**2*y @ x=3, y=2   # trailing\nsin(x) @ x=0.5\n")
    (tmp_path / "b.jsonl").write_text(
        '{"id": "p", "expr": "x**2*y", "at": {"x": 3, "y": 2}}\n'
        '{"id": "q", "expr": "sin(x)", "at": "x=0.5", "order": 3}\n'
    )
    (tmp_path / "c.csv").write_text('id,expr,at\np,x**2*y,x=3;y=2\nq,"sin(x)",x=0.5\n')
    by_format = {}
    for name in ("a.txt", "b.jsonl", "c.csv"):
        cases = read_cases([str(tmp_path / name)])
        assert [c.expression for c in cases] == ["x**2*y", "sin(x)"]
        by_format[name] = list(run(cases, jobs=1))
    txt, jsonl, csv = by_format["a.txt"], by_format["b.jsonl"], by_format["c.csv"]
    assert [r["source"]["line"] for r in txt] == [3, 4]
    assert [r["source"]["line"] for r in csv] == [2, 3]
    assert [r["id"] for r in jsonl] == ["p", "q"] == [r["id"] for r in csv]
    assert txt[0]["id"] is None
    for results in by_format.values():
        assert all(r["agree"] for r in results)
        assert results[0]["engines"]["tape"]["gradient"] == pytest.approx([12.0, 9.0])
    assert jsonl[1]["order"] == 3 and len(jsonl[1]["reference"]["derivatives"]) == 3
    # a folder: its files sorted by name, all formats
    folder = list(run(read_cases([str(tmp_path)]), jobs=1))
    assert [Path(r["source"]["file"]).name for r in folder] == ["a.txt"] * 2 + ["b.jsonl"] * 2 + [
        "c.csv"
    ] * 2


def test_order_is_input_order_with_two_jobs() -> None:
    # expressions repeat out of order, so affinity routing and stealing reshuffle the work
    cases = [Case(f"x**{k % 5 + 2} + {k}*x", f"x={1 + k / 10}", id=str(k)) for k in range(24)]
    results = list(run(cases, jobs=2))
    assert [r["id"] for r in results] == [str(k) for k in range(24)]
    for k, result in enumerate(results):
        p, x = k % 5 + 2, 1 + k / 10
        assert result["agree"], result
        assert result["reference"]["gradient"][0] == pytest.approx(p * x ** (p - 1) + k)


MIXED = """# good and bad lines mixed
x**2 @ x=3
x +* 2 @ x=1
x*y @ x=1, z=2
9**9**9*x @ x=1
hang_here*x @ hang_here=1, x=2
crash_here*x @ crash_here=1, x=2
log(x) @ x=-1
x**3 @ x=2
x**2 + y
exp(x) @ x=1
"""


def test_bad_lines_cost_only_themselves(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_text(MIXED)
    # the hanging case is cut at the timeout; every other case has ample time, loaded or not
    results = list(run(read_cases([str(path)]), jobs=2, timeout=10.0, evaluate=crash_on_mark))
    assert [r["source"]["line"] for r in results] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    kinds = [r["error"]["kind"] if "error" in r else None for r in results]
    assert kinds == [None, "parse", "input", "limit", "timeout", "crash", "domain", None, "input",
                     None]  # fmt: skip
    for r in results:
        assert r["agree"] is ("error" not in r)
    assert results[0]["reference"]["gradient"] == [6.0]
    assert results[7]["reference"]["gradient"] == [12.0]
    assert results[9]["reference"]["gradient"] == pytest.approx([2.718281828459045])
    assert "column" in results[1]["error"]["message"]
    assert "timed out" in results[4]["error"]["message"]
    assert "died" in results[5]["error"]["message"]
    assert "no point" in results[8]["error"]["message"]


def test_jsonl_lines_that_are_not_cases_are_error_rows(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(
        '{"id": 1, "expr": "x", "at": {"x": 1}}\n'
        "not json\n"
        '{"id": 3, "expr": "x", "at": {"x": NaN}}\n'
        '{"id": 4, "expr": 5}\n'
        '{"id": 5, "expr": "x*y", "at": {"x": 2, "y": 1e400}}\n'
        '{"id": 6, "expr": "x**2", "at": {"x": 0.5}}\n'
    )
    results = list(run(read_cases([str(path)]), jobs=1))
    assert [r["id"] for r in results] == ["1", None, None, "4", None, "6"]
    assert [r.get("error", {}).get("kind") for r in results] == [
        None, "input", "input", "input", "input", None,
    ]  # fmt: skip
    for r in results:
        json.dumps(r, allow_nan=False)  # every row is valid JSON


def test_unreadable_inputs_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_cases([str(tmp_path / "missing.txt")])
    (tmp_path / "cases.yaml").write_text("x @ x=1\n")
    with pytest.raises(InputError, match="format"):
        read_cases([str(tmp_path / "cases.yaml")])
    (tmp_path / "bad.csv").write_text("name,formula\na,x\n")
    with pytest.raises(InputError, match="header"):
        read_cases([str(tmp_path / "bad.csv")])


def test_resume_output_cuts_a_torn_line_and_refuses_foreign_files(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    row = json.dumps({"id": None, "source": {"file": "a.txt", "line": 1}, "agree": True})
    path.write_text(row + "\n" + row[:17])
    assert len(resume_output(path)) == 1
    assert path.read_text() == row + "\n"
    path.write_text("hello\n" + row + "\n")
    with pytest.raises(InputError, match="not a batch result"):
        resume_output(path)


def test_closing_early_stops_the_workers() -> None:
    results = run([Case("x**2", f"x={k}") for k in range(1, 40)], jobs=2)
    first = next(results)
    assert first["agree"]
    results.close()  # what --fail-fast does; must not hang or leave workers


def test_settings_are_checked_before_any_work() -> None:
    with pytest.raises(InputError):
        list(run([Case("x", "x=1")], settings=Settings(engines=("nope",))))
    with pytest.raises(InputError):
        list(run([Case("x", "x=1")], jobs=0))


# -- the command line, end to end ----------------------------------------------------------


def test_cli_formats_and_exit_statuses(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("x**2 @ x=3\nx*y @ x=1, y=2\n")
    done = cli("batch", str(good), "--format", "jsonl", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    rows = [strict(line) for line in done.stdout.splitlines()]
    assert [r["source"]["line"] for r in rows] == [1, 2]
    assert "2 cases: 2 agreed" in done.stderr  # the summary goes to stderr for machine formats

    # one worker each from here: the first run is the one with two
    whole = cli("batch", str(good), "--jobs", "1", "--format", "json")
    assert [r["expression"] for r in strict(whole.stdout)] == ["x**2", "x * y"]

    table = cli("batch", str(good), "--jobs", "1")
    assert table.returncode == 0
    assert "agree" in table.stdout and "2 cases: 2 agreed" in table.stdout
    assert "\x1b" not in table.stdout

    csv_run = cli("batch", str(good), "--jobs", "1", "--format", "csv")
    lines = csv_run.stdout.splitlines()
    assert lines[0].startswith("id,file,line,expression,point,entry,engine")
    assert len(lines) == 1 + (3 + 6) * 3  # (value, gradient, hessian) entries x engines

    bad = tmp_path / "bad.txt"
    bad.write_text("x**2 @ x=3\nsin( @ x=1\n")
    mixed = cli("batch", str(bad), "--jobs", "1", "--format", "jsonl")
    assert mixed.returncode == 1
    assert [strict(line).get("error", {}).get("kind") for line in mixed.stdout.splitlines()] == [
        None, "parse",
    ]  # fmt: skip
    assert "errors" in mixed.stderr or "error" in mixed.stderr

    missing = cli("batch", str(tmp_path / "nothing.txt"))
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: ") and "Traceback" not in missing.stderr

    case = '{"id": "s", "expr": "x", "at": {"x": 2}}\n'
    stdin = cli("batch", "-", "--format", "jsonl", "--jobs", "1", stdin=case)
    assert stdin.returncode == 0 and strict(stdin.stdout)["id"] == "s"


def test_cli_scheduler_goes_with_the_dask_executor(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("x**2 @ x=3\n")
    done = cli("batch", str(good), "--scheduler", "tcp://127.0.0.1:1")
    assert done.returncode == 2
    assert "--scheduler goes with --executor dask" in done.stderr


def test_cli_fail_fast_stops_at_the_first_disagreement(tmp_path: Path) -> None:
    path = tmp_path / "cases.txt"
    path.write_text("x @ x=1\nsin( @ x=1\n" + "x**2 @ x=2\n" * 20)
    done = cli("batch", str(path), "--format", "jsonl", "--fail-fast", "--jobs", "1")
    assert done.returncode == 1
    assert len(done.stdout.splitlines()) == 2


def test_cli_resume_after_sigkill_gives_every_case_once(tmp_path: Path) -> None:
    cases = tmp_path / "cases.txt"
    cases.write_text("".join(f"x**{k % 7 + 2} + {k}*x @ x={k / 7 + 0.5}\n" for k in range(60)))
    out = tmp_path / "out.jsonl"
    args = [sys.executable, "-m", "diffcompare", "batch", str(cases), "--format", "jsonl",
            "--output", str(out), "--jobs", "2"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if out.exists() and out.read_text().count("\n") >= 5:
            break
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)  # the command and its workers, mid-run
    process.wait()
    first = out.read_text()
    assert 5 <= first.count("\n") < 60
    with out.open("a") as handle:  # as if the kill had landed in the middle of a write
        handle.write('{"id": null, "source": {"file": ')

    resumed = cli("batch", str(cases), "--format", "jsonl", "--output", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    rows = [strict(line) for line in out.read_text().splitlines()]
    assert [r["source"]["line"] for r in rows] == list(range(1, 61))
    assert all(r["agree"] for r in rows)
    assert "60 cases: 60 agreed" in resumed.stderr

    again = cli("batch", str(cases), "--format", "jsonl", "--output", str(out), "--resume")
    assert again.returncode == 0
    assert len(out.read_text().splitlines()) == 60


def test_cli_resume_needs_a_jsonl_output(tmp_path: Path) -> None:
    path = tmp_path / "cases.txt"
    path.write_text("x @ x=1\n")
    assert cli("batch", str(path), "--resume").returncode == 2


# Runs a command as a child of a "subreaper" (Linux): whatever the command leaves running,
# zombies included, becomes a child of this process, which reports them once the command
# has returned.
_LEFT_BEHIND = """
import ctypes, os, subprocess, sys
PR_SET_CHILD_SUBREAPER = 36
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit(99)
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
left = []
for entry in os.listdir("/proc"):
    if entry.isdigit():
        try:
            stat = open(f"/proc/{entry}/stat").read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == os.getpid():
            left.append(f"{entry} {stat.split('(', 1)[1].split(')')[0]} {fields[0]}")
print(code, len(left), "; ".join(left))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a subreaper is Linux's")
def test_cli_batch_leaves_no_process_behind(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("x**2 @ x=3\nx*y @ x=1, y=2\nsin(x) @ x=1\n")
    command = [sys.executable, "-m", "diffcompare", "batch", str(good), "--jobs", "2"]
    done = subprocess.run(
        [sys.executable, "-c", _LEFT_BEHIND, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    code, left, *which = done.stdout.split(maxsplit=2)
    assert code == "0"
    assert left == "0", which  # no worker, no process that forks them, no zombie


def test_summary_counts_where_an_estimate_fell_short() -> None:
    finite = {
        "estimate_ok": {
            "value": None,
            "gradient": [True, False],
            "hessian": [[True, True], [True, False]],
        }
    }
    summary = summarize([{"agree": True, "engines": {"finite": finite, "tape": {"errors": {}}}}])
    # the Hessian is symmetric: its upper triangle counts once
    assert summary.estimates == {"finite": {"bounded": 3, "short": 2}}
    assert summary.to_dict()["estimates"] == summary.estimates


def test_a_constant_case_is_compared_on_its_value(tmp_path: Path) -> None:
    path = tmp_path / "constants.txt"
    path.write_text("3\npi*e @\n")
    results = [
        evaluate_case(types.SimpleNamespace(case=c, settings=Settings()))
        for c in read_cases([str(path)])
    ]
    assert [r["agree"] for r in results] == [True, True]
    assert [r["variables"] for r in results] == [[], []]
