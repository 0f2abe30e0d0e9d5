"""The README's section "Why engines differ": every command shown there prints what the
README says, with the exit status it says."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

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


def _pictures() -> list[tuple[str, str]]:
    """(command, image path) for each picture of the section: the command is the code block
    just before the image, and it writes that image with --plot."""
    found = re.findall(r"```\n(diffcompare [^\n]*)\n```\s*\n!\[[^\]]+\]\(([^)]+)\)", _section())
    return [(command, path) for command, path in found]


def test_the_pictures_are_pngs_made_by_the_commands_beside_them() -> None:
    pictures = _pictures()
    assert {Path(path).name for _, path in pictures} == {"steps-sin.png", "sweep-sin-inverse.png"}
    for command, path in pictures:
        assert command.endswith(f"--plot {path}")
        image = README.parent / path
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def strict(text: str) -> Any:
    def refuse(name: str) -> None:
        raise AssertionError(f"JSON holds {name}")

    return json.loads(text, parse_constant=refuse)


def test_the_sweep_picture_command_writes_a_png_and_finds_where_finite_fails(
    tmp_path: Path,
) -> None:
    (command,) = [c for c, path in _pictures() if "sweep" in path]
    args = shlex.split(command)[1:-2]  # the same command, drawing into a scratch folder
    assert args[:2] == ["sweep", "sin(1/x)"] and "--points" in args
    out = tmp_path / "out.png"
    result = CliRunner().invoke(main, [*args, "--plot", str(out), "--format", "json"])
    assert result.exit_code == 1
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
    document = strict(result.stdout)
    assert len(document["points"]) == 2000
    intervals = document["intervals"]
    assert [s["agree"] for s in intervals["symbolic"]] == [True]
    assert [s["agree"] for s in intervals["tape"]] == [True]
    bad = [s for s in intervals["finite"] if not s["agree"]]
    assert bad and bad[0]["from"] == 0.001 and bad[0]["to"] < 0.05
    assert intervals["finite"][-1]["to"] == 1.0 and intervals["finite"][-1]["agree"]
    assert document["engines"]["finite"]["worst"]["x"] < 0.05


def test_the_steps_picture_command_writes_a_png(tmp_path: Path) -> None:
    (command,) = [c for c, path in _pictures() if "steps" in path]
    out = tmp_path / "v.png"
    result = CliRunner().invoke(main, [*shlex.split(command)[1:-2], "--plot", str(out)])
    assert result.exit_code == 0 and f"wrote {out}" in result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
