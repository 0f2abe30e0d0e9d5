"""Fuzz the parser, the point parser and the comparison: only our errors may escape.

    pip install '.[fuzz]'                                     # atheris (optional)
    python benchmarks/fuzz_parser.py --seconds 600            # atheris if installed
    python benchmarks/fuzz_parser.py --mode random --seconds 600 --compare
    python benchmarks/fuzz_parser.py --mode atheris -- -max_len=4096   # libFuzzer flags after --

The invariant for every input: `parse`, `parse_point` (and with `--compare`, `compare` at a
point built from the same bytes) return a result or raise a `DiffCompareError`; anything
else is a finding. An input slower than `--slow` seconds is a finding too (the guarantee is
bounded cost). Findings are written to `--findings DIR` (one file per input) and listed at
the end.

Two modes. `atheris` is coverage-guided (libFuzzer through atheris, only diffcompare's own
modules instrumented). `random` needs nothing installed: it mutates a corpus of expressions,
splices grammar tokens, and throws raw bytes, so anyone can run it for an hour.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEEDS = (
    "3*x**2+2*x-1",
    "(x1+5)*x2**2",
    "sin(x)*cos(y) + exp(-x^2)",
    "log(x, 2) + log10(y) + ln(z)",
    "atan2(y, x) + hypot(x, y)",
    "sqrt(abs(x)) - cbrt(x) + relu(x) + softplus(x) + sigmoid(x)",
    "asin(x/2) + acos(x/3) + atanh(x/4) + acosh(1+x^2) + asinh(x)",
    "sec(x) + csc(x) + cot(x) + tan(x) + erf(x)",
    "pow(x, 3) / (1 + x^2)",
    "9**9**9",
    "((9**9)**9999)**9999",
    "1e400*x",
    "-x**2",
    "2^3^2",
    "x**(1/3)",
    "__import__('os').system('true')",
    "x=1, y=-2.5",
    "x=-pi/2; y=e*2",
)

TOKENS = (
    "0", "1", "2", "0.5", ".5", "1e3", "1e-9", "9e999", "123456789", "x", "y", "z", "x1",
    "pi", "e", "sin", "cos", "tan", "log", "exp", "sqrt", "abs", "atan2", "pow", "hypot",
    "relu", "acosh", "+", "-", "*", "/", "**", "^", "(", ")", ",", " ", "=", ";", "_",
    "'", ".", "[", "import", "lambda", "\u00d7", "\u2212", "\u200b", "\x00", "\u0445",
)  # fmt: skip

POINT_VALUES = (0.0, 1.0, -1.0, 0.5, 2.0, -2.0, 1e-12, 1e-300, 1000.0, -1e300, 3.0)


class Finding(Exception):
    """An escape or a slow input: what the fuzzer is looking for."""


def _load() -> tuple[Callable[..., object], ...]:
    from diffcompare.compare.comparison import compare
    from diffcompare.errors import DiffCompareError
    from diffcompare.language.expr import variables
    from diffcompare.language.parse import parse, parse_point

    return parse, parse_point, compare, variables, DiffCompareError  # type: ignore[return-value]


class Target:
    """One fuzz input through the entry points, with the invariant checked."""

    def __init__(self, with_compare: bool, slow: float) -> None:
        self.parse, self.parse_point, self.compare, self.variables, error = _load()
        self.error: type[BaseException] = error  # type: ignore[assignment]
        self.with_compare = with_compare
        self.slow = slow
        self.runs = 0
        self.compared = 0

    def __call__(self, data: bytes) -> None:
        self.runs += 1
        text = data.decode("utf-8", errors="replace")
        start = time.perf_counter()
        tree = self._guarded("parse", lambda: self.parse(text), text)
        self._guarded("parse_point", lambda: self.parse_point(text), text)
        if self.with_compare and tree is not None:
            names = self.variables(tree)  # type: ignore[arg-type]
            if len(names) <= 4:
                point = {
                    name: POINT_VALUES[data[i % len(data)] % len(POINT_VALUES)] if data else 1.0
                    for i, name in enumerate(names)
                }
                order = data[-1] % 4 if data else 2
                self.compared += 1
                self._guarded("compare", lambda: self.compare(tree, point, order=order), text)
        elapsed = time.perf_counter() - start
        if elapsed > self.slow:
            raise Finding(f"slow input: {elapsed:.2f} s > {self.slow:g} s")

    def _guarded(self, where: str, call: Callable[[], object], text: str) -> object | None:
        try:
            return call()
        except self.error:
            return None
        except Exception as escape:
            raise Finding(f"{where} let {type(escape).__name__} escape: {escape}") from escape


# ---------------------------------------------------------------------------------------
# the random mode: no dependencies


def _mutate(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        action = rng.randrange(6)
        pos = rng.randint(0, len(chars))
        if action == 0 and chars:
            del chars[min(pos, len(chars) - 1)]
        elif action == 1:
            chars[pos:pos] = list(rng.choice(TOKENS))
        elif action == 2 and chars:
            chars[min(pos, len(chars) - 1)] = chr(rng.randrange(0x20, 0x7F))
        elif action == 3:
            chars[pos:pos] = list(rng.choice(SEEDS))
        elif action == 4:
            chars[pos:pos] = ["("] * rng.randint(1, 120) + ["x"] + [")"] * rng.randint(1, 120)
        else:
            chars[pos:pos] = [chr(rng.randrange(0x110000))]
    return "".join(chars)


def _random_input(rng: random.Random) -> bytes:
    kind = rng.randrange(4)
    if kind == 0:
        return rng.randbytes(rng.randint(0, 64))
    if kind == 1:
        return "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 40))).encode()
    text = _mutate(rng, rng.choice(SEEDS))
    return text.encode("utf-8", errors="surrogatepass")


class _HangWatch:
    """An input that never returns (stuck inside one C call, past any budget) is the worst
    finding of all: a thread writes it down and ends the run, as libFuzzer's -timeout does."""

    def __init__(self, findings: Path, hang: float) -> None:
        self.findings = findings
        self.hang = hang
        self.current: tuple[bytes, float] | None = None
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        while True:
            time.sleep(1.0)
            current = self.current
            if current is not None and time.monotonic() - current[1] > self.hang:
                _record(self.findings, current[0], Finding(f"hang: over {self.hang:g} s"))
                os._exit(3)


def run_random(target: Target, seconds: float, seed: int, findings: Path, hang: float) -> int:
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    found = 0
    last_report = time.monotonic()
    watch = _HangWatch(findings, hang)
    while time.monotonic() < deadline:
        data = _random_input(rng)
        watch.current = (data, time.monotonic())
        try:
            target(data)
        except Finding as finding:
            found += 1
            _record(findings, data, finding)
        watch.current = None
        if time.monotonic() - last_report > 60:
            last_report = time.monotonic()
            print(f"  {target.runs} inputs, {target.compared} compared, {found} findings")
    print(f"random mode: {target.runs} inputs ({target.compared} through compare) in {seconds:g} s")
    return found


def _record(findings: Path, data: bytes, finding: Finding) -> None:
    findings.mkdir(parents=True, exist_ok=True)
    name = f"finding-{abs(hash(data)) % 10**12:012d}"
    (findings / f"{name}.bin").write_bytes(data)
    detail = "".join(traceback.format_exception(finding.__cause__ or finding))
    (findings / f"{name}.txt").write_text(f"{finding}\n\n{detail}")
    print(f"FINDING {finding}: {data[:80]!r}")


# ---------------------------------------------------------------------------------------
# the atheris mode: coverage-guided


def run_atheris(
    with_compare: bool, slow: float, seconds: float, findings: Path, hang: float, extra: list[str]
) -> None:
    import atheris

    with atheris.instrument_imports(include=["diffcompare"]):
        target = Target(with_compare, slow)

    def one(data: bytes) -> None:
        try:
            target(data)
        except Finding as finding:
            _record(findings, data, finding)
            if finding.__cause__ is not None:
                raise  # an escape: libFuzzer saves the input and stops, as for any crash
            # a slow input is recorded and the run goes on

    corpus = findings / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(SEEDS):
        (corpus / f"seed-{i}").write_bytes(seed.encode())
    argv = [
        sys.argv[0],
        f"-max_total_time={int(seconds)}",
        f"-timeout={int(hang)}",  # an input stuck past every budget is a finding
        "-max_len=2048",
        *extra,
        str(corpus),
    ]
    atheris.Setup(argv, one)
    atheris.Fuzz()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=("auto", "atheris", "random"), default="auto")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--compare", action="store_true", help="also run compare (slower)")
    parser.add_argument("--slow", type=float, default=2.0, help="seconds that make a finding")
    parser.add_argument("--seed", type=int, default=0, help="random mode's seed")
    parser.add_argument(
        "--hang", type=float, default=60.0, help="seconds after which an input is a hang"
    )
    parser.add_argument("--findings", type=Path, default=Path("fuzz-findings"))
    parser.add_argument("libfuzzer", nargs="*", help="after --: flags for libFuzzer")
    args = parser.parse_args()

    mode = args.mode
    if mode in ("auto", "atheris"):
        try:
            import atheris  # noqa: F401
        except ImportError:
            if mode == "atheris":
                print(
                    "atheris is not installed: pip install '.[fuzz]' (or atheris), or run"
                    " with --mode random",
                    file=sys.stderr,
                )
                return 2
            print("atheris is not installed; using the random mode", file=sys.stderr)
            mode = "random"
        else:
            mode = "atheris"
    if mode == "atheris":
        run_atheris(args.compare, args.slow, args.seconds, args.findings, args.hang, args.libfuzzer)
        return 0
    target = Target(args.compare, args.slow)
    found = run_random(target, args.seconds, args.seed, args.findings, args.hang)
    print(f"{found} findings" + (f" in {args.findings}/" if found else ""))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
