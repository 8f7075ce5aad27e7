"""Grade many submissions of one exercise (a class's folder of handlers) with one Grader.

A submission is either a `.py` file directly in the folder, or a `handler.py` in a
subfolder (one per student). Each is graded exactly as `check` grades a learner's
file: the handler runs in the sandbox, the tests run here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from serverless_tutor.content.exercises import Exercise
from serverless_tutor.grading.results import CheckResult
from serverless_tutor.grading.runner import Grader


class GradedSubmission(BaseModel):
    submission: str
    result: CheckResult


class BatchResult(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    exercise: str
    submissions: list[GradedSubmission]
    passed: int
    max_points: int = Field(alias="maxPoints")


def find_submissions(folder: Path, handler_file: str = "handler.py") -> list[Path]:
    direct = [path for path in folder.glob("*.py") if path.is_file()]
    nested = [path for path in folder.glob(f"*/{handler_file}") if path.is_file()]
    return sorted(direct + nested)


def grade_folder(
    exercise: Exercise,
    folder: Path,
    *,
    on_result: Callable[[Path, CheckResult], None] | None = None,
) -> BatchResult:
    graded = []
    with Grader() as grader:
        for path in find_submissions(folder, exercise.spec.function.handler_file):
            result = grader.grade(exercise, path)
            graded.append(GradedSubmission(submission=str(path), result=result))
            if on_result is not None:
                on_result(path, result)
    return BatchResult(
        exercise=exercise.id,
        submissions=graded,
        passed=sum(1 for g in graded if g.result.passed),
        max_points=exercise.spec.points,
    )
