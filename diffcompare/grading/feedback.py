"""What a grading check returns: a verdict for the student and the evidence for the teacher."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

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
            "details": _jsonable(self.details),
        }


def _jsonable(item: Any) -> Any:
    if isinstance(item, dict):
        return {str(k): _jsonable(v) for k, v in item.items()}
    if isinstance(item, list | tuple):
        return [_jsonable(v) for v in item]
    if isinstance(item, bool) or item is None or isinstance(item, str | int):
        return item
    if isinstance(item, float):
        return item if math.isfinite(item) else None
    try:
        number = float(item)
    except (TypeError, ValueError):
        return str(item)
    return number if math.isfinite(number) else None
