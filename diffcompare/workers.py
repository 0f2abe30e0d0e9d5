"""A small pool of worker processes that returns results in input order and survives its cases.

`concurrent.futures.ProcessPoolExecutor` cannot kill one hung worker (and a dead worker
breaks the whole executor), so this pool owns its processes: each worker runs one task at a
time over its own pipe, and a task that outlives its time budget, or whose worker dies, becomes
a failure value while the worker is killed and replaced. The rest of the batch goes on.

Tasks carry an affinity key (the expression text): tasks with the same key go to the same
worker, so its caches (parsed tree, symbolic derivatives) are built once. An idle worker
steals the last key group of the busiest queue, which keeps both cores busy to the end.

Workers are forked from a forkserver that has already imported the heavy modules (sympy
takes most of a second to import), so replacing a worker costs milliseconds. The forkserver
is a clean single-threaded process, which makes forking it safe even when the parent runs
threads (a progress bar).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from typing import Any, Generic, TypeVar

from .errors import DiffCompareError

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_MEMORY_LIMIT = 4 * 2**30
"""Address space per worker, in bytes: one runaway case cannot take the machine down."""

_SINGLE_THREADED = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


class WorkerStartError(DiffCompareError):
    """No worker process could be started (the batch cannot run at all)."""

    kind = "crash"


@dataclass(frozen=True)
class Failure:
    """Why a task produced no value: ``timeout`` (killed past its budget) or ``crash``
    (its worker died)."""

    kind: str
    message: str
    seconds: float


def _context() -> BaseContext:
    # forkserver where the platform has it; spawn is slower to start but as safe
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


@contextlib.contextmanager
def _single_threaded_environment() -> Iterator[None]:
    """Workers compute one small case at a time: native thread pools only cost memory (and
    address space, which the worker's limit counts). Set for the processes started here."""
    saved = {name: os.environ.get(name) for name in _SINGLE_THREADED}
    for name in _SINGLE_THREADED:
        os.environ.setdefault(name, "1")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _limit_memory(limit: int | None) -> None:
    if limit is None:
        return
    try:
        import resource
    except ImportError:  # not on this platform: the timeout still bounds the case
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    if soft == resource.RLIM_INFINITY or wanted < soft:
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def _worker_main(
    connection: Connection, work: Callable[[Any], Any], memory_limit: int | None
) -> None:
    """The worker's loop: one task in, one result out, until told to stop (None)."""
    import signal

    # Ctrl-C reaches every process of the terminal's group: the parent ends the run (one
    # line, status 130) and its workers with it; a worker's own traceback would be noise
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limit_memory(memory_limit)
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if message is None:
            return
        index, payload = message
        connection.send((index, work(payload)))


@dataclass
class _Worker:
    process: Any  # a multiprocessing Process of the chosen context
    connection: Connection
    queue: deque[int] = field(default_factory=deque)
    current: int | None = None
    started: float = 0.0


class OrderedPool(Generic[T, R]):
    """Runs `work(payload)` for each task in worker processes; `results()` yields, in task
    order, each return value or a `Failure`."""

    def __init__(
        self,
        work: Callable[[T], R],
        tasks: Sequence[tuple[Hashable, T]],
        *,
        jobs: int,
        timeout: float | None,
        memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
        preload: Sequence[str] = (),
    ) -> None:
        if jobs < 1:
            raise ValueError("jobs must be at least 1")
        self.work = work
        self.tasks = tasks
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.context = _context()
        if preload and self.context.get_start_method() == "forkserver":
            # only the first start of the (process-wide) forkserver reads this
            self.context.set_forkserver_preload(list(preload))
        self.workers = [self._start() for _ in range(min(jobs, max(1, len(tasks))))]
        self._assign()

    # -- scheduling -----------------------------------------------------------------------

    def _assign(self) -> None:
        """Each key to one worker, new keys to the least loaded: work once, spread evenly."""
        owner: dict[Hashable, _Worker] = {}
        for index, (key, _) in enumerate(self.tasks):
            worker = owner.get(key)
            if worker is None:
                worker = min(self.workers, key=lambda w: len(w.queue))
                owner[key] = worker
            worker.queue.append(index)

    def _steal_for(self, idle: _Worker) -> None:
        busiest = max(self.workers, key=lambda w: len(w.queue))
        if busiest is idle or len(busiest.queue) < 2:
            return
        queue = busiest.queue
        last_key = self.tasks[queue[-1]][0]
        group = [i for i in queue if self.tasks[i][0] == last_key]
        if len(group) == len(queue):
            group = list(queue)[len(queue) // 2 :]  # one key left: share it, cache twice
        taken = set(group)
        busiest.queue = deque(i for i in queue if i not in taken)
        idle.queue.extend(group)

    # -- processes ------------------------------------------------------------------------

    def _start(self) -> _Worker:
        parent_end, child_end = self.context.Pipe()
        process = self.context.Process(  # type: ignore[attr-defined]
            target=_worker_main,
            args=(child_end, self.work, self.memory_limit),
            daemon=True,
        )
        try:
            with _single_threaded_environment():
                process.start()
        except (OSError, EOFError, RuntimeError) as error:
            # the forkserver died (a preloaded module failed to import) or the OS refused
            raise WorkerStartError(f"cannot start a worker process: {error}") from None
        child_end.close()
        return _Worker(process, parent_end)

    def _replace(self, worker: _Worker) -> None:
        """Kill `worker`'s process and give its queue to a fresh one."""
        _stop(worker, at_once=True)
        fresh = self._start()
        worker.process, worker.connection = fresh.process, fresh.connection
        worker.current = None

    def _dispatch(self) -> None:
        for worker in self.workers:
            if worker.current is not None:
                continue
            if not worker.queue:
                self._steal_for(worker)
            if not worker.queue:
                continue
            index = worker.queue.popleft()
            try:
                worker.connection.send((index, self.tasks[index][1]))
            except (BrokenPipeError, OSError):  # died between tasks: replace and retry later
                worker.queue.appendleft(index)
                self._replace(worker)
                continue
            worker.current, worker.started = index, time.monotonic()

    # -- the loop -------------------------------------------------------------------------

    def results(self) -> Iterator[R | Failure]:
        done: dict[int, R | Failure] = {}
        next_out = 0
        try:
            while next_out < len(self.tasks):
                self._dispatch()
                busy = [w for w in self.workers if w.current is not None]
                waitables: list[Any] = [w.connection for w in busy]
                waitables += [w.process.sentinel for w in busy]
                ready = set(wait(waitables, timeout=self._wait_time(busy)))
                now = time.monotonic()
                for worker in busy:
                    self._collect(worker, ready, now, done)
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
        finally:
            self.close()

    def close(self) -> None:
        """Stop every worker: idle ones are asked to leave, busy ones are killed."""
        for worker in self.workers:
            if worker.current is None:
                with contextlib.suppress(OSError, ValueError):
                    worker.connection.send(None)
            elif worker.process.is_alive():
                worker.process.kill()
        for worker in self.workers:
            _stop(worker, at_once=False)

    def _wait_time(self, busy: list[_Worker]) -> float | None:
        if self.timeout is None or not busy:
            return None
        first_deadline = min(w.started for w in busy) + self.timeout
        return max(0.0, first_deadline - time.monotonic())

    def _collect(self, worker: _Worker, ready: set[Any], now: float, done: dict[int, Any]) -> None:
        index = worker.current
        assert index is not None
        seconds = now - worker.started
        if worker.connection in ready or worker.process.sentinel in ready:
            try:
                if worker.connection.poll():
                    got, value = worker.connection.recv()
                    done[got] = value
                    worker.current = None
                    return
            except (EOFError, OSError):
                pass
            if worker.process.is_alive():
                return
            worker.process.join()
            code = worker.process.exitcode
            done[index] = Failure("crash", _death(code), seconds)
            self._replace(worker)
            return
        if self.timeout is not None and seconds > self.timeout:
            done[index] = Failure(
                "timeout", f"timed out after {self.timeout:g} s (its worker was replaced)", seconds
            )
            self._replace(worker)


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        import signal

        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"its worker process died ({name})"
    return f"its worker process died (exit status {exitcode})"


def _stop(worker: _Worker, *, at_once: bool) -> None:
    process = worker.process
    if not at_once:
        process.join(timeout=2.0)
    if process.is_alive():
        process.kill()
        process.join(timeout=5.0)
    with contextlib.suppress(OSError):
        worker.connection.close()
