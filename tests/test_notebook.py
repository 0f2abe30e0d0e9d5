"""In Jupyter, a comparison, a step study and a sweep show as HTML: the table, and for the
last two the picture embedded as a PNG. Run in a real kernel with nbclient."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent

CELLS = [
    f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nimport diffcompare",
    'diffcompare.compare("3*x**2+2*x-1", {"x": 1.0})',
    'diffcompare.steps("sin(x)", {"x": 1.0}, per_decade=2)',
    'diffcompare.sweep("sin(1/x)", "x=0.001:1", points=100)',
]


def test_a_notebook_shows_the_three_as_html_with_images() -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    html = []
    for cell in notebook.cells[1:]:
        (result,) = [o for o in cell.outputs if o.output_type == "execute_result"]
        html.append(result.data["text/html"])
    comparison, study, sweep = html
    assert "<table" in comparison and "all engines agree" in comparison and "<img" not in comparison
    for shown, words in ((study, "best step"), (sweep, "disagrees on")):
        assert "<table" in shown and words in shown
        assert "<img" in shown and "src='data:image/png;base64,iVBORw0KGgo" in shown
