"""``diffcompare sweep``: every engine's error along an interval (`study.sweep`), as a
summary with a text chart, JSON or CSV, and a picture with --plot."""

from __future__ import annotations

import click

from ..compare.settings import ENGINE_MODULES, Settings
from ..study.sweep import DEFAULT_POINTS

EXIT_AGREE, EXIT_DISAGREE = 0, 1


@click.command()
@click.argument("expression")
@click.option(
    "--over", required=True, metavar="x=A:B", help="The variable that moves, from A to B."
)
@click.option(
    "--points",
    type=click.IntRange(2, None),
    default=DEFAULT_POINTS,
    show_default=True,
    help="Evenly spaced points, both ends included.",
)
@click.option(
    "--at", "at", default="", metavar="y=1,z=2", help="Where the other variables are held."
)
@click.option(
    "--entry",
    default=None,
    help="The derivative, as the table names it (f'', ∂²f/∂x∂y, hessian[0][1], d2f/dxdy). "
    "Default: the first derivative by the moving variable.",
)
@click.option(
    "--engine",
    "engines",
    multiple=True,
    type=click.Choice(list(ENGINE_MODULES)),
    help="Run only this engine (repeatable). Default: all.",
)
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
    help="Also draw the errors to FILE (.png, .svg or .pdf).",
)
def sweep(
    expression: str,
    over: str,
    points: int,
    at: str,
    entry: str | None,
    engines: tuple[str, ...],
    output_format: str,
    plot_file: str | None,
) -> int:
    """Every engine's error on EXPRESSION along an interval: where each agrees with the exact
    reference, where it does not, and its worst point.

    \b
    diffcompare sweep "sin(1/x)" --over x=0.001:1 --points 2000 --plot out.png
    """
    from ..report import studies
    from ..report.chart import sweep_chart
    from ..study.sweep import sweep as run_sweep
    from .study_output import show_study

    if plot_file is not None:
        from ..report.plots import check_plot_file

        check_plot_file(plot_file)
    result = run_sweep(
        expression,
        over,
        points=points,
        at=at,
        entry=entry,
        engines=engines or tuple(ENGINE_MODULES),
        settings=Settings(),
    )
    show_study(
        result, output_format, plot_file, studies.sweep_csv, studies.sweep_summary, sweep_chart
    )
    agree = all(v is not False for t in result.engines.values() for v in t.agree)
    return EXIT_AGREE if agree else EXIT_DISAGREE
