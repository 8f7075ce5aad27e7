"""The shipped catalog: enough exercises, the right sections, the six contracted ids, valid content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from serverless_tutor.content.exercises import load_exercise, parse_hints
from serverless_tutor.content.validate import validate
from serverless_tutor.paths import exercises_dir
from serverless_tutor.problems import ContentError

CONTRACTED = [
    "hello-handler",
    "create-order",
    "sqs-batch",
    "stateless-counter",
    "init-outside-handler",
    "s3-uppercase",
]
REQUIRED_SECTIONS = {2, 4, 5, 6, 7, 8, 9, 10}


def test_catalog_size_and_sections(exercises):
    assert len(exercises) >= 14
    assert {exercise.spec.section for exercise in exercises} >= REQUIRED_SECTIONS


@pytest.mark.parametrize("exercise_id", CONTRACTED)
def test_contracted_exercises_exist_with_the_agreed_handler(exercise_by_id, exercise_id):
    exercise = exercise_by_id(exercise_id)
    assert exercise.spec.function.handler == "handler.py:lambda_handler"
    assert exercise.starter.is_file() and exercise.solution.is_file()
    assert exercise.hints


def test_every_exercise_has_public_and_hidden_tests_overall(exercises):
    visibilities = {test.visibility for exercise in exercises for test in exercise.spec.tests}
    assert visibilities == {"public", "hidden"}
    for exercise in exercises:
        assert any(test.visibility == "public" for test in exercise.spec.tests), exercise.id


def test_shipped_exercises_validate_cleanly():
    problems = validate([exercises_dir()])
    assert problems == [], [p.line() for p in problems]


def test_hints_are_split_on_rule_lines():
    assert parse_hints("one\n---\ntwo\nlines\n---\n\n") == ["one", "two\nlines"]


@pytest.fixture
def broken(tmp_path):
    """A copy of hello-handler to break in one way per test."""
    folder = tmp_path / "hello-handler"
    shutil.copytree(exercises_dir() / "hello-handler", folder)
    return folder


def _problems(folder: Path) -> list:
    with pytest.raises(ContentError) as caught:
        load_exercise(folder)
    return caught.value.problems


def _edit(folder: Path, old: str, new: str) -> None:
    spec = folder / "exercise.yaml"
    text = spec.read_text(encoding="utf-8")
    assert old in text
    spec.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unknown_sample_event_names_the_field(broken):
    _edit(broken, "sample: apigateway-rest", "sample: apigateway-restful")
    problems = _problems(broken)
    assert any(
        p.field == "tests.0.event.sample" and "apigateway-rest" in p.expected for p in problems
    )
    assert all(p.file.endswith("exercise.yaml") for p in problems)


def test_points_must_add_up(broken):
    _edit(broken, "points: 7", "points: 9")
    assert any("add up to 7" in p.expected for p in _problems(broken))


def test_id_must_match_folder(broken):
    _edit(broken, "id: hello-handler", "id: hello-there")
    assert any(p.field == "id" and "hello-handler" in p.expected for p in _problems(broken))


def test_missing_python_check_is_reported(broken):
    _edit(
        broken,
        '      body: {message: "Hello, Ada!", timestamp: "<iso8601>"}',
        '      body: {message: "Hello, Ada!", timestamp: "<iso8601>"}\n      python: [no_such_check]',
    )
    problems = _problems(broken)
    assert any(p.file.endswith("checks.py") for p in problems)


def test_expectation_on_an_undeclared_table_is_reported(broken):
    _edit(
        broken,
        '      status: 200\n      body: {message: "Hello, Ada!"',
        '      status: 200\n      tables: {orders: {count: 0}}\n      body: {message: "Hello, Ada!"',
    )
    assert any(p.field == "tests.0.expect.tables.orders" for p in _problems(broken))


def test_missing_solution_and_hints_are_reported(broken):
    (broken / "solution" / "handler.py").unlink()
    (broken / "hints.md").write_text("\n---\n", encoding="utf-8")
    problems = _problems(broken)
    assert any(p.file.endswith("solution/handler.py") for p in problems)
    assert any(p.file.endswith("hints.md") and "at least one hint" in p.expected for p in problems)


def test_validate_cli_reports_file_and_field(broken, capsys):
    from serverless_tutor.cli import main

    _edit(broken, "difficulty: beginner", "difficulty: trivial")
    assert main(["validate", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "exercise.yaml: difficulty:" in out


def test_validate_cli_claims_files_inside_an_exercise_folder(broken):
    from serverless_tutor.cli import main

    assert main(["validate", str(broken / "hints.md")]) == 0
