"""The comparison: errors against the exact reference, agreement rules, the JSON document."""

from __future__ import annotations

import json
import math
import sys
import types
from typing import Any

import pytest

from diffcompare import Comparison, DomainError, InputError, LimitError, compare
from diffcompare.compare.comparison import (
    AGREE,
    DISAGREE,
    ENGINE_MODULES,
    MISSING,
    NOT_DIFFERENTIABLE,
    OUT_OF_RANGE,
    SPURIOUS,
    UNDEFINED,
)
from diffcompare.compare.settings import Settings
from diffcompare.engines.base import EngineResult


def _no_constants(name: str) -> Any:
    raise AssertionError(f"JSON holds {name}")


def strict_json(comparison: Comparison) -> dict[str, Any]:
    """The document as a strict JSON reader sees it: NaN or Infinity would fail here."""
    text = json.dumps(comparison.to_dict(), allow_nan=False)
    return json.loads(text, parse_constant=_no_constants)


def fake_engine(
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    values: dict[tuple[int, ...], float | None],
    estimates: dict[tuple[int, ...], float] | None = None,
    fail: Exception | None = None,
) -> None:
    """Put an engine with fixed answers under `name` (existing or new)."""

    def run(expr: Any, variables: Any, point: Any, entries: Any, **_: Any) -> EngineResult:
        if fail is not None:
            raise fail
        result = EngineResult(engine=name)
        for entry in entries:
            result.values[entry] = values.get(entry)
            if values.get(entry) is None:
                result.reasons[entry] = "fake: no value"
        result.error_estimates.update(estimates or {})
        return result

    module = types.ModuleType(f"fake_{name}")
    module.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(ENGINE_MODULES, name, module.__name__)


# --- the seed cases through the API -------------------------------------------------------


def test_s4_gradient_and_hessian_from_every_engine() -> None:
    result = strict_json(compare("(x1+5)*x2**2", "x1=2, x2=3"))
    assert result["variables"] == ["x1", "x2"]
    assert result["value"] == 63.0
    assert result["reference"]["gradient"] == [9.0, 42.0]
    assert result["reference"]["hessian"] == [[0.0, 6.0], [6.0, 14.0]]
    assert set(result["engines"]) == {"symbolic", "finite", "tape"}
    for name, engine in result["engines"].items():
        assert engine["gradient"] == pytest.approx([9.0, 42.0], rel=1e-8), name
        flat = [h for row in engine["hessian"] for h in row]
        assert flat == pytest.approx([0, 6, 6, 14], abs=1e-6), name
        assert engine["agree"] is True
    assert result["agree"] is True


def test_s19_and_s20_finite_with_the_articles_step_bit_for_bit() -> None:
    s19 = compare("3*x**2 + 2*x - 1", {"x": 1.0}, engines=["finite"], step=1e-3)
    assert s19.engines["finite"].checks[(0,)].value == 7.999999999999119
    assert s19.agree
    s20 = compare("(x1+5)*x2**2", {"x1": 2.0, "x2": 3.0}, engines=["finite"], step=1e-3)
    gradient = [s20.engines["finite"].checks[(i,)].value for i in range(2)]
    assert gradient == [8.999999999993236, 41.999999999994486]


def test_s25_derivatives_up_to_order_three() -> None:
    result = compare("x**4 + 2*x**3 - 3*x**2 + 4*x - 5", "x=2", order=3)
    document = strict_json(result)
    assert document["reference"]["derivatives"] == [48.0, 66.0, 60.0]
    for engine in document["engines"].values():
        assert engine["derivatives"] == pytest.approx([48, 66, 60], rel=1e-6)
    assert result.agree


# --- shape of the document ----------------------------------------------------------------


def test_variables_follow_the_order_of_the_point() -> None:
    result = compare("(x1+5)*x2**2", {"x2": 3.0, "x1": 2.0}, engines=["tape"])
    assert result.variables == ("x2", "x1")
    assert strict_json(result)["reference"]["gradient"] == [42.0, 9.0]


def test_order_one_has_no_hessian_and_order_three_has_derivatives() -> None:
    first = strict_json(compare("x*y", "x=1,y=2", order=1, engines=["tape"]))
    assert "hessian" not in first["reference"]
    assert "hessian" not in first["engines"]["tape"]
    assert first["reference"]["gradient"] == [2.0, 1.0]
    third = strict_json(compare("sin(x)", "x=0.5", order=3, engines=["symbolic"]))
    assert len(third["engines"]["symbolic"]["derivatives"]) == 3
    assert third["engines"]["symbolic"]["hessian"] == [[third["reference"]["derivatives"][1]]]


def test_finite_reports_step_method_and_error_estimates_in_the_gradients_shape() -> None:
    finite = strict_json(compare("x*y**2", "x=1,y=2", engines=["finite"]))["engines"]["finite"]
    assert finite["method"] == {
        label: "complex"
        for label in (
            "gradient[0]",
            "gradient[1]",
            "hessian[0][0]",
            "hessian[0][1]",
            "hessian[1][1]",
        )
    }
    assert set(finite["step"]) >= {"gradient[0]", "hessian[0][1]"}
    assert len(finite["error_estimate"]["gradient"]) == 2
    assert len(finite["error_estimate"]["hessian"]) == 2
    assert all(e >= 0 for row in finite["error_estimate"]["hessian"] for e in row)
    assert finite["estimate_ok"]["gradient"] == [True, True]
    assert isinstance(finite["evaluations"], int) and finite["evaluations"] > 5


def test_errors_are_measured_against_fifty_digits() -> None:
    # float64 sin(0.5) is off the 50-digit value by a fraction of an ulp: it must show
    result = compare("sin(x)", "x=0.5", order=0, engines=["symbolic"])
    check = result.engines["symbolic"].checks[()]
    assert check.abs_error is not None and 0 < check.abs_error < 1e-16
    assert check.rel_error == pytest.approx(check.abs_error / math.sin(0.5), rel=1e-6)
    assert len(result.reference.exact_text[()] or "") >= 50


def test_relative_error_is_absent_where_the_exact_value_is_zero() -> None:
    result = compare("(x1+5)*x2**2", "x1=2,x2=3", engines=["tape"])
    check = result.engines["tape"].checks[(0, 0)]
    assert check.abs_error == 0.0
    assert check.rel_error is None
    assert check.status == AGREE


# --- agreement rules ----------------------------------------------------------------------


def test_a_wrong_engine_is_named_and_the_others_still_agree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_engine(monkeypatch, "broken", {(): 4.0, (0,): 8.001, (0, 0): 6.0})
    result = compare("3*x**2+2*x-1", "x=1", engines=["tape", "broken"])
    assert result.engines["tape"].agree
    broken = result.engines["broken"]
    assert not broken.agree
    assert broken.checks[(0,)].status == DISAGREE
    assert broken.checks[(0,)].abs_error == pytest.approx(1e-3)
    assert broken.checks[(0, 0)].status == AGREE
    assert not result.agree
    assert strict_json(result)["agree"] is False


def test_tolerance_has_a_scaled_floor_for_exact_zeros(monkeypatch: pytest.MonkeyPatch) -> None:
    # the Hessian's exact 0 next to a 14: an error of 1e-13 is rounding, 1e-9 is not
    tiny = {(): 63.0, (0,): 9.0, (1,): 42.0, (0, 0): 1e-13, (0, 1): 6.0, (1, 1): 14.0}
    fake_engine(monkeypatch, "near", tiny)
    fake_engine(monkeypatch, "far", {**tiny, (0, 0): 1e-9})
    result = compare("(x1+5)*x2**2", "x1=2,x2=3", engines=["near", "far"])
    assert result.engines["near"].checks[(0, 0)].status == AGREE
    assert result.engines["far"].checks[(0, 0)].status == DISAGREE


def test_finite_is_never_excused_by_its_own_error_estimate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    values = {(): 4.0, (0,): 8.0 + 1e-4, (0, 0): 6.0}
    # a large estimate is honest (it bounds the error) but does not make the value right
    fake_engine(monkeypatch, "finite", values, estimates={(0,): 1e3})
    result = compare("3*x**2+2*x-1", "x=1", engines=["finite"])
    check = result.engines["finite"].checks[(0,)]
    assert check.status == DISAGREE and check.estimate_ok is True
    assert check.tolerance == pytest.approx(8e-8, rel=1e-3)  # 1e-8 of 8, plus the floor
    # a small one that misses the error is reported as such
    fake_engine(monkeypatch, "finite", values, estimates={(0,): 2e-6})
    check = compare("3*x**2+2*x-1", "x=1", engines=["finite"]).engines["finite"].checks[(0,)]
    assert check.status == DISAGREE and check.estimate_ok is False
    # only a tolerance chosen before looking can accept it
    assert compare("3*x**2+2*x-1", "x=1", engines=["finite"], fd_rtol=1e-4).agree


def test_tolerances_are_per_engine_and_per_order() -> None:
    settings = Settings()
    assert [settings.relative_tolerance("finite", k) for k in range(7)] == [
        1e-9,
        1e-8,
        1e-6,
        1e-4,
        1e-3,
        1e-3,
        1e-3,
    ]
    assert {settings.relative_tolerance("tape", k) for k in range(7)} == {1e-9}
    assert settings.replace(fd_rtol=1e-5).relative_tolerance("finite", 2) == 1e-5
    assert settings.replace(fd_rtol=1e-5).relative_tolerance("finite", 0) == 1e-9


@pytest.mark.parametrize("step", [1e-9, 1e-20])
def test_a_forced_step_is_judged_like_the_automatic_one(step: float) -> None:
    # sin at 1 with h = 1e-9: f'' is rounding noise (111 for -0.84); x**2 with 1e-20: f' = 0
    for text in ("sin(x)", "x**2"):
        result = compare(text, "x=1", engines=["finite"], step=step)
        assert not result.agree
        worst = max(c.rel_error or 0 for c in result.engines["finite"].checks.values())
        assert worst > 1e-3


@pytest.mark.parametrize("text", ["3", "pi*e", "2+3", "sqrt(2)*exp(1)"])
def test_a_constant_is_compared_on_its_value_alone(text: str) -> None:
    result = compare(text, {})
    assert result.agree and result.entries == [()]
    assert set(result.engines) == {"symbolic", "finite", "tape"}
    document = strict_json(result)
    assert document["variables"] == [] and document["agree"] is True


def test_rtol_decides_for_symbolic_and_tape(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_engine(monkeypatch, "tape", {(): 4.0, (0,): 8.0 * (1 + 1e-7), (0, 0): 6.0})
    assert not compare("3*x**2+2*x-1", "x=1", engines=["tape"]).agree
    assert compare("3*x**2+2*x-1", "x=1", engines=["tape"], rtol=1e-6).agree


def test_an_engine_that_crashes_disagrees_instead_of_crashing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_engine(monkeypatch, "crashing", {}, fail=ZeroDivisionError("boom"))
    result = compare("x**2", "x=1", engines=["crashing", "tape"])
    check = result.engines["crashing"].checks[(0,)]
    assert check.status == MISSING
    assert check.reason is not None and "ZeroDivisionError" in check.reason
    assert result.engines["tape"].agree and not result.agree


def test_infinite_derivative_is_reported_per_engine_not_raised() -> None:
    result = compare("sqrt(x)", "x=0")
    assert result.value == 0.0
    assert result.reference.values[(0,)] is None
    assert "infinite" in result.reference.reasons[(0,)]
    for outcome in result.engines.values():
        assert outcome.checks[()].status == AGREE
        assert outcome.checks[(0,)].value is None
        assert outcome.checks[(0,)].status == UNDEFINED
    assert result.agree
    document = strict_json(result)
    assert document["reference"]["gradient"] == [None]
    assert "gradient[0]" in document["engines"]["tape"]["reasons"]


def test_a_number_where_the_derivative_does_not_exist_disagrees(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake_engine(monkeypatch, "eager", {(): 0.0, (0,): 1e8, (0, 0): None})
    result = compare("sqrt(x)", "x=0", engines=["eager"])
    assert result.engines["eager"].checks[(0,)].status == SPURIOUS
    assert result.engines["eager"].checks[(0, 0)].status == UNDEFINED
    assert not result.agree


def test_undefined_function_value_refuses_with_a_domain_error() -> None:
    with pytest.raises(DomainError, match="log") as caught:
        compare("log(x)", "x=-1")
    assert "\n" not in caught.value.message
    with pytest.raises(DomainError):
        compare("1/x", "x=0")


def test_kinks_are_flagged_and_not_judged() -> None:
    result = compare("abs(x) + y**2", "x=0, y=1")
    assert [k.subexpression for k in result.kinks] == ["abs(x)"]
    assert result.kinks[0].variables == ("x",)
    for outcome in result.engines.values():
        assert outcome.checks[()].status == AGREE
        assert outcome.checks[(0,)].status == NOT_DIFFERENTIABLE
        assert outcome.checks[(0, 1)].status == NOT_DIFFERENTIABLE
        assert outcome.checks[(1,)].status == AGREE  # the y direction is smooth
        assert outcome.checks[(1, 1)].status == AGREE
    assert result.agree
    document = strict_json(result)
    assert document["kinks"] == [
        {"operation": "abs", "subexpression": "abs(x)", "variables": ["x"]}
    ]
    assert any("not differentiable" in note for note in document["notes"])


def test_relu_kink_and_no_kink_away_from_it() -> None:
    assert compare("relu(x)", "x=0").kinks
    assert not compare("relu(x)", "x=0.5").kinks
    assert not compare("abs(x - 1) + y", "x=2, y=1").kinks
    assert not compare("abs(2 - 2) + x", "x=1").kinks  # no variable below it: nothing to flag


def test_beyond_float64_is_reported_with_its_exact_text() -> None:
    result = compare("exp(x)", "x=800", order=1)
    assert result.reference.values[()] is None
    assert (result.reference.exact_text[()] or "").startswith("2.72637457211")
    for outcome in result.engines.values():
        assert outcome.checks[()].status == OUT_OF_RANGE
    assert strict_json(result)["value"] is None


# --- refusals -----------------------------------------------------------------------------


def test_unknown_engine_lists_the_valid_ones() -> None:
    with pytest.raises(InputError, match="symbolic, finite, tape"):
        compare("x", "x=1", engines=["symbolc"])
    with pytest.raises(InputError, match="no engine"):
        compare("x", "x=1", engines=[])


def test_order_limits() -> None:
    with pytest.raises(InputError, match="one variable"):
        compare("x*y", "x=1,y=2", order=3)
    with pytest.raises(LimitError, match="limit"):
        compare("x", "x=1", order=7)
    with pytest.raises(InputError):
        compare("x", "x=1", order=-1)


@pytest.mark.parametrize(
    "at", [{"x": math.nan}, {"x": math.inf}, {"x": "1"}, {"x": True}, {"x": 1e301}]
)
def test_unusable_coordinates_are_input_errors(at: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        compare("x", at)


def test_missing_and_extra_variables() -> None:
    with pytest.raises(InputError, match="'y'"):
        compare("x*y", "x=1")
    # a variable the expression does not use is accepted: its derivatives are 0
    assert compare("x", "x=1, z=2").engines["finite"].checks[(1,)].value == 0.0


@pytest.mark.parametrize("option", ["rtol", "atol", "fd_rtol"])
def test_negative_or_nan_tolerances_are_refused(option: str) -> None:
    with pytest.raises(InputError, match=option):
        compare("x", "x=1", **{option: -1.0})
    with pytest.raises(InputError, match=option):
        compare("x", "x=1", **{option: math.nan})


def test_bad_step_is_refused() -> None:
    with pytest.raises(InputError, match="step"):
        compare("x", "x=1", step=0.0)
