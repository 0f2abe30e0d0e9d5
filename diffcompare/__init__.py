"""diffcompare: derivatives three ways, each measured against an exact reference.

    >>> from diffcompare import compare
    >>> compare("3*x**2 + 2*x - 1", {"x": 1.0}).agree
    True

Importing the package is cheap: sympy loads on the first comparison, not here.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from .compare.comparison import Comparison, compare
from .compare.settings import Settings
from .errors import (
    DiffCompareError,
    DomainError,
    InputError,
    LimitError,
    ParseError,
    TimeLimitError,
)
from .language.limits import DEFAULT_LIMITS, Limits

try:
    __version__ = _version("diffcompare")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

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
    "TimeLimitError",
    "__version__",
    "compare",
]
