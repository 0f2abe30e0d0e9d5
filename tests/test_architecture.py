"""The house plan, checked on the import graph of the package (read with `ast`, nothing run).

Layers, lowest first; a module may import from its own layer and the layers below it, never
from a layer above:

    errors
    deadline collector             budgets (they raise TimeLimitError); the garbage
                                   collector paused around imports
    language                       text -> tree: ops (the table), expr, parse, limits, ...
    tape                           reverse-mode autodiff; its functions come from the table
    engines                        symbolic, finite, tape engine, the reference, rounding
    compare.settings .names        what a comparison is asked, how entries are named, the
      .schema                      result's shape and its verdict wording
    report.html .plots .chart      the views: HTML, matplotlib pictures, text charts; they
                                   read the results they are given and import none of them
    compare (the comparison)       results that show themselves (`_repr_html_`) call a view
    study grading batch workers    what uses comparisons: step study and sweep, grading,
    cluster testing                batch runs, worker processes (here or on a Dask cluster),
                                   helpers for test suites
    report (the rest)              the terminal table, JSON, CSV, formulas, study reports
    diffcompare (the package)      the public front: compare, steps, sweep, Limits, errors
    cli __main__                   the commands

A module belongs to the layer of the longest name in LAYERS that it is or sits under: so
``compare.schema`` sits two layers below ``compare.comparison`` (which falls to the row
named ``compare``), and ``report.html`` one below, while ``report.render`` is in the row named
``report``. There are no exceptions: every import points down or stays in its layer.

Besides: no circle of imports between modules, and no module imports another module's
private (``_underscore``) names, neither ``from m import _x`` nor ``m._x``.

Imports under ``if TYPE_CHECKING:`` are for annotations only and are not followed. Imports
inside functions are (a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "diffcompare"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("diffcompare.errors",),
    ("diffcompare.deadline", "diffcompare.collector"),
    ("diffcompare.language",),
    ("diffcompare.tape",),
    ("diffcompare.engines",),
    ("diffcompare.compare.settings", "diffcompare.compare.names", "diffcompare.compare.schema"),
    ("diffcompare.report.html", "diffcompare.report.plots", "diffcompare.report.chart"),
    ("diffcompare.compare",),
    (
        "diffcompare.study",
        "diffcompare.grading",
        "diffcompare.batch",
        "diffcompare.workers",
        "diffcompare.cluster",
        "diffcompare.testing",
    ),
    ("diffcompare.report",),
    ("diffcompare",),
    ("diffcompare.cli", "diffcompare.__main__"),
)


@dataclass(frozen=True)
class Import:
    importer: str
    module: str
    """The diffcompare module imported from (a package's ``__init__`` is the package)."""
    name: str | None
    """The name taken from it (``from m import name``), None for ``import m``."""
    line: int
    bound: str
    """The name it is bound to here."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, except what sits under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if _type_checking(child):
                assert isinstance(child, ast.If)
                stack.extend(child.orelse)
            else:
                stack.append(child)


def imports_of(importer: str) -> Iterator[Import]:
    path = MODULES[importer]
    package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
    for node in _nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "diffcompare":
                    bound = alias.asname or alias.name.split(".")[0]
                    yield Import(importer, alias.name, None, node.lineno, bound)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            if source.split(".")[0] != "diffcompare":
                continue
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                bound = alias.asname or alias.name
                if submodule in MODULES:  # from package import module
                    yield Import(importer, submodule, None, node.lineno, bound)
                else:
                    yield Import(importer, source, alias.name, node.lineno, bound)


IMPORTS: list[Import] = [found for module in MODULES for found in imports_of(module)]


def layer(module: str) -> int:
    """The index in LAYERS of the longest prefix that names `module`'s layer."""
    best, best_length = -1, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    assert best >= 0, f"{module} is in no layer: add it to LAYERS"
    return best


def upward_imports() -> set[tuple[str, str]]:
    return {
        (found.importer, found.module)
        for found in IMPORTS
        if layer(found.module) > layer(found.importer)
    }


def test_the_graph_is_read() -> None:
    # the reader finds what it should: a guard against a test that checks nothing
    edges = {(found.importer, found.module) for found in IMPORTS}
    assert ("diffcompare.compare.comparison", "diffcompare.compare.settings") in edges
    assert ("diffcompare.engines.reference", "diffcompare.engines.symbolic") in edges
    assert ("diffcompare.grading.values", "diffcompare.grading.sandbox") in edges
    assert len(MODULES) > 60 and len(edges) > 200
    assert all(module in MODULES for module, _ in edges)
    order = ["errors", "deadline", "language.ops", "tape.core", "engines.finite", "compare.schema"]
    order += ["report.html", "compare.comparison", "grading.values", "report.render", ""]
    order += ["cli.batch"]
    layers = [layer(f"diffcompare.{name}".rstrip(".")) for name in order]
    assert layers == sorted(layers) and len(set(layers)) == len(layers)
    assert layer("diffcompare.batch.runner") == layer("diffcompare.workers")
    assert layer("diffcompare.report.plots") == layer("diffcompare.report.chart")
    assert layer("diffcompare.compare") == layer("diffcompare.compare.comparison")
    assert _private("_check") and not _private("__version__") and not _private("check")


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        layer(module)


def test_layers_point_down() -> None:
    upward = upward_imports()
    lines = [
        f"{found.importer}:{found.line} imports {found.module}"
        for found in IMPORTS
        if (found.importer, found.module) in upward
    ]
    assert not lines, "imports that point up the layers:\n" + "\n".join(lines)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    edges: dict[str, set[str]] = {module: set() for module in MODULES}
    for found in IMPORTS:
        if found.module != found.importer:
            edges[found.importer].add(found.module)
    assert _cycles(edges) == []


def _private(name: str | None) -> bool:
    return name is not None and name.startswith("_") and not name.startswith("__")


def test_no_module_imports_another_modules_private_names() -> None:
    taken = [
        f"{found.importer}:{found.line} takes {found.name} from {found.module}"
        for found in IMPORTS
        if _private(found.name) and found.module != found.importer
    ]
    # m._name on a module imported whole
    for importer, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {found.bound for found in imports_of(importer) if found.name is None}
        for node in _nodes(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and _private(node.attr)
            ):
                taken.append(f"{importer}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert not taken, "private names used across modules:\n" + "\n".join(taken)
