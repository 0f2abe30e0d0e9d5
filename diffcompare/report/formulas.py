"""The symbolic engine's formulas, shown above the table (``--formulas``).

Each formula is written in the expression language, so it can be pasted back into
diffcompare. Long formulas wrap at the console's width, continued under their own first
character (a run without spaces is split where it must be); nothing is shortened.
"""

from __future__ import annotations

import textwrap

from rich.console import Group
from rich.text import Text

from ..compare.comparison import Comparison
from .render import entry_name


def formula_lines(comparison: Comparison, width: int) -> Group:
    """One formula per derivative (the distinct Hessian entries for several variables),
    wrapped to `width`, then a line for each formula not simplified or not written."""
    names = [entry_name(entry, comparison.variables) for entry in comparison.formulas]
    if len(comparison.variables) == 1:
        names = [f"{name}({comparison.variables[0]})" for name in names]
    indent = max((len(name) for name in names), default=0) + 3
    lines: list[Text] = [Text("symbolic formulas", style="bold")]
    for name, text in zip(names, comparison.formulas.values(), strict=True):
        body = text if text is not None else "(the expression language cannot write it)"
        wrapped = textwrap.wrap(
            body,
            width=max(width - indent, 20),
            break_on_hyphens=False,
            break_long_words=True,
        )
        for k, piece in enumerate(wrapped):
            line = Text(f"{name} =".ljust(indent) if k == 0 else " " * indent, style="bold")
            line.append(piece, style="")
            lines.append(line)
    by_note: dict[str, list[str]] = {}
    for entry, note in comparison.formula_notes.items():
        by_note.setdefault(note, []).append(entry_name(entry, comparison.variables))
    for note, entries in by_note.items():  # one line per reason, not one per entry
        text = f"{', '.join(entries)}: {note}"
        for k, piece in enumerate(textwrap.wrap(text, width=max(width - 2, 20))):
            lines.append(Text(("" if k == 0 else "  ") + piece, style="dim"))
    return Group(*lines)
