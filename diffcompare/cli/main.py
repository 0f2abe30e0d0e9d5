"""The command group: which commands there are, and how every refusal ends.

``diffcompare EXPRESSION --at x=1`` runs the `compare` command without naming it. Commands
are listed once, in `SUBCOMMANDS`, and their modules are imported only when one runs, so
``diffcompare --help`` costs little more than starting Python (no numpy, sympy or rich).

Exit status: 0 all engines agree, 1 they computed but disagree, 2 bad input or a point where
nothing can be computed (one ``error:`` line on stderr, no traceback), 130 Ctrl-C.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Sequence
from typing import Any, NamedTuple

import click

from ..errors import DiffCompareError
from .interrupt import interrupted

EXIT_AGREE = 0
EXIT_DISAGREE = 1
EXIT_BAD_INPUT = 2


class Subcommand(NamedTuple):
    """Where a command lives (``module:attribute``, the module relative to this package when
    it starts with a dot) and the line ``diffcompare --help`` shows without importing it."""

    target: str
    summary: str


SUBCOMMANDS: dict[str, Subcommand] = {
    "compare": Subcommand(".compare:compare", "Compare the engines on EXPRESSION at a point."),
    "batch": Subcommand(".batch:batch", "Compare the engines on every case of files or stdin."),
    "grade": Subcommand(".grade:grade", "Grade a class's answers to an exercise."),
    "steps": Subcommand(".steps:steps", "The finite-difference error against the step h."),
    "sweep": Subcommand(".sweep:sweep", "Every engine's error along an interval."),
    "functions": Subcommand(".functions:functions", "List the functions of expressions."),
}
"""Every command. A new one is a module under ``diffcompare/cli/`` and one line here."""

DEFAULT_COMMAND = "compare"

_DASH_HINT = (
    " (an expression that starts with '-' goes after '--': diffcompare -- \"-x**2\" --at x=1)"
)
_LIMIT_NAME = re.compile(r"\(Limits\.(\w+)")


def load(name: str) -> click.Command:
    """The command `name` of `SUBCOMMANDS`, imported now."""
    module_name, attribute = SUBCOMMANDS[name].target.split(":")
    module = importlib.import_module(module_name, package=__package__)
    command: click.Command = getattr(module, attribute)
    return command


class DefaultCommandGroup(click.Group):
    """A group that runs `DEFAULT_COMMAND` when the first argument names no command, imports
    a command only when it runs, and reports every refusal as one ``error:`` line with exit
    status 2."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load(cmd_name) if cmd_name in SUBCOMMANDS else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, command.summary) for name, command in SUBCOMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if _implies_default(args, self._own_options(ctx)):
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)

    def _own_options(self, ctx: click.Context) -> set[str]:
        return {name for param in self.get_params(ctx) for name in param.opts}

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        words = list(sys.argv[1:] if args is None else args)
        try:
            status = super().main(words, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:
            click.echo(error.ctx.get_help() if error.ctx else error.format_message())
            sys.exit(EXIT_AGREE)
        except click.NoSuchOption as error:
            message = error.format_message()
            _refuse(message + (_DASH_HINT if _looks_like_expression(error) else ""), words)
        except click.ClickException as error:
            _refuse(error.format_message(), words)
        except click.Abort:  # click turns Ctrl-C into Abort, after ending the line
            interrupted(line_ended=True)
        except DiffCompareError as error:
            _refuse(error.message + _limit_hint(error.message), words)
        if not standalone_mode:
            return status
        sys.exit(status if isinstance(status, int) else 0)


def _implies_default(args: Sequence[str], own_options: set[str]) -> bool:
    return bool(args) and args[0] not in SUBCOMMANDS and args[0] not in own_options


def _limit_hint(message: str) -> str:
    """How to raise the limit a message names, on this command line."""
    found = _LIMIT_NAME.search(message)
    if found is None:
        return ""
    return f"; for input you trust, raise it with --limit {found.group(1)}=VALUE"


def _refuse(message: str, words: Sequence[str]) -> None:
    hint = _command_hint(words)
    if hint:
        message = message[:1].lower() + message[1:]
    click.echo(f"error: {hint}{message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def _command_hint(words: Sequence[str]) -> str:
    """When the default command was implied by a word that is nearly a command's name
    (``diffcompare bach files/``), the typo is the likelier story: say so first."""
    if not words or not _implies_default(words, {"-h", "--help", "--version"}):
        return ""
    first = words[0]
    if not first.isidentifier():
        return ""
    import difflib

    close = difflib.get_close_matches(first, SUBCOMMANDS, n=1, cutoff=0.7)
    if not close:
        return ""
    return f"'{first}' is not a command (did you mean '{close[0]}'?); read as an expression, "


def _looks_like_expression(error: click.NoSuchOption) -> bool:
    name = error.option_name
    return name.startswith("-") and not name.startswith("--")


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from .. import __version__  # reads the installed metadata: only when asked

    click.echo(f"diffcompare, version {__version__}")
    ctx.exit()


@click.group(cls=DefaultCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
def main() -> None:
    """Derivatives three ways (symbolic, finite differences, a reverse-mode tape), each
    measured against an exact 50-digit reference.

    \b
    diffcompare "3*x**2+2*x-1" --at x=1
    diffcompare compare "(x1+5)*x2**2" --at x1=2,x2=3 --format json
    """
