"""The workspace keeps every version; hints, give-ups and solutions follow the learner's progress."""

from __future__ import annotations

import pytest

from serverless_tutor.grading import learner
from serverless_tutor.grading.results import CheckResult
from serverless_tutor.grading.workspace import Workspace
from serverless_tutor.progress import Progress, ProgressStore


def test_ensure_copies_the_starter_once(tmp_path, exercise_by_id):
    exercise = exercise_by_id("hello-handler")
    workspace = Workspace(tmp_path / "ws")
    path = workspace.ensure(exercise)
    assert path == tmp_path / "ws" / "hello-handler" / "handler.py"
    assert path.read_bytes() == exercise.starter.read_bytes()
    path.write_text("# mine\n")
    assert workspace.ensure(exercise).read_text() == "# mine\n"


def test_reset_keeps_every_previous_version(tmp_path, exercise_by_id):
    exercise = exercise_by_id("hello-handler")
    workspace = Workspace(tmp_path)
    path = workspace.ensure(exercise)
    kept = []
    for version in ("first attempt\n", "second attempt\n"):
        path.write_text(version)
        result = workspace.reset(exercise)
        assert result.kept is not None and result.kept.read_text() == version
        kept.append(result.kept)
    assert len(set(kept)) == 2  # two resets in the same second do not overwrite each other
    assert path.read_bytes() == exercise.starter.read_bytes()
    assert sorted(workspace.history(exercise)) == sorted(kept)


def test_default_workspace_is_in_the_data_home(tutor_home, exercise_by_id):
    assert (
        Workspace().path_for(exercise_by_id("sqs-batch"))
        == tutor_home / "workspace" / "sqs-batch" / "handler.py"
    )


def test_hints_come_one_at_a_time_and_stop_at_the_last(exercise_by_id):
    exercise = exercise_by_id("create-order")
    progress = Progress()
    numbers = [learner.next_hint(progress, exercise).number for _ in range(len(exercise.hints) + 2)]
    assert numbers == list(range(1, len(exercise.hints) + 1)) + [len(exercise.hints)] * 2
    assert progress.exercises["create-order"].hints_used == len(exercise.hints)
    assert learner.shown_hints(progress, exercise) == exercise.hints


def test_solution_is_locked_until_pass_or_recorded_give_up(tmp_path, exercise_by_id):
    exercise = exercise_by_id("sqs-batch")
    store = ProgressStore(tmp_path)
    progress = store.load().progress
    with pytest.raises(learner.SolutionLocked):
        learner.reveal_solution(progress, exercise)
    learner.give_up(progress, exercise)
    solution = learner.reveal_solution(progress, exercise)
    assert solution.reason == "gave_up" and "batchItemFailures" in solution.text
    store.save(progress)
    saved = store.load().progress.exercises["sqs-batch"]
    assert saved.gave_up and saved.solution_revealed


def test_a_pass_unlocks_the_solution_and_an_error_is_not_an_attempt(exercise_by_id):
    exercise = exercise_by_id("hello-handler")
    progress = Progress()
    learner.record_check(
        progress, exercise, CheckResult(status="error", message="did not import", max_points=7)
    )
    assert progress.exercises["hello-handler"].status == "new"
    learner.record_check(progress, exercise, CheckResult(status="fail", points=3, max_points=7))
    assert progress.exercises["hello-handler"].status == "attempted"
    learner.record_check(progress, exercise, CheckResult(status="pass", points=7, max_points=7))
    learner.record_check(progress, exercise, CheckResult(status="fail", points=1, max_points=7))
    entry = progress.exercises["hello-handler"]
    assert (entry.status, entry.best_points, entry.checks) == ("passed", 7, 4)
    assert entry.last_result == "fail" and entry.last_run_at is not None
    assert learner.reveal_solution(progress, exercise).reason == "passed"


def test_the_list_mark_shows_the_latest_run_not_the_best(tmp_path, exercise_by_id):
    exercise = exercise_by_id("hello-handler")
    progress, workspace = Progress(), Workspace(tmp_path)
    learner.record_check(progress, exercise, CheckResult(status="pass", points=7, max_points=7))
    assert learner.status_of(progress, exercise, workspace).status == "passed"
    learner.record_check(progress, exercise, CheckResult(status="fail", points=2, max_points=7))
    assert learner.status_of(progress, exercise, workspace).status == "attempted"
    learner.record_check(progress, exercise, CheckResult(status="pass", points=7, max_points=7))
    assert learner.status_of(progress, exercise, workspace).status == "passed"


def test_status_shows_started_once_the_file_differs_from_the_starter(tmp_path, exercise_by_id):
    exercise = exercise_by_id("get-user")
    workspace = Workspace(tmp_path)
    progress = Progress()
    assert learner.status_of(progress, exercise, workspace).status == "new"
    workspace.ensure(exercise)
    assert learner.status_of(progress, exercise, workspace).status == "new"
    workspace.path_for(exercise).write_text("# edited\n")
    assert learner.status_of(progress, exercise, workspace).status == "started"


def test_progress_file_round_trips_exercise_progress(tmp_path, exercise_by_id):
    store = ProgressStore(tmp_path)
    progress = Progress()
    learner.next_hint(progress, exercise_by_id("get-user"))
    store.save(progress)
    assert store.load().progress.exercises["get-user"].hints_used == 1
