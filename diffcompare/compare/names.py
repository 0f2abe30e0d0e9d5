"""How derivative entries are named: as a person writes them (``f''``, ``∂²f/∂x∂y``), as the
JSON document places them (``hessian[0][1]``), and back from any of those to the entry.

The table, the step study and the sweep all name entries; `--entry` accepts every name they
print, plus plain-text spellings (``d2f/dxdy``, ``d2f/dx2``, ``df/dx``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..engines.base import Entry, entries_for
from ..errors import InputError

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_PLAIN = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹∂", "0123456789d")


def entry_name(entry: Entry, variables: Sequence[str], *, plain: bool = False) -> str:
    """How a person writes the entry: ``f``, ``f'``, ``f⁽⁴⁾``, ``∂f/∂x``, ``∂²f/∂x∂y``;
    with `plain`, in ASCII for a student's message: ``f^(4)``, ``d/dx``, ``d2/dx dy``."""
    k = len(entry)
    if k == 0:
        return "f"
    if len(variables) == 1:
        if k <= 3:
            return "f" + "'" * k
        return f"f^({k})" if plain else f"f⁽{str(k).translate(_SUPERSCRIPTS)}⁾"
    counts: dict[int, int] = {}
    for i in entry:
        counts[i] = counts.get(i, 0) + 1
    if plain:
        power = "" if k == 1 else str(k)
        by = " ".join(f"d{variables[i]}" + ("" if c == 1 else str(c)) for i, c in counts.items())
        return f"d{power}/{by}"
    power = "" if k == 1 else str(k).translate(_SUPERSCRIPTS)
    by = "".join(
        f"∂{variables[i]}" + ("" if c == 1 else str(c).translate(_SUPERSCRIPTS))
        for i, c in counts.items()
    )
    return f"∂{power}f/{by}"


def entry_label(entry: Entry, n_variables: int, order: int) -> str:
    """Where the entry sits in the JSON document: ``gradient[0]``, ``hessian[0][1]``, or
    ``derivatives[k]`` for one variable above order 2."""
    if not entry:
        return "value"
    if n_variables == 1 and order > 2:
        return f"derivatives[{len(entry) - 1}]"
    part = "gradient" if len(entry) == 1 else "hessian"
    return part + "".join(f"[{i}]" for i in entry)


def parse_entry(text: str, variables: tuple[str, ...], max_order: int = 2) -> Entry:
    """The entry a name stands for: any name `entry_name` or `entry_label` gives (for one
    variable, derivatives up to `max_order`), its plain-text spelling, or
    ``hessian[j][i]`` for ``hessian[i][j]``. InputError, listing some names, otherwise."""
    wanted = _normal(text)
    n = len(variables)
    order = max_order if n == 1 else min(max_order, 2)
    known: dict[str, Entry] = {}
    for entry in entries_for(n, order):
        names = {entry_name(entry, variables), entry_label(entry, n, 2)}
        names.add(entry_label(entry, n, order))
        if len(entry) == 2:
            names.add(f"hessian[{entry[1]}][{entry[0]}]")
        k = len(entry)
        if n == 1 and entry:
            names.add(f"d{k}f/d{variables[0]}{k}" if k > 1 else f"df/d{variables[0]}")
        for name in list(names):
            names.add(name.translate(_PLAIN))
        for name in names:
            known.setdefault(_normal(name), entry)
    if wanted in known:
        return known[wanted]
    examples = ", ".join(entry_name(e, variables) for e in entries_for(n, min(order, 2)) if e)
    raise InputError(f"--entry {text!r} names no derivative here (try one of: {examples})")


def _normal(name: str) -> str:
    # d^2f/dx^2 reads as d2f/dx2; spaces and a typographic apostrophe do not count
    return "".join(name.split()).replace("’", "'").replace("^", "").lower()
