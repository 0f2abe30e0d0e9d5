"""Finite differences at many points at once, for sweeps.

A first derivative of an analytic function is the complex step, as `finite.run` takes it by
default (`auto`), in arrays: the same numbers, estimate included, except next to a domain
edge, where `finite.run` turns one-sided and this gives nan. Anything else uses the stencils
of `stencils`, arranged in arrays: central differences on `LEVELS` halving
steps from `BASE_STEP`·max(1, |x|) (rounded down to a power of two), extrapolated by
Neville's tableau in h², keeping per point the estimate with the smallest error estimate.
Every stencil point of every level at every point is evaluated in one numpy pass; the
tableau runs on whole columns. It is simpler than `finite.run` (no search over decades, no
complex step, no one-sided stencils): where both answer, they agree within their error
estimates (a test holds them to it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..language.evaluate import evaluate
from ..language.evaluate_complex import evaluate_complex, not_analytic_reason
from ..language.expr import Expr
from .base import Entry, canonical
from .finite import COMPLEX_PROBE_ULPS, EDGE_PROBE
from .stencils import COMPLEX_STEP, EPS, ROUNDING_ULPS, stencil

LEVELS = 12
"""Halving steps: 12 reach h0/2048, enough to fit between most points and a nearby edge."""

BASE_STEP = 0.1
"""First step relative to max(1, |x|), rounded down to a power of two (x ± h is exact)."""


def base_steps(x: np.ndarray) -> np.ndarray:
    """The first step at each coordinate: `BASE_STEP`·max(1, |x|) rounded down to 2^k."""
    return np.exp2(np.floor(np.log2(BASE_STEP * np.maximum(1.0, np.abs(x)))))


def derivative_many(
    expr: Expr,
    names: Sequence[str],
    points: np.ndarray,
    entry: Entry,
    levels: int = LEVELS,
) -> tuple[np.ndarray, np.ndarray]:
    """(values, error estimates) of `entry` at each row of `points` (shape (N, n)); nan
    where no level of the stencil is defined."""
    entry = canonical(entry)
    points = np.asarray(points, dtype=np.float64)
    if not entry:
        values = evaluate(expr, {name: points[:, i] for i, name in enumerate(names)})
        return values, ROUNDING_ULPS * EPS * np.abs(values)
    if len(entry) == 1 and not_analytic_reason(expr, {names[entry[0]]}) is None:
        return _complex_step(expr, names, points, entry[0])
    s = stencil(entry, "central")
    count = len(points)
    base = np.stack([base_steps(points[:, axis]) for axis in s.axes], axis=1)  # (N, axes)
    scales = [0.5**level for level in range(levels)]
    offsets = np.array(s.offsets, dtype=np.float64)  # (stencil points, axes)
    # coordinates: (levels, stencil points, N, n), flattened for one evaluation
    coords = np.broadcast_to(points, (levels, len(offsets), count, points.shape[1])).copy()
    for k, axis in enumerate(s.axes):
        steps = np.array(scales)[:, None, None] * base[None, None, :, k]
        coords[..., axis] = points[None, None, :, axis] + offsets[None, :, k, None] * steps
    flat = coords.reshape(-1, points.shape[1])
    f = evaluate(expr, {name: flat[:, i] for i, name in enumerate(names)})
    f = f.reshape(levels, len(offsets), count)

    values = np.empty((levels, count))
    noise = np.empty((levels, count))
    for level, scale in enumerate(scales):
        numerator = np.zeros(count)
        magnitude = np.zeros(count)
        for i, c in enumerate(s.coefficients):
            term = c * f[level, i]
            numerator = term if i == 0 else numerator + term
            magnitude = magnitude + np.abs(term)
        denominator = np.full(count, float(s.divisor))
        power = np.ones(count)
        for k, order in enumerate(s.orders):
            factor = (base[:, k] * scale) ** order
            power = factor if k == 0 else power * factor
        denominator = s.divisor * power
        with np.errstate(all="ignore"):
            values[level] = numerator / denominator
            noise[level] = ROUNDING_ULPS * EPS * magnitude / np.abs(denominator)
        bad = ~np.all(np.isfinite(f[level]), axis=0)
        values[level, bad] = np.nan
        noise[level, bad] = np.nan

    ts = np.array(scales) ** 2
    result = np.full(count, np.nan)
    estimate = np.full(count, np.nan)
    ok = np.isfinite(values)
    # points whose defined levels are the same share one tableau (nearly always all of them)
    patterns, inverse = np.unique(ok.T, axis=0, return_inverse=True)
    for p, pattern in enumerate(patterns):
        kept = np.flatnonzero(pattern)
        if not len(kept):
            continue
        members = np.flatnonzero(inverse.ravel() == p)
        value, error = _richardson(ts[kept], values[kept][:, members], noise[kept][:, members])
        result[members] = value
        estimate[members] = error
    return result, estimate


def _complex_step(
    expr: Expr, names: Sequence[str], points: np.ndarray, axis: int
) -> tuple[np.ndarray, np.ndarray]:
    """Im f(x + ih)/h at every point, and the estimate `finite.run` gives it: twice the
    spread of the same at x moved by a few ulps, plus the rounding of the value."""
    x = points[:, axis]
    h = COMPLEX_STEP * np.maximum(1.0, np.abs(x))
    shift = COMPLEX_PROBE_ULPS * EPS * np.maximum(np.abs(x), np.finfo(np.float64).tiny)
    env = {name: points[:, i] for i, name in enumerate(names)}
    with np.errstate(all="ignore"):
        real = evaluate(expr, env)
        edge = EDGE_PROBE * np.maximum(1.0, np.abs(x))
        near_edge = ~(
            np.isfinite(evaluate(expr, {**env, names[axis]: x + edge}))
            & np.isfinite(evaluate(expr, {**env, names[axis]: x - edge}))
        )
        main, up, down = (
            np.imag(evaluate_complex(expr, {**env, names[axis]: x + moved + 1j * h})) / h
            for moved in (0.0, shift, -shift)
        )
        spread = np.fmax(np.abs(up - main), np.abs(down - main))
        error = 2.0 * spread + ROUNDING_ULPS * EPS * np.abs(main)
    bad = ~np.isfinite(real) | ~np.isfinite(main) | near_edge
    main = np.where(bad, np.nan, main)
    error = np.where(bad, np.nan, error)
    return main, error


def _richardson(
    ts: np.ndarray, values: np.ndarray, noise: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Neville's tableau over the levels (rows), column by column; per column the entry with
    the smallest error estimate, as `finite._richardson` chooses it for one point."""
    row = [values[0]]
    noise_row = [noise[0]]
    best_value = values[0].copy()
    best_error = np.full(values.shape[1], np.inf)

    def keep(value: np.ndarray, error: np.ndarray) -> None:
        better = np.isfinite(value) & (error < best_error)
        best_value[better] = value[better]
        best_error[better] = error[better]

    with np.errstate(all="ignore"):
        for i in range(1, len(ts)):
            new_row = [values[i]]
            new_noise = [noise[i]]
            keep(new_row[0], np.abs(new_row[0] - row[0]) + new_noise[0])
            for j in range(1, i + 1):
                ta, tb = ts[i - j], ts[i]
                value = (ta * new_row[j - 1] - tb * row[j - 1]) / (ta - tb)
                spread = (ta * new_noise[j - 1] + tb * noise_row[j - 1]) / (ta - tb)
                truncation = np.maximum(np.abs(value - new_row[j - 1]), np.abs(value - row[j - 1]))
                new_row.append(value)
                new_noise.append(spread)
                keep(value, truncation + spread)
            row, noise_row = new_row, new_noise
    return best_value, best_error
