"""Which values a derivative rule reads.

A rule is called as `rule(F, g, ans, *inputs)`. Most rules read only some of those values: the
rule of `+` reads none of them, the rule of `exp` reads `ans` only. A tape that keeps only the
values its rules read lets numpy free every other intermediate array as soon as the forward
computation is done with it, which is most of the memory (and, for big arrays, much of the
time) of a recorded forward pass.

The answer is read off the rule's bytecode once per definition site, so it cannot drift from
what the rule says. Anything unusual (a callable without Python bytecode, a rule that hands an
argument to an inner function) is answered conservatively: it reads everything.
"""

from __future__ import annotations

import dis
import inspect
from collections.abc import Callable, Sequence
from operator import attrgetter
from types import CodeType
from typing import Any

# (code, arity) -> for (ans, input 0, input 1, ...): does the rule read it?
_CACHE: dict[tuple[CodeType, int], tuple[bool, ...]] = {}


def reads(rule: Callable[..., Any], arity: int) -> tuple[bool, ...]:
    """For `ans` and each of the `arity` inputs, whether `rule` may read it."""
    code = getattr(rule, "__code__", None)
    if not isinstance(code, CodeType):
        return (True,) * (arity + 1)
    key = (code, arity)
    known = _CACHE.get(key)
    if known is None:
        known = _CACHE[key] = _analyse(code, arity)
    return known


# (rules' code, followed) -> needed(...). Keyed by code, not by the rules themselves: rules
# made afresh per call (closures of where, getitem, ...) may hold arrays, which a cache must
# not keep alive; their code is one object per place of definition.
_NEEDED: dict[tuple[Any, ...], list[bool]] = {}
_NEEDED_SIZE = 1024
_CODE = attrgetter("__code__")


def needed(rules: Sequence[Callable[..., Any]], followed: Sequence[bool]) -> list[bool]:
    """What the rules of the followed inputs read, together: what a record must keep."""
    try:
        key = (*map(_CODE, rules), *followed)
    except AttributeError:  # not Python functions: worked out each time
        return _needed(rules, followed)
    known = _NEEDED.get(key)
    if known is None:
        if len(_NEEDED) >= _NEEDED_SIZE:
            _NEEDED.clear()
        known = _NEEDED[key] = _needed(rules, followed)
    return known


def _needed(rules: Sequence[Callable[..., Any]], followed: Sequence[bool]) -> list[bool]:
    arity = len(rules)
    keep = [False] * (arity + 1)
    for rule, wanted in zip(rules, followed, strict=True):
        if wanted:
            for i, used in enumerate(reads(rule, arity)):
                if used:
                    keep[i] = True
    return keep


def _analyse(code: CodeType, arity: int) -> tuple[bool, ...]:
    named = code.co_varnames[: code.co_argcount]
    # positions 0 and 1 are F and g; then ans and the inputs
    slots: list[str | None] = list(named[2:]) + [None] * (arity + 1 - len(named[2:]))
    slots = slots[: arity + 1]
    star = None
    if code.co_flags & inspect.CO_VARARGS:
        star = code.co_varnames[code.co_argcount + code.co_kwonlyargcount]
    loaded = _local_loads(code)
    if loaded is None:
        return (True,) * (arity + 1)
    if set(code.co_cellvars) & (set(slots) | {star}):
        return (True,) * (arity + 1)  # captured by an inner function: assume it is read
    star_read = star is not None and star in loaded
    return tuple(star_read if name is None else name in loaded for name in slots)


def _local_loads(code: CodeType) -> set[str] | None:
    """Names of the local variables the code loads (None when it does something unusual)."""
    names: set[str] = set()
    for instruction in dis.get_instructions(code):
        opname = instruction.opname
        if "FAST" not in opname or "LOAD" not in opname:
            continue  # stores and deletes
        value = instruction.argval
        if isinstance(value, str):
            names.add(value)
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            names.update(value)  # LOAD_FAST_LOAD_FAST and its kin (3.13 and later)
        else:
            return None
    return names
