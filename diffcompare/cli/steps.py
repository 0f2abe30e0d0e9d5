"""``diffcompare steps``: the error of finite differences against the step h (`study.steps`),
as a summary with a text chart, JSON or CSV, and a picture with --plot."""

from __future__ import annotations

import click

from ..compare.settings import Settings
from ..study.steps import METHODS

EXIT_OK = 0


@click.command()
@click.argument("expression")
@click.option("--at", "at", required=True, metavar="x=1,y=2", help="The point.")
@click.option(
    "--entry",
    default=None,
    help="The derivative, as the table names it (f'', ∂²f/∂x∂y, hessian[0][1], d2f/dxdy). "
    "Default: the first gradient entry.",
)
@click.option(
    "--method",
    "methods",
    multiple=True,
    type=click.Choice(list(METHODS)),
    help="Repeatable. Default: central, forward and complex (where it applies). "
    "richardson is what the finite engine does by itself.",
)
@click.option("--from", "h_from", type=float, default=1e-1, show_default=True, help="Largest step.")
@click.option("--to", "h_to", type=float, default=1e-16, show_default=True, help="Smallest step.")
@click.option("--per-decade", type=click.IntRange(1, None), default=4, show_default=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option(
    "--plot",
    "plot_file",
    default=None,
    metavar="FILE",
    help="Also draw error against step to FILE (.png, .svg or .pdf).",
)
def steps(
    expression: str,
    at: str,
    entry: str | None,
    methods: tuple[str, ...],
    h_from: float,
    h_to: float,
    per_decade: int,
    output_format: str,
    plot_file: str | None,
) -> int:
    """How the error of finite differences on EXPRESSION at --at depends on the step h:
    truncation shrinks with h, rounding grows, and the sum is a V.

    \b
    diffcompare steps "sin(x)" --at x=1 --plot v.png
    """
    from ..report import studies
    from ..report.chart import steps_chart
    from ..study.steps import steps as run_steps
    from .study_output import show_study

    if plot_file is not None:
        from ..report.plots import check_plot_file

        check_plot_file(plot_file)
    study = run_steps(
        expression,
        at,
        entry=entry,
        methods=methods or None,
        h_from=h_from,
        h_to=h_to,
        per_decade=per_decade,
        settings=Settings(),
    )
    show_study(
        study, output_format, plot_file, studies.steps_csv, studies.steps_summary, steps_chart
    )
    return EXIT_OK
