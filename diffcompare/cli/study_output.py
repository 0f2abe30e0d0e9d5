"""What `steps` and `sweep` print: JSON, CSV or a table with a text chart, and the picture."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click


def show_study(
    result: Any,
    output_format: str,
    plot_file: str | None,
    csv_text: Callable[[Any], str],
    summary: Callable[[Any], Any],
    chart: Callable[[Any, int], Any],
) -> None:
    """Prints `result` in `output_format`; with `plot_file`, draws it there instead of the
    text chart (the table's "wrote" line goes to stderr when stdout carries data)."""
    from ..report import studies

    if output_format == "json":
        click.echo(studies.to_json(result))
    elif output_format == "csv":
        click.echo(csv_text(result), nl=False)
    else:
        from rich.console import Console

        console = Console()
        console.print(summary(result))
        if plot_file is None:
            console.print(chart(result, console.width), soft_wrap=True)
    if plot_file is not None:
        from ..report.plots import save

        save(result.plot(), plot_file)
        click.echo(f"wrote {plot_file}", err=output_format != "table")
