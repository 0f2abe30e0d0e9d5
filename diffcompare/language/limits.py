"""Bounds that keep every entry point finite in time and memory, whatever the input.

The defaults suit text from strangers (students, web forms, files of unknown origin). A caller
who trusts its input can pass a larger `Limits` to `parse`, `compare`, batch and grading.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_length: int = 10_000
    """Characters of expression text."""
    max_depth: int = 100
    """Nesting of the tree (parentheses, calls, operators; a flat sum of n terms nests n
    deep). sympy recurses once a level of its own, and some functions are several of its
    levels (sigmoid is four): a tree that takes sympy past Python's recursion limit is
    refused with LimitError, whatever this limit."""
    max_nodes: int = 2_000
    """Nodes of the tree."""
    max_variables: int = 64
    """Distinct variables (a Hessian is n x n)."""
    max_order: int = 6
    """Highest derivative order for one variable."""
    max_literal_digits: int = 100
    """Significant digits of a numeric literal."""
    max_log10_magnitude: float = 300.0
    """Largest |log10| of a numeric literal, and of any point coordinate."""
    max_constant_log10: float = 4_000.0
    """Largest |log10| of any constant sub-expression (sees through 9**9**9)."""
    max_point_log10: float = 100_000.0
    """Largest log10 of a value at a point (checked before evaluating there). The exact
    reference keeps such a number as a mantissa and an exponent, so 4**5999 (3,612 digits)
    costs nothing and a tiny value nothing at all; what costs is feeding a huge one to exp
    or a power, which this bound stops (exp(x**6000) at x = 3)."""
    symbolic_seconds: float = 10.0
    """Time budget for sympy's work in one comparison (derivatives, simplification, the
    50-digit reference), enforced by interrupting it (`deadline.time_budget`): past it the
    comparison ends with TimeLimitError. `inf` turns the budget off."""


DEFAULT_LIMITS = Limits()
