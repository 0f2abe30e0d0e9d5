"""``diffcompare compare EXPRESSION --at x=1`` (the default command): one comparison, shown
as a table, JSON or CSV."""

from __future__ import annotations

import click

from ..compare.settings import Settings
from ..errors import InputError, MissingValueError
from . import process
from .main import EXIT_AGREE, EXIT_DISAGREE
from .options import comparison_options
from .spinner import spinner


class ExpressionCommand(click.Command):
    """Lets ``-- "-x**2" --at x=1`` mean the expression "-x**2" with the options after it.

    After ``--`` click takes every argument as positional; moving the options before the
    ``--`` keeps them options while the leading-dash expression stays an argument.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if len(args) >= 2 and args[0] == "--" and "--" not in args[2:]:
            args = [*args[2:], "--", args[1]]
        return super().parse_args(ctx, args)


def _doing(expression: str, settings: Settings) -> str:
    """What the comparison is busy with, for the spinner (one short line: the exact
    derivatives take most of the time)."""
    shown = expression if len(expression) <= 30 else expression[:29] + "…"
    engines = len(settings.engines)
    return (
        f"{shown}, order {settings.order}: exact derivatives (sympy) and"
        f" {engines} engine{'s' if engines != 1 else ''}"
    )


@click.command("compare", cls=ExpressionCommand)
@click.argument("expression")
@click.option(
    "--at",
    "at",
    multiple=True,
    metavar="x=1,y=2",
    help="The point: a value per variable (repeatable: --at x=1 --at y=2).",
)
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
@click.option(
    "--formulas",
    is_flag=True,
    help="Show the symbolic derivative formulas above the table (JSON always has them).",
)
def compare(
    expression: str,
    at: tuple[str, ...],
    settings: Settings,
    output_format: str,
    formulas: bool,
) -> int:
    """Compare the engines on EXPRESSION at the point --at.

    An EXPRESSION that starts with '-' goes after '--': diffcompare -- "-x**2" --at x=1
    """
    with process.starting():
        from ..compare.comparison import compare as run_comparison
        from ..compare.comparison import import_engines
        from ..language.parse import parse, parse_point
        from ..report import render as report

    # every --at adds its names; a name given twice is refused by parse_point
    point = parse_point(", ".join(at), where="--at", limits=settings.limits)
    tree = parse(expression, settings.limits)  # a typo is reported before sympy is loaded
    try:
        with spinner(_doing(expression, settings)):
            with process.starting():
                import_engines(settings.engines)
            comparison = run_comparison(tree, point, settings)
    except MissingValueError as error:
        raise InputError(f"{error.message} (give it with --at {error.name}=...)") from None
    if output_format == "json":
        click.echo(report.to_json(comparison))
    elif output_format == "csv":
        click.echo(report.to_csv(comparison), nl=False)
    else:
        from rich.console import Console

        console = Console()
        if formulas:
            from ..report.formulas import formula_lines

            console.print(formula_lines(comparison, console.width), soft_wrap=True)
        report.render(comparison, console)
    return EXIT_AGREE if comparison.agree else EXIT_DISAGREE
