"""A spinner on stderr for work that takes a while: shown only on a terminal, and only once
the work has run half a second (quick commands never flash one)."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from typing import Any

DELAY = 0.5
"""Seconds of work before the spinner shows."""


@contextlib.contextmanager
def spinner(what: str, *, delay: float = DELAY) -> Iterator[None]:
    """While the block runs, after `delay` seconds, a spinner saying `what` on stderr (when
    it is a terminal); gone, leaving nothing on the screen, when the block ends."""
    if not sys.stderr.isatty():
        yield
        return
    lock = threading.Lock()
    shown: list[Any] = []
    ended = False

    def show() -> None:
        from rich.console import Console

        with lock:
            if ended:
                return
            status = Console(stderr=True, highlight=False).status(what, spinner="dots")
            status.start()
            shown.append(status)

    timer = threading.Timer(delay, show)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            ended = True
            for status in shown:
                status.stop()
