"""`watch`: a save re-runs the check, and so does a request by hand."""

from __future__ import annotations

import queue
import shutil
import threading

from serverless_tutor.grading.watch import WatchLoop

WAIT_S = 60  # generous: a wait for an event, not a timing assertion


def _start(loop: WatchLoop, max_runs: int) -> threading.Thread:
    thread = threading.Thread(
        target=loop.run_until_quit, kwargs={"max_runs": max_runs}, daemon=True
    )
    thread.start()
    return thread


def test_saving_the_file_re_runs_the_check(tmp_path, exercise_by_id):
    exercise = exercise_by_id("hello-handler")
    submission = tmp_path / "handler.py"
    shutil.copyfile(exercise.starter, submission)
    results: queue.Queue = queue.Queue()
    with WatchLoop(exercise, submission, on_result=results.put) as loop:
        thread = _start(loop, max_runs=2)
        assert results.get(timeout=WAIT_S).status == "fail"
        shutil.copyfile(exercise.solution, submission)  # "save" the fixed handler
        assert results.get(timeout=WAIT_S).status == "pass"
        thread.join(WAIT_S)
        assert not thread.is_alive()
    assert loop.runs == 2


def test_a_run_can_be_requested_by_hand_and_stop_ends_the_loop(tmp_path, exercise_by_id):
    exercise = exercise_by_id("cost-estimator")
    submission = tmp_path / "handler.py"
    shutil.copyfile(exercise.solution, submission)
    results: queue.Queue = queue.Queue()
    with WatchLoop(exercise, submission, on_result=results.put, force_polling=True) as loop:
        thread = _start(loop, max_runs=None)
        assert results.get(timeout=WAIT_S).status == "pass"
        loop.request_run()
        assert results.get(timeout=WAIT_S).status == "pass"
        loop.stop()
        thread.join(WAIT_S)
        assert not thread.is_alive()
    assert loop.runs == 2
