"""`check` shows the first failure in full and the rest as one line each, like rustlings;
`--verbose` shows every test. `exercises show ID` prints the task and the file to edit."""

from pathlib import Path

from serverless_tutor.cli import main
from serverless_tutor.cli.exercises_verb import render_check
from serverless_tutor.grading.results import CheckResult, TestResult


def _test(name: str, status: str) -> TestResult:
    return TestResult(
        name=name,
        status=status,
        message=None if status == "pass" else f"why {name} failed",
        output=None if status == "pass" else f"log of {name}",
        test_code="",
        points=1 if status == "pass" else 0,
        max_points=1,
        report=[f"REPORT RequestId: {name}"],
    )


RESULT = CheckResult(
    status="fail",
    message="2 of 3 tests failed (1/3 points).",
    tests=[_test("first", "pass"), _test("second", "fail"), _test("third", "fail")],
    points=1,
    max_points=3,
)


def test_the_first_failure_is_shown_in_full_and_the_others_by_name(capsys, tmp_path: Path):
    render_check(RESULT, tmp_path / "handler.py")
    out = capsys.readouterr().out
    assert "second" in out and "third" in out and "first" in out
    assert "why second failed" in out and "log of second" in out
    assert "REPORT RequestId: second" in out
    assert "why third failed" not in out and "REPORT RequestId: third" not in out
    assert "REPORT RequestId: first" not in out
    assert "1 more: add --verbose" in out


def test_verbose_shows_every_test(capsys, tmp_path: Path):
    render_check(RESULT, tmp_path / "handler.py", verbose=True)
    out = capsys.readouterr().out
    assert "why third failed" in out and "REPORT RequestId: first" in out
    assert "--verbose" not in out


def test_exercises_show_prints_the_task_and_makes_the_file(capsys, tmp_path: Path):
    assert main(["exercises", "show", "sqs-batch", "--workspace", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    handler = tmp_path / "sqs-batch" / "handler.py"
    assert handler.is_file()
    assert "batchItemFailures" in out
    assert "sqs-batch: section 5, intermediate, 9 points in 6 tests" in out
    assert "serverless-tutor check sqs-batch" in out


def test_exercises_show_names_an_unknown_exercise(capsys):
    assert main(["exercises", "show", "no-such"]) == 2
    assert "no exercise 'no-such'" in capsys.readouterr().err
