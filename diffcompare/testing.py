"""Assertions for test suites: is this function the derivative, gradient or Hessian of that one?

Built on `diffcompare.grading.check_function`, for autograders written with pytest, nbgrader
or otter:

    from diffcompare.testing import assert_gradient

    def test_student_gradient():
        assert_gradient(student.grad, "log(1 + exp(-(2*w1 - 3*w2)))", takes="array")

A failure raises AssertionError whose text names the worst point and component, with the
value the function gave and the exact one. Options are those of `check_function`; a bad
expression or option raises a DiffCompareError (the test itself is wrong, not the code under
test).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .grading.feedback import Feedback
from .grading.function import check_function
from .language.expr import Expr

__all__ = ["assert_derivative", "assert_gradient", "assert_hessian", "failure_report"]


def assert_derivative(
    fn: Callable[..., Any] | str, of: str | Expr, *, order: int = 1, **options: Any
) -> Feedback:
    """AssertionError unless `fn(x)` is the `order`-th derivative of `of` at every point
    tried. Returns the Feedback when it passes."""
    return _assert(check_function(fn, of, kind="derivative", order=order, **options), of)


def assert_gradient(fn: Callable[..., Any] | str, of: str | Expr, **options: Any) -> Feedback:
    """AssertionError unless `fn` returns the gradient of `of` at every point tried."""
    return _assert(check_function(fn, of, kind="gradient", **options), of)


def assert_hessian(fn: Callable[..., Any] | str, of: str | Expr, **options: Any) -> Feedback:
    """AssertionError unless `fn` returns the Hessian of `of` at every point tried."""
    return _assert(check_function(fn, of, kind="hessian", **options), of)


def _assert(feedback: Feedback, of: str | Expr) -> Feedback:
    if not feedback.correct:
        raise AssertionError(failure_report(feedback, of))
    return feedback


def failure_report(feedback: Feedback, of: str | Expr) -> str:
    """The readable text of a failed check: verdict, worst point, and where it ran."""
    from .language.expr import to_text

    details = feedback.details
    function = of if isinstance(of, str) else to_text(of)
    lines = [f"{details.get('kind', 'derivative')} of {function}: {feedback.message}"]
    worst = details.get("worst")
    if worst:
        point = ", ".join(f"{name}={value:g}" for name, value in worst["point"].items())
        lines.append(f"  worst point:  {point}")
        lines.append(f"  component:    {worst['component']}")
        lines.append(f"  got:          {worst['got']!r}")
        lines.append(f"  expected:     {worst['expected']!r}")
        lines.append(
            f"  abs. error:   {worst['abs_error']:.3g} (tolerance {worst['tolerance']:.3g})"
        )
    if "right" in details:
        lines.append(f"  right:        {details['right']} of {details['total']} numbers")
    if feedback.mistake:
        lines.append(f"  mistake:      {feedback.mistake}")
    if "isolation" in details:
        lines.append(f"  ran in:       a worker {details['isolation']}")
    return "\n".join(lines)
