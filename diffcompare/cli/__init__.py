"""The command line. `run` is the ``diffcompare`` script: it imports nothing but the standard
library before it can catch Ctrl-C, so an interrupt at any moment ends with one line and
exit status 130, never a traceback."""

from __future__ import annotations

import os

from . import process
from .interrupt import EXIT_INTERRUPTED, interrupted

__all__ = ["EXIT_INTERRUPTED", "interrupted", "run"]


def run() -> None:
    """The ``diffcompare`` script and ``python -m diffcompare``."""
    process.own()
    # numpy's BLAS starts a thread per core that spins while numpy loads, a tenth of a
    # second of processor time; the command line multiplies no large matrices, and its
    # workers (processes, which inherit this) are parallel enough
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        from .main import main

        main(prog_name="diffcompare")
    except KeyboardInterrupt:
        interrupted()
    finally:
        process.ending()
