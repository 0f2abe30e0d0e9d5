"""The garbage collector paused around imports, and left as it was found."""

from __future__ import annotations

import gc

import pytest

from diffcompare import collector


@pytest.mark.parametrize("enabled", [True, False])
def test_paused_turns_the_collector_off_then_back_to_what_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with pytest.raises(ZeroDivisionError), collector.paused():
            assert not gc.isenabled()
            _ = 1 / 0  # an import that fails still gives the collector back
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
