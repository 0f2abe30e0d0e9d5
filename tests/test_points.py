"""Points: variables the expression does not use, points in case files, and what a missing
value says at each front door (library, command line, batch)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

from diffcompare import compare
from diffcompare.batch.inputs import read_cases
from diffcompare.batch.runner import evaluate_case
from diffcompare.cli.main import main
from diffcompare.compare.settings import Settings
from diffcompare.errors import MissingValueError


def in_process(case: Any) -> dict[str, Any]:
    """A batch case's result, computed here rather than in a worker."""
    return evaluate_case(SimpleNamespace(case=case, settings=Settings()))


# -- variables the expression does not use --------------------------------------------------


def test_an_unused_variable_has_derivatives_exactly_0_in_every_engine() -> None:
    result = compare("x**2", {"x": 1.5, "y": 2.0, "z": -1.0})
    assert result.agree
    assert result.variables == ("x", "y", "z")
    for entry in [(1,), (2,), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)]:
        assert result.reference.values[entry] == 0.0
        for outcome in result.engines.values():
            assert outcome.checks[entry].value == 0.0, (outcome, entry)
    assert result.engines["tape"].checks[(0,)].value == 3.0
    assert "y and z are not in the expression: their derivatives are 0 in every engine" in (
        result.notes
    )


def test_a_variable_of_the_expression_without_a_value_is_still_an_error() -> None:
    with pytest.raises(MissingValueError, match="^variable 'y' has no value$"):
        compare("x*y", {"x": 1.0, "z": 2.0})


def test_the_command_line_accepts_an_unused_variable_and_says_so() -> None:
    result = CliRunner().invoke(main, ["x**2", "--at", "x=1,y=2", "--order", "1"])
    assert result.exit_code == 0, result.output
    assert "y is not in the expression: its derivatives are 0 in every engine" in result.output
    assert "∂f/∂y" in result.output


def test_the_command_line_says_how_to_give_a_missing_value() -> None:
    result = CliRunner().invoke(main, ["x*y", "--at", "x=1"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: variable 'y' has no value (give it with --at y=...)"


# -- case files ---------------------------------------------------------------------------


def cases(tmp_path: Path, name: str, text: str) -> list[Any]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_cases([str(path)])


def test_a_batch_case_with_an_unused_variable_agrees(tmp_path: Path) -> None:
    (case,) = cases(tmp_path, "c.txt", "x**2 @ x=1, w=3\n")
    result = in_process(case)
    assert result["agree"], result
    assert result["variables"] == ["x", "w"]
    assert result["notes"] == ["w is not in the expression: its derivatives are 0 in every engine"]


def test_a_case_file_missing_value_does_not_mention_the_command_line(tmp_path: Path) -> None:
    (case,) = cases(tmp_path, "c.txt", "x*y @ x=1\n")
    result = in_process(case)
    assert result["error"] == {"kind": "input", "message": "variable 'y' has no value"}


def test_jsonl_point_values_may_be_written_as_on_the_command_line(tmp_path: Path) -> None:
    text = '{"expr": "sin(x)*y", "at": {"x": "pi/2", "y": 2}}\n'
    (case,) = cases(tmp_path, "c.jsonl", text)
    assert case.problem is None
    result = in_process(case)
    assert result["agree"], result
    assert result["point"] == {"x": pytest.approx(1.5707963267948966, abs=0), "y": 2.0}


def test_a_jsonl_text_value_that_is_not_one_number_is_an_error_row(tmp_path: Path) -> None:
    (case,) = cases(tmp_path, "c.jsonl", '{"expr": "x", "at": {"x": "1, 2"}}\n')
    assert case.problem is not None and "'at.x'" in case.problem
    assert in_process(case)["error"]["kind"] == "input"


def test_an_unknown_jsonl_key_is_an_error_row_naming_it(tmp_path: Path) -> None:
    text = '{"id": "a", "expr": "x", "at": {"x": 1}, "point": {"x": 2}}\n'
    (case,) = cases(tmp_path, "c.jsonl", text)
    result = in_process(case)
    assert result["error"]["kind"] == "input"
    assert result["error"]["message"].startswith("unknown key 'point'")


def test_a_csv_point_with_a_comma_gets_a_hint_about_semicolons(tmp_path: Path) -> None:
    bad, quoted, good = cases(
        tmp_path, "c.csv", 'id,expr,at\na,x*y,x=1,y=2\nb,"hypot(x, 1)",x=1\nc,x*y,x=1;y=2\n'
    )
    assert bad.problem is not None and "';'" in bad.problem and "x=1;y=2" in bad.problem
    assert quoted.problem is None and good.problem is None
    assert in_process(good)["agree"]
