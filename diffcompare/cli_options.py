"""The options that choose and judge the engines, shared by the single command and batch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from .compare import DEFAULT_ATOL, DEFAULT_FD_RTOL, DEFAULT_RTOL, ENGINE_MODULES

Command = TypeVar("Command", bound=Callable[..., Any])


def comparison_options(order_help: str) -> Callable[[Command], Command]:
    """--order, --engine, --step, --rtol, --atol and --fd-rtol, with the same meaning
    everywhere (only the help of --order says what it does in that command)."""
    options = [
        click.option(
            "--order", type=click.IntRange(0, None), default=2, show_default=True, help=order_help
        ),
        click.option(
            "--engine",
            "engines",
            multiple=True,
            type=click.Choice(list(ENGINE_MODULES)),
            help="Run only this engine (repeatable). Default: all.",
        ),
        click.option("--step", type=float, default=None, help="Force the finite-difference step."),
        click.option(
            "--rtol",
            type=float,
            default=DEFAULT_RTOL,
            show_default=True,
            help="Relative tolerance for symbolic and tape.",
        ),
        click.option(
            "--atol",
            type=float,
            default=DEFAULT_ATOL,
            show_default=True,
            help="Absolute floor, times the largest exact entry of the same order.",
        ),
        click.option(
            "--fd-rtol",
            type=float,
            default=DEFAULT_FD_RTOL,
            show_default=True,
            help="Relative tolerance for finite differences (10x its own error estimate "
            "also agrees).",
        ),
    ]

    def decorate(command: Command) -> Command:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate
