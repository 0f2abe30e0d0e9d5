"""The command line: arguments in, one library call, the reporter out.

``diffcompare EXPRESSION --at x=1`` runs the `compare` command without naming it; other
commands (``diffcompare batch ...``) are registered on `main` at the bottom of this file.

Exit status: 0 all engines agree, 1 they computed but disagree, 2 bad input or a point where
nothing can be computed (one ``error:`` line on stderr, no traceback).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from .. import __version__
from ..compare.settings import Settings
from ..errors import DiffCompareError
from .options import comparison_options

EXIT_AGREE = 0
EXIT_DISAGREE = 1
EXIT_BAD_INPUT = 2

_DASH_HINT = (
    " (an expression that starts with '-' goes after '--': diffcompare -- \"-x**2\" --at x=1)"
)


class DefaultCommandGroup(click.Group):
    """A group that runs `default_command` when the first argument names no command, and
    reports every refusal as one ``error:`` line with exit status 2."""

    default_command = "compare"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        own_options = {name for param in self.get_params(ctx) for name in param.opts}
        if args and args[0] not in self.commands and args[0] not in own_options:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            status = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:
            click.echo(error.ctx.get_help() if error.ctx else error.format_message())
            sys.exit(EXIT_AGREE)
        except click.NoSuchOption as error:
            _refuse(error.format_message() + (_DASH_HINT if _looks_like_expression(error) else ""))
        except click.ClickException as error:
            _refuse(error.format_message())
        except click.Abort:
            click.echo("aborted", err=True)
            sys.exit(130)
        except DiffCompareError as error:
            _refuse(error.message + (_LIMIT_HINT if "(Limits." in error.message else ""))
        if not standalone_mode:
            return status
        sys.exit(status if isinstance(status, int) else 0)


_LIMIT_HINT = "; for input you trust, raise it with --limit NAME=VALUE"


def _refuse(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def _looks_like_expression(error: click.NoSuchOption) -> bool:
    name = error.option_name
    return name.startswith("-") and not name.startswith("--")


class ExpressionCommand(click.Command):
    """Lets ``-- "-x**2" --at x=1`` mean the expression "-x**2" with the options after it.

    After ``--`` click takes every argument as positional; moving the options before the
    ``--`` keeps them options while the leading-dash expression stays an argument.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if len(args) >= 2 and args[0] == "--" and "--" not in args[2:]:
            args = [*args[2:], "--", args[1]]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="diffcompare")
def main() -> None:
    """Derivatives three ways (symbolic, finite differences, a reverse-mode tape), each
    measured against an exact 50-digit reference.

    \b
    diffcompare "3*x**2+2*x-1" --at x=1
    diffcompare compare "(x1+5)*x2**2" --at x1=2,x2=3 --format json
    """


@main.command(cls=ExpressionCommand)
@click.argument("expression")
@click.option("--at", "at", default="", metavar="x=1,y=2", help="The point: a value per variable.")
@comparison_options(
    "2: value, gradient, Hessian. Above 2 (one variable): all derivatives up to it."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
def compare(
    expression: str,
    at: str,
    settings: Settings,
    output_format: str,
) -> int:
    """Compare the engines on EXPRESSION at the point --at.

    An EXPRESSION that starts with '-' goes after '--': diffcompare -- "-x**2" --at x=1
    """
    from ..compare.comparison import compare as run_comparison
    from ..language.parse import parse_point
    from ..report import render as report

    point = parse_point(at, where="--at", limits=settings.limits) if at.strip() else {}
    comparison = run_comparison(expression, point, settings)
    if output_format == "json":
        click.echo(report.to_json(comparison))
    elif output_format == "csv":
        click.echo(report.to_csv(comparison), nl=False)
    else:
        from rich.console import Console

        report.render(comparison, Console())
    return EXIT_AGREE if comparison.agree else EXIT_DISAGREE


# Further commands register here. They import nothing from this module, so the late
# imports cannot cycle.
from .batch import batch  # noqa: E402
from .grade import grade  # noqa: E402

main.add_command(batch)
main.add_command(grade)
