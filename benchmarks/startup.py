"""Start-up of the command line against bare Python and ``import sympy``, measured in one run.

    python benchmarks/startup.py            # 7 rounds
    python benchmarks/startup.py --rounds 15

Each round runs, in turn: ``python -c pass``, ``python -c "import sympy"``,
``python -m diffcompare --help`` and the README's first single command. The commands of a
round run back to back, so a busy machine slows them alike; the figures are the medians
over the rounds. Targets: ``--help`` close to bare Python (it imports neither numpy, sympy
nor rich), the single command within 1.5x of ``import sympy`` (it needs sympy, numpy and
the work itself).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMANDS = {
    "python -c pass": ["-c", "pass"],
    'python -c "import sympy"': ["-c", "import sympy"],
    "diffcompare --help": ["-m", "diffcompare", "--help"],
    'diffcompare "3*x**2+2*x-1" --at x=1': ["-m", "diffcompare", "3*x**2+2*x-1", "--at", "x=1"],
}


def seconds(arguments: list[str]) -> float:
    # the package from this checkout, whatever is installed
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, *arguments],
        check=True,
        stdout=subprocess.DEVNULL,
        env=environment,
        cwd=ROOT,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    options = parser.parse_args()
    for arguments in COMMANDS.values():  # warm the file cache and the bytecode
        seconds(arguments)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(options.rounds):
        for name, arguments in COMMANDS.items():
            times[name].append(seconds(arguments))
    median = {name: statistics.median(values) for name, values in times.items()}
    bare, sympy = median["python -c pass"], median['python -c "import sympy"']
    width = max(map(len, COMMANDS))
    print(f"medians of {options.rounds} rounds")
    print(f"{'command':<{width}}  {'seconds':>7}  {'/ python':>8}  {'/ sympy':>7}")
    for name, value in median.items():
        print(f"{name:<{width}}  {value:7.3f}  {value / bare:8.2f}  {value / sympy:7.2f}")


if __name__ == "__main__":
    main()
