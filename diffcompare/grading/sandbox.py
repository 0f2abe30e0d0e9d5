"""Grading work in a worker process, under a time and a memory budget.

sympy's `simplify` can run for minutes, and a student's function can loop or allocate without
end. Neither may block or crash the grader, which may itself run in a thread of a web server.
The package's one way to run work elsewhere (`diffcompare.workers`) does that; this module
gives it grading's defaults and the modules a grading worker imports before its first call.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .. import workers
from ..workers import MemoryLimitError, WorkerError

__all__ = [
    "DEFAULT_MEMORY_MB",
    "DEFAULT_SECONDS",
    "MemoryLimitError",
    "WorkerError",
    "run_limited",
    "run_untrusted",
]

DEFAULT_SECONDS = 10.0
DEFAULT_MEMORY_MB = 1024

PRELOAD = ("numpy", "mpmath", "sympy", "diffcompare.grading.judge")
"""Imported by a grading worker when it starts, so no call pays for them."""


def run_limited(
    fn: Callable[..., Any],
    /,
    *args: Any,
    seconds: float = DEFAULT_SECONDS,
    memory_mb: float | None = DEFAULT_MEMORY_MB,
    **kwargs: Any,
) -> Any:
    """``fn(*args, **kwargs)`` in a worker process; its return value, or an error.

    `fn` must be picklable: a function defined at module level of an importable module (not a
    lambda, not a closure, not in the ``__main__`` script: the worker never runs the caller's
    main script); its arguments and its result must be picklable too.

    Budgets:

    * `seconds`: wall-clock time from the moment the worker receives the call. Past it the
      worker (and any process it started) is killed and `TimeLimitError` is raised; the next
      call gets a fresh worker. Worker start-up time is not counted.
    * `memory_mb`: address space the call may add to what the worker has already mapped
      (``RLIMIT_AS``; None for no limit). An allocation past it raises `MemoryError` inside
      the worker, reported here as `MemoryLimitError` (a `LimitError`).

    Errors: a `DiffCompareError` raised by `fn` is raised again here (same class and message);
    any other exception from `fn`, or the worker dying, raises `WorkerError`; arguments that
    cannot be pickled raise `WorkerError` before anything runs. Nothing else escapes.

    Safe to call from any thread; never installs a signal handler in the calling process.
    """
    memory = None if memory_mb is None else int(memory_mb * 2**20)
    return workers.call(fn, args, kwargs, seconds=seconds, memory=memory, preload=PRELOAD)


@contextlib.contextmanager
def run_untrusted(
    fn: Callable[..., Iterable[Any]], /, *args: Any, memory_mb: float | None = DEFAULT_MEMORY_MB
) -> Iterator[workers.UntrustedCall]:
    """The generator ``fn(*args)`` in a grading worker that is killed afterwards; its values
    come back as size-limited JSON lines, never pickles (`workers.untrusted`). For running a
    student's code."""
    memory = None if memory_mb is None else int(memory_mb * 2**20)
    with workers.untrusted(fn, args, memory=memory, preload=PRELOAD) as replies:
        yield replies


def shutdown() -> None:
    """Stop the idle workers (they are also stopped when the program exits)."""
    workers.shutdown()
