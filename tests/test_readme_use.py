"""The README's sections "Use" and "Output formats": every command shown prints what the README
shows, with the exit status it shows. A line ``...`` stands for lines left out: the lines
around it must then appear in the real output in that order."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from diffcompare.cli.main import main

README = Path(__file__).resolve().parent.parent / "README.md"
SECTIONS = ("## Use", "## Output formats")


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n{title}\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def _sessions() -> list[tuple[str, list[str], int | None]]:
    """(command line, shown output lines, shown exit status or None) of each session."""
    found = []
    for title in SECTIONS:
        for block in re.findall(r"```\n(.*?)```", _section(title), flags=re.S):
            lines = block.splitlines()
            starts = [i for i, line in enumerate(lines) if line.startswith("$ diffcompare ")]
            for n, start in enumerate(starts):
                end = starts[n + 1] if n + 1 < len(starts) else len(lines)
                shown = lines[start + 1 : end]
                status = None
                if "$ echo $?" in shown:
                    at = shown.index("$ echo $?")
                    status = int(shown[at + 1])
                    shown = shown[:at]
                found.append((lines[start][2:], shown, status))
    return found


SESSIONS = _sessions()
# `diffcompare functions` is shown piped, and test_functions checks it so
RUN_HERE = [session for session in SESSIONS if not session[0].startswith("diffcompare functions")]


def test_the_sections_have_sessions() -> None:
    assert len(SESSIONS) >= 10


def _in_order(wanted: list[str], got: list[str]) -> bool:
    position = 0
    for line in wanted:
        try:
            position = got.index(line, position) + 1
        except ValueError:
            return False
    return True


@pytest.mark.parametrize(("command", "shown", "status"), RUN_HERE, ids=[s[0] for s in RUN_HERE])
def test_readme_session(command: str, shown: list[str], status: int | None) -> None:
    args = shlex.split(command)[1:]
    result = CliRunner().invoke(main, args, env={"COLUMNS": "80"})
    got = [line.rstrip() for line in result.output.splitlines()]
    wanted = [line.rstrip() for line in shown]
    if "..." in wanted:
        parts = [line for line in wanted if line != "..."]
        assert _in_order(parts, got), "\n".join(got)
    else:
        assert got == wanted
    if status is not None:
        assert result.exit_code == status


def test_the_check_function_example_prints_what_it_says_as_a_script(tmp_path: Path) -> None:
    import ast
    import os
    import subprocess
    import sys

    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    (block,) = [b for b in blocks if 'check_function(grad, "w1**2*w2 + 3*w2"' in b]
    claim_line = next(line for line in block.splitlines() if 'details["isolation"]' in line)
    code, _, claimed = claim_line.partition("  #")
    script = tmp_path / "pasted.py"
    script.write_text(block + f"\nprint(repr(({code.strip()})))\n", encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(root)},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    printed = done.stdout.strip().splitlines()[-1]
    assert ast.literal_eval(printed) == ast.literal_eval(claimed.strip())
