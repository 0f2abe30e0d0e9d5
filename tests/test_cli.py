"""The command line: the acceptance list, exit statuses, one-line refusals."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from diffcompare.cli.main import SUBCOMMANDS, Subcommand, main

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def one_error_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    return lines[0]


def strict(text: str) -> dict[str, Any]:
    def refuse(name: str) -> Any:
        raise AssertionError(f"JSON holds {name}")

    return json.loads(text, parse_constant=refuse)


def test_table_for_the_first_example() -> None:
    result = run("3*x**2+2*x-1", "--at", "x=1")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines() if line}
    assert rows["f'"] == ["8"] * 4  # exact, symbolic, finite, tape
    assert rows["f''"] == ["6"] * 4
    assert "all engines agree" in result.stdout
    assert "\x1b" not in result.stdout


def test_named_command_and_default_command_say_the_same() -> None:
    assert run("compare", "x**2", "--at", "x=3").stdout == run("x**2", "--at", "x=3").stdout


def test_s4_json() -> None:
    result = run("(x1+5)*x2**2", "--at", "x1=2,x2=3", "--format", "json")
    assert result.exit_code == 0
    document = strict(result.stdout)
    assert document["agree"] is True
    for name in ("symbolic", "finite", "tape"):
        engine = document["engines"][name]
        assert engine["gradient"] == pytest.approx([9, 42], rel=1e-8)
        flat = [h for row in engine["hessian"] for h in row]
        assert flat == pytest.approx([0, 6, 6, 14], abs=1e-6)


def test_s25_order_three() -> None:
    result = run("x**4+2*x**3-3*x**2+4*x-5", "--at", "x=2", "--order", "3", "--format", "json")
    assert result.exit_code == 0
    document = strict(result.stdout)
    for engine in document["engines"].values():
        assert engine["derivatives"] == pytest.approx([48, 66, 60], rel=1e-6)
    table = run("x**4+2*x**3-3*x**2+4*x-5", "--at", "x=2", "--order", "3").stdout
    assert "f'''" in table


def test_s19_s20_step() -> None:
    s19 = strict(run("3*x**2+2*x-1", "--at", "x=1", "--step", "1e-3", "--format", "json").stdout)
    assert s19["engines"]["finite"]["gradient"] == [7.999999999999119]
    s20 = run("(x1+5)*x2**2", "--at", "x1=2,x2=3", "--step", "1e-3", "--format", "json")
    gradient = strict(s20.stdout)["engines"]["finite"]["gradient"]
    assert gradient == [8.999999999993236, 41.999999999994486]


def test_engine_subset_and_csv() -> None:
    result = run(
        "x*y", "--at", "x=1,y=2", "--engine", "tape", "--engine", "symbolic", "--format", "csv"
    )
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["engine"] for row in rows} == {"tape", "symbolic"}
    assert len(rows) == 6 * 2


def test_disagreement_exits_1() -> None:
    # with h = 1e-9 the second difference of sin is rounding noise: 111 for -0.84
    result = run("sin(x)", "--at", "x=1", "--step", "1e-9")
    assert result.exit_code == 1, result.output
    assert "finite disagrees at f''" in result.stdout


def test_the_textbook_step_still_agrees() -> None:
    result = run("3*x**2+2*x-1", "--at", "x=1", "--step", "1e-3", "--format", "json")
    assert result.exit_code == 0, result.output
    finite = json.loads(result.stdout)["engines"]["finite"]
    assert finite["gradient"] == [7.999999999999119]
    assert finite["method"]["gradient[0]"] == "central"


@pytest.mark.parametrize("text", ["3", "pi*e"])
def test_a_constant_exits_0(text: str) -> None:
    result = run(text)
    assert result.exit_code == 0, result.output
    assert "all engines agree" in result.stdout


def test_method_complex_and_its_refusal() -> None:
    result = run("exp(x)*sin(x)", "--at", "x=1", "--method", "complex", "--format", "json")
    assert result.exit_code == 0, result.output
    finite = json.loads(result.stdout)["engines"]["finite"]
    assert finite["errors"]["rel"]["gradient"][0] <= 2 * 2.0**-52
    result = run("abs(x)", "--at", "x=1", "--method", "complex", "--order", "1")
    assert result.exit_code == 1
    assert "complex step unavailable: abs is not analytic" in " ".join(result.stdout.split())


def test_cancellation_is_judged_against_the_rounding_floor() -> None:
    # (1 - cos x)/x**2 near 0: every float64 method loses f' to cancellation; that is the
    # problem's conditioning, reported as such, not an engine's fault
    result = run("(1 - cos(x))/x**2", "--at", "x=1e-4", "--order", "1")
    assert result.exit_code == 0, result.output
    assert "ill-conditioned in float64" in result.stdout


def test_kink_exits_0_and_says_so() -> None:
    result = run("abs(x)", "--at", "x=0")
    assert result.exit_code == 0
    assert "abs(x) is not differentiable here" in result.stdout


def test_infinite_derivative_is_not_a_crash() -> None:
    result = run("sqrt(x)", "--at", "x=0", "--format", "json")
    assert result.exit_code == 0
    document = strict(result.stdout)
    assert document["value"] == 0.0
    assert document["engines"]["tape"]["gradient"] == [None]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["__import__('os').system('echo hi')", "--at", "x=1"], "column"),
        (["x", "--at", "x=nan"], "finite"),
        (["log(x)", "--at", "x=-1"], "nothing can be computed"),
        (["1/x", "--at", "x=0"], "nothing can be computed"),
        (["x*y", "--at", "x=1"], "'y'"),
        (["x", "--at", "x=1,z=nan"], "'z'"),  # unused, but still a finite number
        (["x*y", "--at", "x=1,y=1", "--order", "3"], "one variable"),
        (["x", "--at", "x=1", "--order", "9"], "limit"),
        (["x", "--at", "x=1", "--engine", "nope"], "nope"),
        (["x", "--at", "x=1e400"], "'x'"),
        (["x", "--at", "x=1", "--step", "-1"], "step"),
        (["-x**2", "--at", "x=1"], "--"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], words: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    if "column" in words:  # a parse error: message, the text, a caret under the column
        lines = result.stderr.splitlines()
        assert lines[0].startswith("error: ") and lines[2].strip() == "^"
    else:
        assert words in one_error_line(result)
    assert result.stdout == ""


def test_huge_constant_is_refused_without_computing_it() -> None:
    # processor time, which a busy machine does not inflate; computing 9**9**9 takes minutes
    start = time.process_time()
    result = run("9**9**9*x", "--at", "x=1")
    assert time.process_time() - start < 10.0
    assert result.exit_code == 2
    assert "digits" in result.stderr or "size" in result.stderr


def test_leading_minus_after_double_dash() -> None:
    for args in (
        ["--", "-x**2", "--at", "x=1"],
        ["--at", "x=1", "--", "-x**2"],
        ["compare", "--", "-x**2", "--at", "x=1"],
    ):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        assert "f(x) = -x**2" in result.stdout


def test_help_and_version() -> None:
    assert run("--help").exit_code == 0
    assert "--at" in run("compare", "--help").stdout
    version = run("--version")
    assert version.exit_code == 0 and "diffcompare" in version.stdout


def test_a_subcommand_registers_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    @click.command("hello")
    def hello() -> None:
        click.echo("hello")

    module = types.ModuleType("hello_command")
    setattr(module, "hello", hello)  # noqa: B010
    monkeypatch.setitem(sys.modules, "hello_command", module)
    monkeypatch.setitem(SUBCOMMANDS, "hello", Subcommand("hello_command:hello", "Say hello."))
    assert run("hello").stdout == "hello\n"
    assert "Say hello." in run("--help").stdout
    assert run("x", "--at", "x=1").exit_code == 0  # everything else still means compare


# --- the real program, as a user runs it ---------------------------------------------------


def python_m(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("NO_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "diffcompare", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_python_m_diffcompare() -> None:
    done = python_m("3*x**2+2*x-1", "--at", "x=1")
    assert done.returncode == 0, done.stderr
    assert "all engines agree" in done.stdout
    assert "\x1b" not in done.stdout  # piped: no colour codes
    assert max(len(line) for line in done.stdout.splitlines()) <= 80
    bad = python_m("log(x)", "--at", "x=-1")
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("error: ")


def test_code_in_the_expression_never_runs(tmp_path: Path) -> None:
    done = python_m("__import__('os').system('touch CANARY')", "--at", "x=1", cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "CANARY").exists()


def test_limit_raises_an_input_limit_for_trusted_input() -> None:
    deep = "-" * 150 + "x"
    refused = run("--at", "x=1", "--", deep)
    assert refused.exit_code == 2
    line = one_error_line(refused)
    assert "Limits.max_depth" in line and "--limit max_depth=VALUE" in line
    raised = run("--limit", "max_depth=200", "--at", "x=1", "--format", "json", "--", deep)
    assert raised.exit_code == 0, raised.output
    assert strict(raised.stdout)["agree"] is True


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ("max_dept=3", "NAME one of max_length, max_depth"),
        ("max_depth", "give NAME=VALUE"),
        ("max_depth=1.5", "max_depth needs a whole number"),
        ("max_depth=-3", "positive finite"),
        ("max_log10_magnitude=inf", "positive finite"),
        ("symbolic_seconds=nan", "positive finite"),
    ],
)
def test_a_bad_limit_is_a_usage_error_that_names_it(item: str, words: str) -> None:
    result = run("x", "--at", "x=1", "--limit", item)
    assert result.exit_code == 2
    assert words in one_error_line(result)


def test_limit_applies_to_every_case_of_a_batch(tmp_path: Path) -> None:
    cases = tmp_path / "deep.txt"
    cases.write_text("x**2 @ x=3\n" + "-" * 150 + "x @ x=1\n")
    plain = run("batch", str(cases), "--format", "jsonl")
    kinds = [strict(line).get("error", {}).get("kind") for line in plain.stdout.splitlines()]
    assert (plain.exit_code, kinds) == (1, [None, "limit"])
    raised = run("batch", str(cases), "--format", "jsonl", "--limit", "max_depth=200")
    rows = [strict(line) for line in raised.stdout.splitlines()]
    assert raised.exit_code == 0 and all(row["agree"] for row in rows)


# --- options (issue: repeated --at, a mistyped command, which limit to raise) ---------------


def test_repeated_at_options_merge() -> None:
    merged = run("x*y", "--at", "x=2", "--at", "y=3", "--order", "1", "--format", "json")
    assert merged.exit_code == 0, merged.output
    document = strict(merged.stdout)
    assert document["point"] == {"x": 2.0, "y": 3.0}
    assert document["engines"]["tape"]["gradient"] == [3.0, 2.0]


def test_a_name_given_in_two_at_options_is_an_error() -> None:
    refused = run("x*y", "--at", "x=2,y=1", "--at", "x=3")
    assert refused.exit_code == 2
    assert "'x' is given twice" in one_error_line(refused)


def test_a_mistyped_command_gets_a_suggestion() -> None:
    refused = run("bach", "expressions/")
    assert refused.exit_code == 2
    line = one_error_line(refused)
    assert "did you mean 'batch'?" in line and "unexpected extra argument" in line
    # an expression that is merely a word fails without the guess when no command is near
    assert "did you mean" not in one_error_line(run("banana", "expressions/"))


def test_an_order_above_the_limit_names_the_limit_to_raise() -> None:
    line = one_error_line(run("x", "--at", "x=1", "--order", "7"))
    assert "Limits.max_order" in line and "--limit max_order=VALUE" in line
    assert run("x**7", "--at", "x=1", "--order", "7", "--limit", "max_order=7").exit_code == 0


def test_the_time_limit_message_names_the_option_once() -> None:
    slow = run("tan(x)**5", "--at", "x=1", "--order", "6", "--limit", "symbolic_seconds=0.2")
    line = one_error_line(slow)
    assert line.count("--limit symbolic_seconds=") == 1
    assert line.count("raise") == 1
