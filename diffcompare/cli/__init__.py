"""The command line. `run` is the ``diffcompare`` script: it imports nothing but the standard
library before it can catch Ctrl-C, so an interrupt at any moment ends with one line and
exit status 130, never a traceback."""

from __future__ import annotations

from . import process
from .interrupt import EXIT_INTERRUPTED, interrupted

__all__ = ["EXIT_INTERRUPTED", "interrupted", "run"]


def run() -> None:
    """The ``diffcompare`` script and ``python -m diffcompare``."""
    process.own()
    try:
        from .main import main

        main(prog_name="diffcompare")
    except KeyboardInterrupt:
        interrupted()
    finally:
        process.ending()
