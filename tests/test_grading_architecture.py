"""The shape of the grading package: one door to the engines, no circles, no private imports.

Imports are read from the source with `ast` (those inside functions and under TYPE_CHECKING
too), so a lazy import cannot hide a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import diffcompare

PACKAGE = Path(diffcompare.__file__).parent
GRADING = PACKAGE / "grading"
FACADE = "diffcompare.grading.exact"
# the reference and the comparison's machinery; compare's settings checks are shared freely
ENGINE_SIDE = ("diffcompare.engines", "diffcompare.compare.comparison")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str | None = None) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it) for every import statement of the file."""
    module = module or _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names = [alias.name for alias in node.names]
            found.append((target, names))
            # `from . import sandbox` imports the module diffcompare.grading.sandbox
            found += [(f"{target}.{name}", []) for name in names if _is_module(f"{target}.{name}")]
    return found


def _is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").exists() or (PACKAGE / relative).is_dir()


def _package_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_imports_another_modules_private_names():
    offences = []
    for path in _package_files():
        for target, names in _imports(path):
            if not target.startswith("diffcompare"):
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private and target != _module_name(path):
                offences.append(f"{_module_name(path)} takes {private} from {target}")
    assert offences == []


def test_only_the_facade_reaches_the_engines():
    offences = []
    for path in sorted(GRADING.glob("*.py")):
        name = _module_name(path)
        if name == FACADE:
            continue
        for target, _ in _imports(path):
            if target.startswith(ENGINE_SIDE):
                offences.append(f"{name} imports {target}")
    assert offences == []


def _circles(graph: dict[str, set[str]]) -> list[str]:
    circles: list[str] = []
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                circles.append(" -> ".join([*trail[trail.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return circles


def test_grading_modules_import_no_circle():
    graph: dict[str, set[str]] = {}
    for path in sorted(GRADING.glob("*.py")):
        name = _module_name(path)
        graph[name] = {
            target
            for target, _ in _imports(path)
            if target.startswith("diffcompare.grading.") and target != name
        }
    # the package's __init__ only names its modules lazily; the modules form the graph
    graph.pop("diffcompare.grading", None)
    assert _circles(graph) == []


def test_the_checks_can_fail(tmp_path):
    fake = tmp_path / "fake.py"
    fake.write_text(
        "from .derivative import _combine\n"
        "def f():\n    from ..engines import reference\n    from . import judge\n",
        encoding="utf-8",
    )
    found = dict(_imports(fake, "diffcompare.grading.fake"))
    assert found["diffcompare.grading.derivative"] == ["_combine"]
    assert "diffcompare.engines.reference" in found
    assert "diffcompare.grading.judge" in found
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a -> b -> c -> a"]
    assert _circles({"a": {"b"}, "b": set()}) == []
