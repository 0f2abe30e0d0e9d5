"""The step study: the V of truncation and rounding, and the steps worth knowing."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from diffcompare import steps
from diffcompare.cli.main import main
from diffcompare.study.steps import step_grid

EPS = 2.0**-52


def run_json(*args: str) -> dict:
    result = CliRunner().invoke(main, ["steps", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_v_of_central_differences_on_sin() -> None:
    document = run_json("sin(x)", "--at", "x=1")
    central = [r for r in document["rows"] if r["method"] == "central"]
    best = min(central, key=lambda r: r["abs_error"])
    assert 1e-7 <= best["h"] <= 1e-4
    assert document["summary"]["central"]["best"] == best
    assert central[0]["h"] == 0.1 and central[-1]["h"] == 1e-16
    assert central[0]["abs_error"] >= 100 * best["abs_error"]
    assert central[-1]["abs_error"] >= 100 * best["abs_error"]
    model = document["models"]["central"]
    assert model["truncation"]["power"] == 2 and model["rounding"]["power"] == 1
    # the fitted truncation line is cos(1)/6 h², the textbook's remainder term
    assert model["truncation"]["coefficient"] == pytest.approx(0.5403 / 6, rel=0.05)
    assert document["summary"]["central"]["rule_of_thumb"]["h"] == pytest.approx(EPS ** (1 / 3))
    assert document["summary"]["forward"]["rule_of_thumb"]["h"] == pytest.approx(EPS ** (1 / 2))


def test_the_textbook_step_gives_the_articles_number() -> None:
    document = run_json("3*x**2+2*x-1", "--at", "x=1", "--method", "central")
    at_textbook = [r for r in document["rows"] if r["h"] == 1e-3]
    assert [r["value"] for r in at_textbook] == [7.999999999999119]
    assert document["summary"]["central"]["textbook"]["value"] == 7.999999999999119


def test_the_complex_step_has_no_rounding_branch() -> None:
    study = steps("sin(x)", {"x": 1.0}, methods=["complex"])
    small = [r for r in study.rows if r.h <= 1e-8]
    assert small and all(r.rel_error is not None and r.rel_error <= 2 * EPS for r in small)
    study = steps("exp(x)*sin(x)", {"x": 0.5}, methods=["complex"], h_from=1e-8, h_to=1e-200)
    assert all(r.rel_error is not None and r.rel_error <= 2 * EPS for r in study.rows)


def test_richardson_is_the_finite_engine_by_itself() -> None:
    from diffcompare import compare

    study = steps("sin(x)", {"x": 1.0}, methods=["richardson", "central"])
    (row,) = [r for r in study.rows if r.method == "richardson"]
    single = compare("sin(x)", {"x": 1.0}, order=1, method="central")
    assert row.value == single.engines["finite"].checks[(0,)].value
    assert row.h == study.summaries["central"].engine_step


def test_second_and_mixed_entries_by_name() -> None:
    study = steps("x**2*y**3", "x=1,y=2", entry="d2f/dxdy", methods=["central"])
    assert study.entry == (0, 1) and study.exact == 24.0  # 6 x y²
    assert study.models["central"] is not None
    assert study.models["central"].rounding_power == 2


def test_complex_is_refused_with_the_reason_where_not_analytic() -> None:
    study = steps("abs(x) + x**2", {"x": 1.0})
    assert "complex" not in study.methods and "abs is not analytic" in study.notes[0]
    result = CliRunner().invoke(main, ["steps", "relu(x)", "--at", "x=1", "--method", "complex"])
    assert result.exit_code == 2 and "relu is not analytic" in result.output


def test_the_grid_hits_powers_of_ten_exactly() -> None:
    grid = step_grid(1e-1, 1e-16, 4)
    assert len(grid) == 61 and 1e-3 in grid and grid[0] == 0.1 and grid[-1] == 1e-16


def test_table_and_chart_fit_80_columns_without_escape_codes() -> None:
    result = CliRunner().invoke(main, ["steps", "sin(x)", "--at", "x=1"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "\x1b" not in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    assert "c central" in result.output and "h (log scale)" in result.output
