"""Gradient descent on a noisy line, two ways of comparing (exercises 2 and 3 of the seeds).

100 points of y = 3x + 2 with noise (x over [0, 10], a fixed seed), fitted by y = w x + b
with the mean squared error:

  * plain steps at learning rates 0.001, 0.01 and 0.1;
  * plain steps, momentum and learning-rate decay at 0.01.

Prints, for each run, the epoch from which the loss stays within 1% of the least-squares
minimum (or that it never does) and the final w and b, and writes the loss against the epoch
for every run as an SVG plot.

    python benchmarks/regression_rates.py [loss.svg] [--epochs N]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

import diffcompare.tape as dt

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def noisy_line(seed: int = 26) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    xs = rng.uniform(0.0, 10.0, 100)
    return xs, 3.0 * xs + 2.0 + rng.normal(0.0, 0.5, 100)


def train(optimizer: dt.SGD, epochs: int) -> tuple[float, float, list[float]]:
    """w, b and the loss of every epoch (computed before that epoch's update)."""
    xs, ys = noisy_line()
    X, y = dt.constant(xs), dt.constant(ys)
    w, b = dt.Variable(0.0, name="w"), dt.Variable(0.0, name="b")
    losses: list[float] = []
    for _ in range(epochs):
        with dt.GradientTape() as tape:
            loss = dt.reduce_mean(dt.square(w * X + b - y))
        grads = tape.gradient(loss, [w, b])
        optimizer.apply_gradients(zip(grads, [w, b], strict=True))
        losses.append(float(loss))
        if not math.isfinite(losses[-1]):
            break  # diverged: nothing more to learn from it
    return float(w), float(b), losses


def least_squares_loss() -> float:
    xs, ys = noisy_line()
    (w, b), *_ = np.linalg.lstsq(np.stack([xs, np.ones_like(xs)], axis=1), ys, rcond=None)
    return float(np.mean((w * xs + b - ys) ** 2))


def epochs_to_converge(losses: list[float], best: float) -> int | None:
    """The first epoch from which the loss stays within 1% of the least-squares minimum."""
    settled = None
    for epoch in range(len(losses) - 1, -1, -1):
        if not abs(losses[epoch] - best) <= 0.01 * best:
            break
        settled = epoch
    return settled


def svg_plot(runs: dict[str, list[float]], epochs: int, title: str) -> str:
    """Loss (log scale) against epoch, one polyline per run; drawn by hand, no plotting library."""
    width, height, left, right, top, bottom = 760, 440, 70, 190, 40, 50
    finite = [v for losses in runs.values() for v in losses if math.isfinite(v) and v > 0]
    low = math.floor(math.log10(min(finite)))
    high = min(math.ceil(math.log10(max(finite))), low + 8)

    def x_at(epoch: float) -> float:
        return left + (width - left - right) * epoch / max(epochs - 1, 1)

    def y_at(loss: float) -> float:
        level = min(max(math.log10(loss), low), high)
        return top + (height - top - bottom) * (high - level) / (high - low)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="24" font-size="15">{escape(title)}</text>',
    ]
    for level in range(low, high + 1):  # horizontal grid, one line per decade
        y = y_at(10.0**level)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">1e{level}</text>')
    for k in range(6):  # epoch ticks
        epoch = round((epochs - 1) * k / 5)
        x = x_at(epoch)
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle">{epoch}</text>'
        )
    parts.append(
        f'<text x="{(left + width - right) / 2}" y="{height - 10}" text-anchor="middle">'
        "epoch</text>"
    )
    parts.append(
        f'<text x="16" y="{(top + height - bottom) / 2}" text-anchor="middle" '
        f'transform="rotate(-90 16 {(top + height - bottom) / 2})">mean squared error</text>'
    )
    parts.append(
        f'<rect x="{left}" y="{top}" width="{width - left - right}" '
        f'height="{height - top - bottom}" fill="none" stroke="#444"/>'
    )
    for n, (name, losses) in enumerate(runs.items()):
        colour = COLOURS[n % len(COLOURS)]
        points = " ".join(
            f"{x_at(e):.1f},{y_at(v):.1f}" for e, v in enumerate(losses) if math.isfinite(v)
        )
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}"/>')
        y = top + 16 * n + 10
        parts.append(
            f'<line x1="{width - right + 12}" y1="{y}" x2="{width - right + 32}" y2="{y}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
        parts.append(f'<text x="{width - right + 38}" y="{y + 4}">{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _number(value: float) -> str:
    return f"{value:.4f}" if abs(value) < 1e4 else f"{value:.1e}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", nargs="?", default="loss.svg", help="SVG file to write")
    parser.add_argument("--epochs", type=int, default=1000)
    args = parser.parse_args()
    best = least_squares_loss()
    experiments = {
        "lr 0.001": dt.SGD(0.001),
        "lr 0.01": dt.SGD(0.01),
        "lr 0.1": dt.SGD(0.1),
        "momentum 0.9": dt.SGD(0.01, momentum=0.9),
        "decay 1e-4": dt.SGD(0.01, decay=1e-4),
    }
    runs: dict[str, list[float]] = {}
    print(f"least-squares loss {best:.6f}; converged = within 1% of it from then on")
    print(f"{'run':<14} {'converged at epoch':>19} {'w':>9} {'b':>9}")
    for name, optimizer in experiments.items():
        w, b, losses = train(optimizer, args.epochs)
        runs[name] = losses
        epoch = epochs_to_converge(losses, best)
        if len(losses) < args.epochs:
            when = f"diverged at {len(losses)}"
        elif epoch is None:
            when = f"not in {args.epochs}"
        else:
            when = str(epoch)
        print(f"{name:<14} {when:>19} {_number(w):>9} {_number(b):>9}")
    title = "y = 3x + 2 + noise: loss by epoch (lr 0.01 unless named)"
    Path(args.output).write_text(svg_plot(runs, args.epochs, title), encoding="utf-8")
    print(f"plot written to {args.output}")


if __name__ == "__main__":
    main()
