"""What the single command says: notes name entries as its table does, no ill-conditioned note
for one rounding of an exact 0, and engine values with the exact column's digits."""

from __future__ import annotations

from click.testing import CliRunner

from diffcompare import compare
from diffcompare.cli.main import main


def test_notes_name_entries_as_the_table_does() -> None:
    notes = compare("(1 - cos(x))/x**2", {"x": 1e-4}, order=2).notes
    ill = [note for note in notes if "ill-conditioned" in note]
    assert [note.split(" is ")[0] for note in ill] == ["f", "f'", "f''"]
    two = compare("(1 - cos(x*y))/(x*y)**2", {"x": 1e-4, "y": 1.0}).notes
    assert any(note.startswith("∂²f/∂x∂y is ill-conditioned") for note in two), two
    assert not any("hessian[" in note or "gradient[" in note for note in [*notes, *two])


def test_one_rounding_of_an_exact_zero_is_not_called_ill_conditioned() -> None:
    result = compare("sigmoid(x)", {"x": 0.0})
    assert result.reference.values[(0, 0)] == 0.0
    assert not [note for note in result.notes if "ill-conditioned" in note]


def test_engine_columns_show_the_exact_columns_digits() -> None:
    result = CliRunner().invoke(main, ["sin(x)", "--at", "x=1", "--order", "1"])
    row = next(line for line in result.output.splitlines() if line.startswith("f "))
    assert row.split()[1:] == ["0.8414709848079"] * 4


def test_a_difference_below_the_references_last_digit_is_no_error() -> None:
    # float(1/3)/3 is exactly a float64: every engine hits the exact value
    result = compare("x/3", {"x": 1 / 3}, order=1)
    for outcome in result.engines.values():
        assert outcome.checks[()].rel_error == 0.0 and outcome.checks[()].abs_error == 0.0
        assert outcome.checks[(0,)].rel_error is not None
        assert 1e-17 < outcome.checks[(0,)].rel_error < 1e-16  # 1/3 itself is rounded
