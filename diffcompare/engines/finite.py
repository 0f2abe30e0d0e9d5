"""The finite-difference engine: differences that say how wrong they may be.

It only evaluates the function: in float64 (`evaluate.evaluate`) for real stencils, and on
complex numbers (`evaluate_complex`) for the complex step. The stencils themselves are in
`stencils`; this module chooses among them and their steps.

With ``step=h`` it is the chosen method's textbook formula at that h, in the textbook's order
of operations (central differences with h = 1e-3 are bit for bit what a student's program
prints), its error estimated from the same formula at 2h and h/2.

Without a step it searches: steps fall by a factor of four from half the point's scale over
many decades (far enough to find the scale on which a quickly turning function changes),
Richardson extrapolation (Neville's tableau in h^p) runs over them, and the estimate whose
error estimate is smallest is kept. The search stops once the rounding of the smallest step
alone exceeds that best estimate: smaller steps can only be noisier. Points are evaluated a
few levels at a time, each round in one vectorised pass.

``method="auto"`` decides per entry: one-sided stencils when the central one would cross a
domain edge nearby; otherwise the complex step when every operation is analytic (first
derivatives exact to rounding, second ones by Lai & Crassidis' O(h⁴) stencil); otherwise
central differences.

An entry's error estimate = truncation (how much the tableau's neighbours disagree) +
rounding (float64 noise of the function values, magnified by 1/h^k and the extrapolation).
It is evidence for the report, never a reason to accept a value.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from ..language.evaluate import evaluate, undefined_reason
from ..language.evaluate_complex import not_analytic_reason
from ..language.expr import Expr
from ..language.expr import variables as variables_of
from .base import EngineResult, Entry, canonical
from .stencils import (
    COMPLEX_STEP,
    EPS,
    ROUNDING_ULPS,
    Difference,
    Stencil,
    combine,
    evaluate_points,
    points,
    stencil,
)

METHODS = ("auto", "central", "forward", "backward", "complex")

RATIO = 4.0
"""Each step of the search is the previous one divided by this."""

LEVELS = 26
"""Most steps the search tries: 4^-25 reaches 1e-15 of the first step, enough to fit between
a point and an edge of the domain 1e-12 away, or inside a period of 1e-12."""

CHUNK = 3
"""Levels evaluated per round of the search, before it checks whether to stop."""

DEPTH = 3
"""Richardson columns: extrapolation removes this many error terms at most."""

FIRST_STEP = 0.5
"""First step of the search relative to max(1, |x|), rounded down to a power of two and
then scaled by `OFFBEAT`."""

OFFBEAT = 0.8190596237
"""Keeps the steps off simple fractions: with powers of two alone, every step from 1/2 up is
a whole number of periods of cos(4*pi*y), whose central differences are then exactly 0 and
agree with each other perfectly. A factor with no small denominator breaks that alignment
for the periods formulas usually have."""

EDGE_PROBE = 1e-6
"""auto uses one-sided stencils when x ± this (relative to max(1, |x|)) is outside the
domain: the edge is so near that a central or complex stencil would have to shrink to fit."""

SAFETY = 2.0
"""Multiple of the tableau's disagreement reported as the truncation estimate: the smallest
of many estimates is chosen, which biases it low."""

COMPLEX_PROBE_ULPS = 8.0
"""The complex first derivative is also taken at x moved by this many ulps each way: how much
it moves shows the float64 conditioning of the derivative (its rounding error is of that
size), which the exact-looking complex step hides."""


def run(
    expr: Expr,
    variables: Sequence[str],
    point: Sequence[float],
    entries: Sequence[Entry],
    *,
    step: float | None = None,
    method: str = "auto",
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
    if method not in METHODS:
        raise InputError(f"unknown method {method!r} (choose from {', '.join(METHODS)})")
    x = np.array([float(v) for v in point], dtype=np.float64)
    result = EngineResult(engine="finite")
    methods: dict[Entry, str] = {}
    steps_used: dict[Entry, float] = {}
    counter = _Counter(expr, names)

    f0 = float(counter.evaluate(x[None, :])[0])
    wanted = list(dict.fromkeys(canonical(e) for e in entries))
    if not math.isfinite(f0):
        reason = undefined_reason(expr, dict(zip(names, x.tolist(), strict=True)))
        for entry in wanted:
            result.values[entry] = None
            result.reasons[entry] = reason or "undefined"
    else:
        derivatives = [e for e in wanted if e]
        if () in wanted:
            result.values[()] = f0  # a plain evaluation: nothing to estimate
        chosen = _choose_methods(expr, x, derivatives, method, step, counter)
        for entry, (how, reason) in chosen.items():
            if how is None:
                result.values[entry] = None
                result.reasons[entry] = reason or "no stencil"
        jobs = {e: how for e, (how, _) in chosen.items() if how is not None}
        if step is None:
            outcomes = _search(expr, x, jobs, counter)
        else:
            outcomes = _fixed(x, jobs, step, counter)
        for entry, outcome in outcomes.items():
            methods[entry] = outcome.method
            if outcome.value is None:
                result.values[entry] = None
                result.reasons[entry] = outcome.reason or "undefined"
                continue
            if not math.isfinite(outcome.value):
                result.values[entry] = None
                result.reasons[entry] = "overflow"
                continue
            result.values[entry] = outcome.value
            result.error_estimates[entry] = outcome.error
            steps_used[entry] = outcome.step
    result.info["method"] = methods
    result.info["step"] = steps_used
    result.info["evaluations"] = counter.count
    result.seconds = time.perf_counter() - start
    return result


class _Counter:
    """Evaluates the function at rows of points (real or complex), counting them."""

    def __init__(self, expr: Expr, names: Sequence[str]) -> None:
        self.expr = expr
        self.names = names
        self.count = 0

    def evaluate(self, coords: np.ndarray) -> np.ndarray:
        self.count += len(coords)
        if np.iscomplexobj(coords):
            return evaluate_points(self.expr, self.names, coords)
        env = {name: coords[:, i] for i, name in enumerate(self.names)}
        # without variables the value does not depend on the point: one per row still
        return np.broadcast_to(evaluate(self.expr, env), (len(coords),))


@dataclass
class _Outcome:
    method: str
    value: float | None
    error: float = math.inf
    step: float = math.nan
    reason: str | None = None


def _choose_methods(
    expr: Expr,
    x: np.ndarray,
    entries: list[Entry],
    method: str,
    step: float | None,
    counter: _Counter,
) -> dict[Entry, tuple[str | None, str | None]]:
    """Per entry: the method to use ("one-sided" lets the search pick the defined side), or
    None and the reason none applies."""
    chosen: dict[Entry, tuple[str | None, str | None]] = {}
    if method in ("central", "forward", "backward"):
        return {e: (method, None) for e in entries}
    names = counter.names

    def complex_reason(entry: Entry) -> str | None:
        return not_analytic_reason(expr, {names[a] for a in entry})

    if method == "complex":
        for entry in entries:
            if complex_reason(entry) is not None:
                chosen[entry] = (None, f"complex step unavailable: {complex_reason(entry)}")
            elif len(entry) > 2:
                chosen[entry] = (None, "complex step unavailable: it gives orders one and two")
            else:
                chosen[entry] = ("complex", None)
        return chosen
    near_edge = _axes_near_an_edge(x, sorted({a for e in entries for a in e}), counter)
    for entry in entries:
        if any(a in near_edge for a in entry):
            chosen[entry] = ("one-sided", None)
        elif len(entry) <= 2 and step is None and complex_reason(entry) is None:
            chosen[entry] = ("complex", None)
        else:
            chosen[entry] = ("central", None)
    return chosen


def _axes_near_an_edge(x: np.ndarray, axes: list[int], counter: _Counter) -> set[int]:
    if not axes:
        return set()
    coords = np.tile(x, (2 * len(axes), 1))
    for k, axis in enumerate(axes):
        h = EDGE_PROBE * max(1.0, abs(x[axis]))
        coords[2 * k, axis] += h
        coords[2 * k + 1, axis] -= h
    f = counter.evaluate(coords)
    return {a for k, a in enumerate(axes) if not np.all(np.isfinite(f[2 * k : 2 * k + 2]))}


def _first_step(x: float) -> float:
    return OFFBEAT * 2.0 ** math.floor(math.log2(FIRST_STEP * max(1.0, abs(x))))


def _axis_steps(s: Stencil, x: np.ndarray, scale: float) -> list[float]:
    """Per-axis steps at `scale` (a power of 1/RATIO), the complex step's axis kept tiny."""
    steps = [_first_step(x[a]) * scale for a in s.axes]
    if s.is_complex and (s.orders == (1,) or len(s.axes) == 2):
        steps[0] = COMPLEX_STEP * max(1.0, abs(x[s.axes[0]]))
    return steps


def _fixed(
    x: np.ndarray, jobs: dict[Entry, str], h: float, counter: _Counter
) -> dict[Entry, _Outcome]:
    """The textbook formula at step h, its error estimated from 2h and h/2."""
    outcomes: dict[Entry, _Outcome] = {}
    for entry, how in jobs.items():
        methods = ["forward", "backward"] if how == "one-sided" else [how]
        best: _Outcome | None = None
        for name in methods:
            s = stencil(entry, name)
            levels = [s.steps(h * scale, x.tolist()) for scale in (1.0, 2.0, 0.5)]
            coords = np.concatenate([points(s, x, steps) for steps in levels])
            f = counter.evaluate(coords)
            size = len(s.offsets)
            main, double, half = (
                combine(s, f[i * size : (i + 1) * size], steps) for i, steps in enumerate(levels)
            )
            if not main.ok:
                where = _undefined_point(counter, coords[:size], f[:size])
                outcome = _Outcome(name, None, reason=where)
            else:
                if double.ok:
                    error = abs(main.value - double.value) + main.rounding
                elif half.ok:
                    error = 2.0 * abs(main.value - half.value) + main.rounding
                else:
                    error = math.inf
                outcome = _Outcome(name, main.value, error, h)
            if best is None or (outcome.value is not None and outcome.error < best.error):
                best = outcome
        assert best is not None
        outcomes[entry] = best
    return outcomes


@dataclass
class _Search:
    """One entry's step search by one method."""

    stencil: Stencil
    scales: list[float] = field(default_factory=list)
    steps: list[float] = field(default_factory=list)
    """The step of each defined level (the real-difference axis's, for a mixed stencil)."""
    differences: list[Difference] = field(default_factory=list)
    coords: list[np.ndarray] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)
    done: bool = False
    best: tuple[float, float, float] = (math.nan, math.inf, math.nan)
    """(value, error estimate, step) of the best estimate so far."""


def _search(
    expr: Expr, x: np.ndarray, jobs: dict[Entry, str], counter: _Counter
) -> dict[Entry, _Outcome]:
    searches: dict[Entry, list[_Search]] = {}
    for entry, how in jobs.items():
        methods = ["forward", "backward"] if how == "one-sided" else [how]
        searches[entry] = [_Search(stencil(entry, m)) for m in methods]

    # the complex first derivative needs one level: its step is tiny, its truncation nil
    level = 0
    while level < LEVELS:
        active = [s for group in searches.values() for s in group if not s.done]
        if not active:
            break
        batch: list[tuple[_Search, float, list[float], int, int]] = []
        real_rows: list[np.ndarray] = []
        complex_rows: list[np.ndarray] = []
        sizes = [0, 0]
        for search in active:
            for k in range(level, min(level + CHUNK, LEVELS)):
                scale = RATIO**-k
                steps = _axis_steps(search.stencil, x, scale)
                coords = points(search.stencil, x, steps)
                if search.stencil.is_complex and search.stencil.orders == (1,):
                    coords = _with_probes(coords, x, search.stencil.axes[0])
                kind = 1 if search.stencil.is_complex else 0
                (complex_rows if kind else real_rows).append(coords)
                batch.append((search, scale, steps, kind, sizes[kind]))
                sizes[kind] += len(coords)
                if search.stencil.is_complex and search.stencil.orders == (1,):
                    break
        f_real = counter.evaluate(np.concatenate(real_rows)) if real_rows else np.empty(0)
        f_complex = counter.evaluate(np.concatenate(complex_rows)) if complex_rows else np.empty(0)
        rows = {0: (real_rows, f_real), 1: (complex_rows, f_complex)}
        counts = {0: 0, 1: 0}
        for search, scale, steps, kind, offset in batch:
            all_rows, f = rows[kind]
            coords = all_rows[counts[kind]]
            counts[kind] += 1
            values = f[offset : offset + len(coords)]
            _advance(search, scale, steps, coords, values)
        level += CHUNK

    return {entry: _conclude(group, counter) for entry, group in searches.items()}


GROWTH = 1e3
"""A search whose differences grew by more than this factor from its largest step to its
smallest, without ever converging, is following an infinite derivative (sqrt at 0)."""


def _conclude(group: list[_Search], counter: _Counter) -> _Outcome:
    """The best of an entry's searches (one, or forward and backward): converged ones first,
    then the smallest error estimate; None with the reason when none has a number."""
    answered = [s for s in group if math.isfinite(s.best[0]) and not _diverges(s)]
    if answered:
        best = min(answered, key=lambda s: (not _converged(*s.best[:2]), s.best[1]))
        value, error, step = best.best
        return _Outcome(best.stencil.method, value, error, step)
    for search in group:
        if _diverges(search):
            return _Outcome(
                search.stencil.method,
                None,
                reason="the differences grow without bound as the step shrinks: "
                "the derivative looks infinite here",
            )
    return _Outcome(group[0].stencil.method, None, reason=_edge_reason(counter, group))


def _diverges(search: _Search) -> bool:
    d = search.differences
    return (
        len(d) >= 4
        and not _converged(*search.best[:2])
        and abs(d[-1].value) > GROWTH * abs(d[0].value)
    )


def _with_probes(coords: np.ndarray, x: np.ndarray, axis: int) -> np.ndarray:
    shift = COMPLEX_PROBE_ULPS * EPS * max(abs(x[axis]), np.finfo(np.float64).tiny)
    up, down = coords.copy(), coords.copy()
    up[:, axis] += shift
    down[:, axis] -= shift
    return np.concatenate([coords, up, down])


def _advance(
    search: _Search, scale: float, steps: list[float], coords: np.ndarray, values: np.ndarray
) -> None:
    s = search.stencil
    if s.is_complex and s.orders == (1,):
        size = len(s.offsets)
        main, up, down = (combine(s, values[i * size : (i + 1) * size], steps) for i in range(3))
        search.done = True
        if not main.ok:
            search.coords.append(coords[:size])
            search.values.append(values[:size])
            return
        spread = max(
            (abs(d.value - main.value) for d in (up, down) if d.ok), default=abs(main.value)
        )
        error = 2.0 * spread + ROUNDING_ULPS * EPS * abs(main.value)
        search.best = (main.value, error, steps[0])
        return
    d = combine(s, values, steps)
    if not d.ok:
        search.coords.append(coords)
        search.values.append(values)
        if search.differences and search.scales:
            # the stencil turned undefined below a step that worked: not from an edge
            # (steps only shrink), but overflow or underflow; stop here
            search.done = True
        return
    search.scales.append(scale)
    search.steps.append(steps[-1])
    search.differences.append(d)
    candidates = _richardson(
        [(sc**s.accuracy, dd) for sc, dd in zip(search.scales, search.differences, strict=True)]
    )
    value, error, index = _pick(candidates)
    best_converged = _converged(*search.best[:2])
    if _converged(value, error) > best_converged or (
        _converged(value, error) == best_converged and error < search.best[1]
    ):
        search.best = (value, error, search.steps[index])
    if _converged(*search.best[:2]) and d.rounding > search.best[1]:
        search.done = True  # smaller steps can only be noisier
    elif d.rounding > abs(d.value) and len(search.differences) > 1:
        search.done = True  # the difference is all noise already


CONVERGED = 0.5
"""An estimate whose error estimate is below this fraction of its value has converged: its
leading digits are trusted. Among those the smallest error wins; a smaller absolute error
at a large step, where the derivative's estimates are small because the step is too coarse
to see it, does not."""


def _converged(value: float, error: float) -> bool:
    return math.isfinite(error) and error <= CONVERGED * abs(value)


def _pick(candidates: list[tuple[float, float, int]]) -> tuple[float, float, int]:
    """The converged candidate with the smallest error estimate, or failing any, the
    candidate with the smallest error estimate (an entry that is zero converges to nothing
    relatively: its best absolute estimate is the answer)."""
    usable = [c for c in candidates if math.isfinite(c[0])]
    if not usable:
        return (math.nan, math.inf, 0)
    converged = [c for c in usable if _converged(c[0], c[1])]
    return min(converged or usable, key=lambda c: c[1])


def _richardson(estimates: list[tuple[float, Difference]]) -> list[tuple[float, float, int]]:
    """Neville's tableau in t = (h/h0)^p over the defined levels, extrapolated to t = 0, at
    most `DEPTH` columns deep.

    Returns every candidate as (value, error estimate, index of the finest level used); the
    estimate is the tableau's disagreement (times `SAFETY`) plus the propagated rounding.
    """
    ts = [t for t, _ in estimates]
    row = [estimates[0][1].value]
    noise_row = [estimates[0][1].rounding]
    candidates = []
    for i in range(1, len(estimates)):
        new_row = [estimates[i][1].value]
        new_noise = [estimates[i][1].rounding]
        candidates.append((new_row[0], SAFETY * abs(new_row[0] - row[0]) + new_noise[0], i))
        for j in range(1, min(i, DEPTH) + 1):
            ta, tb = ts[i - j], ts[i]
            value = (ta * new_row[j - 1] - tb * row[j - 1]) / (ta - tb)
            noise = (ta * new_noise[j - 1] + tb * noise_row[j - 1]) / (ta - tb)
            truncation = max(abs(value - new_row[j - 1]), abs(value - row[j - 1]))
            new_row.append(value)
            new_noise.append(noise)
            candidates.append((value, SAFETY * truncation + noise, i))
        row, noise_row = new_row, new_noise
    return candidates


def _edge_reason(counter: _Counter, group: list[_Search]) -> str:
    for search in group:
        for coords, values in zip(search.coords, search.values, strict=True):
            where = _undefined_point(counter, coords, values)
            if where:
                return where
    return "undefined"


def _undefined_point(counter: _Counter, coords: np.ndarray, values: np.ndarray) -> str:
    bad = np.flatnonzero(~np.isfinite(values))
    if not len(bad):
        return "overflow"
    row = coords[int(bad[0])]
    at = dict(zip(counter.names, np.real(row).tolist(), strict=True))
    why = undefined_reason(counter.expr, at) or "undefined"
    place = ", ".join(f"{n}={v:.6g}" for n, v in at.items())
    return f"stencil crosses the edge of the domain: {why} at {place}"
