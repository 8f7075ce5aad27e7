"""The learner's loop, shared by the CLI verbs and the TUI: status, hints, solutions.

These functions change a Progress in memory and return pydantic models; the
caller saves the progress (ProgressStore.save) and renders the result.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from serverless_tutor.content.exercises import Exercise
from serverless_tutor.grading.results import CheckResult
from serverless_tutor.grading.workspace import Workspace
from serverless_tutor.progress import ExerciseProgress, Progress


class ExerciseStatus(BaseModel):
    id: str
    title: str
    section: int
    difficulty: str
    summary: str
    status: Literal["new", "started", "attempted", "passed"]
    points: int
    best_points: int
    hints_used: int
    hints_total: int
    gave_up: bool
    solution_revealed: bool
    workspace_file: str


class Hint(BaseModel):
    exercise: str
    number: int  # 1-based
    total: int
    text: str
    more: bool  # whether a further hint exists


class Solution(BaseModel):
    exercise: str
    path: str
    text: str
    reason: Literal["passed", "gave_up"]


class SolutionLocked(Exception):
    """The reference solution opens after a pass or an explicit, recorded give-up."""


def progress_for(progress: Progress, exercise: Exercise) -> ExerciseProgress:
    entry = progress.exercises.get(exercise.id)
    if entry is None:
        entry = ExerciseProgress(max_points=exercise.spec.points)
        progress.exercises[exercise.id] = entry
    return entry


def status_of(progress: Progress, exercise: Exercise, workspace: Workspace) -> ExerciseStatus:
    entry = progress.exercises.get(exercise.id) or ExerciseProgress(max_points=exercise.spec.points)
    status: Literal["new", "started", "attempted", "passed"] = entry.status
    if status == "passed" and entry.last_result in ("fail", "error"):
        status = "attempted"  # the mark shows the latest run; best_points keeps the best
    if (
        status == "new"
        and workspace.exists(exercise)
        and _edited(exercise, workspace.path_for(exercise))
    ):
        status = "started"
    return ExerciseStatus(
        id=exercise.id,
        title=exercise.title,
        section=exercise.spec.section,
        difficulty=exercise.spec.difficulty,
        summary=exercise.spec.summary,
        status=status,
        points=exercise.spec.points,
        best_points=entry.best_points,
        hints_used=entry.hints_used,
        hints_total=len(exercise.hints),
        gave_up=entry.gave_up,
        solution_revealed=entry.solution_revealed,
        workspace_file=str(workspace.path_for(exercise)),
    )


def _edited(exercise: Exercise, path: Path) -> bool:
    try:
        return path.read_bytes() != exercise.starter.read_bytes()
    except OSError:
        return False


def record_check(progress: Progress, exercise: Exercise, result: CheckResult) -> ExerciseProgress:
    """Count a graded attempt. An `error` (the file did not load) is not an attempt at the tests."""
    entry = progress_for(progress, exercise)
    entry.checks += 1
    entry.max_points = result.max_points
    entry.last_run_at = datetime.now(UTC)
    entry.last_result = "pass" if result.passed else "error" if result.status == "error" else "fail"
    if result.status == "error":
        return entry
    entry.best_points = max(entry.best_points, result.points)
    if result.passed:
        entry.status = "passed"
    elif entry.status == "new":
        entry.status = "attempted"
    return entry


def next_hint(progress: Progress, exercise: Exercise) -> Hint:
    """The next hint not yet shown (the last one again once all are shown)."""
    entry = progress_for(progress, exercise)
    total = len(exercise.hints)
    number = min(entry.hints_used + 1, total)
    entry.hints_used = max(entry.hints_used, number)
    return Hint(
        exercise=exercise.id,
        number=number,
        total=total,
        text=exercise.hints[number - 1],
        more=number < total,
    )


def shown_hints(progress: Progress, exercise: Exercise) -> list[str]:
    entry = progress.exercises.get(exercise.id)
    used = entry.hints_used if entry else 0
    return exercise.hints[:used]


def can_see_solution(progress: Progress, exercise: Exercise) -> bool:
    entry = progress.exercises.get(exercise.id)
    return entry is not None and (entry.status == "passed" or entry.gave_up)


def give_up(progress: Progress, exercise: Exercise) -> None:
    progress_for(progress, exercise).gave_up = True


def reveal_solution(progress: Progress, exercise: Exercise) -> Solution:
    """The reference solution, if the learner passed or gave up; raises SolutionLocked otherwise."""
    entry = progress_for(progress, exercise)
    if not (entry.status == "passed" or entry.gave_up):
        raise SolutionLocked(
            f"The reference solution for {exercise.id} opens after you pass it, or after you give up "
            f"(`serverless-tutor solution {exercise.id} --give-up`; giving up is recorded)."
        )
    entry.solution_revealed = True
    return Solution(
        exercise=exercise.id,
        path=str(exercise.solution),
        text=exercise.solution.read_text(encoding="utf-8"),
        reason="passed" if entry.status == "passed" else "gave_up",
    )
