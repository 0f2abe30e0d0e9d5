"""The result schema: statuses, entry names, the JSON layout and CSV rows, in one place."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffcompare import compare
from diffcompare.batch.runner import Case, error_row
from diffcompare.compare.schema import (
    AGREEING,
    BATCH_COLUMNS,
    ENTRY_COLUMNS,
    Status,
    batch_rows,
    csv_row,
    entries,
    entry_label,
    entry_name,
    entry_rows,
    jsonable,
    shaped,
    summarize,
    unshaped,
)
from diffcompare.report.render import to_csv


def test_statuses_are_one_enum_that_writes_as_text() -> None:
    assert {s.value for s in AGREEING} == {
        "agree", "undefined", "beyond float64", "not differentiable",
    }  # fmt: skip
    assert not Status.DISAGREE.agrees and Status.NOT_DIFFERENTIABLE.agrees
    assert json.dumps({"s": Status.MISSING}) == '{"s": "no value"}'
    assert f"{Status.SPURIOUS}" == "value where undefined"
    document = compare("sqrt(x)", "x=0").to_dict()
    statuses = {
        unshaped(engine["status"], entry, 1, 2)
        for engine in document["engines"].values()
        for entry in entries(1, 2)
    }
    assert "undefined" in statuses
    assert statuses <= {s.value for s in Status}
    assert all(type(s) is str for s in statuses)  # plain text in the document


def test_entry_names_for_people_and_for_students() -> None:
    assert entry_name((0, 0), ("x",)) == "f''"
    assert entry_name((0,) * 4, ("x",)) == "f⁽⁴⁾"
    assert entry_name((0,) * 4, ("x",), plain=True) == "f^(4)"
    assert entry_name((0, 1), ("x", "y")) == "∂²f/∂x∂y"
    assert entry_name((1,), ("x", "y"), plain=True) == "d/dy"
    assert entry_name((1, 1), ("x", "y"), plain=True) == "d2/dy2"
    assert entry_name((1, 0), ("x", "y"), plain=True) == "d2/dy dx"


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 4), order=st.integers(0, 5))
def test_shaped_and_unshaped_are_inverse(n: int, order: int) -> None:
    if order > 2 and n != 1:
        order = 2
    wanted = entries(n, order)
    numbered = {entry: float(k) for k, entry in enumerate(wanted)}
    layout = shaped(numbered, n, order)
    assert [unshaped(layout, e, n, order) for e in wanted] == [numbered[e] for e in wanted]
    labels = [entry_label(e, n, order) for e in wanted]
    assert len(set(labels)) == len(labels)


def test_one_json_sanitiser() -> None:
    item = {(0, 1): np.float64(2.5), "n": np.int64(3), "bad": [math.nan, math.inf], "t": (1,)}
    assert jsonable(item, key=lambda k: "entry" if isinstance(k, tuple) else str(k)) == {
        "entry": 2.5, "n": 3, "bad": [None, None], "t": [1],
    }  # fmt: skip
    assert jsonable(np.array([[1.0, 2.0]])) == [[1.0, 2.0]]
    assert jsonable({1, 2}) == "{1, 2}"  # a thing JSON cannot hold becomes its text
    json.dumps(jsonable(item, key=str), allow_nan=False)


def test_single_and_batch_csv_rows_carry_the_same_cells() -> None:
    comparison = compare("x*exp(y)", "x=1, y=0")
    single = list(csv.DictReader(io.StringIO(to_csv(comparison))))
    result = {"id": "a", "source": {"file": "f.txt", "line": 3}, **comparison.to_dict()}
    batch = list(batch_rows(result))
    assert len(single) == len(batch) == 6 * 3
    shared = [c for c in ENTRY_COLUMNS if c in BATCH_COLUMNS]
    for mine, theirs in zip(single, batch, strict=True):
        assert {c: mine[c] for c in shared} == {c: theirs[c] for c in shared}
    assert batch[0]["point"] == "x=1.0;y=0.0"
    assert single[0]["variables"] == "" and single[3]["variables"] == "x"


def test_an_error_row_is_one_csv_row() -> None:
    row = error_row(Case("x +", "x=1", file="a.txt", line=2), "parse", "bad")
    [only] = list(batch_rows(row))
    assert csv_row(only, BATCH_COLUMNS) == ",a.txt,2,x +,x=1,,,,,,,,,error,false,parse: bad\n"


def test_entry_rows_follow_the_entries_order() -> None:
    document = compare("sin(x)", "x=0.5", order=4, engines=["tape"]).to_dict()
    labels = [row["entry"] for row in entry_rows(document)]
    assert labels == ["value", *(f"derivatives[{k}]" for k in range(4))]


@pytest.mark.parametrize("agree", [True, False])
def test_one_summary_of_many_results(agree: bool) -> None:
    good = compare("x**2", "x=3").to_dict()
    bad = dict(good, agree=False)
    failed = error_row(Case("x +", "x=1"), "parse", "bad")
    summary = summarize([good, good if agree else bad, failed])
    assert (summary.cases, summary.agreed, summary.errors) == (3, 2 if agree else 1, {"parse": 1})
    assert summary.engines["tape"]["gradient"]["entries"] == 2
