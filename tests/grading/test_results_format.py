"""The results JSON: Exercism test-runner v3 plus points, REPORT lines and capped output."""

from __future__ import annotations

from serverless_tutor.grading.results import OUTPUT_LIMIT, cap_output

TOP_KEYS = {"version", "status", "message", "tests", "points", "maxPoints"}
TEST_KEYS = {
    "name",
    "status",
    "message",
    "output",
    "test_code",
    "task_id",
    "points",
    "maxPoints",
    "report",
}


def test_result_has_the_exercism_v3_shape_plus_points(grader, exercise_by_id):
    exercise = exercise_by_id("create-order")
    data = grader.grade(exercise, exercise.starter).to_json()
    assert set(data) >= TOP_KEYS
    assert data["version"] == 3
    assert data["status"] == "fail"
    assert data["maxPoints"] == exercise.spec.points
    assert data["points"] == sum(test["points"] for test in data["tests"])
    for test in data["tests"]:
        assert set(test) >= TEST_KEYS
        assert test["status"] in ("pass", "fail", "error")
        assert test["report"] and all(
            line.startswith("REPORT RequestId: ") for line in test["report"]
        )
    first_report = data["tests"][0]["report"][0]
    assert "Init Duration:" in first_report  # the first invocation of a check is a cold start


def test_one_report_line_per_invocation(grader, exercise_by_id):
    exercise = exercise_by_id("stateless-counter")
    result = grader.grade(exercise, exercise.solution)
    for test, spec in zip(result.tests, exercise.spec.tests, strict=False):
        assert len(test.report) == spec.invocation_count


def test_hidden_tests_do_not_show_their_code(grader, exercise_by_id):
    exercise = exercise_by_id("hello-handler")
    result = grader.grade(exercise, exercise.solution)
    hidden = [test for test in result.tests if test.visibility == "hidden"]
    public = [test for test in result.tests if test.visibility == "public"]
    assert hidden and public
    assert all("hidden" in test.test_code and "Émile" not in test.test_code for test in hidden)
    assert all("expect:" in test.test_code for test in public)


def test_handler_output_is_captured_without_lambda_platform_lines(grader, exercise_by_id):
    exercise = exercise_by_id("context-info")
    result = grader.grade(exercise, exercise.solution)
    output = result.tests[0].output
    assert output.startswith("Request ID: ")
    assert "START RequestId" not in output and "REPORT RequestId" not in output


def test_output_is_capped_and_says_so():
    long = "x" * 5000
    capped = cap_output(long)
    assert len(capped) == OUTPUT_LIMIT
    assert capped.endswith(f"[output truncated to {OUTPUT_LIMIT} characters]")
    assert cap_output("short") == "short"
    assert cap_output("\n\n") is None


def test_an_import_error_is_an_error_not_a_failure(grader, exercise_by_id, tmp_path):
    exercise = exercise_by_id("hello-handler")
    broken = tmp_path / "handler.py"
    broken.write_text(
        "import not_a_module_anywhere\n\ndef lambda_handler(event, context):\n    return {}\n"
    )
    result = grader.grade(exercise, broken)
    assert result.status == "error"
    assert "not_a_module_anywhere" in result.message
    assert result.points == 0


def test_a_missing_handler_function_is_an_error(grader, exercise_by_id, tmp_path):
    exercise = exercise_by_id("hello-handler")
    wrong_name = tmp_path / "handler.py"
    wrong_name.write_text("def handler(event, context):\n    return {}\n")
    result = grader.grade(exercise, wrong_name)
    assert result.status == "error"
    assert "lambda_handler" in result.message


def test_a_syntax_error_is_an_error_with_the_line(grader, exercise_by_id, tmp_path):
    exercise = exercise_by_id("hello-handler")
    broken = tmp_path / "handler.py"
    broken.write_text("def lambda_handler(event, context)\n    return {}\n")
    result = grader.grade(exercise, broken)
    assert result.status == "error"
    assert "syntax" in result.message.lower()
