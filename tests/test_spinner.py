"""The spinner of long single commands: on a terminal, after half a second, saying what is
being done; never in pipes, never for quick work."""

from __future__ import annotations

import io
import time

import pytest
from terminal import in_terminal, plain

from diffcompare.cli.spinner import spinner


class TerminalLike(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_command_shows_what_it_does_then_the_table() -> None:
    output, status = in_terminal(["tan(x)**2", "--at", "x=1", "--order", "6"], 80)
    assert status == 0, output
    text = plain(output)
    assert "tan(x)**2, order 6: exact derivatives (sympy) and 3 engines" in text
    assert "f⁽⁶⁾" in text and "all engines agree" in text


def test_quick_work_shows_no_spinner(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = TerminalLike()
    monkeypatch.setattr("sys.stderr", screen)
    with spinner("working", delay=0.5):
        pass
    time.sleep(0.7)  # past the delay: a timer that was not cancelled would show now
    assert screen.getvalue() == ""


def test_slow_work_on_a_terminal_shows_it_and_clears_it(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = TerminalLike()
    monkeypatch.setattr("sys.stderr", screen)
    with spinner("differentiating", delay=0.05):
        time.sleep(0.4)
    assert "differentiating" in screen.getvalue()


def test_no_spinner_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    with spinner("differentiating", delay=0.0):
        time.sleep(0.2)
    assert piped.getvalue() == ""
