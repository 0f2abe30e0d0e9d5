"""The finite-difference engine: central differences that say how wrong they may be.

It only evaluates the function (float64, `evaluate.evaluate`), every stencil point of a call
in one vectorised evaluation. Without a step it extrapolates central differences on halving
steps (Richardson, Neville's tableau in h²) and keeps the estimate whose error estimate is
smallest; with `step=h` it is the textbook formula with that h, in the textbook's operation
order, so its float64 result is bit for bit what a student's program prints.

An entry's error estimate = truncation (how much the tableau or a doubled step disagrees)
+ rounding (float64 noise of the function values, magnified by 1/h^k and the extrapolation).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import InputError
from ..language.evaluate import evaluate, undefined_reason
from ..language.expr import Expr
from ..language.expr import variables as variables_of
from .base import EngineResult, Entry, canonical
from .stencils import EPS, ROUNDING_ULPS, Difference, Stencil, combine, stencil

LEVELS = 12
"""Halving steps tried by the extrapolation: 12 reach h0/2048, enough to fit between a point
and a nearby edge of the domain; the smallest steps are rarely chosen (their rounding is big)."""

BASE_STEP = 0.1
"""First step relative to max(1, |x|), rounded down to a power of two (x ± h is then exact)."""


def stencil_for(entry: Entry) -> Stencil:
    return stencil(canonical(entry), "central")


class _Batch:
    """Stencil points of one call, collected so they are evaluated in one numpy pass."""

    def __init__(self, point: np.ndarray) -> None:
        self.point = point
        self.blocks: list[np.ndarray] = []
        self.size = 0

    def add(self, stencil: Stencil, steps: Sequence[float]) -> slice:
        return self.add_levels(stencil, [list(steps)])[0]

    def add_levels(self, stencil: Stencil, levels: Sequence[Sequence[float]]) -> list[slice]:
        """The stencil at several step sizes (one list of per-axis steps each), built in one
        numpy pass: one block of points per level."""
        size = len(stencil.offsets)
        coords = np.tile(self.point, (size * len(levels), 1))
        if stencil.axes:
            offsets = np.array(stencil.offsets, dtype=np.float64)  # (points, axes)
            steps = np.array(levels, dtype=np.float64)  # (levels, axes)
            for k, axis in enumerate(stencil.axes):
                # x + (o*h): for o = ±1 exactly x + h and x - h
                moves = offsets[None, :, k] * steps[:, k, None]
                coords[:, axis] = (self.point[axis] + moves).ravel()
        self.blocks.append(coords)
        start = self.size
        self.size += len(coords)
        return [slice(start + i * size, start + (i + 1) * size) for i in range(len(levels))]

    def evaluate(self, expr: Expr, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        coords = np.concatenate(self.blocks) if self.blocks else np.empty((0, len(names)))
        env = {name: coords[:, i] for i, name in enumerate(names)}
        return evaluate(expr, env), coords


def _richardson(estimates: list[tuple[float, Difference]]) -> tuple[float, float, int]:
    """Neville's tableau in t = (h/h0)² over the defined levels, extrapolated to t = 0.

    Returns (value, error estimate, index of the finest level used) with the smallest error
    estimate; the estimate is the tableau's disagreement plus the propagated rounding.
    """
    ts = [t for t, _ in estimates]
    row = [e.value for _, e in estimates[:1]]
    noise_row = [e.rounding for _, e in estimates[:1]]
    best = (estimates[0][1].value, math.inf, 0)
    for i in range(1, len(estimates)):
        new_row = [estimates[i][1].value]
        new_noise = [estimates[i][1].rounding]
        best = _better(best, (new_row[0], abs(new_row[0] - row[0]) + new_noise[0], i))
        for j in range(1, i + 1):
            ta, tb = ts[i - j], ts[i]
            value = (ta * new_row[j - 1] - tb * row[j - 1]) / (ta - tb)
            noise = (ta * new_noise[j - 1] + tb * noise_row[j - 1]) / (ta - tb)
            truncation = max(abs(value - new_row[j - 1]), abs(value - row[j - 1]))
            new_row.append(value)
            new_noise.append(noise)
            best = _better(best, (value, truncation + noise, i))
        row, noise_row = new_row, new_noise
    return best


def _better(
    best: tuple[float, float, int], candidate: tuple[float, float, int]
) -> tuple[float, float, int]:
    if math.isfinite(candidate[0]) and candidate[1] < best[1]:
        return candidate
    return best


def run(
    expr: Expr,
    variables: Sequence[str],
    point: Sequence[float],
    entries: Sequence[Entry],
    *,
    step: float | None = None,
    levels: int = LEVELS,
    **_: Any,
) -> EngineResult:
    start = time.perf_counter()
    names = list(variables)
    missing = [v for v in variables_of(expr) if v not in names]
    if missing:
        raise InputError(f"no value given for variable {missing[0]}")
    if len(point) != len(names):
        raise InputError(f"{len(names)} variables but {len(point)} coordinates")
    if step is not None and not (math.isfinite(step) and step > 0):
        raise InputError(f"the step must be a positive number, not {step}")
    x = np.array([float(v) for v in point], dtype=np.float64)
    result = EngineResult(engine="finite")
    result.info["method"] = "richardson" if step is None else "central"
    steps_used: dict[Entry, float] = {}
    result.info["step"] = steps_used

    # every stencil of every entry and level, for one evaluation
    batch = _Batch(x)
    center = batch.add(stencil_for(()), [])
    plans: dict[Entry, tuple[Stencil, list[tuple[float, list[float], slice]]]] = {}
    for entry in entries:
        entry = canonical(entry)
        if not entry or entry in plans:
            continue
        stencil = stencil_for(entry)
        if step is None:
            base = [_base_step(x[a]) for a in stencil.axes]
            scales = [0.5**level for level in range(levels)]
        else:
            base = [float(step) for _ in stencil.axes]
            scales = [1.0, 2.0, 0.5]  # h itself, then 2h and h/2 to estimate its error
        levels_steps = [[b * s for b in base] for s in scales]
        slices = batch.add_levels(stencil, levels_steps)
        requests = list(zip(scales, levels_steps, slices, strict=True))
        plans[entry] = (stencil, requests)
    f, coords = batch.evaluate(expr, names)

    f0 = float(f[center][0])
    value_reason = None
    if not math.isfinite(f0):
        value_reason = undefined_reason(expr, dict(zip(names, x.tolist(), strict=True)))
    for entry in entries:
        entry = canonical(entry)
        if value_reason is not None:
            result.values[entry] = None
            result.reasons[entry] = value_reason
            continue
        if not entry:
            result.values[entry] = f0
            result.error_estimates[entry] = ROUNDING_ULPS * EPS * abs(f0)
            continue
        stencil, requests = plans[entry]
        estimates = [(s, hs, combine(stencil, f[sl], hs)) for s, hs, sl in requests]
        if step is None:
            kept = [(s * s, e) for s, _, e in estimates if e.ok]
            if not kept:
                result.values[entry] = None
                result.reasons[entry] = _edge_reason(expr, names, f, coords, requests[-1][2])
                continue
            value, error, finest = _richardson(kept)
            finest_scale = math.sqrt(kept[finest][0])
            steps_used[entry] = _base_step(x[stencil.axes[0]]) * finest_scale
        else:
            main, double, half = (estimate for _s, _hs, estimate in estimates)
            if not main.ok:
                result.values[entry] = None
                result.reasons[entry] = _edge_reason(expr, names, f, coords, requests[0][2])
                continue
            value = main.value
            if double.ok:
                error = abs(main.value - double.value) + main.rounding
            elif half.ok:
                error = 2.0 * abs(main.value - half.value) + main.rounding
            else:
                error = math.inf
            steps_used[entry] = float(step)
        if not math.isfinite(value):
            result.values[entry] = None
            result.reasons[entry] = "overflow"
            continue
        result.values[entry] = value
        result.error_estimates[entry] = error
    result.seconds = time.perf_counter() - start
    return result


def _base_step(x: float) -> float:
    return 2.0 ** math.floor(math.log2(BASE_STEP * max(1.0, abs(x))))


def _edge_reason(
    expr: Expr, names: Sequence[str], f: np.ndarray, coords: np.ndarray, where: slice
) -> str:
    values = f[where]
    points = coords[where]
    bad = int(np.flatnonzero(~np.isfinite(values))[0])
    at = dict(zip(names, points[bad].tolist(), strict=True))
    why = undefined_reason(expr, at) or "undefined"
    place = ", ".join(f"{n}={v:.6g}" for n, v in at.items())
    return f"stencil crosses the edge of the domain: {why} at {place}"
