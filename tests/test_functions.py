"""``diffcompare functions``: generated from the table, the same list in the README, and names
the language does not have called unsupported."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from diffcompare.cli.functions import rows, spelling
from diffcompare.errors import ParseError
from diffcompare.language.expr import Call, walk
from diffcompare.language.ops import TABLE, UNSUPPORTED
from diffcompare.language.parse import parse

ROOT = Path(__file__).resolve().parent.parent


@functools.cache  # one interpreter start serves every test that reads the listing
def piped_listing() -> str:
    done = subprocess.run(
        [sys.executable, "-m", "diffcompare", "functions"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        check=True,
    )
    return "\n".join(line.rstrip() for line in done.stdout.splitlines())


def readme_listing() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```\n\$ diffcompare functions\n(.*?)```", readme, flags=re.S)
    assert found, "the README shows `diffcompare functions`"
    return "\n".join(line.rstrip() for line in found.group(1).splitlines())


def test_the_readme_shows_what_the_command_prints() -> None:
    assert readme_listing() == piped_listing()


def test_every_operation_is_listed_with_its_domain_and_an_example() -> None:
    listed = {row[0]: row for row in rows()}
    for op in TABLE:
        written, domain, example = listed[spelling(op)]
        assert domain and example, op.name
    assert {"ln(x)", "log(x, b)", "pow(x, y)", "atan2(y, x)"} <= set(listed)


@pytest.mark.parametrize("op", TABLE, ids=lambda op: op.name)
def test_each_example_parses_and_uses_its_operation(op: object) -> None:
    example = op.example  # type: ignore[attr-defined]
    tree = parse(example)
    used = {node.op for node in walk(tree) if isinstance(node, Call)}
    assert op.name in used, example  # type: ignore[attr-defined]


def test_the_listing_fits_80_columns_when_piped() -> None:
    assert max(len(line) for line in piped_listing().splitlines()) <= 80


@pytest.mark.parametrize("name", ["max", "factorial", "gamma", "min", "sign", "log1p"])
def test_a_function_the_language_does_not_have_is_called_unsupported(name: str) -> None:
    with pytest.raises(ParseError) as refused:
        parse(f"{name}(x, 1)" if name in ("max", "min") else f"{name}(x)")
    message = refused.value.message
    assert f"unsupported function '{name}'" in message
    assert "variable" not in message and "did you mean" not in message
    assert "diffcompare functions" in message
    if UNSUPPORTED[name]:
        assert UNSUPPORTED[name] in message


@pytest.mark.parametrize("name", sorted(n for n, way in UNSUPPORTED.items() if "write" in way))
def test_the_suggested_way_parses(name: str) -> None:
    way = UNSUPPORTED[name].split("write ", 1)[1]
    parse(way)
