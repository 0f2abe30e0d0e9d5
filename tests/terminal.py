"""Running the command line in a pseudo-terminal of a given size, for layout tests."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def in_terminal(
    arguments: list[str],
    columns: int,
    *,
    rows: int = 50,
    seconds: float = 120,
    interrupt_at: str | None = None,
) -> tuple[str, int]:
    """(everything written to the terminal, exit status) of ``python -m diffcompare``
    run with stdout and stderr on a terminal `columns` wide. With `interrupt_at`, Ctrl-C
    (SIGINT to the whole process group, as a terminal sends it) once that text shows."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color"}
    for name in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR"):
        environment.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "diffcompare", *arguments],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=environment,
        cwd=ROOT,
        close_fds=True,
        start_new_session=True,
    )
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the program has ended
                break
            if not chunk:
                break
            chunks.append(chunk)
            if interrupt_at is not None and interrupt_at in plain(
                b"".join(chunks).decode("utf-8", "replace")
            ):
                os.killpg(process.pid, signal.SIGINT)
                interrupt_at = None
        elif process.poll() is not None:
            break
    os.close(leader)
    status = process.wait(timeout=30)
    return b"".join(chunks).decode("utf-8", "replace"), status


def plain(text: str) -> str:
    """The text without colour and cursor codes, lines ended by \\n."""
    return _ANSI.sub("", text).replace("\r\n", "\n")


def segments(text: str) -> list[str]:
    """What stands on the screen between line ends and carriage returns."""
    return re.split(r"[\r\n]", _ANSI.sub("", text))
