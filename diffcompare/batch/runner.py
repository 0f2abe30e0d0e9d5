"""Batch evaluation: many cases through the same comparison as the single command, in
parallel, one result per case in input order.

    >>> from diffcompare.batch.runner import Case, run
    >>> [r["agree"] for r in run([Case("x**2", "x=3"), Case("x*y", "x=1, y=2")], jobs=1)]
    [True, True]

A result is the single command's JSON document plus ``"id"``, ``"source"`` and ``"seconds"``;
a case that failed has ``"error": {"kind", "message"}`` instead of the numbers. Kinds are
those of DiffCompareError (parse, input, limit, domain, ...) plus ``timeout`` and ``crash``
for a case that outlived its budget or killed its worker.

Work once: a worker keeps the parsed tree and the symbolic derivatives of each expression it
has seen, and the pool sends every case of one expression to the same worker.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..cluster import LOCAL, ClusterPool
from ..compare.schema import Summary, jsonable, summarize
from ..compare.settings import DEFAULT_SETTINGS, Settings
from ..errors import DiffCompareError, InputError
from ..language.limits import Limits
from ..workers import Failure, OrderedPool
from .inputs import Case, read_cases

__all__ = [
    "DEFAULT_TIMEOUT",
    "Case",
    "Settings",
    "Summary",
    "evaluate_case",
    "read_cases",
    "resume_output",
    "run",
    "summarize",
]

DEFAULT_TIMEOUT = 30.0
EXECUTORS = ("local", "dask")
"""Where the cases run: this machine's worker processes, or a Dask cluster."""
DEFAULT_MEMORY_LIMIT = 4 * 2**30
"""Address space one case may add to its worker's, in bytes: one runaway case cannot take
the machine down."""
Result = dict[str, Any]

# Imported by the process that forks the workers, so no case pays for an import; the last
# entry runs one small case there (sympy loads more on its first derivative).
WORKER_PRELOAD = (
    "diffcompare.compare.comparison",
    "diffcompare.engines.symbolic",
    "diffcompare.engines.reference",
    "diffcompare.engines.finite",
    "diffcompare.engines.tape",
    "diffcompare.batch.runner:warm_up",
)


@dataclass(frozen=True)
class _Task:
    case: Case
    settings: Settings


def run(
    cases: Iterable[Case],
    *,
    jobs: int | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    settings: Settings = DEFAULT_SETTINGS,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
    evaluate: Callable[[Any], Result] | None = None,
    executor: str = "local",
    scheduler: str | None = None,
) -> Generator[Result, None, None]:
    """One result per case, in the order of `cases`, computed by `jobs` worker processes
    (default: one per core). Every case is compared with `settings` (a case's own
    ``order`` wins); unless `settings.simplify` says otherwise, formulas are not
    simplified here: sympy's simplify would cost more than every engine and the reference
    together. A case running longer than `timeout` seconds becomes an error
    row of kind ``timeout`` and its worker is replaced; `memory_limit` bounds the address
    space one case may add to its worker's, in bytes (None: no bound).

    `executor` ``"dask"`` runs the cases on a Dask cluster instead (`cluster.ClusterPool`):
    `scheduler` is its address, or ``"local"`` (the default) for a LocalCluster of `jobs`
    worker processes started here; the same rows come back in the same order. There the
    timeout interrupts the case in its Dask worker, and `memory_limit` is the cluster's own.

    `evaluate` replaces the function a worker runs per task (it gets an object with `case`
    and `settings`); it exists so tests can make a case hang or crash, and must be picklable.
    Closing the generator early stops the workers.
    """
    case_list = list(cases)
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if jobs < 1:
        raise InputError(f"jobs must be at least 1, not {jobs}")
    if timeout is not None and not (math.isfinite(timeout) and timeout > 0):
        raise InputError(f"timeout must be a positive number of seconds, not {timeout}")
    if not case_list:
        return
    settings = settings.replace(simplify=settings.simplifies(False))  # once, not per case
    if executor not in EXECUTORS:
        raise InputError(f"executor must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    tasks = [(_affinity(case), _Task(case, settings)) for case in case_list]
    pool: OrderedPool[_Task, Result] | ClusterPool[_Task, Result]
    if executor == "dask":
        pool = ClusterPool(
            evaluate or evaluate_case,
            tasks,
            scheduler=scheduler or LOCAL,
            jobs=jobs,
            timeout=timeout,
        )
    else:
        pool = OrderedPool(
            evaluate or evaluate_case,
            tasks,
            jobs=jobs,
            timeout=timeout,
            memory_limit=memory_limit,
            preload=WORKER_PRELOAD,
        )
    try:
        for case, outcome in zip(case_list, pool.results(), strict=True):
            if isinstance(outcome, Failure):
                yield error_row(case, outcome.kind, outcome.message, outcome.seconds)
            else:
                yield outcome
    finally:
        pool.close()


def _affinity(case: Case) -> str:
    # the same expression, however spaced, goes to the same worker and its caches
    return "".join(case.expression.split())


# -- in the worker ------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _parsed(text: str, limits: Limits) -> Any:
    from ..language.parse import parse

    return parse(text, limits)


def warm_up() -> None:
    """Computes one small case, so that what it loads is loaded before a worker starts."""
    evaluate_case(_Task(Case("x**2*exp(y)", "x=1, y=2"), DEFAULT_SETTINGS))


def evaluate_case(task: Any) -> Result:
    """The result of one case; never raises (a failure is an error row)."""
    case: Case = task.case
    settings: Settings = task.settings
    start = time.perf_counter()
    try:
        document = _compare(case, settings)
    except DiffCompareError as error:
        return error_row(case, error.kind, error.message, time.perf_counter() - start)
    except (MemoryError, RecursionError) as error:
        what = "ran out of memory" if isinstance(error, MemoryError) else "nested too deeply"
        return error_row(case, "limit", f"{what} while computing", time.perf_counter() - start)
    except Exception as error:  # a bug must cost one row, not the batch
        message = f"{type(error).__name__}: {error}"
        return error_row(case, "crash", message, time.perf_counter() - start)
    return _with_source(case, document, time.perf_counter() - start)


def _compare(case: Case, settings: Settings) -> dict[str, Any]:
    from ..compare.comparison import compare
    from ..language.expr import variables
    from ..language.parse import parse_point

    if case.problem is not None:
        raise InputError(case.problem)
    limits = settings.limits
    expr = _parsed(case.expression, limits)
    if isinstance(case.at, str):
        if not case.at.strip() and variables(expr):
            names = variables(expr)
            raise InputError(
                f"no point: write the case as EXPR @ {', '.join(f'{n}=...' for n in names)}"
            )
        point = parse_point(case.at, where="point", limits=limits)
    else:
        point = dict(case.at)
    changes: dict[str, Any] = {}
    if settings.simplify is None:
        changes["simplify"] = False
    if case.order is not None and case.order != settings.order:
        changes["order"] = case.order
    return compare(expr, point, settings.replace(**changes) if changes else settings).to_dict()


def _with_source(case: Case, document: Mapping[str, Any], seconds: float) -> Result:
    return {
        "id": case.id,
        "source": {"file": case.file, "line": case.line},
        **document,
        "seconds": seconds,
    }


def error_row(case: Case, kind: str, message: str, seconds: float = 0.0) -> Result:
    """The result of a case that produced no comparison."""
    at = case.at if isinstance(case.at, str) else jsonable(dict(case.at))
    return _with_source(
        case,
        {
            "expression": case.expression,
            "at": at,
            "error": {"kind": kind, "message": message},
            "agree": False,
        },
        seconds,
    )


# -- resuming -----------------------------------------------------------------------------


def result_key(result: Mapping[str, Any]) -> tuple[str, int, str | None]:
    """The key of the case a result belongs to (see `Case.key`)."""
    source = result.get("source") or {}
    return (str(source.get("file", "")), int(source.get("line", 0)), result.get("id"))


def resume_output(path: str | Path) -> list[Result]:
    """The results already in a JSON Lines output, for ``--resume``.

    A run killed mid-write can leave a torn last line; it is cut off here so that the rest
    appends cleanly. Any other line that is not a result means the file is not a batch
    output, and it is refused rather than appended to.
    """
    path = Path(path)
    if not path.exists():
        return []
    *lines, tail = path.read_bytes().split(b"\n")
    results: list[Result] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            item = None
        if not isinstance(item, dict) or "source" not in item:
            raise InputError(f"{path}: line {number} is not a batch result; not resuming")
        results.append(item)
    if tail:  # a run killed mid-write: that case runs again
        with path.open("r+b") as handle:
            handle.truncate(sum(len(line) + 1 for line in lines))
    return results
