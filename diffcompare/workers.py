"""Work in other processes: one kind of worker process, for one call at a time or for many.

sympy can run for minutes and a case can allocate without end; neither may block or crash
the caller, who may be a thread of a web server (no signals there). So work runs in a worker
process: the caller waits on a socket with a deadline and kills the worker when it passes;
the worker caps its own address space (``RLIMIT_AS``) per call, so a runaway allocation ends
as a `MemoryError` there. A killed worker's successor is forked in milliseconds from a
process that has already imported the heavy modules.

A worker is a fresh interpreter started with `subprocess` (never a fork of a caller that may
run threads, and never a re-run of the caller's main script, which multiprocessing's spawn
and forkserver do), in its own process group so a kill reaches anything it started. It
imports the heavy modules once, says it is ready, and serves calls over a socket until it is
told to stop. Idle workers are kept for the next caller (`shutdown` stops them).

Two ways to use them:

* `call`: one function call under a time and a memory budget, from any thread (grading);
* `OrderedPool`: many tasks, results in task order, each task under its own time budget; tasks
  with the same affinity key go to the same worker, so its caches are built once (batch);
* `untrusted`: a generator run where it may be hostile (a student's code): its messages come
  back as size-limited JSON lines, never pickles, each within its own deadline, and the
  worker is killed afterwards instead of serving again (grading a student's function).

Why not a library: `concurrent.futures` cannot kill one hung worker (and a dead worker
breaks the whole executor); loky inherits that; pebble kills and replaces a worker per task
but cannot send tasks of one key to one worker, and its workers are multiprocessing's (the
main script runs again in each). What is left is small: a socket, a process, a deadline.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import json
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import recv_handle, send_handle
from typing import Any, Generic, TypeVar

from . import collector
from .errors import DiffCompareError, LimitError, TimeLimitError

T = TypeVar("T")
R = TypeVar("R")

STARTUP_SECONDS = 60.0
"""How long a new worker may take to start (imports included); not part of a call's budget."""
MAX_IDLE_WORKERS = max(2, os.cpu_count() or 2)
"""Idle workers kept per kind (per preload list) for the next caller."""

_SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""Workers compute one small case at a time: native thread pools only cost memory (and
address space, which the worker's limit counts)."""


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


class WorkerStartError(WorkerError):
    """No worker process could be started."""


class MemoryLimitError(LimitError):
    """The work needed more memory than its budget."""


# ---------------------------------------------------------------------------------------------
# one worker, the caller's side


_lock = threading.Lock()


class _Zygote:
    """A fresh interpreter that has imported the heavy modules and forks workers on request.

    Forking it is safe (it is single-threaded and never ran the caller's code) and takes
    milliseconds, where a fresh interpreter takes a second to import sympy: a worker killed
    past its budget is replaced at once. It reaps its children, so none is left a zombie.
    """

    def __init__(self, preload: tuple[str, ...]) -> None:
        ours, theirs = socket.socketpair()
        environment = {**os.environ}
        for name, value in _SINGLE_THREADED.items():
            environment.setdefault(name, value)
        # the workers find what the caller finds (a source tree, a test directory)
        environment["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in sys.path if p)
        command = [sys.executable, "-c", _ZYGOTE_MAIN, str(theirs.fileno()), *preload]
        try:
            self.process = subprocess.Popen(
                command,
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=environment,
                start_new_session=True,  # the terminal's Ctrl-C is for the caller
            )
        except OSError as error:
            ours.close()
            raise WorkerStartError(f"cannot start a worker process: {error}") from None
        finally:
            theirs.close()
        self.control = Connection(ours.detach())
        self.ready = False
        self.lock = threading.Lock()

    def fork(self) -> tuple[int, Connection]:
        """A new worker: its process id and the caller's end of its socket."""
        ours, theirs = socket.socketpair()
        try:
            with self.lock:
                if not self.ready:
                    if not self.control.poll(STARTUP_SECONDS):
                        raise WorkerStartError(
                            f"the worker processes did not start within {STARTUP_SECONDS:g} s"
                        )
                    self.control.recv()
                    self.ready = True
                self.control.send("fork")
                send_handle(self.control, theirs.fileno(), self.process.pid)
                pid: int = self.control.recv()
        except (EOFError, OSError):
            ours.close()
            raise WorkerStartError("the process that starts workers has died") from None
        finally:
            theirs.close()
        return pid, Connection(ours.detach())

    def stop(self) -> None:
        # it holds nothing worth a clean exit, and tearing down sympy takes half a second
        self.process.kill()
        self.process.wait()
        with contextlib.suppress(OSError):
            self.control.close()


_zygotes: dict[tuple[str, ...], _Zygote] = {}


def _zygote_for(preload: tuple[str, ...]) -> _Zygote:
    with _lock:
        zygote = _zygotes.get(preload)
        if zygote is None or zygote.process.poll() is not None:
            zygote = _zygotes[preload] = _Zygote(preload)
        return zygote


class Worker:
    """A worker process and the caller's end of its socket."""

    def __init__(self, preload: Sequence[str]) -> None:
        self.preload = tuple(preload)
        self.pid, self.connection = _zygote_for(self.preload).fork()
        self.ready = False

    def read_ready(self) -> None:
        """Reads the worker's "ready" message (it is waiting on the socket)."""
        try:
            self.connection.recv()
        except (EOFError, OSError):
            raise WorkerStartError("a worker process died while starting") from None
        self.ready = True

    def wait_ready(self) -> None:
        """Waits until the worker can take a call, so that never counts against its budget."""
        if self.ready:
            return
        if not self.connection.poll(STARTUP_SECONDS):
            self.kill()
            raise WorkerStartError(f"a worker process did not start within {STARTUP_SECONDS:g} s")
        self.read_ready()

    def send(
        self,
        fn: Callable[..., Any],
        args: Any,
        kwargs: Any,
        memory: int | None,
        replies: str = "pickle",
    ) -> None:
        """Sends one call; `memory` is the address space in bytes the call may add (None: no
        bound); `replies` is "pickle" (one pickled outcome) or "json" (see `untrusted`).
        Raises WorkerError when the call cannot be pickled (nothing was sent)."""
        try:
            data = pickle.dumps((fn, args, kwargs, memory, replies))
        except Exception as error:  # a lambda, a closure, an open file...
            raise WorkerError(
                f"cannot send the work to a worker process: {error}", type(error).__name__
            ) from None
        self.connection.send_bytes(data)

    def receive(self) -> tuple[str, Any]:
        """The outcome of the call sent last: ("ok", value), ("error", DiffCompareError),
        ("memory", None), ("exception" | "crash", (message, type name, traceback text)), or
        ("died", message) when the process ended without an answer."""
        try:
            outcome: tuple[str, Any] = self.connection.recv()
        except (EOFError, OSError):
            return ("died", "its worker process died (a crash, or it was killed)")
        except Exception as error:  # a result that cannot be unpickled here
            return ("exception", (f"the result could not be read back: {error}", "", ""))
        return outcome

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # the number was taken by another user's process
            return False
        return True

    def kill(self) -> None:
        """Kills the worker and anything it started, and waits until it is gone."""
        with contextlib.suppress(OSError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):  # in case it had not made its group yet
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            self.connection.close()
        deadline = time.monotonic() + 2.0
        while self.alive() and time.monotonic() < deadline:  # the zygote reaps it
            time.sleep(0.002)


_idle: dict[tuple[str, ...], list[Worker]] = {}


def take_worker(preload: Sequence[str]) -> Worker:
    """An idle worker of this kind, or a new one (not waited for: see `Worker.wait_ready`)."""
    with _lock:
        idle = _idle.get(tuple(preload), [])
        while idle:
            worker = idle.pop()
            if worker.alive():
                return worker
            worker.kill()
    return Worker(preload)


def return_worker(worker: Worker) -> None:
    """Keeps a healthy worker for the next caller."""
    with _lock:
        idle = _idle.setdefault(worker.preload, [])
        if len(idle) < MAX_IDLE_WORKERS and worker.alive():
            idle.append(worker)
            return
    worker.kill()


def discard_worker(worker: Worker) -> None:
    """Kills a worker that may not serve again (its successor is a fork away)."""
    worker.kill()


def shutdown() -> None:
    """Stops the idle workers (also done when the program exits). Workers busy in a call or
    a pool are stopped by their owner."""
    with _lock:
        workers = [w for idle in _idle.values() for w in idle]
        _idle.clear()
        zygotes = list(_zygotes.values())
        _zygotes.clear()
    for worker in workers:
        worker.kill()
    for zygote in zygotes:
        zygote.stop()


atexit.register(shutdown)


def call(
    fn: Callable[..., Any],
    args: tuple[Any, ...] = (),
    kwargs: dict[str, Any] | None = None,
    *,
    seconds: float,
    memory: int | None,
    preload: Sequence[str] = (),
) -> Any:
    """``fn(*args, **kwargs)`` in a worker process; its return value, or an error.

    `fn`, its arguments and its result must pickle (`fn` defined at module level of an
    importable module). Past `seconds` (counted from when the worker is ready) the worker is
    killed and TimeLimitError raised; `memory` bytes of address space the call may add (None:
    no bound), past which MemoryLimitError. A DiffCompareError raised by `fn` is raised again
    here; any other exception, or the worker dying, raises WorkerError. Any thread may call.
    """
    worker = take_worker(preload)
    reusable = False
    try:
        worker.wait_ready()
        try:
            worker.send(fn, args, kwargs or {}, memory)
        except WorkerError:
            reusable = True  # nothing was sent: the worker is still waiting
            raise
        if not worker.connection.poll(seconds):
            raise TimeLimitError(f"the work took longer than {seconds:g} s and was stopped")
        outcome, payload = worker.receive()
        if outcome == "ok":
            reusable = True
            return payload
        if outcome == "error":
            reusable = True
            raise payload
        if outcome == "memory":
            megabytes = (memory or 0) / 2**20
            raise MemoryLimitError(
                f"the work needed more than its memory budget of {megabytes:g} MB"
            )
        if outcome == "died":
            raise WorkerError(f"the work was not finished: {payload}")
        message, exception_type, details = payload
        reusable = outcome == "exception"
        raise WorkerError(message, exception_type, details)
    finally:
        if reusable:
            return_worker(worker)
        else:
            discard_worker(worker)


# ---------------------------------------------------------------------------------------------
# untrusted work: JSON lines back, never pickles

MAX_REPLY_BYTES = 4_000_000
"""Largest JSON line read back from untrusted work; a longer one is refused unread."""


@dataclass(frozen=True)
class Reply:
    """One message of untrusted work: ``status`` is "ok" (`value` holds the parsed JSON),
    "timeout" (no full line within its deadline), "ended" (the worker's process ended, or
    closed its socket), "too long" (a line past `MAX_REPLY_BYTES`) or "unreadable" (not
    JSON). After anything but "ok" the work is over: its worker is killed on leaving."""

    status: str
    value: Any = None


class UntrustedCall:
    """The caller's side of `untrusted`: reads the work's JSON lines, each by a deadline."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.fd = worker.connection.fileno()
        self.buffer = b""
        self.over = False

    def next(self, seconds: float) -> Reply:
        """The next message, waiting at most `seconds` for it."""
        if self.over:
            return Reply("ended")
        reply = self._read_line(seconds)
        self.over = reply.status != "ok"
        return reply

    def _read_line(self, seconds: float) -> Reply:
        deadline = time.monotonic() + seconds
        while b"\n" not in self.buffer:
            if len(self.buffer) > MAX_REPLY_BYTES:
                return Reply("too long")
            left = deadline - time.monotonic()
            if left <= 0 or not wait([self.fd], left):
                return Reply("timeout")
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                return Reply("ended")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        if len(line) > MAX_REPLY_BYTES:
            return Reply("too long")
        try:
            return Reply("ok", json.loads(line))
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested past the stack
            return Reply("unreadable")


@contextlib.contextmanager
def untrusted(
    fn: Callable[..., Iterable[Any]],
    args: tuple[Any, ...] = (),
    *,
    memory: int | None,
    preload: Sequence[str] = (),
) -> Iterator[UntrustedCall]:
    """Runs the generator ``fn(*args)`` in a worker process that may not be trusted after.

    Each value `fn` yields is sent back as one JSON line (`json.dumps`), which the caller
    reads with `UntrustedCall.next(seconds)`: whatever the work does to its process (writes
    to the socket, returns objects built to run code when unpickled), the caller parses at
    most `MAX_REPLY_BYTES` of JSON per message and never unpickles anything. The work's
    stdin, stdout and stderr go nowhere; `memory` caps the address space it may add, past
    which it gets `MemoryError`. On leaving, the worker and anything it started are killed
    (a student's ``except BaseException`` cannot swallow that); it never serves again.
    `fn` and `args` must pickle (they travel to the worker; only the replies are JSON).
    Worker start-up is not counted against any deadline.
    """
    worker = take_worker(preload)
    try:
        worker.wait_ready()
        worker.send(fn, args, {}, memory, replies="json")
        yield UntrustedCall(worker)
    finally:
        discard_worker(worker)


# ---------------------------------------------------------------------------------------------
# many tasks, in order


@dataclass(frozen=True)
class Failure:
    """Why a task produced no value: ``timeout`` (killed past its budget), ``crash`` (its
    worker died, or the work raised), or a DiffCompareError's kind."""

    kind: str
    message: str
    seconds: float


@dataclass
class _Lane:
    """One worker of a pool and the tasks waiting for it."""

    worker: Worker
    queue: deque[int] = field(default_factory=deque)
    current: int | None = None
    started: float = 0.0


class OrderedPool(Generic[T, R]):
    """Runs `work(payload)` for each task in worker processes; `results()` yields, in task
    order, each return value or a `Failure`.

    Tasks carry an affinity key (the expression text): tasks with the same key go to the same
    worker, so its caches (parsed tree, symbolic derivatives) are built once. An idle worker
    takes the last key group of the busiest queue, which keeps every core busy to the end.
    """

    def __init__(
        self,
        work: Callable[[T], R],
        tasks: Sequence[tuple[Hashable, T]],
        *,
        jobs: int,
        timeout: float | None,
        memory_limit: int | None,
        preload: Sequence[str] = (),
    ) -> None:
        if jobs < 1:
            raise ValueError("jobs must be at least 1")
        self.work = work
        self.tasks = tasks
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.preload = tuple(preload)
        self.lanes = [
            _Lane(take_worker(self.preload)) for _ in range(min(jobs, max(1, len(tasks))))
        ]
        self.closed = False
        self._assign()

    # -- scheduling -----------------------------------------------------------------------

    def _assign(self) -> None:
        """Each key to one worker, new keys to the least loaded: work once, spread evenly."""
        owner: dict[Hashable, _Lane] = {}
        for index, (key, _) in enumerate(self.tasks):
            lane = owner.get(key)
            if lane is None:
                lane = min(self.lanes, key=lambda w: len(w.queue))
                owner[key] = lane
            lane.queue.append(index)

    def _steal_for(self, idle: _Lane) -> None:
        busiest = max(self.lanes, key=lambda w: len(w.queue))
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

    def _replace(self, lane: _Lane) -> None:
        lane.worker.kill()
        lane.worker = Worker(self.preload)
        lane.current = None

    def _dispatch(self) -> None:
        for lane in self.lanes:
            if lane.current is not None or not lane.worker.ready:
                continue
            if not lane.queue:
                self._steal_for(lane)
            if not lane.queue:
                continue
            index = lane.queue.popleft()
            try:
                lane.worker.send(self.work, (self.tasks[index][1],), {}, self.memory_limit)
            except (BrokenPipeError, OSError):  # died between tasks: replace, retry later
                lane.queue.appendleft(index)
                self._replace(lane)
                continue
            lane.current, lane.started = index, time.monotonic()

    # -- the loop -------------------------------------------------------------------------

    def results(self) -> Iterator[R | Failure]:
        done: dict[int, R | Failure] = {}
        next_out = 0
        startup = time.monotonic() + STARTUP_SECONDS
        try:
            while next_out < len(self.tasks):
                self._dispatch()
                waiting = [w for w in self.lanes if w.current is not None or not w.worker.ready]
                ready = set(
                    wait([w.worker.connection for w in waiting], timeout=self._wait_time(waiting))
                )
                now = time.monotonic()
                for lane in waiting:
                    if not lane.worker.ready:
                        if lane.worker.connection in ready:
                            lane.worker.read_ready()
                            startup = now + STARTUP_SECONDS
                        elif now > startup:
                            raise WorkerStartError(
                                f"no worker process started within {STARTUP_SECONDS:g} s"
                            )
                        continue
                    self._collect(lane, lane.worker.connection in ready, now, done)
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
        finally:
            self.close()

    def close(self) -> None:
        """Idle workers go back for the next caller; busy ones are killed."""
        if self.closed:
            return
        self.closed = True
        for lane in self.lanes:
            if lane.current is None and lane.worker.ready:
                return_worker(lane.worker)
            else:
                lane.worker.kill()

    def _wait_time(self, waiting: list[_Lane]) -> float | None:
        busy = [w.started for w in waiting if w.current is not None]
        seconds = None
        if busy and self.timeout is not None:
            seconds = max(0.0, min(busy) + self.timeout - time.monotonic())
        if len(busy) < len(waiting):  # a worker is starting: look at the clock now and then
            seconds = min(seconds, 1.0) if seconds is not None else 1.0
        return seconds

    def _collect(self, lane: _Lane, readable: bool, now: float, done: dict[int, Any]) -> None:
        index = lane.current
        assert index is not None
        seconds = now - lane.started
        if readable:
            outcome, payload = lane.worker.receive()
            if outcome == "ok":
                done[index] = payload
                lane.current = None
                return
            done[index] = _failure(outcome, payload, seconds)
            if outcome in ("error", "exception"):  # the worker is fine: it goes on
                lane.current = None
            else:
                self._replace(lane)
            return
        if self.timeout is not None and seconds > self.timeout:
            message = f"timed out after {self.timeout:g} s (its worker was replaced)"
            done[index] = Failure("timeout", message, seconds)
            self._replace(lane)


def _failure(outcome: str, payload: Any, seconds: float) -> Failure:
    if outcome == "error":
        return Failure(payload.kind, payload.message, seconds)
    if outcome == "memory":
        return Failure("limit", "ran out of memory while computing", seconds)
    if outcome == "died":
        return Failure("crash", str(payload), seconds)
    return Failure("crash", str(payload[0]), seconds)


# ---------------------------------------------------------------------------------------------
# the worker's side

_ZYGOTE_MAIN = "import sys; from diffcompare.workers import zygote; zygote(sys.argv[1:])"


def zygote(argv: list[str]) -> None:
    """The process that forks workers: imports, then one worker per request until EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers
    fd, *preload = argv
    # What is imported here lives as long as every worker and is shared with them page by
    # page: frozen, the collector never walks it, neither here nor in a worker, where a walk
    # would copy the pages it touches; the work's own garbage is collected as usual.
    with collector.paused():
        for name in preload:
            module, _, function = name.partition(":")
            imported = importlib.import_module(module)
            if function:  # a warm-up: what the first call would load, every fork inherits
                getattr(imported, function)()
        gc.freeze()
    control = Connection(int(fd))
    control.send("ready")
    while True:
        try:
            control.recv()
            socket_fd = recv_handle(control)
        except (EOFError, OSError):
            return
        pid = os.fork()
        if pid == 0:
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # a worker may wait for its own
            os.setsid()  # its own process group: a kill reaches whatever it starts
            try:
                serve(Connection(socket_fd))
            finally:
                os._exit(0)
        os.close(socket_fd)
        control.send(pid)


def serve(connection: Connection) -> None:
    """A worker: serves calls on its socket until it closes (or the caller is gone)."""
    caller = os.getppid()
    threading.Thread(target=_leave_with, args=(caller,), daemon=True).start()
    connection.send("ready")
    while True:
        try:
            message = connection.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            fn, args, kwargs, memory, replies = pickle.loads(message)
        except Exception as error:  # say, a function defined in the caller's __main__
            text = f"the work could not be received: {type(error).__name__}: {error}"
            connection.send(("exception", (text, type(error).__name__, "")))
            continue
        if replies == "json":
            _run_untrusted(fn, args, kwargs, memory, connection.fileno())
            return  # whatever ran here is not to be trusted with another call
        reply = _run(fn, args, kwargs, memory)
        try:
            connection.send(reply)
        except Exception as error:  # an unpicklable result
            text = f"the result could not be sent back: {error}"
            connection.send(("exception", (text, type(error).__name__, "")))
        if reply[0] in ("memory", "crash"):
            return  # the caller discards this worker


def _leave_with(parent: int) -> None:
    """Ends the worker when the process that started it is gone (a caller killed by
    SIGKILL cannot stop its workers; a busy worker would not notice the closed socket)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _run(fn: Callable[..., Any], args: Any, kwargs: Any, memory: int | None) -> Any:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if memory is not None:
        limit = _address_space() + memory
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


def _run_untrusted(
    fn: Callable[..., Iterable[Any]], args: Any, kwargs: Any, memory: int | None, fd: int
) -> None:
    """Sends each value the generator yields as a JSON line on `fd`; stops at the first
    failure (the caller sees the socket close)."""
    import resource

    devnull = os.open(os.devnull, os.O_RDWR)
    for standard in (0, 1, 2):  # the work's prints must not reach anyone's terminal
        os.dup2(devnull, standard)
    if memory is not None:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = _address_space() + memory
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    with contextlib.suppress(BaseException):  # noqa: BLE001 - the caller sees the end
        for value in fn(*args, **kwargs):
            data = (json.dumps(value) + "\n").encode()
            while data:
                data = data[os.write(fd, data) :]


def _address_space() -> int:
    """Bytes of address space this process has mapped now (VmSize)."""
    import resource

    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # not Linux: ru_maxrss is the best cheap estimate
        usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(usage if sys.platform == "darwin" else usage * 1024)
