"""``diffcompare functions``: the expression language's operations, where each is defined, and
an example of each, all read from the one table (`language.ops.TABLE`)."""

from __future__ import annotations

import click
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..language.ops import CONSTANTS, FUNCTIONS, TABLE, Operation

INTRODUCTION = (
    "Expressions are made of numbers (2, 0.5, 1e-3), the constants {constants}, variables "
    "(x, y2, w_1) and the operations below, where x, y and b stand for any expression; "
    "x ^ y is the same as x ** y."
)
HEADER = ("operation", "defined for", "example")


def spelling(op: Operation) -> str:
    """How an expression writes the operation: ``x + y``, ``-x``, ``sin(x)``, ``log(x, b)``."""
    if op.symbol is not None:
        if op.arity == 1:
            return f"{op.symbol}{op.arguments[0]}"
        return f" {op.symbol} ".join(op.arguments)
    return f"{_names(op)[0]}({', '.join(op.arguments)})"


def aliases(op: Operation) -> list[str]:
    """Other names of the same operation: ``ln(x)`` for ``log(x)``, ``pow(x, y)``."""
    names = _names(op)
    others = names if op.symbol is not None else names[1:]
    return [f"{name}({', '.join(op.arguments)})" for name in others]


def _names(op: Operation) -> list[str]:
    # the operation's own name first, then the other names the parser maps to it
    found = [name for name, arities in FUNCTIONS.items() if arities.get(op.arity) == op.name]
    return sorted(found, key=lambda name: name != op.name)


def rows() -> list[tuple[str, str, str]]:
    """(spelling, where it is defined, an example) for every operation, in table order; an
    alias gets a row of its own that says what it is the same as."""
    table: list[tuple[str, str, str]] = []
    for op in TABLE:
        written = spelling(op)
        table.append((written, op.domain, op.example))
        table.extend((alias, f"the same as {written}", "") for alias in aliases(op))
    return table


def listing() -> Group:
    """What `diffcompare functions` prints (the README shows it at 80 columns)."""
    grid = Table(box=None, header_style="bold", pad_edge=False, padding=(0, 2, 0, 0))
    grid.add_column(HEADER[0], no_wrap=True)
    grid.add_column(HEADER[1], ratio=3)
    grid.add_column(HEADER[2], ratio=2, overflow="fold")
    for row in rows():
        grid.add_row(*row)
    introduction = Text(INTRODUCTION.format(constants=" and ".join(CONSTANTS)))
    return Group(introduction, Text(""), grid)


@click.command("functions")
def functions() -> None:
    """List every operation of the expression language, where it is defined, and an
    example."""
    Console(highlight=False).print(listing())
