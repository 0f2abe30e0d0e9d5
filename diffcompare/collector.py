"""The cyclic garbage collector around imports. What an import makes (sympy's import alone
makes tens of thousands of objects) lives as long as the process: walking it while it is
made, or at every full collection afterwards, frees nothing."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, then as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
