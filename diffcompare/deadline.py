"""A time budget that interrupts pure-Python work (sympy, mpmath) in whichever thread runs it.

sympy's `diff`, `simplify` and `evalf` have no way to be told to stop, and a harmless-looking
expression can keep them busy for minutes. A watchdog raises an exception in the working
thread (``PyThreadState_SetAsyncExc``); it takes effect at the next bytecode, so no signal is
involved (it works off the main thread, in a web server's workers) and nothing is paid until
the budget runs out. Work inside a single C call (one huge integer product) is not
interrupted: the magnitude limits keep such calls small.

An asynchronous exception can land on any bytecode, so the bookkeeping must not depend on
where it lands. The truth lives here, not in the exception: each thread has a stack of open
budgets, and the watchdog marks a budget expired before it interrupts. When the exception
reaches a budget's exit, the exit reads the stack: if an enclosing budget has expired, the
interrupt goes on upward (an inner ``except TimeLimitError`` cannot swallow the outer budget's
end); the outermost expired budget turns it into `TimeLimitError`. The watchdog does not
interrupt a thread while it is inside this module's own bookkeeping or importing a module (an
import cut short leaves the module broken for the whole process), and a budget whose block
was left without its exit running (an interrupt on its first bytecode) is dropped by the next
exit below it, or by the watchdog once the frame that opened it has returned (a generator's
frame, as in a ``contextlib.contextmanager`` that opens a budget, is off the stack between its
yields while its block runs: such a budget stays until its exit).
"""

from __future__ import annotations

import ctypes
import heapq
import inspect
import itertools
import math
import sys
import threading
import time
from dataclasses import dataclass, field
from types import FrameType, TracebackType
from typing import Any

from .errors import TimeLimitError

TraceFunction = Any  # what sys.settrace takes

REPEAT_SECONDS = 0.05
"""After the budget, the exception is raised again at this interval until the work stops:
code that catches it by accident (a bare ``except:``) and carries on gets it again."""

RETRY_SECONDS = 0.002
"""How soon the watchdog tries again when the thread was inside the bookkeeping here."""

_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc


class _Expired(BaseException):
    """Raised in the working thread. A BaseException, so `except Exception` (common in sympy)
    lets it through."""


@dataclass(eq=False)
class _Budget:
    """One open ``with time_budget(...)`` block of one thread."""

    deadline: float
    thread_id: int
    frame: FrameType | None
    """The frame that opened the block: once it has returned, so has the block."""
    what: str
    seconds: float
    hint: str
    tracer: TraceFunction | None
    """The thread's trace function when the block opened (a debugger, coverage)."""
    expired: bool = False
    outcome: tuple[_Budget | None, bool] | None = None
    """What closing it found (see `_Registry.close`)."""


@dataclass
class _Registry:
    """Every thread's open budgets (innermost last) and one watchdog thread serving them all,
    earliest deadline first. A thread per budget would cost its start-up (0.1 ms, more on a
    busy machine) on every comparison; finished budgets are dropped when they come due."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    condition: threading.Condition = field(init=False)
    stacks: dict[int, list[_Budget]] = field(default_factory=dict)
    queue: list[tuple[float, int, _Budget]] = field(default_factory=list)
    order: itertools.count[int] = field(default_factory=itertools.count)
    thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        self.condition = threading.Condition(self.lock)

    def open(self, budget: _Budget) -> None:
        with self.lock:
            self.stacks.setdefault(budget.thread_id, []).append(budget)
            self._schedule(budget.deadline, budget)

    def close(self, budget: _Budget) -> tuple[_Budget | None, bool]:
        """Closes `budget` and any budget opened inside it and left open: (the outermost of
        them that expired, whether an enclosing budget has expired). Asked again, it gives
        the same answer (an interrupt may land while the first answer is on its way)."""
        with self.lock:
            if budget.outcome is None:
                stack = self.stacks.get(budget.thread_id, [])
                closed: list[_Budget] = []
                for index, item in enumerate(stack):
                    if item is budget:
                        closed, stack[index:] = stack[index:], []
                        break
                if not stack:
                    self.stacks.pop(budget.thread_id, None)
                expired = next((item for item in closed if item.expired), None)
                budget.outcome = (expired, any(item.expired for item in stack))
            return budget.outcome

    def _schedule(self, when: float, budget: _Budget) -> None:
        heapq.heappush(self.queue, (when, next(self.order), budget))
        if self.thread is None or not self.thread.is_alive():  # none yet, or forked
            self.thread = threading.Thread(
                target=self._serve, name="diffcompare-deadline", daemon=True
            )
            self.thread.start()
        self.condition.notify()

    def _serve(self) -> None:
        with self.condition:
            while True:
                if not self.queue:
                    self.condition.wait()
                    continue
                wait = self.queue[0][0] - time.monotonic()
                if wait > 0:
                    self.condition.wait(wait)
                    continue
                _, _, budget = heapq.heappop(self.queue)
                again = self._interrupt(budget)
                if again is not None:
                    self._schedule(time.monotonic() + again, budget)

    def _interrupt(self, budget: _Budget) -> float | None:
        """Interrupts the thread of a budget that came due, if it is still open; seconds
        until the next try, or None when the budget is done with."""
        stack = self.stacks.get(budget.thread_id)
        if stack is None or not any(item is budget for item in stack):
            return None  # ended in time, or closed since
        frames = _frames_of(budget.thread_id)
        if frames is None:  # the thread has ended with the budget open
            self.stacks.pop(budget.thread_id, None)
            return None
        if (
            budget.frame is not None
            and not _suspends(budget.frame)
            and not any(f is budget.frame for f in frames)
        ):
            # its block was left without its exit running: forget it and what it enclosed
            stack[stack.index(budget) :] = []
            return None
        budget.expired = True
        if any(f.f_code in _BOOKKEEPING or _importing(f) for f in frames):
            # an exit is reading the stack, or a module is being imported (sympy imports
            # parts of itself on first use; one cut short stays broken for the process)
            return RETRY_SECONDS
        _set_async_exc(ctypes.c_ulong(budget.thread_id), ctypes.py_object(_Expired))
        return REPEAT_SECONDS


_SUSPENDING = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


def _suspends(frame: FrameType) -> bool:
    """A generator's or coroutine's frame leaves the stack at each yield and comes back."""
    return bool(frame.f_code.co_flags & _SUSPENDING)


def _importing(frame: FrameType) -> bool:
    return frame.f_code.co_filename.startswith("<frozen importlib")


def _frames_of(thread_id: int) -> list[FrameType] | None:
    frame = sys._current_frames().get(thread_id)
    if frame is None:
        return None
    frames = []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    return frames


_REGISTRY = _Registry()


class time_budget:  # noqa: N801  (used like a function: with time_budget(10, "..."):)
    """``with time_budget(seconds, what):`` raises TimeLimitError when the block runs longer
    than `seconds`. An infinite budget costs nothing. Budgets nest, in any thread: the
    outermost one that runs out ends the work, whatever the blocks inside it catch.
    """

    def __init__(self, seconds: float, what: str, hint: str = "") -> None:
        self.seconds = seconds
        self.what = what
        self.hint = hint
        self.budget: _Budget | None = None

    def __enter__(self) -> time_budget:
        if math.isfinite(self.seconds):
            self.budget = _Budget(
                time.monotonic() + max(self.seconds, 0.0),
                threading.get_ident(),
                sys._getframe(1),
                self.what,
                self.seconds,
                self.hint,
                sys.gettrace(),
            )
            _REGISTRY.open(self.budget)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        budget, self.budget = self.budget, None
        if budget is None:
            return
        try:
            expired, enclosing_expired = _REGISTRY.close(budget)
        except _Expired:  # raised a moment before the watchdog saw this exit
            expired, enclosing_expired = _REGISTRY.close(budget)
        budget.frame = None
        if enclosing_expired:
            if kind is _Expired:
                return  # on its way to the budget that ran out
            raise _Expired
        if expired is not None or kind is _Expired:
            # Nothing of this thread's will fire from now on; one fired a moment ago is
            # raised at the next call (its first bytecode checks), so take it here. Clearing
            # it with SetAsyncExc(id, NULL) instead would leave CPython's eval breaker set,
            # and a thread under a trace function then spins on its next call.
            try:  # noqa: SIM105  (contextlib.suppress would be one more call to interrupt)
                _checkpoint()
            except _Expired:
                pass
            if budget.tracer is not None and sys.gettrace() is None:
                # the interrupt landed in the trace function and Python removed it: a
                # debugger or coverage run goes on as it was
                sys.settrace(budget.tracer)
            expired = expired or budget
            raise TimeLimitError(
                f"{expired.what} took longer than {expired.seconds:g} s{expired.hint}"
            ) from None


def _checkpoint() -> None:
    """Does nothing: calling it lets a pending asynchronous exception be raised."""


_BOOKKEEPING = frozenset(
    {
        time_budget.__enter__.__code__,
        time_budget.__exit__.__code__,
        _Registry.open.__code__,
        _Registry.close.__code__,
        _checkpoint.__code__,
    }
)
