"""The worker processes: what they inherit from the process that forks them."""

from __future__ import annotations

import gc

from diffcompare import workers


def test_a_worker_inherits_its_preloaded_modules_frozen_and_collects_its_own_garbage() -> None:
    # the preloaded objects are never garbage: the worker's collections skip them (and so
    # leave their shared pages uncopied), while what the work makes is collected as usual
    options = {"seconds": 60.0, "memory": None, "preload": ("sympy",)}
    frozen = workers.call(gc.get_freeze_count, **options)
    assert frozen > 40_000  # importing sympy makes more objects than that
    assert workers.call(gc.isenabled, **options) is True
