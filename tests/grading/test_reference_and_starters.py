"""Every reference solution passes every test; every starter fails with messages a beginner can act on."""

from __future__ import annotations

import pytest

from serverless_tutor.content.exercises import shipped_exercises

EXERCISE_IDS = [exercise.id for exercise in shipped_exercises()]
ACTIONABLE = ("should", "raised", "did not", "has no", "created", "Tip:")


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_reference_solution_passes_every_test(grader, exercise_by_id, exercise_id):
    exercise = exercise_by_id(exercise_id)
    result = grader.grade(exercise, exercise.solution)
    failures = {test.name: test.message for test in result.tests if test.status != "pass"}
    assert failures == {}
    assert result.status == "pass"
    assert result.points == result.max_points == exercise.spec.points
    assert [test.name for test in result.tests] == [test.name for test in exercise.spec.tests]


@pytest.mark.parametrize("exercise_id", EXERCISE_IDS)
def test_starter_fails_with_actionable_messages(grader, exercise_by_id, exercise_id):
    exercise = exercise_by_id(exercise_id)
    result = grader.grade(exercise, exercise.starter)
    # The starter imports fine: it is a failed attempt, not an error.
    assert result.status == "fail"
    assert result.points < result.max_points
    failed = [test for test in result.tests if test.status == "fail"]
    assert failed
    for test in failed:
        assert test.message and len(test.message) > 20, test.name
        assert "Traceback" not in test.message
        # Each message says what was expected or what went wrong, not just "failed".
        assert any(phrase in test.message for phrase in ACTIONABLE), test.message
