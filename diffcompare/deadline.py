"""A time budget that interrupts pure-Python work (sympy, mpmath) in whichever thread runs it.

sympy's `diff`, `simplify` and `evalf` have no way to be told to stop, and a harmless-looking
expression can keep them busy for minutes. A watchdog timer raises an exception in the
working thread (``PyThreadState_SetAsyncExc``); it takes effect at the next bytecode, so no
signal is involved (it works off the main thread, in a web server's workers) and nothing is
paid until the budget runs out. Work inside a single C call (one huge integer product) is not
interrupted: the magnitude limits keep such calls small.
"""

from __future__ import annotations

import ctypes
import heapq
import itertools
import math
import threading
import time
from types import TracebackType

from .errors import TimeLimitError

REPEAT_SECONDS = 0.05
"""After the budget, the exception is raised again at this interval until the work stops:
code that catches it by accident (a bare ``except:``) and carries on gets it again."""

_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc


class _Expired(BaseException):
    """Raised in the working thread. A BaseException, so `except Exception` (common in sympy)
    lets it through."""


class _Scheduler:
    """One daemon thread serving every budget of the process, earliest deadline first.

    A thread per budget would cost its start-up (0.1 ms, more on a busy machine) on every
    comparison; budgets that end in time are dropped lazily when they reach the front.
    """

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.queue: list[tuple[float, int, _Watchdog]] = []
        self.order = itertools.count()
        self.thread: threading.Thread | None = None

    def add(self, delay: float, watchdog: _Watchdog) -> None:
        with self.condition:
            entry = (time.monotonic() + delay, next(self.order), watchdog)
            heapq.heappush(self.queue, entry)
            if self.thread is None or not self.thread.is_alive():  # none yet, or forked
                self.thread = threading.Thread(
                    target=self._serve, name="diffcompare-deadline", daemon=True
                )
                self.thread.start()
            self.condition.notify()

    def _serve(self) -> None:
        with self.condition:
            while True:
                while self.queue and self.queue[0][2].done:
                    heapq.heappop(self.queue)
                if not self.queue:
                    self.condition.wait()
                    continue
                wait = self.queue[0][0] - time.monotonic()
                if wait > 0:
                    self.condition.wait(wait)
                    continue
                _, _, watchdog = heapq.heappop(self.queue)
                if watchdog.fire():
                    self.add(REPEAT_SECONDS, watchdog)


class _Watchdog:
    def __init__(self, seconds: float) -> None:
        self.thread_id = threading.get_ident()
        self.lock = threading.Lock()
        self.done = False
        self.fired = False
        _SCHEDULER.add(seconds, self)

    def fire(self) -> bool:
        """Raise in the working thread unless it has finished; True to fire again later."""
        with self.lock:
            if self.done:
                return False
            self.fired = True
            _set_async_exc(ctypes.c_ulong(self.thread_id), ctypes.py_object(_Expired))
            return True

    def stop(self) -> bool:
        """Clears an exception not raised yet; True if the budget ran out."""
        with self.lock:
            if not self.done:
                self.done = True
                if self.fired:
                    _set_async_exc(ctypes.c_ulong(self.thread_id), ctypes.c_void_p(None))
            return self.fired


_SCHEDULER = _Scheduler()


class time_budget:  # noqa: N801  (used like a function: with time_budget(10, "..."):)
    """``with time_budget(seconds, what):`` raises TimeLimitError when the block runs longer
    than `seconds`. An infinite budget costs nothing; budgets nest (each one fires on its own).
    """

    def __init__(self, seconds: float, what: str, hint: str = "") -> None:
        self.seconds = seconds
        self.what = what
        self.hint = hint
        self.watchdog: _Watchdog | None = None

    def __enter__(self) -> time_budget:
        if math.isfinite(self.seconds):
            self.watchdog = _Watchdog(max(self.seconds, 0.0))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.watchdog is None:
            return
        try:
            fired = self.watchdog.stop()
        except _Expired:  # raised a moment before the timer could be stopped
            fired = self.watchdog.stop()
        if fired:
            raise TimeLimitError(
                f"{self.what} took longer than {self.seconds:g} s{self.hint}"
            ) from None
