"""Grading answers to calculus exercises: derivatives as text, numbers, and student code.

    >>> from diffcompare import grading
    >>> grading.check_derivative("6*x + 2", of="3*x**2 + 2*x - 1", wrt="x").status
    'correct'

Every check returns a `Feedback`. Student text goes through the safe parser and its limits;
the symbolic work runs in a worker process under a time and memory budget (`sandbox`).
Names are imported on first use, so importing this package does not load sympy.
"""

from __future__ import annotations

import importlib
from typing import Any

from .feedback import Feedback, Status

# public name -> module (relative to this package) that defines it
_LAZY = {
    "check_derivative": "derivative",
    "check_gradient": "derivative",
    "check_hessian": "derivative",
    "check_values": "values",
    "Mistake": "mistakes",
    "run_limited": "sandbox",
    "check_function": "function",
    "Exercise": "exercise",
}

__all__ = ["Feedback", "Status", *_LAZY]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        module = importlib.import_module(f".{module_name}", __name__)
    except ModuleNotFoundError as missing:
        if missing.name != f"{__name__}.{module_name}":
            raise
        raise AttributeError(f"{__name__}.{name} is not available yet") from None
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
