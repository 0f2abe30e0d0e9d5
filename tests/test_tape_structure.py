"""The tape's shape: its elementwise functions come from the table's rows (a row added at run
time is a `dt` function with derivatives to any order), and its modules import one way."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest

import diffcompare.tape as dt
from diffcompare.language import ops
from diffcompare.tape import functions

TAPE = Path(dt.__file__).parent

_LN2 = math.log(2.0)

# A row as one would add it to the table: 2**x, which the table does not have.
EXP2 = ops.Operation(
    name="exp2",
    arity=1,
    numpy=np.exp2,
    sympy=lambda x: 2**x,
    rules=(lambda F, g, ans, x: g * ans * _LN2,),
    scalar=lambda x: 2.0**x,
)


@pytest.fixture
def exp2_row(monkeypatch: pytest.MonkeyPatch) -> ops.Operation:
    monkeypatch.setattr(ops, "TABLE", (*ops.TABLE, EXP2))
    monkeypatch.setitem(ops.OPERATIONS, "exp2", EXP2)
    return EXP2


def test_a_row_added_at_run_time_is_a_tape_function(exp2_row: ops.Operation):
    assert "exp2" in dir(dt)
    x = dt.Variable(3.0)
    with dt.GradientTape() as outer:
        with dt.GradientTape() as inner:
            y = dt.exp2(x)
        dy = inner.gradient(y, x)
    d2y = outer.gradient(dy, x)
    assert float(y) == 8.0
    assert float(dy) == pytest.approx(8.0 * _LN2, rel=1e-15)
    assert float(d2y) == pytest.approx(8.0 * _LN2**2, rel=1e-15)
    # on arrays, and in the functional helpers
    v = np.array([0.0, 1.0, 2.5])
    g = dt.grad(lambda t: dt.reduce_sum(dt.exp2(t)))(v)
    np.testing.assert_allclose(g.numpy(), np.exp2(v) * _LN2, rtol=1e-15)
    assert dt.hessian(lambda t: dt.exp2(t))(1.0).tolist() == [[pytest.approx(2 * _LN2**2)]]
    # the namespaces the rules are written against know it too
    assert functions.RAW_MATH.exp2(3.0) == 8.0
    assert float(functions.TAPE_MATH.exp2(dt.constant(1.0))) == 2.0


def test_a_row_taken_away_is_no_tape_function():
    assert not hasattr(dt, "exp2")
    assert "exp2" not in dir(dt)


def test_every_row_is_a_tape_function_under_its_tape_name():
    for op in ops.TABLE:
        name = functions.tape_name(op)
        assert callable(getattr(dt, name)), name
        assert name in dt.__all__
    # rows sharing a name are told apart by their number of arguments
    assert float(dt.log(8.0)) == pytest.approx(math.log(8.0))
    assert float(dt.log(8.0, 2.0)) == pytest.approx(3.0)
    with pytest.raises(TypeError, match=r"log\(\) takes 1 or 2 arguments, got 3"):
        dt.log(1.0, 2.0, 3.0)


def _tape_imports() -> dict[str, set[str]]:
    """For each module of the tape, the tape modules it imports (TYPE_CHECKING ones too)."""
    graph: dict[str, set[str]] = {}
    names = {path.stem for path in TAPE.glob("*.py")}
    for path in TAPE.glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(alias.name for alias in node.names if alias.name in names)
        graph[path.stem] = found & names
    return graph


def test_the_tapes_modules_import_one_way():
    graph = _tape_imports()
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, f"import cycle: {' -> '.join((*path, module))}"
        if module in done:
            return
        for imported in graph[module]:
            visit(imported, (*path, module))
        done.add(module)

    for module in graph:
        visit(module, ())
    # the recording machinery knows tensors and nothing above them
    assert graph["core"] <= set()
    assert graph["recording"] <= {"core", "reads"}
    assert "gradient_tape" not in graph["functions"] | graph["recording"] | graph["core"]
