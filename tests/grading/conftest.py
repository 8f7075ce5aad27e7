"""Shared fixtures: the shipped exercises and one Grader (sandbox template + local account) per test process."""

from __future__ import annotations

import pytest

from serverless_tutor.content.exercises import Exercise, find_exercise, shipped_exercises


@pytest.fixture(scope="session")
def exercises() -> list[Exercise]:
    return shipped_exercises()


@pytest.fixture(scope="session")
def exercise_by_id(exercises):
    def get(exercise_id: str) -> Exercise:
        exercise = find_exercise(exercises, exercise_id)
        assert exercise is not None, exercise_id
        return exercise

    return get


@pytest.fixture(scope="session")
def grader():
    from serverless_tutor.grading.runner import Grader

    with Grader() as shared:
        yield shared
