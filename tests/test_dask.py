"""Batch and grade on a Dask cluster: the same rows in the same order as on this machine,
error rows included, and a worker killed mid-run loses or repeats nothing.

One LocalCluster (two worker processes) serves the module; the command line's own
``--scheduler local`` is tried once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

distributed = pytest.importorskip("distributed")

from diffcompare.batch.runner import Case, evaluate_case, read_cases, run  # noqa: E402
from diffcompare.cluster import LOCAL_CLUSTER_CONFIG  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
KILL_MARK = "kill_worker"
KILL_ONCE_MARK = "kill_once"


def without_seconds(item: Any) -> Any:
    """A result with every timing removed (the one thing two runs may not share)."""
    if isinstance(item, dict):
        return {k: without_seconds(v) for k, v in item.items() if k != "seconds"}
    if isinstance(item, list):
        return [without_seconds(v) for v in item]
    return item


def killing(task: Any) -> dict[str, Any]:
    """A worker function for tests: kills its Dask worker's process on a marked variable
    (every time, or only the first time: the mark's file says whether it has happened)."""
    expression = task.case.expression
    if KILL_MARK in expression:
        os._exit(3)
    if KILL_ONCE_MARK in expression:
        flag = Path(task.case.id)
        if not flag.exists():
            flag.touch()
            os._exit(3)
    return evaluate_case(task)


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    import dask

    # as a cluster started by `run` is: a task whose worker dies runs once more
    with (
        dask.config.set(LOCAL_CLUSTER_CONFIG),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=50,
        ) as cluster,
    ):
        yield cluster.scheduler_address


MIXED = [
    Case("x**2", "x=3", line=1),
    Case("x +* 2", "x=1", line=2),
    Case("log(x)", "x=-1", line=3),
    Case("x**2", "x=4", line=4),
    Case("sin(x)*y", "x=1, y=2", line=5),
    Case("x*y", "x=1, z=2", line=6),
    Case("exp(x)", "x=1", line=7),
]


def test_rows_and_order_are_those_of_the_local_pool(scheduler: str) -> None:
    local = [without_seconds(r) for r in run(MIXED, jobs=2)]
    dask = [without_seconds(r) for r in run(MIXED, jobs=2, executor="dask", scheduler=scheduler)]
    assert dask == local
    kinds = [r.get("error", {}).get("kind") for r in dask]
    assert kinds == [None, "parse", "domain", None, None, "input", None]


def test_a_case_past_its_timeout_is_a_timeout_row(scheduler: str) -> None:
    slow = "sin(" + "*".join(f"x{i}" for i in range(1, 61)) + ")"
    point = ", ".join(f"x{i}=0.5" for i in range(1, 61))
    cases = [Case("x**2", "x=3", line=1), Case(slow, point, line=2), Case("x", "x=1", line=3)]
    # 5 s: ample for the quick cases on a busy machine; the 60-variable Hessian needs minutes
    rows = list(run(cases, jobs=2, timeout=5.0, executor="dask", scheduler=scheduler))
    assert [r.get("error", {}).get("kind") for r in rows] == [None, "timeout", None]


def test_a_worker_killed_mid_run_is_retried_once_then_its_cases_crash(
    scheduler: str, tmp_path: Path
) -> None:
    flag = str(tmp_path / "killed-once")
    cases = [
        Case("x**2", "x=1", line=1),
        Case(f"{KILL_ONCE_MARK}*x", f"{KILL_ONCE_MARK}=1, x=2", id=flag, line=2),
        Case("x**3", "x=2", line=3),
        Case(f"{KILL_MARK}*x", f"{KILL_MARK}=1, x=2", line=4),
        Case(f"{KILL_MARK}*x", f"{KILL_MARK}=1, x=3", line=5),
        Case("exp(x)", "x=1", line=6),
    ]
    rows = list(run(cases, jobs=2, executor="dask", scheduler=scheduler, evaluate=killing))
    assert [r["source"]["line"] for r in rows] == [1, 2, 3, 4, 5, 6]  # none lost, none twice
    assert Path(flag).exists()  # its first worker did die
    kinds = [r.get("error", {}).get("kind") for r in rows]
    assert kinds == [None, None, None, "crash", "crash", None]
    assert "worker was lost" in rows[3]["error"]["message"]


def test_grading_many_answers_on_dask_gives_the_local_rows(scheduler: str) -> None:
    from diffcompare.cli.grade import graded_rows, read_tasks
    from diffcompare.grading.exercise import Exercise

    exercise = Exercise.load(ROOT / "expressions" / "exercises" / "01_quartic.toml")
    submissions = ROOT / "tests" / "data" / "submissions.csv"
    local = list(graded_rows(exercise, read_tasks(submissions, exercise), 1))
    tasks = read_tasks(submissions, exercise)
    dask = list(graded_rows(exercise, tasks, 2, "dask", scheduler))
    assert dask == local
    assert len(local) > 1


def test_cli_batch_on_a_local_cluster_gives_the_local_lines(tmp_path: Path) -> None:
    # the done-when of the issue: --executor dask --scheduler local --jobs 2, same lines
    cases = tmp_path / "cases.txt"
    lines = (ROOT / "expressions" / "calculus.txt").read_text().splitlines()
    cases.write_text("\n".join(lines[:12]) + "\nsin( @ x=1\n")
    outputs = []
    for executor in (["--executor", "local"], ["--executor", "dask", "--scheduler", "local"]):
        done = subprocess.run(
            [sys.executable, "-m", "diffcompare", "batch", str(cases), "--jobs", "2"]
            + ["--format", "jsonl", *executor],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert done.returncode in (0, 1), done.stderr
        outputs.append([without_seconds(json.loads(line)) for line in done.stdout.splitlines()])
    assert outputs[1] == outputs[0]
    assert len(outputs[0]) == len(read_cases([str(cases)]))
    assert outputs[0][-1]["error"]["kind"] == "parse"
