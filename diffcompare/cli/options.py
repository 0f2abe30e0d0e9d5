"""The options that choose and judge the engines, shared by the single command and batch."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..compare.comparison import DEFAULT_ATOL, DEFAULT_FD_RTOL, DEFAULT_RTOL, ENGINE_MODULES
from ..language.limits import DEFAULT_LIMITS, Limits

Command = TypeVar("Command", bound=Callable[..., Any])


def comparison_options(order_help: str) -> Callable[[Command], Command]:
    """--order, --engine, --step, --rtol, --atol, --fd-rtol and --limit, with the same
    meaning everywhere (only the help of --order says what it does in that command)."""
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
        click.option(
            "--limit",
            "limits",
            multiple=True,
            metavar="NAME=VALUE",
            callback=_limits,
            help="Change an input limit, for input you trust (repeatable), e.g. "
            f"max_depth=150. Names: {', '.join(_LIMIT_NAMES)}.",
        ),
    ]

    def decorate(command: Command) -> Command:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


_LIMIT_NAMES = tuple(field.name for field in dataclasses.fields(Limits))


def _limits(ctx: click.Context, param: click.Parameter, items: tuple[str, ...]) -> Limits:
    """The default Limits with each NAME=VALUE applied, or a usage error that says which."""
    changes: dict[str, Any] = {}
    for item in items:
        name, equals, text = item.partition("=")
        name = name.strip().replace("-", "_")
        if not equals or name not in _LIMIT_NAMES:
            raise click.BadParameter(
                f"{item!r}: give NAME=VALUE with NAME one of {', '.join(_LIMIT_NAMES)}"
            )
        kind = type(getattr(DEFAULT_LIMITS, name))
        try:
            value = kind(text.strip())
        except ValueError:
            wanted = "a whole number" if kind is int else "a number"
            raise click.BadParameter(f"{name} needs {wanted}, not {text.strip()!r}") from None
        # only the time budget may be switched off; the other limits keep the work finite
        endless = name == "symbolic_seconds" and value == math.inf
        if not (value > 0 and (math.isfinite(value) or endless)):
            raise click.BadParameter(f"{name} must be a positive finite number, not {text!r}")
        changes[name] = value
    return dataclasses.replace(DEFAULT_LIMITS, **changes)
