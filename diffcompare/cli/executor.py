"""--executor and --scheduler: where batch and grade run their work, with one meaning in both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

Command = TypeVar("Command", bound=Callable[..., Any])

EXECUTORS = ("local", "dask")


def executor_options(command: Command) -> Command:
    """Adds ``executor`` and ``scheduler`` (None unless ``--executor dask``)."""
    command = click.option(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="With --executor dask: the scheduler's address (tcp://host:8786), or 'local' "
        "for a cluster of --jobs worker processes on this machine.  [default: local]",
    )(command)
    return click.option(
        "--executor",
        type=click.Choice(EXECUTORS),
        default="local",
        show_default=True,
        help="local: this machine's worker processes; dask: a Dask cluster "
        "(pip install 'diffcompare[dask]').",
    )(command)


def chosen_scheduler(executor: str, scheduler: str | None) -> str | None:
    """The scheduler to use; a usage error for --scheduler without --executor dask."""
    if scheduler is not None and executor != "dask":
        raise click.UsageError("--scheduler goes with --executor dask")
    if executor == "dask":
        return scheduler or "local"
    return None
