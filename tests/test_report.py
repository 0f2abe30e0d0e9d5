"""The reporter: a table that reads at 80 columns and when piped, JSON and CSV for programs."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import types
from typing import Any

import pytest
from rich.console import Console

from diffcompare import compare
from diffcompare.compare.comparison import ENGINE_MODULES, Comparison
from diffcompare.engines.base import EngineResult
from diffcompare.report.render import CSV_COLUMNS, entry_name, render, to_csv, to_json, verdict

# SGR sequences that set a colour (foreground 30-37/90-97, background 40-47/100-107, 38;/48;)
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")

CASES = [
    ("3*x**2+2*x-1", "x=1", {}),
    ("(x1+5)*x2**2", "x1=2,x2=3", {}),
    ("x**4+2*x**3-3*x**2+4*x-5", "x=2", {"order": 6}),
    ("abs(x) + y**2", "x=0,y=1", {}),
    ("sqrt(x)", "x=0", {}),
    ("exp(x)", "x=800", {}),
    ("sin(alpha)*cos(beta_long_name)*exp(gamma)", "alpha=0.5,beta_long_name=1.25,gamma=-3", {}),
    ("log(1 + a*b*c*d)", "a=0.1,b=0.2,c=0.3,d=0.4", {}),
]


def rendered(comparison: Comparison, **console: Any) -> str:
    out = io.StringIO()
    render(comparison, Console(file=out, width=80, **console))
    return out.getvalue()


@pytest.fixture(scope="module")
def comparisons() -> list[Comparison]:
    return [compare(text, at, **options) for text, at, options in CASES]


def test_table_fits_80_columns(comparisons: list[Comparison]) -> None:
    for comparison in comparisons:
        text = rendered(comparison)
        widest = max(len(line) for line in text.splitlines())
        assert widest <= 80, f"{comparison.expression}: {widest} columns\n{text}"


def test_table_shows_every_entry_and_engine(comparisons: list[Comparison]) -> None:
    text = rendered(comparisons[1])
    for label in ("∂f/∂x1", "∂f/∂x2", "∂²f/∂x1²", "∂²f/∂x1∂x2", "∂²f/∂x2²"):
        assert label in text
    for name in ("exact", "symbolic", "finite", "tape"):
        assert name in text
    assert "42" in text and "14" in text
    assert "all engines agree with the exact reference" in text


def test_piped_table_has_no_escape_codes(comparisons: list[Comparison]) -> None:
    for comparison in comparisons:
        assert "\x1b" not in rendered(comparison)


def test_no_color_is_respected_on_a_terminal(
    comparisons: list[Comparison], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    coloured = rendered(comparisons[3], force_terminal=True)
    assert COLOUR.search(coloured), "a terminal should get colour: the check below means nothing"
    monkeypatch.setenv("NO_COLOR", "1")
    assert not COLOUR.search(rendered(comparisons[3], force_terminal=True))


def test_entry_names() -> None:
    assert entry_name((), ("x",)) == "f"
    assert entry_name((0, 0, 0), ("x",)) == "f'''"
    assert entry_name((0,) * 5, ("x",)) == "f⁽⁵⁾"
    assert entry_name((1,), ("x", "y")) == "∂f/∂y"
    assert entry_name((0, 0), ("x", "y")) == "∂²f/∂x²"
    assert entry_name((0, 1), ("x", "y")) == "∂²f/∂x∂y"


def test_kink_and_undefined_derivatives_are_explained(comparisons: list[Comparison]) -> None:
    kink = rendered(comparisons[3])
    assert "abs(x) is not differentiable here" in kink
    assert "not judged" in kink
    infinite = rendered(comparisons[4])
    assert "infinite" in infinite and "undefined" in infinite


def test_verdict_names_the_engine_entry_error_and_tolerance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = {(): 4.0, (0,): 8.0003, (0, 0): 6.0}

    def run(expr: Any, variables: Any, point: Any, entries: Any, **_: Any) -> EngineResult:
        return EngineResult("finite", values=dict(answers), error_estimates={(0,): 1e-9})

    module = types.ModuleType("fake_finite")
    module.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(ENGINE_MODULES, "finite", module.__name__)
    line = verdict(compare("3*x**2+2*x-1", "x=1", engines=["tape", "finite"]))
    assert line.startswith("finite disagrees at f'")
    assert "off by 3.0e-04 (tolerance" in line
    assert "tape" not in line


def test_json_is_strict_and_round_trips(comparisons: list[Comparison]) -> None:
    def refuse(name: str) -> Any:
        raise AssertionError(name)

    for comparison in comparisons:
        document = json.loads(to_json(comparison), parse_constant=refuse)
        assert document == json.loads(json.dumps(comparison.to_dict()))


def test_csv_has_a_row_per_entry_per_engine(comparisons: list[Comparison]) -> None:
    for comparison in comparisons:
        rows = list(csv.DictReader(io.StringIO(to_csv(comparison))))
        assert len(rows) == len(comparison.entries) * len(comparison.engines)
        assert tuple(rows[0]) == CSV_COLUMNS
        for row in rows:
            assert row["agree"] in ("true", "false")
            if row["value"]:
                float(row["value"])
            else:
                assert row["reason"], row
    rows = list(csv.DictReader(io.StringIO(to_csv(comparisons[1]))))
    tape = {row["entry"]: row for row in rows if row["engine"] == "tape"}
    assert float(tape["gradient[1]"]["value"]) == 42.0
    assert tape["hessian[0][1]"]["variables"] == "x1 x2"
