"""The finite-difference engine against numdifftools' defaults, on a corpus of real formulas.

Every case of the corpus (`expressions/formulas.txt`: physics formulas, optimisation test
functions, ML losses, symbolic-regression benchmarks, each at two points) goes through

* our finite engine (`engines.finite.run`, default method `auto`), gradient and Hessian in
  one call, and
* numdifftools' defaults, `nd.Gradient(f)(x)` and `nd.Hessian(f)(x)`, on the same float64
  function (the expression evaluated by `language.evaluate`), when the `peers` extra is
  installed (otherwise the benchmark says which peer is missing and runs ours alone),

and every derivative entry is measured against the exact reference (50 digits). An entry is
right when its error is within 1e-8 relative (gradient) or 1e-5 (Hessian), plus the entry's
float64 rounding floor (4 eps times its rounding scale, `engines.rounding`: what no float64
method can beat; 1e-12 of the largest entry of that order where the exact value is 0).
Entries where the exact derivative does not exist, is beyond float64, or sits on a kink are
left out.

Printed: entries right, median relative error, function evaluations (a complex evaluation
counts as one) and time for both, the ratios "right: ours / numdifftools" (goal > 1) and
"evaluations: ours / numdifftools" (goal < 1), and the fraction of our entries whose own
error estimate bounded the true error (goal >= 99 %). Times are measured in this run.

    python benchmarks/finite.py [--corpus expressions/formulas.txt] [--limit N] [--misses]
"""

from __future__ import annotations

import argparse
import importlib
import math
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mpmath
import numpy as np

from diffcompare.batch.inputs import read_cases
from diffcompare.compare.comparison import find_kinks
from diffcompare.engines import finite, reference
from diffcompare.engines.base import Entry, entries_for
from diffcompare.language.evaluate import evaluate
from diffcompare.language.expr import Expr
from diffcompare.language.parse import parse, parse_point

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "expressions" / "formulas.txt"
RTOL = {1: 1e-8, 2: 1e-5}
EPS = 2.0**-52
ROUNDING_SAFETY = 4.0
ATOL = 1e-12


@dataclass
class Tally:
    """One method's results over the corpus."""

    right: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0})
    errors: dict[int, list[float]] = field(default_factory=lambda: {1: [], 2: []})
    evaluations: int = 0
    seconds: float = 0.0
    bounded: int = 0
    estimated: int = 0
    misses: list[str] = field(default_factory=list)
    short: list[str] = field(default_factory=list)
    """Entries whose own error estimate fell short of the true error."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=str(CORPUS))
    parser.add_argument("--limit", type=int, default=0, help="only the first N cases")
    parser.add_argument("--misses", action="store_true", help="list the entries each got wrong")
    args = parser.parse_args()

    nd = _peer("numdifftools")
    if nd is None:
        print("peer missing: numdifftools (pip install '.[peers]'); running ours alone")
    cases = [c for c in read_cases([args.corpus]) if c.problem is None]
    if args.limit:
        cases = cases[: args.limit]
    formulas = len({c.expression for c in cases})
    ours, theirs = Tally(), Tally()
    judged = {1: 0, 2: 0}
    left_out = 0
    for case in cases:
        expr = parse(case.expression)
        point = parse_point(case.at) if isinstance(case.at, str) else dict(case.at)
        names = list(point)
        x = [float(point[n]) for n in names]
        entries = [e for e in entries_for(len(names), 2) if e]
        if len(names) == 1:
            entries = [(0,), (0, 0)]
        truth = reference.run(expr, names, x, entries, simplify=False)
        exact = truth.info.get("exact", {})
        rounding = truth.info.get("rounding_scale", {})
        kinked = {names.index(v) for k in find_kinks(expr, point) for v in k.variables}
        usable = [
            e
            for e in entries
            if exact.get(e) is not None and _finite(exact[e]) and not any(i in kinked for i in e)
        ]
        left_out += len(entries) - len(usable)
        floors = _floors(usable, exact, rounding)
        for e in usable:
            judged[len(e)] += 1

        start = time.perf_counter()
        result = finite.run(expr, names, x, entries)
        ours.seconds += time.perf_counter() - start
        ours.evaluations += int(result.info.get("evaluations", 0))
        found = {e: result.values.get(e) for e in usable}
        _score(ours, found, usable, exact, floors, case.expression, x)
        for e in usable:
            estimate = result.error_estimates.get(e)
            value = found[e]
            if value is None or estimate is None or not math.isfinite(estimate):
                continue
            ours.estimated += 1
            error = _abs_error(value, exact[e])
            ours.bounded += error <= estimate
            if error > estimate:
                how = result.info["method"].get(e)
                ours.short.append(
                    f"{case.expression} at {x}: {e} {how} error {error:.1e} > estimate "
                    f"{estimate:.1e}"
                )

        if nd is not None:
            values, calls, seconds = _numdifftools(nd, expr, names, x)
            theirs.evaluations += calls
            theirs.seconds += seconds
            _score(
                theirs,
                {e: values.get(e) for e in usable},
                usable,
                exact,
                floors,
                case.expression,
                x,
            )

    total = judged[1] + judged[2]
    print(
        f"corpus: {formulas} formulas, {len(cases)} cases, {judged[1]} gradient and "
        f"{judged[2]} Hessian entries judged ({left_out} left out: no exact value or a kink)"
    )
    print(f"right: within {RTOL[1]:g} relative (gradient), {RTOL[2]:g} (Hessian), plus the floor")
    rows = [("diffcompare finite (auto)", ours)] + (
        [("numdifftools defaults", theirs)] if nd else []
    )
    print(
        f"{'method':<28}{'gradient right':>16}{'Hessian right':>16}{'all right':>11}"
        f"{'median rel err (g / H)':>26}{'evaluations':>13}{'seconds':>9}"
    )
    for name, tally in rows:
        right = tally.right[1] + tally.right[2]
        gradient, hessian = _share(tally.right[1], judged[1]), _share(tally.right[2], judged[2])
        print(
            f"{name:<28}{gradient:>16}{hessian:>16}{_share(right, total):>11}"
            f"{_median(tally.errors[1]) + ' / ' + _median(tally.errors[2]):>26}"
            f"{tally.evaluations:>13}{tally.seconds:>9.2f}"
        )
    if nd is not None:
        right_ours = ours.right[1] + ours.right[2]
        right_theirs = theirs.right[1] + theirs.right[2]
        print(
            f"entries right, ours / numdifftools: {right_ours} / {right_theirs} = "
            f"{right_ours / max(right_theirs, 1):.3f} (goal > 1)"
        )
        print(
            f"function evaluations, ours / numdifftools: {ours.evaluations} / "
            f"{theirs.evaluations} = {ours.evaluations / max(theirs.evaluations, 1):.3f} "
            "(goal < 1)"
        )
        print(f"time, ours / numdifftools: {ours.seconds / max(theirs.seconds, 1e-9):.3f}")
    print(
        f"our error estimate bounded the true error for {ours.bounded} of {ours.estimated} "
        f"entries: {ours.bounded / max(ours.estimated, 1):.2%} (goal >= 99 %)"
    )
    if args.misses:
        for name, tally in rows:
            print(f"\n{name} missed:")
            for line in tally.misses:
                print("  " + line)
        print("\nour estimate fell short:")
        for line in ours.short:
            print("  " + line)


def _peer(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _floors(
    usable: list[Entry], exact: dict[Entry, Any], rounding: dict[Entry, float]
) -> dict[Entry, float]:
    largest: dict[int, float] = {}
    for e in usable:
        largest[len(e)] = max(largest.get(len(e), 0.0), abs(float(exact[e])))
    return {
        e: max(ATOL * (largest[len(e)] or 1.0), ROUNDING_SAFETY * EPS * rounding.get(e, 0.0))
        for e in usable
    }


def _score(
    tally: Tally,
    found: dict[Entry, float | None],
    usable: list[Entry],
    exact: dict[Entry, Any],
    floors: dict[Entry, float],
    text: str,
    x: list[float],
) -> None:
    for e in usable:
        value = found.get(e)
        size = abs(float(exact[e]))
        if value is None or not math.isfinite(value):
            tally.misses.append(f"{text} at {x}: {e} no value")
            continue
        error = _abs_error(value, exact[e])
        if size:
            tally.errors[len(e)].append(error / size)
        if error <= RTOL[len(e)] * size + floors[e]:
            tally.right[len(e)] += 1
        else:
            tally.misses.append(f"{text} at {x}: {e} rel error {error / (size or 1):.1e}")


def _numdifftools(
    nd: Any, expr: Expr, names: list[str], x: list[float]
) -> tuple[dict[Entry, float], int, float]:
    """Gradient and Hessian by numdifftools' defaults; (values, function calls, seconds)."""
    calls = 0

    def f(v: Any) -> float:
        nonlocal calls
        calls += 1
        coords = np.atleast_1d(np.asarray(v, dtype=np.float64))
        env = {name: coords[i] for i, name in enumerate(names)}
        return float(evaluate(expr, env))

    values: dict[Entry, float] = {}
    start = time.perf_counter()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        gradient = _attempt(lambda: np.atleast_1d(nd.Gradient(f)(np.array(x))))
        hessian = _attempt(lambda: np.atleast_2d(nd.Hessian(f)(np.array(x))))
    seconds = time.perf_counter() - start
    n = len(names)
    if gradient is not None:
        for i in range(n):
            values[(i,)] = float(gradient[i])
    if hessian is not None:
        for i in range(n):
            for j in range(i, n):
                values[(i, j)] = float(hessian[i][j])
    return values, calls, seconds


def _attempt(run: Callable[[], np.ndarray]) -> np.ndarray | None:
    try:
        return run()
    except Exception:  # a peer's failure on one case is a miss, not the end of the run
        return None


def _abs_error(value: float, exact: Any) -> float:
    with mpmath.workdps(60):
        return float(abs(mpmath.mpf(value) - mpmath.mpf(exact)))


def _finite(number: Any) -> bool:
    try:
        return math.isfinite(float(number))
    except (OverflowError, TypeError, ValueError):
        return False


def _share(count: int, total: int) -> str:
    return f"{count}/{total}"


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.1e}" if values else "-"


if __name__ == "__main__":
    main()
