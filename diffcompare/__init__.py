"""diffcompare: derivatives three ways, each measured against an exact reference.

    >>> from diffcompare import compare
    >>> compare("3*x**2 + 2*x - 1", {"x": 1.0}).agree
    True

Importing the package costs nothing: each name below is imported when first asked for
(numpy with `compare`, sympy on the first comparison, the installed metadata with
`__version__`), so the command line starts, and can be interrupted, as Python itself.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing itself takes longer to import than all of this module
if TYPE_CHECKING:
    from typing import Any

    from .compare.comparison import Comparison, compare
    from .compare.settings import Settings
    from .errors import (
        DiffCompareError,
        DomainError,
        InputError,
        LimitError,
        ParseError,
        SymbolicError,
        TimeLimitError,
    )
    from .language.limits import DEFAULT_LIMITS, Limits
    from .study.steps import steps
    from .study.sweep import sweep

_HOMES = {
    "compare": "compare.comparison",
    "Comparison": "compare.comparison",
    "Settings": "compare.settings",
    "DiffCompareError": "errors",
    "DomainError": "errors",
    "InputError": "errors",
    "LimitError": "errors",
    "ParseError": "errors",
    "SymbolicError": "errors",
    "TimeLimitError": "errors",
    "DEFAULT_LIMITS": "language.limits",
    "Limits": "language.limits",
    "steps": "study.steps",
    "sweep": "study.sweep",
}
"""Public name -> the module under the package that defines it."""

__all__ = [
    "DEFAULT_LIMITS",
    "Comparison",
    "DiffCompareError",
    "DomainError",
    "InputError",
    "LimitError",
    "Limits",
    "ParseError",
    "Settings",
    "SymbolicError",
    "TimeLimitError",
    "__version__",
    "compare",
    "steps",
    "sweep",
]

# The subpackage `compare` shares its name with the function `compare`. Load the (empty)
# subpackage now and drop the name that loading binds here: `diffcompare.compare` is then
# always the function (found by __getattr__), whichever of the subpackage's modules is
# imported first.
importlib.import_module(f"{__name__}.compare")
del globals()["compare"]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
        globals()[name] = value  # found once; later lookups do not come here
        return value
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("diffcompare")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
