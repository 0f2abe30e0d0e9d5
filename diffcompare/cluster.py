"""Work on a Dask cluster, for when one machine is not enough (``pip install '.[dask]'``).

The same contract as `workers.OrderedPool`: tasks with an affinity key, results in task order,
each a value or a `Failure`. All tasks of one key are one Dask task, so they run on one
worker, which keeps its caches (the parsed tree, the symbolic derivatives) for the rest.

A task's time budget is kept inside the Dask worker by `deadline.time_budget` (it interrupts
pure-Python work in the worker's thread; Dask cannot kill a task). A worker lost mid-run
(killed, out of memory) makes Dask run its task again elsewhere: on a cluster started here
once (``allowed-failures`` is 1, and each worker holds one task at a time); on your own
scheduler as its ``allowed-failures`` says. A key whose task is lost again becomes ``crash``
failures. Results are taken once per key, so a rerun neither loses nor repeats a case.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from .deadline import time_budget
from .errors import DiffCompareError, InputError, TimeLimitError
from .workers import Failure

T = TypeVar("T")
R = TypeVar("R")

LOCAL = "local"
"""The scheduler address that means: start a LocalCluster of `jobs` worker processes here."""

RETRIES_ON_A_LOCAL_CLUSTER = 1
"""How many times a key's tasks run again when their worker is lost (a cluster started here)."""

LOCAL_CLUSTER_CONFIG = {
    "distributed.scheduler.allowed-failures": RETRIES_ON_A_LOCAL_CLUSTER,
    # one task per worker thread at a time: a worker that dies takes only its own task's
    # cases with it, not a neighbour's queued behind it
    "distributed.scheduler.worker-saturation": 1.0,
}


class DaskMissingError(DiffCompareError):
    """``--executor dask`` without dask.distributed installed."""

    kind = "input"


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise DaskMissingError(
            "--executor dask needs dask.distributed: pip install 'diffcompare[dask]'"
        ) from None
    return distributed


def run_group(
    work: Callable[[Any], Any], items: list[tuple[int, Any]], timeout: float | None
) -> list[tuple[int, Any]]:
    """One Dask task: every task of one key, in order, each within its time budget."""
    done: list[tuple[int, Any]] = []
    for index, payload in items:
        budget = time_budget(timeout if timeout is not None else float("inf"), "the case")
        try:
            with budget:
                value: Any = work(payload)
        except TimeLimitError:
            value = Failure("timeout", f"timed out after {timeout:g} s", float(timeout or 0))
        except DiffCompareError as error:
            value = Failure(error.kind, error.message, 0.0)
        except Exception as error:  # a bug costs one task, not the batch
            value = Failure("crash", f"{type(error).__name__}: {error}", 0.0)
        done.append((index, value))
    return done


class ClusterPool(Generic[T, R]):
    """Runs `work(payload)` for each task on a Dask cluster; `results()` yields, in task
    order, each return value or a `Failure`."""

    def __init__(
        self,
        work: Callable[[T], R],
        tasks: Sequence[tuple[Hashable, T]],
        *,
        scheduler: str,
        jobs: int,
        timeout: float | None,
    ) -> None:
        distributed = _distributed()
        self.tasks = tasks
        self.work = work
        self.timeout = timeout
        self._stack = contextlib.ExitStack()
        try:
            if scheduler == LOCAL:
                import dask

                self._stack.enter_context(dask.config.set(LOCAL_CLUSTER_CONFIG))
                cluster = self._stack.enter_context(
                    distributed.LocalCluster(
                        n_workers=jobs,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        silence_logs=50,  # logging.CRITICAL: a lost worker is a row, not noise
                    )
                )
                self.client = self._stack.enter_context(distributed.Client(cluster))
            else:
                self.client = self._stack.enter_context(
                    distributed.Client(scheduler, timeout="30s")
                )
        except DiffCompareError:
            self._stack.close()
            raise
        except Exception as error:  # an address that does not answer, a port in use...
            self._stack.close()
            raise InputError(f"cannot reach the Dask scheduler {scheduler}: {error}") from None

    def results(self) -> Iterator[R | Failure]:
        distributed = _distributed()
        groups: dict[Hashable, list[tuple[int, Any]]] = {}
        for index, (key, payload) in enumerate(self.tasks):
            groups.setdefault(key, []).append((index, payload))
        futures = {
            self.client.submit(run_group, self.work, items, self.timeout, pure=False): items
            for items in groups.values()
        }
        done: dict[int, Any] = {}
        next_out = 0
        try:
            for future in distributed.as_completed(futures):
                items = futures[future]
                try:
                    for index, value in future.result():
                        done[index] = value
                except Exception as error:  # its worker was lost once too often
                    message = f"its Dask worker was lost ({type(error).__name__})"
                    for index, _ in items:
                        done[index] = Failure("crash", message, 0.0)
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
        finally:
            for future in futures:
                future.cancel()
            self.close()

    def close(self) -> None:
        self._stack.close()
