"""Start-up of the command line against bare Python and ``import sympy``, measured in one run.

    python benchmarks/startup.py                  # 7 rounds
    python benchmarks/startup.py --rounds 15
    python benchmarks/startup.py --instructions   # once each under valgrind (a minute)

Each round runs, in turn: ``python -c pass``, ``python -c "import sympy"``,
``python -m diffcompare --help`` and the README's first single command. The commands of a
round run back to back, so a busy machine slows them alike; the figures are the medians
over the rounds, of wall-clock time and of processor time (user and system, which another
process on the machine disturbs less). The checkout's bytecode is written on the warm-up
run, as an installed package has it, even where PYTHONDONTWRITEBYTECODE is set.

On a shared or virtual machine the medians still move by a fifth from run to run.
``--instructions`` counts the instructions each command executes instead (valgrind's
callgrind, all threads, a fixed hash seed): the same count however busy the machine is.

Targets: ``--help`` close to bare Python (it imports neither numpy, sympy nor rich), the
single command within 1.5x of ``import sympy`` (it needs sympy, numpy and the work itself).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMANDS = {
    "python -c pass": ["-c", "pass"],
    'python -c "import sympy"': ["-c", "import sympy"],
    "diffcompare --help": ["-m", "diffcompare", "--help"],
    'diffcompare "3*x**2+2*x-1" --at x=1': ["-m", "diffcompare", "3*x**2+2*x-1", "--at", "x=1"],
}


def environment() -> dict[str, str]:
    # the package from this checkout, whatever is installed, with its bytecode written
    variables = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0"}
    variables.pop("PYTHONDONTWRITEBYTECODE", None)
    return variables


def instructions(arguments: list[str]) -> int:
    """Instructions one run executes, counted by valgrind's callgrind."""
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={folder}/callgrind.out",
                sys.executable,
                *arguments,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(),
            cwd=ROOT,
        )
    found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"valgrind printed no count:\n{done.stderr}")
    return int(found.group(1))


def seconds(arguments: list[str]) -> tuple[float, float]:
    """Wall-clock and processor seconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, *arguments],
        check=True,
        stdout=subprocess.DEVNULL,
        env=environment(),
        cwd=ROOT,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    processor = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, processor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--instructions", action="store_true", help="count, not time")
    options = parser.parse_args()
    for arguments in COMMANDS.values():  # warm the file cache and write the bytecode
        seconds(arguments)
    if options.instructions:
        show_instructions()
        return
    walls: dict[str, list[float]] = {name: [] for name in COMMANDS}
    processors: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(options.rounds):
        for name, arguments in COMMANDS.items():
            wall, processor = seconds(arguments)
            walls[name].append(wall)
            processors[name].append(processor)
    wall = {name: statistics.median(values) for name, values in walls.items()}
    cpu = {name: statistics.median(values) for name, values in processors.items()}
    bare, sympy = "python -c pass", 'python -c "import sympy"'
    width = max(map(len, COMMANDS))
    print(f"medians of {options.rounds} rounds: wall-clock seconds, then processor seconds")
    print(
        f"{'command':<{width}}  {'wall':>6}  {'/ python':>8}  {'/ sympy':>7}"
        f"  {'cpu':>6}  {'/ sympy':>7}"
    )
    for name in COMMANDS:
        print(
            f"{name:<{width}}  {wall[name]:6.3f}  {wall[name] / wall[bare]:8.2f}"
            f"  {wall[name] / wall[sympy]:7.2f}  {cpu[name]:6.3f}  {cpu[name] / cpu[sympy]:7.2f}"
        )


def show_instructions() -> None:
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind")
    counts = {name: instructions(arguments) for name, arguments in COMMANDS.items()}
    bare, sympy = counts["python -c pass"], counts['python -c "import sympy"']
    width = max(map(len, COMMANDS))
    print("instructions executed, once each under valgrind")
    print(f"{'command':<{width}}  {'instructions':>14}  {'/ python':>8}  {'/ sympy':>7}")
    for name, count in counts.items():
        print(f"{name:<{width}}  {count:14,}  {count / bare:8.2f}  {count / sympy:7.2f}")


if __name__ == "__main__":
    main()
