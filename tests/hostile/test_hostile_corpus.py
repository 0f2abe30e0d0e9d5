"""The hostile corpus through every front door: the parser, `compare`, the command line,
batch and grading. Each input is refused with its exact error kind, in bounded time, and
nothing of it runs (the canary file its payload would create never appears)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_payloads import corpus

from diffcompare import DiffCompareError, compare
from diffcompare.batch.inputs import read_cases
from diffcompare.batch.runner import run
from diffcompare.language.parse import parse, parse_point

ROOT = Path(__file__).resolve().parents[2]
BOUND = 2.0  # seconds; generous: every refusal here takes milliseconds
CORPUS = corpus()
IDS = [name for name, _, _ in CORPUS]


def test_the_corpus_is_large_and_names_are_unique() -> None:
    assert len(CORPUS) >= 100
    assert len(set(IDS)) == len(IDS)


def _armed(text: str, canary: Path) -> str:
    return text.replace("{canary}", str(canary))


def _refusal(call: object, *args: object, **kwargs: object) -> tuple[DiffCompareError, float]:
    start = time.perf_counter()
    with pytest.raises(DiffCompareError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value, time.perf_counter() - start


@pytest.mark.parametrize(("name", "text", "kind"), CORPUS, ids=IDS)
def test_parse_refuses(name: str, text: str, kind: str, tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    error, seconds = _refusal(parse, _armed(text, canary))
    assert error.kind == kind, error.message
    assert seconds < BOUND
    assert not canary.exists()
    # the message is one that can be shown: it names what is wrong
    assert error.message.strip()


@pytest.mark.parametrize(("name", "text", "kind"), CORPUS, ids=IDS)
def test_compare_refuses(name: str, text: str, kind: str, tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    error, seconds = _refusal(compare, _armed(text, canary), {"x": 1.0})
    assert error.kind == kind, error.message
    assert seconds < BOUND
    assert not canary.exists()


POINT_PAYLOADS = [
    "x=__import__('os').system('touch {canary}')",
    "x=eval('1')",
    "x=1; import os",
    "x=nan",
    "x=inf",
    "x=-Infinity",
    "x=1e400",
    "x=1e-400",
    "x=",
    "x",
    "__class__=1",
    "sin=1",
    "x=1, x=2",
    "x=1/0",
    "x=\uff11",
    "x=1\x00",
    "x=" + "9" * 20_000,
    "x=(1)",
    "x=2**1000",
]


@pytest.mark.parametrize("text", POINT_PAYLOADS)
def test_points_are_refused_as_input(text: str, tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    error, seconds = _refusal(parse_point, _armed(text, canary))
    assert error.kind == "input", error.message
    assert seconds < BOUND
    assert not canary.exists()


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "diffcompare", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('touch {canary}')",
        "$(touch {canary})",
        "9**9**9*x",
    ],
    ids=["dunder import", "shell substitution", "power tower"],
)
def test_cli_refuses_with_one_line_and_runs_nothing(text: str, tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    start = time.perf_counter()
    done = _cli(_armed(text, canary), "--at", "x=1", cwd=tmp_path)
    assert time.perf_counter() - start < 30  # interpreter start-up included
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines and lines[0].startswith("error: ")
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert not canary.exists()


def _one_line(text: str) -> bool:
    # what a .txt line can carry: no line breaks, no '#' or '@' (they end the expression)
    return not any(c in text for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029#@")


def test_batch_gives_every_good_case_its_result(tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    # a .txt line is stripped: leading spaces are no attack there, so such entries stay out
    hostile = [(n, _armed(t, canary), k) for n, t, k in CORPUS if t and t == t.strip()]
    hostile = [entry for entry in hostile if _one_line(entry[1])]
    good = ["x**2 @ x=3", "sin(x)*y @ x=0.5, y=2", "exp(x) @ x=1"]
    lines: list[bytes] = []
    expected: list[str | None] = []  # None: a good case; otherwise the error kind
    for i, (_, text, kind) in enumerate(hostile):
        lines.append(f"{text} @ x=1".encode(errors="surrogatepass"))
        # a lone surrogate written out is not UTF-8: the reader refuses that line itself
        expected.append("input" if any("\ud800" <= c <= "\udfff" for c in text) else kind)
        if i % 10 == 0:
            lines.append(good[(i // 10) % len(good)].encode())
            expected.append(None)
    lines.insert(5, b"sin(\xff\xfex) @ x=1")  # not UTF-8: its own line fails, no other
    expected.insert(5, "input")
    path = tmp_path / "hostile.txt"
    path.write_bytes(b"\n".join(lines) + b"\n")

    results = list(run(read_cases([str(path)]), jobs=2, timeout=30))
    assert len(results) == len(expected)
    for result, kind in zip(results, expected, strict=True):
        if kind is None:
            assert "error" not in result, result.get("error")
            assert result["agree"] is True
        else:
            assert result.get("error", {}).get("kind") == kind, result["expression"][:80]
            assert result["seconds"] < BOUND
    assert [r["source"]["line"] for r in results] == sorted(r["source"]["line"] for r in results)
    assert not canary.exists()


GRADED = [entry for i, entry in enumerate(CORPUS) if i % 3 == 0 or entry[2] == "limit"]


@pytest.mark.parametrize(("name", "text", "kind"), GRADED, ids=[n for n, _, _ in GRADED])
def test_grading_marks_hostile_answers_invalid(
    name: str, text: str, kind: str, tmp_path: Path
) -> None:
    from diffcompare import grading

    canary = tmp_path / "canary"
    start = time.perf_counter()
    feedback = grading.check_derivative(_armed(text, canary), of="x**2", wrt="x")
    assert time.perf_counter() - start < BOUND
    assert feedback.status == "invalid"
    assert feedback.score == 0
    assert feedback.message
    assert not canary.exists()


def test_bytes_that_are_not_utf8_spoil_only_their_line(tmp_path: Path) -> None:
    files = {
        "cases.txt": b"x**2 @ x=3\nsin(\xff\xfex) @ x=1\nx*y @ x=1, y=2\n",
        "cases.csv": b"id,expr,at\na,x**2,x=1\nb,x\xc3,x=1\nc,x+1,x=2\n",
        "cases.jsonl": b'{"expr": "x", "at": {"x": 1}}\n{"expr": "x\xed\xa0\x80"}\n{"expr": "2"}\n',
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        cases = read_cases([str(tmp_path / name)])
        problems = [case.problem for case in cases]
        assert len(cases) == 3, name
        assert problems[0] is None and problems[2] is None, name
        assert problems[1] is not None and "not UTF-8" in problems[1], name
