"""Batch throughput against a naive loop, measured in one run.

    python benchmarks/batch.py            # 1000 cases: 100 expressions x 10 points
    python benchmarks/batch.py --cases 200

The naive baseline does, per case, only the symbolic part of the work: build the sympy
expression (from our tree), differentiate, build the Hessian, evaluate value, gradient and
Hessian at 50 digits. The batch does all of it (three engines and the 50-digit reference)
with `--jobs 1` and `--jobs 2`. Targets: jobs 1 at least 2x the baseline's cases per second,
jobs 2 at least 1.7x jobs 1. The worker pool's start-up is inside the timed runs; the
process that forks the workers (it imports sympy once) is started before them.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diffcompare.batch.runner import Case, run  # noqa: E402

POINTS_PER_EXPRESSION = 10

# Shapes of everyday test functions; coefficients are drawn per expression.
TEMPLATES = (
    "{a}*x^2 + {b}*x*y + {c}*y^2",
    "({a} - x)^2 + {b}*(y - x^2)^2",
    "exp({a}*x) * sin({b}*y)",
    "log(1 + exp(-({a}*x + {b}*y + {c})))",
    "sqrt(x^2 + {a}*y^2 + {b})",
    "tanh({a}*x + {b}*y) * z",
    "x*y*z + {a}*sin(x*z) - {b}*cos(y)",
    "(x^2 + y - {a})^2 + (x + y^2 - {b})^2",
    "{a}*x^3 - {b}*x*y^2 + log(1 + z^2)",
    "sigmoid({a}*x - {b}*y) + softplus(z - {c})",
)


def generate(n_cases: int, seed: int = 1) -> list[Case]:
    rng = random.Random(seed)
    cases = []
    n_expressions = max(1, n_cases // POINTS_PER_EXPRESSION)
    for e in range(n_expressions):
        template = TEMPLATES[e % len(TEMPLATES)]
        coefficients = {k: round(rng.uniform(0.5, 3.0), 2) for k in "abc"}
        expression = template.format(**coefficients)
        names = [v for v in "xyz" if v in expression.replace("exp", "")]
        for _ in range(POINTS_PER_EXPRESSION):
            at = ", ".join(f"{v}={round(rng.uniform(-2.0, 2.0), 3)}" for v in names)
            cases.append(Case(expression, at, id=f"e{e}", file="generated", line=len(cases) + 1))
    return cases


def naive(cases: list[Case], *, keep_sympy_cache: bool) -> float:
    """Seconds for the plain loop: per case, sympy expression, gradient, Hessian, 50 digits.

    sympy memoizes differentiation process-wide, so a loop that "redoes" the work per case
    silently reuses the previous case's derivatives. Clearing that cache per case measures
    the loop as written; keeping it is shown too.
    """
    import sympy
    from sympy.core.cache import clear_cache

    from diffcompare.engines.symbolic import make_symbols, to_sympy
    from diffcompare.language.expr import variables
    from diffcompare.language.parse import parse, parse_point

    start = time.perf_counter()
    for case in cases:
        if not keep_sympy_cache:
            clear_cache()
        assert isinstance(case.at, str)
        expr = parse(case.expression)
        point = parse_point(case.at)
        names = tuple(point)
        symbols = make_symbols(names)
        f = to_sympy(expr, dict(zip(names, symbols, strict=True)))
        assert set(variables(expr)) == set(names)
        gradient = [sympy.diff(f, s) for s in symbols]
        hessian = sympy.hessian(f, symbols)
        subs = {s: sympy.Float(point[n], 60) for s, n in zip(symbols, names, strict=True)}
        for formula in [f, *gradient, *hessian]:
            formula.evalf(50, subs=subs)
    return time.perf_counter() - start


def batch_seconds(cases: list[Case], jobs: int) -> tuple[float, int]:
    start = time.perf_counter()
    agreed = sum(1 for result in run(cases, jobs=jobs) if result.get("agree"))
    return time.perf_counter() - start, agreed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1000)
    args = parser.parse_args()
    cases = generate(args.cases)
    n = len(cases)
    print(f"{n} cases: {n // POINTS_PER_EXPRESSION} expressions x {POINTS_PER_EXPRESSION} points")

    list(run(cases[:1], jobs=1))  # start the process that forks the workers (imports once)
    baseline = naive(cases, keep_sympy_cache=False)
    memoized = naive(cases, keep_sympy_cache=True)
    one, agreed_one = batch_seconds(cases, jobs=1)
    two, agreed_two = batch_seconds(cases, jobs=2)

    rate = {
        "naive loop": n / baseline,
        "naive, sympy cache": n / memoized,
        "batch --jobs 1": n / one,
        "batch --jobs 2": n / two,
    }
    for name, value in rate.items():
        print(f"{name:<22} {value:9.1f} cases/s")
    print(f"agreeing cases: jobs 1 {agreed_one}/{n}, jobs 2 {agreed_two}/{n}")
    print(f"jobs 1 / naive loop: {rate['batch --jobs 1'] / rate['naive loop']:.2f}x (target >= 2)")
    print(
        f"jobs 1 / naive with sympy cache: "
        f"{rate['batch --jobs 1'] / rate['naive, sympy cache']:.2f}x"
    )
    print(
        f"jobs 2 / jobs 1: {rate['batch --jobs 2'] / rate['batch --jobs 1']:.2f}x (target >= 1.7)"
    )


if __name__ == "__main__":
    main()
