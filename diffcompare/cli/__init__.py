"""The command line. `run` is the ``diffcompare`` script: it imports nothing but the standard
library before it can catch Ctrl-C, so an interrupt at any moment ends with one line and
exit status 130, never a traceback."""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130
"""128 + SIGINT, as shells report a command stopped by Ctrl-C."""


def run() -> None:
    """The ``diffcompare`` script and ``python -m diffcompare``."""
    try:
        from .main import main

        main(prog_name="diffcompare")
    except KeyboardInterrupt:
        interrupted()


def interrupted(*, line_ended: bool = False) -> None:
    """Ctrl-C: one line on stderr, exit status 130. The terminal has echoed ``^C`` without
    ending its line; end it first unless that is done (`line_ended`: click does it)."""
    try:
        sys.stderr.write("interrupted\n" if line_ended else "\ninterrupted\n")
        sys.stderr.flush()
    except (KeyboardInterrupt, OSError):  # a second Ctrl-C, or stderr already closed
        pass
    sys.exit(EXIT_INTERRUPTED)
