"""The README's table of tape operations lists every operation `dt`, `dt.nn` and `dt.linalg`
export, and nothing they do not."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import diffcompare.tape as dt

README = Path(__file__).resolve().parent.parent / "README.md"
# where the operations are defined (the tape's machinery and helpers are listed elsewhere)
OPERATION_MODULES = {
    "diffcompare.tape.functions",
    "diffcompare.tape.elementwise",
    "diffcompare.tape.reductions",
    "diffcompare.tape.shapes",
    "diffcompare.tape.linalg",
    "diffcompare.tape.nn",
    "diffcompare.tape.optimizers",
}


def table_names() -> set[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index("**Operations.**")
    table = text[start:].split("\n\n")[1].splitlines()
    names = set()
    for row in table[2:]:  # after the header and its rule
        first_column = row.split(" | ")[0]
        for spelled in re.findall(r"`([^`]+)`", first_column):
            # a name, perhaps with its arguments; operators and examples are not names
            match = re.fullmatch(r"([A-Za-z_][\w.]*)(\(.*\))?", spelled)
            if match:
                names.add(match.group(1))
    return names


def exported(module: ModuleType, prefix: str = "") -> set[str]:
    return {
        prefix + name
        for name in getattr(module, "__all__", dir(module))
        if callable(getattr(module, name, None))
        and getattr(getattr(module, name), "__module__", "") in OPERATION_MODULES
    }


def test_the_readme_table_lists_every_tape_operation() -> None:
    operations = exported(dt) | exported(dt.nn, "nn.") | exported(dt.linalg, "linalg.")
    listed = table_names()
    assert operations - listed == set()
    assert {name for name in listed if not _exists(name)} == set()


def _exists(name: str) -> bool:
    target: object = dt
    for part in name.split("."):
        if not hasattr(target, part):
            return False
        target = getattr(target, part)
    return True
