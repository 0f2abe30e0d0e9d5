"""How Ctrl-C ends the command line; the standard library only, so the script can import it
before anything else."""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130
"""128 + SIGINT, as shells report a command stopped by Ctrl-C."""


def interrupted(*, line_ended: bool = False) -> None:
    """Ctrl-C: one line on stderr, exit status 130. The terminal has echoed ``^C`` without
    ending its line; end it first unless that is done (`line_ended`: click does it)."""
    try:
        sys.stderr.write("interrupted\n" if line_ended else "\ninterrupted\n")
        sys.stderr.flush()
    except (KeyboardInterrupt, OSError):  # a second Ctrl-C, or stderr already closed
        pass
    sys.exit(EXIT_INTERRUPTED)
