"""One Settings object: checked once when made, taken by every front door."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest
from click.testing import CliRunner

from diffcompare import Limits, Settings, compare
from diffcompare.batch.runner import Case, run
from diffcompare.cli import main as cli
from diffcompare.compare import comparison
from diffcompare.errors import InputError, LimitError


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("rtol", -1.0, "rtol must be a finite number >= 0"),
        ("atol", math.nan, "atol must be a finite number >= 0"),
        ("fd_rtol", math.inf, "fd_rtol must be a finite number >= 0"),
        ("method", "sideways", "method must be one of auto, central"),
        ("rtol", True, "rtol must be a finite number >= 0"),
        ("step", 0.0, "step must be a positive finite number"),
        ("step", -1e-3, "step must be a positive finite number"),
        ("order", -1, "order must be a whole number >= 0"),
        ("order", 1.5, "order must be a whole number >= 0"),
        ("engines", ("tape", "nope"), "unknown engine 'nope'"),
        ("engines", (), "no engine chosen"),
        ("limits", {"max_depth": 3}, "limits must be a diffcompare.Limits"),
        ("simplify", "yes", "simplify must be True, False or None"),
    ],
)
def test_a_bad_setting_is_refused_by_name(name: str, value: Any, error: str) -> None:
    with pytest.raises(InputError, match=error):
        Settings(**{name: value})
    with pytest.raises(InputError, match=error):
        Settings().replace(**{name: value})  # a copy is checked too


def test_an_order_above_the_limit_names_the_limit() -> None:
    with pytest.raises(LimitError, match="above the limit of 6"):
        Settings(order=7)
    assert Settings(order=7, limits=Limits(max_order=8)).order == 7


def test_values_are_normalised_once() -> None:
    settings = Settings(engines=["tape", "finite", "tape"], rtol=1, step=1)
    assert settings.engines == ("tape", "finite")
    assert Settings(engines="tape").engines == ("tape",)  # a lone name, not its letters
    assert isinstance(settings.rtol, float) and isinstance(settings.step, float)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.rtol = 2.0  # type: ignore[misc]


def test_every_field_is_checked() -> None:
    # a new field must come with its check (the `setting` helper), or Settings cannot be made
    for field in dataclasses.fields(Settings):
        assert callable(field.metadata.get("check")), field.name


def test_compare_takes_settings_and_keywords_change_them() -> None:
    settings = Settings(order=1, engines=("tape",), rtol=1e-12)
    by_settings = compare("x*y", "x=1, y=2", settings)
    by_keywords = compare("x*y", "x=1, y=2", order=1, engines=["tape"], rtol=1e-12)
    assert _timeless(by_settings.to_dict()) == _timeless(by_keywords.to_dict())
    assert by_settings.settings == settings
    changed = compare("x*y", "x=1, y=2", settings, rtol=1e-3)
    assert changed.settings.rtol == 1e-3 and changed.settings.engines == ("tape",)
    assert changed.to_dict()["tolerances"]["rtol"] == 1e-3


def _timeless(document: dict[str, Any]) -> dict[str, Any]:
    for engine in document["engines"].values():
        engine.pop("seconds")
    return document


def test_batch_takes_the_same_settings() -> None:
    settings = Settings(order=1, engines=("tape", "symbolic"))
    [result] = list(run([Case("x**3", "x=2")], jobs=1, settings=settings))
    assert list(result["engines"]) == ["tape", "symbolic"]
    assert result["order"] == 1 and "hessian" not in result["reference"]


def test_the_command_line_builds_one_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Settings] = []
    real = compare

    def spy(expression: Any, at: Any, settings: Settings) -> Any:
        seen.append(settings)
        return real(expression, at, settings)

    monkeypatch.setattr(comparison, "compare", spy)
    arguments = ["x**2", "--at", "x=1", "--order", "1", "--engine", "tape", "--rtol", "1e-8"]
    outcome = CliRunner().invoke(cli.main, [*arguments, "--limit", "max_depth=50"])
    assert outcome.exit_code == 0, outcome.output
    assert seen == [Settings(order=1, engines=("tape",), rtol=1e-8, limits=Limits(max_depth=50))]


def test_a_bad_setting_on_the_command_line_is_one_error_line() -> None:
    outcome = CliRunner().invoke(cli.main, ["x", "--at", "x=1", "--rtol", "-1"])
    assert outcome.exit_code == 2
    assert "error: rtol must be a finite number >= 0" in outcome.output
