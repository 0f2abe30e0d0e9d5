"""What a comparison is asked to do: one frozen object, checked once, when it is made.

Every front door (``compare()``, the command line, batch runs) builds a `Settings` and
passes it down; nothing below re-checks what it holds. A bad value is an InputError (or a
LimitError for an order above the limit) that names the setting.

A new setting is one line: a field whose default says what it is checked by, e.g.
``method: str = setting("auto", finite_method)``, with `finite_method` a function that
returns the value or raises an InputError naming the setting.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InputError, LimitError
from ..language.limits import DEFAULT_LIMITS, Limits

ENGINE_MODULES: dict[str, str] = {
    "symbolic": "diffcompare.engines.symbolic",
    "finite": "diffcompare.engines.finite",
    "tape": "diffcompare.engines.tape",
}
"""The engines a comparison can run, by name. Imported on first use: sympy is slow to load."""

DEFAULT_RTOL = 1e-9
DEFAULT_ATOL = 1e-12

FINITE_RTOLS = (1e-9, 1e-8, 1e-6, 1e-4, 1e-3)
"""Relative tolerance of finite differences by derivative order (the value, then orders 1, 2,
3, and 4 and above): what a careful float64 difference method reaches for that order, with
room to spare. The best single central difference of order k loses about eps^(2/(k+2)) of
the derivative (4e-11, 1.5e-8, 6e-7, 7e-6 for k = 1..4) to truncation and rounding, and
extrapolation or the complex step do better; a value is a plain evaluation."""

FINITE_METHODS = ("auto", "central", "forward", "backward", "complex")

Check = Callable[[str, Any], Any]
"""Takes the setting's name and the value given; returns the value to keep (normalised) or
raises a DiffCompareError that names the setting."""


def setting(default: Any, check: Check) -> Any:
    """A field of `Settings` with its default and the check every value passes."""
    return dataclasses.field(default=default, metadata={"check": check})


# -- checks -------------------------------------------------------------------------------


def non_negative(name: str, value: Any) -> float:
    """A finite number >= 0 (a tolerance)."""
    if isinstance(value, bool) or not (
        isinstance(value, int | float) and math.isfinite(value) and value >= 0
    ):
        raise InputError(f"{name} must be a finite number >= 0, not {value!r}")
    return float(value)


def positive_or_none(name: str, value: Any) -> float | None:
    """None (let the engine choose) or a positive finite number (a step)."""
    if value is None:
        return None
    if isinstance(value, bool) or not (
        isinstance(value, int | float) and math.isfinite(value) and value > 0
    ):
        raise InputError(f"{name} must be a positive finite number, not {value!r}")
    return float(value)


def non_negative_or_none(name: str, value: Any) -> float | None:
    """None (the defaults) or a finite number >= 0 (a tolerance)."""
    return None if value is None else non_negative(name, value)


def finite_method(name: str, value: Any) -> str:
    if value not in FINITE_METHODS:
        raise InputError(f"{name} must be one of {', '.join(FINITE_METHODS)}, not {value!r}")
    return str(value)


def whole_number(name: str, value: Any) -> int:
    """A whole number >= 0 (an order)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"{name} must be a whole number >= 0, not {value!r}")
    return int(value)


def engine_names(name: str, value: Any) -> tuple[str, ...]:
    """Known engine names, each once, in the order given; a lone name is a list of one."""
    names = (value,) if isinstance(value, str) else tuple(value)
    unknown = [engine for engine in names if engine not in ENGINE_MODULES]
    if unknown:
        raise InputError(f"unknown engine {unknown[0]!r} (choose from {', '.join(ENGINE_MODULES)})")
    if not names:
        raise InputError(f"no engine chosen (choose from {', '.join(ENGINE_MODULES)})")
    return tuple(dict.fromkeys(names))


def flag_or_none(name: str, value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise InputError(f"{name} must be True, False or None, not {value!r}")
    return value


def limits_object(name: str, value: Any) -> Limits:
    if not isinstance(value, Limits):
        raise InputError(f"{name} must be a diffcompare.Limits, not {type(value).__name__}")
    return value


# -- the settings -------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """How to compare: which derivatives, which engines, how strictly, within which limits.

    Checked when made (also by `dataclasses.replace`), so a `Settings` in hand is valid.
    """

    order: int = setting(2, whole_number)
    """2: value, gradient, Hessian. Above 2 (one variable only): derivatives up to it."""
    engines: tuple[str, ...] = setting(("symbolic", "finite", "tape"), engine_names)
    rtol: float = setting(DEFAULT_RTOL, non_negative)
    """Relative tolerance of symbolic and tape (and of every engine's value)."""
    atol: float = setting(DEFAULT_ATOL, non_negative)
    """Absolute floor, times the largest exact entry of the same order."""
    fd_rtol: float | None = setting(None, non_negative_or_none)
    """Relative tolerance of finite differences' derivatives, every order (None: per order,
    `FINITE_RTOLS`). Their own error estimate is reported beside, never added."""
    step: float | None = setting(None, positive_or_none)
    """Force the finite-difference step (None: the engine chooses per entry)."""
    method: str = setting("auto", finite_method)
    """The finite-difference stencil: central, forward, backward, complex, or auto (the
    engine decides per entry)."""
    limits: Limits = setting(DEFAULT_LIMITS, limits_object)
    simplify: bool | None = setting(None, flag_or_none)
    """Simplify the symbolic formulas. None lets the front door decide: a single
    comparison simplifies; a batch does not, where sympy's simplify would cost more than
    every engine and the reference together."""

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            check: Check = field.metadata["check"]
            object.__setattr__(self, field.name, check(field.name, getattr(self, field.name)))
        if self.order > self.limits.max_order:
            raise LimitError(
                f"order {self.order} is above the limit of {self.limits.max_order}"
                " (Limits.max_order)"
            )

    def replace(self, **changes: Any) -> Settings:
        """A copy with `changes`, checked like any new Settings."""
        return dataclasses.replace(self, **changes)

    def relative_tolerance(self, engine: str, order: int) -> float:
        """The relative tolerance that `engine`'s entries of derivative `order` are judged
        by, fixed before any value is seen."""
        if engine != "finite":
            return self.rtol
        if order == 0:
            return self.rtol
        if self.fd_rtol is not None:
            return self.fd_rtol
        return FINITE_RTOLS[min(order, len(FINITE_RTOLS) - 1)]

    def simplifies(self, default: bool) -> bool:
        return default if self.simplify is None else self.simplify


DEFAULT_SETTINGS = Settings()

SETTING_NAMES: Sequence[str] = tuple(field.name for field in dataclasses.fields(Settings))
