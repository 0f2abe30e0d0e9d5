"""How much a gradient costs on the tape, as a multiple of evaluating the function itself.

(a) vectorised: a 15-operation function of three variables over arrays of 10^6 points;
    gradient time / plain numpy evaluation time.
    Also the peak memory of a gradient / of a plain evaluation (numpy reports its arrays
    to tracemalloc), and what the tape holds between the two passes.
(b) scalar code: a 10-variable Rosenbrock function written with a Python loop over floats;
    gradient per call / plain-Python evaluation per call.
(c) a Hessian-vector product (`dt.hvp`, reverse over reverse, no Hessian formed) of a
    vectorised 1000-variable Rosenbrock function; hvp time / gradient time.

Every figure is a ratio of two timings taken in the same run (the best of several repeats
of this thread's processor time, to keep out the noise of a busy machine). With the optional
peers installed (`pip install '.[peers]'`: autograd, micrograd, numdifftools) their ratios
are printed beside ours.

    python benchmarks/tape.py [--size N] [--repeat R]
"""

from __future__ import annotations

import argparse
import importlib
import math
import time
import timeit
import tracemalloc
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

import diffcompare.tape as dt

PEERS = ("autograd", "micrograd", "numdifftools")
TARGET_A = "at most autograd's ratio"
TARGET_B = 50.0


# The processor time of this thread, not the wall clock: on a machine shared with other work
# the wall clock also counts the time others had the processor, which no repeat filters out.
CLOCK = time.thread_time


def best_time(fn: Callable[[], Any], repeat: int, number: int = 1) -> float:
    """Seconds per call: the minimum over repeats, the least disturbed measurement."""
    return min(timeit.repeat(fn, timer=CLOCK, number=number, repeat=repeat)) / number


def best_times(fns: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Like best_time for several functions, taking turns, so that a busy spell of the
    machine or the state of the memory allocator does not favour whichever runs first."""
    numbers = {name: calls_for(fn) for name, fn in fns.items()}
    best = dict.fromkeys(fns, math.inf)
    for _ in range(repeat):
        for name, fn in fns.items():
            seconds = timeit.Timer(fn, timer=CLOCK).timeit(number=numbers[name]) / numbers[name]
            best[name] = min(best[name], seconds)
    return best


def calls_for(fn: Callable[[], Any], seconds: float = 0.05) -> int:
    """How many calls make one timing long enough for the clock to resolve."""
    start = CLOCK()
    fn()
    once = max(CLOCK() - start, 1e-7)
    return max(1, int(seconds / once))


def load(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


# -- (a) a vectorised function --------------------------------------------------------------


def vectorised(m: Any, x: Any, y: Any, z: Any) -> Any:
    """15 operations, written once for any namespace `m` with sin, exp, log, tanh."""
    return m.sin(x) * m.exp(-y) + m.log(1.0 + z * z) * m.tanh(x * y) - x / (1.0 + y * y)


def bench_vectorised(size: int, repeat: int, peers: dict[str, ModuleType]) -> list[Row]:
    rng = np.random.default_rng(1)
    x, y, z = (rng.uniform(-2.0, 2.0, size) for _ in range(3))
    inputs = [dt.constant(x), dt.constant(y), dt.constant(z)]  # as autograd gets its arrays

    def ours() -> Any:
        with dt.GradientTape() as tape:
            tape.watch(inputs)
            f = vectorised(dt, *inputs)
        return tape.gradient(f, inputs)

    contenders: dict[str, Callable[[], Any]] = {
        "plain": lambda: vectorised(np, x, y, z),
        "diffcompare.tape": ours,
    }
    check = [g.numpy() for g in ours()]
    if "autograd" in peers:
        import autograd.numpy as anp
        from autograd import grad

        gradient = grad(lambda xyz: anp.sum(vectorised(anp, *xyz)))  # a tuple of 3 arrays
        for a, b in zip(check, gradient((x, y, z)), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
        contenders["autograd"] = lambda: gradient((x, y, z))
    times = best_times(contenders, repeat)
    plain = times.pop("plain")
    rows = [Row(name, seconds, plain) for name, seconds in times.items()]
    plain_peak = traced_bytes(contenders["plain"])[1]
    for row in rows:
        row.memory = traced_bytes(contenders[row.name])[1] / plain_peak

    def forward() -> Any:
        with dt.GradientTape() as tape:
            tape.watch(inputs)
            f = vectorised(dt, *inputs)
        return tape, f

    held = traced_bytes(forward)[0]
    print(
        f"  between the passes the tape holds {held / 1e6:.0f} MB, "
        f"{held / (8 * size):.0f} arrays of {size:,} floats (the result and what the rules read)"
    )
    for name in ("micrograd", "numdifftools"):
        if name in peers:
            rows.append(Row(name, math.nan, plain, "scalar-only: not vectorised"))
    return rows


# -- (b) scalar code --------------------------------------------------------------------------


def rosenbrock(xs: Any) -> Any:
    """The 10-variable Rosenbrock function, scalar-wise: a Python loop over elements."""
    total = 0.0
    for i in range(len(xs) - 1):
        total = total + 100.0 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1.0 - xs[i]) ** 2
    return total


def rosenbrock_gradient(point: list[float]) -> list[float]:
    """Exact gradient by hand, to check every library's answer."""
    n = len(point)
    grad = [0.0] * n
    for i in range(n - 1):
        a, b = point[i], point[i + 1]
        grad[i] += -400.0 * a * (b - a * a) - 2.0 * (1.0 - a)
        grad[i + 1] += 200.0 * (b - a * a)
    return grad


def bench_scalar(repeat: int, peers: dict[str, ModuleType]) -> list[Row]:
    point = [0.5 + 0.1 * i for i in range(10)]
    expected = rosenbrock_gradient(point)

    def ours() -> list[float]:
        xs = [dt.constant(v) for v in point]
        with dt.GradientTape() as tape:
            tape.watch(xs)
            y = rosenbrock(xs)
        return [float(g) for g in tape.gradient(y, xs)]

    contenders: dict[str, Callable[[], Any]] = {
        "plain": lambda: rosenbrock(point),
        "diffcompare.tape": ours,
    }
    if "micrograd" in peers:
        from micrograd.engine import Value

        def micro() -> list[float]:
            xs = [Value(v) for v in point]
            rosenbrock(xs).backward()
            return [x.grad for x in xs]

        contenders["micrograd"] = micro
    array = np.array(point)
    if "autograd" in peers:
        from autograd import grad

        gradient = grad(rosenbrock)
        contenders["autograd"] = lambda: list(gradient(array))
    if "numdifftools" in peers:
        import numdifftools as nd

        numeric = nd.Gradient(rosenbrock)
        contenders["numdifftools"] = lambda: list(numeric(array))
    for name, fn in contenders.items():
        if name != "plain":  # every contender must get the gradient right first
            rel = 1e-6 if name == "numdifftools" else 1e-12
            np.testing.assert_allclose(fn(), expected, rtol=rel, atol=rel)
    times = best_times(contenders, repeat)
    plain = times.pop("plain")
    return [Row(name, seconds, plain) for name, seconds in times.items()]


# -- (c) a Hessian-vector product -------------------------------------------------------------


def rosenbrock_vectorised(m: Any, x: Any) -> Any:
    return m.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def bench_hvp(size: int, repeat: int, peers: dict[str, ModuleType]) -> list[Row]:
    rng = np.random.default_rng(3)
    point = rng.uniform(-1.0, 1.0, size)
    direction = rng.standard_normal(size)

    class Dt:  # the namespace the function is written against
        sum = staticmethod(dt.reduce_sum)

    def f(x: Any) -> Any:
        return rosenbrock_vectorised(Dt, x)

    gradient = dt.grad(f)
    contenders: dict[str, Callable[[], Any]] = {
        "gradient": lambda: gradient(point),
        "diffcompare.tape": lambda: dt.hvp(f, point, direction),
    }
    expected = rosenbrock_hvp(point, direction)
    np.testing.assert_allclose(contenders["diffcompare.tape"]().numpy(), expected, rtol=1e-12)
    if "autograd" in peers:
        import autograd.numpy as anp
        from autograd import grad, hessian_vector_product

        product = hessian_vector_product(lambda x: rosenbrock_vectorised(anp, x))
        autograd_gradient = grad(lambda x: rosenbrock_vectorised(anp, x))
        np.testing.assert_allclose(product(point, direction), expected, rtol=1e-12)
        contenders["autograd gradient"] = lambda: autograd_gradient(point)
        contenders["autograd"] = lambda: product(point, direction)
    times = best_times(contenders, repeat)
    units = ("product", "gradient")
    rows = [Row("diffcompare.tape", times["diffcompare.tape"], times["gradient"], units=units)]
    if "autograd" in times:
        rows.append(Row("autograd", times["autograd"], times["autograd gradient"], units=units))
    return rows


def rosenbrock_hvp(x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The exact product, by hand (the Hessian is tridiagonal), to check every answer."""
    a, b = x[:-1], x[1:]
    out = np.zeros_like(x)
    out[:-1] += (1200.0 * a**2 - 400.0 * b + 2.0) * v[:-1] - 400.0 * a * v[1:]
    out[1:] += -400.0 * a * v[:-1] + 200.0 * v[1:]
    return out


# -- report -----------------------------------------------------------------------------------


def traced_bytes(fn: Callable[[], Any]) -> tuple[int, int]:
    """Memory allocated while `fn` runs: still held when it returns (its result kept), and
    the most at any one time."""
    tracemalloc.start()
    try:
        result = fn()
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return held, peak


class Row:
    def __init__(
        self,
        name: str,
        seconds: float,
        plain: float,
        note: str = "",
        units: tuple[str, str] = ("gradient", "evaluation"),
    ) -> None:
        self.name, self.seconds, self.plain, self.note = name, seconds, plain, note
        self.units = units  # what `seconds` and `plain` each time
        self.memory: float | None = None  # peak memory / the plain evaluation's

    @property
    def ratio(self) -> float:
        return self.seconds / self.plain

    def line(self) -> str:
        if self.note:
            return f"  {self.name:<18} {'-':>9}   {self.note}"
        memory = "" if self.memory is None else f"; peak memory {self.memory:.1f}x"
        return (
            f"  {self.name:<18} {self.ratio:>8.1f}x   "
            f"({_fmt(self.seconds)} per {self.units[0]}, "
            f"{_fmt(self.plain)} per {self.units[1]}{memory})"
        )


def _fmt(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} us"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="points in (a)")
    parser.add_argument("--repeat", type=int, default=9, help="repeats; the best counts")
    args = parser.parse_args()
    peers = {name: mod for name in PEERS if (mod := load(name)) is not None}
    missing = [name for name in PEERS if name not in peers]

    print(f"(a) vectorised: 15 operations on {args.size:,} points; gradient / numpy evaluation")
    rows_a = bench_vectorised(args.size, args.repeat, peers)
    for row in rows_a:
        print(row.line())
    print("(b) scalar code: 10-variable Rosenbrock; gradient / plain-Python evaluation")
    rows_b = bench_scalar(args.repeat, peers)
    for row in rows_b:
        print(row.line())

    print("(c) Hessian-vector product, 1000-variable Rosenbrock; hvp / one gradient")
    for row in bench_hvp(1000, args.repeat, peers):
        print(row.line())

    ours_a, ours_b = rows_a[0].ratio, rows_b[0].ratio
    autograd_a = next((r.ratio for r in rows_a if r.name == "autograd"), None)
    if autograd_a is None:
        print(f"target (a), {TARGET_A}: not checked (autograd is not installed)")
    else:
        verdict = "met" if ours_a <= autograd_a else "missed"
        print(f"target (a), {TARGET_A}: {ours_a:.2f} vs {autograd_a:.2f}: {verdict}")
    verdict = "met" if ours_b <= TARGET_B else "missed"
    print(f"target (b), at most {TARGET_B:.0f}x: {ours_b:.1f}x: {verdict}")
    if missing:
        print(f"peers not installed: {', '.join(missing)} (pip install '.[peers]')")


if __name__ == "__main__":
    main()
