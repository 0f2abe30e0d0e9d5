"""The README's grading examples are true: each ```python block of the "Grading" section
runs, and every line written as ``expression   # literal`` gives that literal.

Blocks that define student functions are left to test_grading_function: a function defined
by exec has no importable module, so it would run in a thread, not a worker.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _grading_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Grading\n")
    end = text.index("\n## ", start + 1)
    blocks = re.findall(r"```python\n(.*?)```", text[start:end], flags=re.DOTALL)
    return [block for block in blocks if "\ndef " not in "\n" + block]


def _claims(block: str) -> list[tuple[str, object]]:
    """(expression, expected literal) for each line ``expr  # literal`` of the block."""
    found = []
    for line in block.splitlines():
        code, sep, comment = line.partition("  #")
        if not sep or not code.strip() or code.startswith((" ", "#")):
            continue
        try:
            expected = ast.literal_eval(comment.strip())
            ast.parse(code.strip(), mode="eval")
        except (ValueError, SyntaxError):
            continue
        found.append((code.strip(), expected))
    return found


BLOCKS = _grading_blocks()


def test_the_section_has_examples_with_claims() -> None:
    assert sum(len(_claims(block)) for block in BLOCKS) >= 20


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_grading_example(block: str) -> None:
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)  # the README's own code
    for expression, expected in _claims(block):
        got = eval(expression, namespace)  # the README's own code
        assert got == expected, expression
