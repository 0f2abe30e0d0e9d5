"""A sweep against single comparisons at the same points, measured in one run.

    python benchmarks/sweep.py                 # 10,000 points
    python benchmarks/sweep.py --points 2000

The sweep moves x over N points of a two-variable expression with y held, and judges the
first derivative by x with every engine against the 50-digit reference. The baseline is what
a user without the sweep would do: one `compare` per point (default settings: value,
gradient and Hessian). Running 10,000 of those takes minutes, so the baseline is timed on
`--sample` points spread over the same interval and multiplied by N: the figure printed is
N × (mean time of one single comparison), measured in this run. Target: the sweep is at
least 20 times faster.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diffcompare import compare  # noqa: E402
from diffcompare.study.sweep import sweep  # noqa: E402

EXPRESSION = "exp(-x*y) * sin(3*x) + log(1 + x**2*y)"
LOW, HIGH, HELD = 0.1, 3.0, 0.7
TARGET = 20.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=100)
    args = parser.parse_args()

    compare(EXPRESSION, {"x": LOW, "y": HELD})  # sympy imported and formulas cached for both
    sweep(EXPRESSION, ("x", LOW, HIGH), points=10, at={"y": HELD})

    start = time.perf_counter()
    result = sweep(EXPRESSION, ("x", LOW, HIGH), points=args.points, at={"y": HELD})
    swept = time.perf_counter() - start

    start = time.perf_counter()
    for k in range(args.sample):
        x = LOW + (HIGH - LOW) * k / max(args.sample - 1, 1)
        compare(EXPRESSION, {"x": x, "y": HELD})
    one = (time.perf_counter() - start) / args.sample
    singles = one * args.points

    agree = sum(v is True for t in result.engines.values() for v in t.agree)
    judged = sum(v is not None for t in result.engines.values() for v in t.agree)
    ratio = singles / swept
    print(f"expression: {EXPRESSION}, x over [{LOW}, {HIGH}], y = {HELD}")
    print(f"sweep of {args.points:,} points:       {swept:8.2f} s ({agree} of {judged} agree)")
    print(
        f"{args.points:,} x one comparison:  {singles:8.2f} s ({one * 1e3:.1f} ms each, "
        f"mean of {args.sample})"
    )
    print(
        f"sweep is {ratio:.0f}x faster (target: at least {TARGET:.0f}x): "
        f"{'met' if ratio >= TARGET else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
