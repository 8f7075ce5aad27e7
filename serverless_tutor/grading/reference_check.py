"""Does an exercise grade what it claims? Its reference solution must pass every test and
its starter must fail at least one; each lapse is reported like any other content
problem (file, field, what was expected).

Run by `serverless-tutor validate`: always for the exercise folders and packs an
instructor names, and for the shipped exercises only with `--run-solutions` (34 gradings:
4.9 minutes measured on a loaded 2-core machine; the test suite grades them anyway,
in tests/grading/test_reference_and_starters.py).
"""

from __future__ import annotations

from collections.abc import Callable

from serverless_tutor.content.exercises import GRADING_ONLY_FILE, Exercise
from serverless_tutor.grading.results import CheckResult
from serverless_tutor.grading.runner import Grader
from serverless_tutor.problems import Problem
from serverless_tutor.terminal_text import one_line

MESSAGE_LIMIT = 200


def _failures(result: CheckResult) -> str:
    failed = [test for test in result.tests if test.status != "pass"]
    if not failed:
        return one_line(result.message or result.status)[:MESSAGE_LIMIT]
    return "; ".join(
        f"{one_line(test.name)}: {one_line(test.message or test.status)[:MESSAGE_LIMIT]}"
        for test in failed
    )


def solution_problems(exercise: Exercise, solution: CheckResult) -> list[Problem]:
    if solution.status == "pass":
        return []
    return [
        Problem(
            file=str(exercise.solution),
            field="(solution)",
            expected=f"the reference solution to pass every test of {exercise.id}; "
            f"{solution.status}: {_failures(solution)}",
        )
    ]


def starter_problems(exercise: Exercise, starter: CheckResult) -> list[Problem]:
    if any(test.status != "pass" for test in starter.tests) or not starter.tests:
        return []
    return [
        Problem(
            file=str(exercise.starter),
            field="(starter)",
            expected=f"the starter to fail at least one test of {exercise.id} "
            "(it passes them all: there is nothing to do)",
        )
    ]


def check_references(
    exercises: list[Exercise], on_exercise: Callable[[Exercise], None] | None = None
) -> list[Problem]:
    """Grade each exercise's solution and starter in the sandbox; return what is wrong."""
    problems: list[Problem] = []
    if not exercises:
        return problems
    with Grader() as grader:
        for exercise in exercises:
            if on_exercise is not None:
                on_exercise(exercise)
            if not (exercise.folder / GRADING_ONLY_FILE).is_file():
                problems += solution_problems(exercise, grader.grade(exercise, exercise.solution))
            problems += starter_problems(exercise, grader.grade(exercise, exercise.starter))
    return problems
