"""What a grading check returns: a verdict for the student and the evidence for the teacher."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..compare.schema import jsonable

Status = Literal["correct", "incorrect", "invalid", "undetermined"]


@dataclass
class Feedback:
    status: Status
    score: float  # in [0, 1]; partial credit for gradients, Hessians and custom mistakes
    message: str  # one or two sentences addressed to the student
    mistake: str | None = None  # "sign", "chain_rule", ... or a teacher's own name
    details: dict[str, Any] = field(default_factory=dict)  # verdicts, points, errors, timings

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0 or math.isnan(self.score):
            raise ValueError(f"score must be in [0, 1], got {self.score}")

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable: non-finite numbers become None, tuples lists."""
        return {
            "status": self.status,
            "score": self.score,
            "mistake": self.mistake,
            "message": self.message,
            "details": jsonable(self.details),
        }


def invalid(message: str, kind: str, text: str = "") -> Feedback:
    """An answer that cannot be graded: `kind` and `text` say why, for the teacher."""
    return Feedback("invalid", 0.0, message, details={"error": {"kind": kind, "text": text}})


def combine(parts: Mapping[tuple[str, ...], Feedback], what: str) -> Feedback:
    """Per-component feedback (of a gradient or a Hessian) folded into one, with partial
    credit: the fraction of components right."""
    names = {key: "/".join(key) if what == "hessian" else key[0] for key in parts}
    statuses = [f.status for f in parts.values()]
    score = sum(f.score for f in parts.values()) / len(parts) if parts else 0.0
    wrong = [names[key] for key, f in parts.items() if not f.correct]
    status: Status
    if not wrong:
        status, message = "correct", f"Every component of the {what} is right."
    elif all(s == "invalid" for s in statuses):
        status = "invalid"
        message = f"None of the components of the {what} could be read."
    elif "incorrect" in statuses or "invalid" in statuses:
        status = "incorrect"
        message = f"Not every component of the {what} is right: check {', '.join(wrong)}."
    else:
        status = "undetermined"
        message = f"Some components of the {what} could not be checked: {', '.join(wrong)}."
    mistakes = {f.mistake for f in parts.values() if not f.correct}
    mistake = mistakes.pop() if len(mistakes) == 1 else None
    details = {
        "components": {names[key]: f.to_dict() for key, f in parts.items()},
        "correct": len(parts) - len(wrong),
        "total": len(parts),
    }
    return Feedback(status, min(1.0, max(0.0, score)), message, mistake, details)
