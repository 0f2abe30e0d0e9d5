"""Grading work in a separate worker process, under a time and a memory budget.

sympy's `simplify` can run for minutes, and a student's function can loop or allocate without
end. Neither may block or crash the grader, and the grader may itself run in a thread of a web
server, where `SIGALRM` is not available. So the work runs in a worker process: the caller
waits on a pipe with a deadline and kills the worker when it passes; the worker caps its own
address space with `RLIMIT_AS`, so a runaway allocation ends as a `MemoryError` there.

Workers are reused: a call costs a round trip on a socket, not a process start. A worker is a
fresh interpreter that imports numpy, mpmath and sympy once; a killed one is replaced at once,
so its successor's imports overlap the caller's other work. Any number of threads may call
`run_limited` at once; each call takes an idle worker or starts a new one.
"""

from __future__ import annotations

import atexit
import importlib
import os
import pickle
import resource
import signal
import socket
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from contextlib import suppress
from multiprocessing.connection import Connection
from typing import Any

from ..errors import DiffCompareError, LimitError, TimeLimitError

DEFAULT_SECONDS = 10.0
DEFAULT_MEMORY_MB = 1024
STARTUP_SECONDS = 60.0
"""How long a new worker may take to start (imports included); not part of a call's budget."""
MAX_IDLE_WORKERS = max(2, os.cpu_count() or 2)

_PRELOAD = ["numpy", "mpmath", "sympy", "diffcompare.grading.judge"]
_MB = 1024 * 1024


class WorkerError(DiffCompareError):
    """The work raised an exception that is not a DiffCompareError, or the worker died.

    `exception_type` names the original exception ("ZeroDivisionError"), or is "" when the
    worker process died (a crash, a signal); `details` holds its traceback text when known.
    """

    kind = "worker"

    def __init__(self, message: str, exception_type: str = "", details: str = "") -> None:
        super().__init__(message)
        self.exception_type = exception_type
        self.details = details

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.exception_type, self.details))


class MemoryLimitError(LimitError):
    """The work needed more memory than its budget."""


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
    worker = _take_worker()
    reusable = False
    try:
        try:
            worker.conn.send((fn, args, kwargs, memory_mb))
        except Exception as error:  # pickling: a lambda, a closure, an open file...
            reusable = True  # nothing was sent: the worker is still waiting
            raise WorkerError(
                f"cannot send the work to a worker process: {error}", type(error).__name__
            ) from None
        if not worker.conn.poll(seconds):
            raise TimeLimitError(f"the work took longer than {seconds:g} s and was stopped")
        try:
            outcome, payload = worker.conn.recv()
        except (EOFError, OSError):
            raise _death(worker) from None
        except Exception as error:  # a result or an exception that cannot be unpickled here
            raise WorkerError(
                f"the result could not be read back: {error}", type(error).__name__
            ) from None
        if outcome == "ok":
            reusable = True
            return payload
        if outcome == "error":
            reusable = True
            raise payload
        if outcome == "memory":
            raise MemoryLimitError(
                f"the work needed more than its memory budget of {memory_mb:g} MB"
            )
        message, exception_type, details = payload
        reusable = outcome == "exception"
        raise WorkerError(message, exception_type, details)
    finally:
        if reusable:
            _return_worker(worker)
        else:
            _replace(worker)


def shutdown() -> None:
    """Stop the idle workers (they are also stopped when the program exits)."""
    with _lock:
        workers, _idle[:] = list(_idle), []
    for worker in workers:
        worker.kill()


# ---------------------------------------------------------------------------------------------
# the caller's side


class _Worker:
    """A worker process: a fresh interpreter (never a fork of the caller, which may run
    threads, and never a re-run of the caller's main script) that imports the heavy
    libraries, says it is ready, and then serves calls over a socket."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        environment = dict(os.environ)
        # the worker finds what the caller finds (a source tree, a test directory)
        paths = [os.path.abspath(p) for p in sys.path if p]
        environment["PYTHONPATH"] = os.pathsep.join(paths)
        environment.setdefault("OPENBLAS_NUM_THREADS", "1")  # threads cost address space
        environment.setdefault("OMP_NUM_THREADS", "1")
        command = [sys.executable, "-c", _WORKER_MAIN, str(theirs.fileno())]
        self.process = subprocess.Popen(
            command,
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=environment,
            start_new_session=True,  # its own process group: a kill reaches its children
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.ready = False

    def wait_ready(self) -> None:
        """Waits for the imports to finish, so they never count against a call's budget."""
        if self.ready:
            return
        if not self.conn.poll(STARTUP_SECONDS):
            self.kill()
            raise TimeLimitError(f"a worker process did not start within {STARTUP_SECONDS:g} s")
        try:
            self.conn.recv()
        except (EOFError, OSError):
            raise _death(self) from None
        self.ready = True

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.alive():
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                self.process.kill()
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self.conn.close()


_WORKER_MAIN = "import sys; from diffcompare.grading.sandbox import _main; _main(int(sys.argv[1]))"


def _death(worker: _Worker) -> WorkerError:
    try:
        code = worker.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        code = None
    if code is not None and code < 0:
        how = f"was killed by signal {signal.Signals(-code).name}"
    else:
        how = f"exited with code {code}"
    return WorkerError(f"the worker process {how} before finishing the work")


_lock = threading.Lock()
_idle: list[_Worker] = []


def _take_worker() -> _Worker:
    with _lock:
        while _idle:
            worker = _idle.pop()
            if worker.alive():
                break
            worker.conn.close()
        else:
            worker = _Worker()
    worker.wait_ready()
    return worker


def _return_worker(worker: _Worker) -> None:
    with _lock:
        if len(_idle) < MAX_IDLE_WORKERS and worker.alive():
            _idle.append(worker)
            return
    worker.kill()


def _replace(worker: _Worker) -> None:
    """Kills a worker and starts its successor now, so its imports overlap the caller's work."""
    worker.kill()
    with _lock:
        if len(_idle) < MAX_IDLE_WORKERS:
            _idle.insert(0, _Worker())


atexit.register(shutdown)


# ---------------------------------------------------------------------------------------------
# the worker's side


def _main(fd: int) -> None:
    """The worker process: imports, then serves calls on the socket `fd` until it closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the caller to handle
    for name in _PRELOAD:
        importlib.import_module(name)
    _serve(Connection(fd))


def _serve(conn: Connection) -> None:
    """One call at a time until the socket closes."""
    conn.send(("ready", os.getpid()))
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            fn, args, kwargs, memory_mb = pickle.loads(message)
        except Exception as error:  # say, a function defined in the caller's __main__
            text = f"the work could not be received: {type(error).__name__}: {error}"
            conn.send(("exception", (text, type(error).__name__, "")))
            continue
        reply = _run(fn, args, kwargs, memory_mb)
        try:
            conn.send(reply)
        except Exception as error:  # an unpicklable result
            conn.send(("exception", (f"the result could not be sent back: {error}", "", "")))
        if reply[0] in ("memory", "crash"):
            return  # the caller discards this worker


def _run(fn: Callable[..., Any], args: Any, kwargs: Any, memory_mb: float | None) -> Any:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if memory_mb is not None:
        limit = _address_space() + int(memory_mb * _MB)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        return ("ok", fn(*args, **kwargs))
    except MemoryError:
        return ("memory", None)
    except DiffCompareError as error:
        return ("error", error)
    except RecursionError as error:
        return ("crash", (f"{type(error).__name__}: {error}", type(error).__name__, ""))
    except BaseException as error:  # noqa: BLE001 - everything is reported, nothing escapes
        details = "".join(traceback.format_exception(error))
        name = type(error).__name__
        return ("exception", (f"{name}: {error}", name, details))
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space() -> int:
    """Bytes of address space this process has mapped now (VmSize)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # not Linux: ru_maxrss is the best cheap estimate
        usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(usage if sys.platform == "darwin" else usage * 1024)
