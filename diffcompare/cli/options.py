"""The options that choose and judge the engines, shared by the single command and batch.

They arrive at the command as one `Settings` (parameter ``settings``), built and checked
once by `Settings` itself.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..compare.settings import DEFAULT_SETTINGS as DEFAULTS
from ..compare.settings import ENGINE_MODULES, FINITE_METHODS, FINITE_RTOLS, Settings
from ..language.limits import DEFAULT_LIMITS, Limits

Command = TypeVar("Command", bound=Callable[..., Any])

_OPTION_NAMES = ("order", "engines", "step", "method", "rtol", "atol", "fd_rtol", "limits")


def comparison_options(order_help: str) -> Callable[[Command], Command]:
    """--order, --engine, --step, --method, --rtol, --atol, --fd-rtol and --limit, with the same
    meaning everywhere (only the help of --order says what it does in that command),
    handed to the command as ``settings``."""
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
            "--method",
            type=click.Choice(list(FINITE_METHODS)),
            default=DEFAULTS.method,
            show_default=True,
            help="Finite-difference stencil; auto decides per entry (one-sided next to a "
            "domain edge, the complex step for analytic functions, else central).",
        ),
        click.option(
            "--rtol",
            type=float,
            default=DEFAULTS.rtol,
            show_default=True,
            help="Relative tolerance for symbolic and tape.",
        ),
        click.option(
            "--atol",
            type=float,
            default=DEFAULTS.atol,
            show_default=True,
            help="Absolute floor, times the largest exact entry of the same order.",
        ),
        click.option(
            "--fd-rtol",
            type=float,
            default=None,
            help="Relative tolerance for finite differences' derivatives, every order "
            "(default per order: "
            + ", ".join(f"{r:g}" for r in FINITE_RTOLS[1:])
            + " for orders 1, 2, 3, 4+).",
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
        @functools.wraps(command)
        def with_settings(**arguments: Any) -> Any:
            given = {name: arguments.pop(name) for name in _OPTION_NAMES}
            given["engines"] = given["engines"] or DEFAULTS.engines
            return command(settings=Settings(**given), **arguments)

        wrapped: Any = with_settings
        for option in reversed(options):
            wrapped = option(wrapped)
        return wrapped

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
