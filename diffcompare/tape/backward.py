"""The backward pass: one loop over a tape's records, last first.

Each record sends the gradient of its output to the inputs the tape follows, through its
rules. Two ways to run a rule, decided once per pass:

- taped, when some tape is recording (a gradient of a gradient): the rules compute with tape
  functions on the recorded values made tensors again under their old keys (`revived`), so
  the tapes that recorded the forward operations link this pass to them;
- plain, otherwise: the rules compute on the raw values with numpy or `math`. Its fast path
  is the record whose values are all floats (nearly every record of scalar code): `math`
  itself, no shapes to undo.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .core import Tensor, shape_of
from .functions import FLOAT_MATH, RAW_MATH, TAPE_MATH, raw_rule_with_numpy, sum_to_shape
from .recording import Record, Recorder, inputs_of, revived

# math's refusals (a domain edge, an overflow), and a float function handed an array: the
# rule runs again on numpy floats, which answer inf or nan
_RETRY = (ArithmeticError, ValueError, TypeError)


def play(
    recorder: Recorder,
    targets: Sequence[Tensor],
    seeds: Sequence[Any],
    keep: set[int | None],
    taped: bool,
) -> dict[int | None, Any]:
    """Gradients of the targets (weighted by the seeds), by key: those of the sources
    (`keep`) and of followed tensors no record consumed. `seeds` are tensors when `taped`,
    raw values otherwise."""
    grads: dict[int | None, Any] = {}
    followed = recorder.followed
    for target, seed in zip(targets, seeds, strict=True):
        key = target._key
        if key is None or key not in followed:
            continue  # nothing followed led to it: every gradient is unconnected
        grads[key] = grads[key] + seed if key in grads else seed
    # a pass that the tape itself records appends to its records: play the ones there were
    records = recorder.records[:] if taped else recorder.records
    if not recorder.arrays:
        # Python floats raise where numpy would warn, and the rules catch that
        walk(records, followed, keep, grads, taped)
    else:
        with np.errstate(all="ignore"):  # inf and nan are answers here, not warnings
            walk(records, followed, keep, grads, taped)
    return grads


def walk(
    records: Sequence[Record],
    followed: set[int | None],
    keep: set[int | None],
    grads: dict[int | None, Any],
    taped: bool,
) -> None:
    """The loop. The gradient of a record's output is complete when the record is reached
    (records are in the order the operations ran), and is dropped then unless it is wanted.

    In a plain pass, array gradients that meet are added in place when the sum is an array
    this pass made itself (`owned`) and has not yet handed to a rule, which may return it
    unchanged (the rule of +): big arrays then cost one allocation per source, not one per
    use. A taped pass never adds in place: its sums are recorded values.
    """
    F = TAPE_MATH if taped else RAW_MATH
    fast = FLOAT_MATH
    # the fast path's two kinds of record (see Record's float_inputs); none in a taped pass
    one, two = (-1, -1) if taped else (1, 2)
    real = float
    get = grads.get
    pop = grads.pop
    owned: set[int] = set()
    for entry in reversed(records):
        out, ans, rules, float_inputs, key_a, value_a, key_b, value_b, rest = entry
        g = get(out) if out in keep else pop(out, None)
        if g is None:
            continue
        # the fast path: floats in and out, so `math` on them, and a float gradient
        if float_inputs == two:  # a binary operator: nearly every record of scalar code
            if key_a in followed:
                try:
                    part = rules[0](fast, g, ans, value_a, value_b)
                except _RETRY:
                    part = raw_rule_with_numpy(rules[0], g, ans, (value_a, value_b))
                previous = get(key_a)
                grads[key_a] = part if previous is None else previous + part
            if key_b in followed:
                try:
                    part = rules[1](fast, g, ans, value_a, value_b)
                except _RETRY:
                    part = raw_rule_with_numpy(rules[1], g, ans, (value_a, value_b))
                previous = get(key_b)
                grads[key_b] = part if previous is None else previous + part
            continue
        if float_inputs == one:
            try:
                part = rules[0](fast, g, ans, value_a)
            except _RETRY:
                part = raw_rule_with_numpy(rules[0], g, ans, (value_a,))
            previous = get(key_a)
            grads[key_a] = part if previous is None else previous + part
            continue
        keys, values = inputs_of(entry)
        if taped:
            answer = revived(out, ans) if ans is not None else None
            # a number no tape follows needs no tensor: the rules' arithmetic takes it as is
            inputs: Sequence[Any] = [
                value if key is None and type(value) is real else revived(key, value)
                for key, value in zip(keys, values, strict=True)
            ]
        else:
            if owned:
                owned.discard(id(g))
        for k, key in enumerate(keys):
            if key not in followed:
                continue
            rule = rules[k]
            if taped:
                part = rule(F, g, answer, *inputs)
            else:
                try:
                    part = rule(F, g, ans, *values)
                except (ArithmeticError, ValueError):
                    part = raw_rule_with_numpy(rule, g, ans, values)
            value = values[k]
            if taped or type(part) is not real or type(value) is not real:
                part = sum_to_shape(part, shape_of(value), taped)
            previous = get(key)
            if previous is None:
                grads[key] = part
            elif taped or type(previous) is real or id(previous) not in owned:
                grads[key] = total = previous + part
                if not taped and type(total) is not real:
                    owned.add(id(total))
            else:
                previous += part
