"""Exercises as TOML files: loading with clear errors, grading, and the self-test."""

from __future__ import annotations

from pathlib import Path

import pytest

from diffcompare.grading.exercise import Exercise, ExerciseError, SelftestError, split_list

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = sorted((ROOT / "expressions" / "exercises").glob("*.toml"))

SMALL = """
title = "small"
function = "sin(x**2)"

[[questions]]
id = "d"
type = "derivative"
right = ["2*x*cos(x**2)"]
wrong = [{ answer = "cos(x**2)", mistake = "chain_rule" }]

[[questions.mistakes]]
name = "inner_only"
answer = "2*x"
message = "Only the inner derivative."
score = 0.25

[[questions]]
id = "v"
type = "value"
kind = "derivative"
at = { x = 0 }
right = ["0"]
wrong = ["1"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exercise.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_at_least_five_exercises_are_shipped() -> None:
    assert len(EXERCISES) >= 5


@pytest.mark.parametrize("path", EXERCISES, ids=[p.stem for p in EXERCISES])
def test_shipped_exercise_passes_its_selftest(path: Path) -> None:
    report = Exercise.load(path).selftest()
    assert report.ok
    labels = {result.label for result in report.results}
    assert labels == {"right", "wrong"}


def test_seed_exercise_has_the_seed_values() -> None:
    exercise = Exercise.load(EXERCISES[0])
    feedback = exercise.grade({"v1": "48", "v2": "66", "v3": "60", "d1": "4*x**3+6*x**2-6*x+4"})
    statuses = {fb.details["question"]: fb.status for fb in feedback}
    assert statuses == {
        "d1": "correct", "d2": "invalid", "d3": "invalid",
        "v1": "correct", "v2": "correct", "v3": "correct",
    }  # fmt: skip


def test_grade_recognises_custom_mistake_with_its_score(tmp_path: Path) -> None:
    exercise = Exercise.load(write(tmp_path, SMALL))
    feedback = exercise.grade_one("d", "2*x")
    assert feedback.mistake == "inner_only"
    assert feedback.score == 0.25
    assert feedback.message == "Only the inner derivative."


def test_unknown_question_raises(tmp_path: Path) -> None:
    exercise = Exercise.load(write(tmp_path, SMALL))
    with pytest.raises(Exception, match="no question 'nope'"):
        exercise.grade({"nope": "1"})


def test_wrong_sample_marked_right_makes_selftest_fail(tmp_path: Path) -> None:
    broken = SMALL.replace('wrong = ["1"]', 'wrong = ["0.0"]')
    exercise = Exercise.load(write(tmp_path, broken))
    with pytest.raises(SelftestError) as raised:
        exercise.selftest()
    assert "question v" in str(raised.value)
    assert "a wrong sample was graded correct" in str(raised.value)
    assert not exercise.selftest(raise_on_failure=False).ok


def test_right_sample_marked_wrong_makes_selftest_fail(tmp_path: Path) -> None:
    broken = SMALL.replace('right = ["2*x*cos(x**2)"]', 'right = ["2*x*sin(x**2)"]')
    with pytest.raises(SelftestError, match="right sample"):
        Exercise.load(write(tmp_path, broken)).selftest()


def test_wrong_mistake_label_makes_selftest_fail(tmp_path: Path) -> None:
    broken = SMALL.replace('mistake = "chain_rule"', 'mistake = "sign"')
    with pytest.raises(SelftestError, match="expected mistake sign"):
        Exercise.load(write(tmp_path, broken)).selftest()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda t: t.replace('type = "derivative"', 'type = "integral"'), "'type' must be one of"),
        (lambda t: t.replace('function = "sin(x**2)"', 'function = "sin(x**"'), "does not parse"),
        (lambda t: t.replace('id = "v"', 'id = "d"'), "id is used twice"),
        (lambda t: t.replace("at = { x = 0 }", "at = { y = 0 }"), "'at.x' must be a number"),
        (lambda t: t.replace('right = ["0"]', "right = []"), "'right' needs"),
        (lambda t: t.replace("score = 0.25", "score = 2"), "'score' must be in [0, 1]"),
        (
            lambda t: t.replace('title = "small"', 'title = "small"\ncolour = 1'),
            "unknown key 'colour'",
        ),
        (lambda t: t.replace('id = "d"', 'id = "d"\nsigfigs = 3'), "'sigfigs' does not apply"),
        (lambda t: t + "\n[[questions]\n", "not valid TOML"),
    ],
)
def test_broken_file_gives_clear_error(tmp_path: Path, change, words) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, change(SMALL))
    with pytest.raises(ExerciseError) as raised:
        Exercise.load(path)
    message = str(raised.value)
    assert message.startswith(str(path))
    assert words in message


def test_missing_file_is_an_exercise_error(tmp_path: Path) -> None:
    with pytest.raises(ExerciseError, match="cannot read"):
        Exercise.load(tmp_path / "absent.toml")


def test_answers_of_the_wrong_shape_are_invalid() -> None:
    exercise = Exercise.load(EXERCISES[3])  # 04_two_variables
    assert exercise.grade_one("gradient", "[x2**2]").status == "invalid"
    assert exercise.grade_one("hessian", 42).status == "invalid"
    assert exercise.grade_one("gradient", ["x2**2", "2*(x1+5)*x2"]).correct


def test_split_list_keeps_commas_inside_calls() -> None:
    assert split_list("[atan2(y, x), log(x, 2)]") == ["atan2(y, x)", "log(x, 2)"]
    assert split_list("[[0, 1], [1, 0]]") == ["[0, 1]", "[1, 0]"]
    assert split_list("a, b") == ["a", "b"]
    assert split_list("[a], [b]") == ["[a]", "[b]"]
    assert split_list("") == []


PARAMETERS = """
title = "a parameter"
function = "a*x**2 + y**2"
parameters = ["a"]
domain = { a = [1, 2] }

[[questions]]
id = "g"
type = "gradient"
right = ["[2*a*x, 2*y]"]
wrong = [{ answer = "[2*x, 2*y]" }]

[[questions]]
id = "d"
type = "derivative"
wrt = "x"
right = ["2*a*x"]
wrong = [{ answer = "2*a*x + c", mistake = "constant" }]
"""


def test_parameters_are_held_fixed_and_are_not_constants(tmp_path: Path) -> None:
    exercise = Exercise.load(write(tmp_path, PARAMETERS))
    assert exercise.questions["g"].variables == ("x", "y")
    assert exercise.selftest().ok
    # a declared parameter is a name of the question, not a constant of integration
    assert exercise.grade_one("d", "2*a*x + 0*a").correct


def test_parameters_must_be_names(tmp_path: Path) -> None:
    with pytest.raises(ExerciseError, match="'parameters'"):
        Exercise.load(write(tmp_path, PARAMETERS.replace('["a"]', '"a"')))


FIGURES = """
title = "figures"
function = "1/7 + 0*x"

[[questions]]
id = "exact"
type = "value"
at = { x = 0 }
sigfigs = 3
right = ["0.143", "1.43*10^-1"]
wrong = [{ answer = "0.1429", mistake = "too_many_figures" }]

[[questions]]
id = "mixed"
type = "value"
at = { x = 0 }
sigfigs = [4, 3]
right = ["0.1430"]
wrong = [{ answer = "0.143", mistake = "too_few_figures" }]

[[questions]]
id = "more"
type = "value"
at = { x = 0 }
sigfigs = 4
more_figures = true
right = ["0.14291", "0.1429"]
wrong = [{ answer = "0.14284", mistake = "inaccurate" }]
"""


def test_significant_figures_in_an_exercise(tmp_path: Path) -> None:
    assert Exercise.load(write(tmp_path, FIGURES)).selftest().ok


@pytest.mark.parametrize("bad", ["[4, 5]", "[0, 0]", '"3"', "[4, 3, 2]"])
def test_bad_sigfigs_in_an_exercise(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ExerciseError, match="sigfigs"):
        Exercise.load(write(tmp_path, FIGURES.replace("sigfigs = [4, 3]", f"sigfigs = {bad}")))


def test_strict_domain_in_an_exercise(tmp_path: Path) -> None:
    text = """
title = "domains"
function = "sqrt(x-3)*sqrt(x-5)"
strict_domain = true

[[questions]]
id = "d"
type = "derivative"
right = ["(x-4)/(sqrt(x-3)*sqrt(x-5))"]
wrong = [{ answer = "(x-4)/sqrt((x-3)*(x-5))", mistake = "domain" }]
"""
    assert Exercise.load(write(tmp_path, text)).selftest().ok
    with pytest.raises(ExerciseError, match="'strict_domain' must be true or false"):
        bad = text.replace("strict_domain = true", 'strict_domain = "yes"')
        Exercise.load(write(tmp_path, bad))
