"""What every engine returns, so the comparison can treat them alike.

A derivative is named by its *entry*: the tuple of variable indices it differentiates by, in
non-decreasing order. ``()`` is the value, ``(i,)`` a gradient component, ``(i, j)`` a Hessian
entry (i <= j; the matrix is symmetric), ``(0,) * k`` the k-th derivative of a function of
one variable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Entry = tuple[int, ...]


def entries_for(n_variables: int, order: int) -> list[Entry]:
    """The entries a comparison asks for: value, gradient and Hessian for order 2, or all
    derivatives up to `order` for one variable."""
    if n_variables == 1:
        return [(0,) * k for k in range(order + 1)]
    wanted: list[Entry] = [()]
    if order >= 1:
        wanted += [(i,) for i in range(n_variables)]
    if order >= 2:
        wanted += [(i, j) for i in range(n_variables) for j in range(i, n_variables)]
    return wanted


def canonical(entry: Iterable[int]) -> Entry:
    return tuple(sorted(entry))


@dataclass
class EngineResult:
    """One engine's numbers at one point.

    `values` holds a float for each entry it computed and None for each it could not, with
    the reason in `reasons` (``"log of a non-positive number"``, ``"overflow"``...).
    `error_estimates` is filled by engines that know their own error (finite differences).
    `info` carries engine-specific facts for the report (steps, method, formulas).
    """

    engine: str
    values: dict[Entry, float | None] = field(default_factory=dict)
    reasons: dict[Entry, str] = field(default_factory=dict)
    error_estimates: dict[Entry, float] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
