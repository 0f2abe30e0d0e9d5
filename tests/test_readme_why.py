"""The README's section "Why engines differ": every command shown there prints what the
README says, with the exit status it says."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from diffcompare.cli.main import main

README = Path(__file__).resolve().parent.parent / "README.md"


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Why engines differ")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def _examples() -> list[tuple[str, str, int]]:
    """(command line, expected output, expected status) of each shown session."""
    found = []
    for block in re.findall(r"```\n(.*?)```", _section(), flags=re.S):
        lines = block.splitlines()
        if not lines or not lines[0].startswith("$ diffcompare "):
            continue
        status_at = lines.index("$ echo $?")
        found.append((lines[0][2:], "\n".join(lines[1:status_at]), int(lines[status_at + 1])))
    return found


def test_the_section_has_examples() -> None:
    assert len(_examples()) >= 1


@pytest.mark.parametrize(("command", "expected", "status"), _examples())
def test_readme_example(command: str, expected: str, status: int) -> None:
    args = shlex.split(command)[1:]
    result = CliRunner().invoke(main, args, env={"COLUMNS": "80"})
    got = "\n".join(line.rstrip() for line in result.output.splitlines())
    assert got == "\n".join(line.rstrip() for line in expected.splitlines())
    assert result.exit_code == status
