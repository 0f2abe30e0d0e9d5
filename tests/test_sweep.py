"""The sweep: every engine along an interval, judged per point as a comparison would."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from diffcompare import compare
from diffcompare.cli.main import main
from diffcompare.errors import InputError
from diffcompare.study.sweep import parse_over, sweep


def strict(text: str) -> dict:
    def refuse(name: str) -> None:
        raise AssertionError(f"JSON holds {name}")

    return json.loads(text, parse_constant=refuse)


def test_the_table_names_where_finite_disagrees() -> None:
    args = ["sweep", "sin(1/x)", "--over", "x=0.001:1", "--points", "300", "--entry", "f''"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    rows = {line.split()[0]: line for line in result.output.splitlines() if line.strip()}
    assert "[0.001, " in rows["finite"]
    assert "everywhere" in rows["tape"] and "everywhere" in rows["symbolic"]


def test_each_point_is_what_a_single_comparison_says_there() -> None:
    result = sweep("exp(-x*y)*sin(3*x)", "x=0.1:2", points=7, at="y=0.7")
    for i, x in enumerate(result.points.tolist()):
        single = compare("exp(-x*y)*sin(3*x)", {"x": x, "y": 0.7}, order=1)
        for name, trace in result.engines.items():
            check = single.engines[name].checks[(0,)]
            if name == "symbolic":  # the same formula, run by our evaluator on arrays
                assert trace.value[i] == pytest.approx(check.value, rel=4e-16)
            else:  # the same arithmetic, in arrays
                assert trace.value[i] == check.value, (name, x)
                assert trace.abs_error[i] == pytest.approx(check.abs_error, rel=1e-6, abs=1e-30)
            assert trace.agree[i] is check.agrees
        assert result.exact[i] == single.reference.values[(0,)]


def test_cancellation_and_an_undefined_point_are_reported_not_crashed_on() -> None:
    result = sweep("(1 - cos(x))/x**2", "x=-0.001:0.001", points=21)
    document = result.to_dict()
    assert document["undefined"] == [{"x": 0.0, "reason": "the function is undefined (0/0)"}]
    assert document["engines"]["tape"]["agree"][10] is None
    assert document["ill_conditioned"] and "every float64 method" in document["notes"][0]
    json.dumps(document, allow_nan=False)


def test_entry_by_name_and_held_variables() -> None:
    result = sweep("x**2*y**3", ("x", 1.0, 2.0), points=3, at={"y": 2.0}, entry="d2f/dxdy")
    assert result.entry == (0, 1)
    assert result.exact.tolist() == [24.0, 36.0, 48.0]  # 6 x y**2
    assert all(v is True for trace in result.engines.values() for v in trace.agree)


def test_over_is_read_with_the_point_syntax() -> None:
    assert parse_over("x=-pi/2:pi") == ("x", -math.pi / 2, math.pi)
    for bad in ("x=1", "x=2:1", "1:2", "x=a:b"):
        with pytest.raises(InputError):
            parse_over(bad)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["x*y", "--over", "x=0:1"], "hold it with --at y="),
        (["x", "--over", "x0:1"], "NAME=FROM:TO"),
        (["x", "--over", "x=0:1", "--plot", "out.gif"], ".png, .svg, .pdf"),
        (["x", "--over", "x=0:1", "--entry", "f'''''''''"], "names no derivative"),
    ],
)
def test_bad_input_is_one_error_line(args: list[str], words: str) -> None:
    result = CliRunner().invoke(main, ["sweep", *args])
    assert result.exit_code == 2
    assert words in result.output


def test_csv_has_a_row_per_point_per_engine() -> None:
    result = CliRunner().invoke(
        main, ["sweep", "x**3", "--over", "x=1:2", "--points", "4", "--format", "csv"]
    )
    lines = result.output.splitlines()
    assert lines[0] == "x,engine,value,exact,abs_error,rel_error,tolerance,agree"
    assert len(lines) == 1 + 4 * 3
    assert lines[1].startswith("1.0,symbolic,3.0,3.0,")


@pytest.mark.parametrize(
    ("text", "entry", "names"),
    [
        ("sin(1/x)", (0,), ("x",)),
        ("sqrt(x)*exp(x)", (0, 0), ("x",)),
        ("x**2*y + sin(x*y)", (0, 1), ("x", "y")),
        ("log(x) + y", (1, 1), ("x", "y")),
    ],
)
def test_the_engines_on_arrays_give_what_they_give_one_point_at_a_time(
    text: str, entry: tuple[int, ...], names: tuple[str, ...]
) -> None:
    import numpy as np

    from diffcompare.engines import finite, tape
    from diffcompare.engines.finite_many import derivative_many
    from diffcompare.language.parse import parse

    expr = parse(text)
    points = np.random.default_rng(7).uniform(-0.2, 3.0, size=(40, len(names)))
    points[0, 0] = 0.004  # close enough to 0 that the largest steps cross into log's edge
    values, estimates = derivative_many(expr, names, points, entry)
    on_tape = tape.derivatives_many(expr, names, points, entry)
    for i, point in enumerate(points.tolist()):
        one = finite.run(expr, names, point, [entry])
        if math.isnan(values[i]):
            continue  # the arrays' fixed halvings may all cross an edge the search avoids
        single = one.values[entry]
        assert single is not None
        if one.info["method"][entry] == "complex" and len(entry) == 1:
            # the complex step in arrays is the same arithmetic
            assert (values[i], estimates[i]) == (single, one.error_estimates[entry])
        else:  # central halvings in arrays, a search of steps one point at a time
            assert abs(values[i] - single) <= estimates[i] + one.error_estimates[entry]
        taped = tape.run(expr, names, point, [entry]).values[entry]
        assert (taped is None and math.isnan(on_tape[i])) or on_tape[i] == taped


@pytest.mark.parametrize("columns", ["80", "60"])
def test_summary_and_chart_fit_the_width_with_no_escape_codes(columns: str) -> None:
    args = ["sweep", "x**3*sin(y)", "--over", "x=-1:1", "--at", "y=2", "--points", "40"]
    result = CliRunner().invoke(main, args, env={"COLUMNS": columns})
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= int(columns)
    assert any(line.startswith("     0|") for line in lines)  # exact zeros have their own row
    assert "s symbolic" in result.output and "relative error of ∂f/∂x along x" in lines


def test_the_single_command_does_not_load_matplotlib() -> None:
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from diffcompare.cli.main import main\n"
        "result = CliRunner().invoke(main, ['sin(x)', '--at', 'x=1', '--formulas'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'plotext')))\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_a_kink_on_the_way_is_listed_and_not_judged() -> None:
    result = sweep("abs(x)*y + x**2", "x=-1:1", points=5, at="y=2")
    document = result.to_dict()
    assert document["undefined"] == [{"x": 0.0, "reason": "abs(x) is not differentiable here"}]
    assert [trace["agree"][2] for trace in document["engines"].values()] == [None] * 3
    assert all(v is True for t in result.engines.values() for i, v in enumerate(t.agree) if i != 2)
    # the derivative by y does not go through abs(x): judged everywhere
    by_y = sweep("abs(x)*y + x**2", "x=-1:1", points=5, at="y=2", entry="df/dy")
    assert by_y.undefined == [] and all(v is True for v in by_y.engines["tape"].agree)


def test_a_formula_too_long_for_the_tree_is_run_by_the_symbolic_engines_walker() -> None:
    from diffcompare import Limits, Settings

    settings = Settings(limits=Limits(max_constant_log10=50_000))
    # d/dx is 1 + 2**-65536: a fraction of 19,729 digits each side, 1.0 in float64
    result = sweep("(2**2**2**2**2 + 1)/2**2**2**2**2*x", "x=0:1", points=3, settings=settings)
    assert result.engines["symbolic"].value.tolist() == [1.0, 1.0, 1.0]
    assert result.engines["symbolic"].agree == [True, True, True]
