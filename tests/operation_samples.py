"""One sample expression of every operation, with a point inside its domain (x = 0.7 and,
for two variables, y = 1.3), for tests that run each operation through an engine."""

from __future__ import annotations

SAMPLES = {
    "add": ("x + y**2", [0.7, 1.3]),
    "sub": ("x - y**2", [0.7, 1.3]),
    "mul": ("x*y", [0.7, 1.3]),
    "div": ("x/y", [0.7, 1.3]),
    "pow": ("x**y", [0.7, 1.3]),
    "neg": ("-x**3", [0.7]),
    "atan2": ("atan2(x, y)", [0.7, 1.3]),
    "logb": ("log(x, y)", [0.7, 1.3]),
    "hypot": ("hypot(x, y)", [0.7, 1.3]),
    "acosh": ("acosh(x)", [1.7]),
}


def sample(op: str) -> tuple[str, list[float]]:
    """The sample of `op`: a one-argument function of x at 0.7 unless listed above."""
    return SAMPLES.get(op, (f"{op}(x)", [0.7]))
