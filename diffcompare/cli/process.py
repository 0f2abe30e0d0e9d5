"""What the command line may do when the process is its own (the ``diffcompare`` script,
``python -m diffcompare``) rather than a caller's that invokes its commands (a test, a
notebook): tell the cyclic garbage collector that what start-up makes lives until the end."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from .. import collector

_owned = False


def own() -> None:
    """The process is the command line's: it exits when the command ends."""
    global _owned
    _owned = True


@contextmanager
def starting() -> Iterator[None]:
    """Around a command's imports. The tens of thousands of objects they make live until
    the process ends: the collector is paused while they are made, then they are frozen,
    out of its walks, which would free nothing (a tenth of the single command's time, and a
    seventh of order 6 of tan(x)**5)."""
    if not _owned:
        yield
        return
    with collector.paused():
        try:
            yield
        finally:
            gc.freeze()


def ending() -> None:
    """The command has ended: the interpreter's last collection at exit would walk every
    object the work made, a quarter of a second after the answer is printed. Frozen objects
    are still released at exit as usual; only that walk is skipped."""
    if _owned:
        gc.freeze()
