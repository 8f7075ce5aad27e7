import json
import os
import signal
import subprocess
import sys
import time

import pytest

from serverless_tutor.progress import (
    LOCK_FILE,
    PROGRESS_FILE,
    ExerciseProgress,
    Progress,
    ProgressStore,
)
from serverless_tutor.quiz.state import CardState


def test_round_trip_and_visit(tmp_path):
    store = ProgressStore(tmp_path)
    progress = store.load().progress
    assert progress.current_lesson is None
    progress.visit("faas")
    progress.visit("faas")
    progress.visit("baas")
    store.save(progress)
    again = store.load()
    assert again.notice is None
    assert again.progress.current_lesson == "baas"
    assert again.progress.visited == ["faas", "baas"]


def test_unknown_fields_survive_a_save(tmp_path):
    (tmp_path / PROGRESS_FILE).write_text(json.dumps({"version": 1, "from_the_future": {"x": 1}}))
    store = ProgressStore(tmp_path)
    store.save(store.load().progress)
    assert json.loads((tmp_path / PROGRESS_FILE).read_text())["from_the_future"] == {"x": 1}


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00garbage", b'{"visited": 5}'])
def test_corrupt_file_is_kept_aside_not_overwritten(tmp_path, content):
    path = tmp_path / PROGRESS_FILE
    path.write_bytes(content)
    store = ProgressStore(tmp_path)
    result = store.load()
    assert result.progress == Progress()
    assert result.notice and "kept it as" in result.notice
    kept = [p for p in tmp_path.iterdir() if p.name.startswith(f"{PROGRESS_FILE}.corrupt-")]
    assert len(kept) == 1 and kept[0].read_bytes() == content
    assert str(kept[0]) in result.notice
    store.save(result.progress)
    assert kept[0].read_bytes() == content


def test_two_corrupt_files_in_the_same_second_both_survive(tmp_path):
    store = ProgressStore(tmp_path)
    for content in (b"{one", b"{two"):
        (tmp_path / PROGRESS_FILE).write_bytes(content)
        store.load()
    kept = sorted(p.read_bytes() for p in tmp_path.iterdir() if ".corrupt-" in p.name)
    assert kept == [b"{one", b"{two"]


def test_failed_save_leaves_old_state_and_no_temp_file(tmp_path, monkeypatch):
    store = ProgressStore(tmp_path)
    old = Progress(current_lesson="faas", visited=["faas"])
    store.save(old)

    def broken_replace(src, dst):
        raise OSError("disk went away")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        store.save(Progress(current_lesson="baas", visited=["baas"]))
    monkeypatch.undo()
    assert store.load().progress == old
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([PROGRESS_FILE, LOCK_FILE])


WRITER = """
import sys
from pathlib import Path
from serverless_tutor.progress import Progress, ProgressStore
store = ProgressStore(Path(sys.argv[1]))
store.load()  # a writer's changes are relative to what it loaded
n = 0
print("ready", flush=True)
while True:
    n += 1
    # large enough that a write takes a while, so kills land mid-save
    store.save(Progress(current_lesson=f"lesson-{n}", visited=[f"lesson-{n}"] * 20000))
"""


def test_writer_killed_mid_save_leaves_a_whole_state(tmp_path):
    store = ProgressStore(tmp_path)
    store.save(Progress(current_lesson="start", visited=["start"]))
    for attempt in range(5):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE
        )
        assert writer.stdout.readline().strip() == b"ready"
        time.sleep(0.05 + attempt * 0.07)
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
        result = store.load()
        assert result.notice is None, result.notice
        state = result.progress
        assert state.current_lesson == "start" or set(state.visited) == {state.current_lesson}
    assert not list(tmp_path.glob(f"{PROGRESS_FILE}.corrupt-*"))


def test_load_removes_temp_files_a_killed_writer_left_once_they_are_stale(tmp_path):
    # write_atomically names its temporaries .<name>.<random>.tmp
    stale = tmp_path / f".{PROGRESS_FILE}.killed.tmp"
    fresh = tmp_path / f".{PROGRESS_FILE}.writing.tmp"
    other = tmp_path / ".notes.md.killed.tmp"
    for leftover in (stale, fresh, other):
        leftover.write_text("{half")
    an_hour_ago = time.time() - 3600
    for old in (stale, other):
        os.utime(old, (an_hour_ago, an_hour_ago))

    assert ProgressStore(tmp_path).load().notice is None
    assert not stale.exists()
    assert fresh.exists()  # perhaps another process is writing it right now
    assert other.exists()  # not ours to remove


def test_two_writers_keep_each_others_results(tmp_path):
    # The app loads, then `check` in another shell records a pass, then the app saves.
    app_store, cli_store = ProgressStore(tmp_path), ProgressStore(tmp_path)
    in_app = app_store.load().progress
    from_cli = cli_store.load().progress
    from_cli.exercises["create-order"] = ExerciseProgress(
        status="passed", best_points=8, max_points=8, checks=1
    )
    cli_store.save(from_cli)
    in_app.visit("faas")
    in_app.exercises["hello-handler"] = ExerciseProgress(status="attempted", checks=2)
    merged = app_store.save(in_app)
    on_disk = ProgressStore(tmp_path).load().progress
    assert on_disk == merged
    assert on_disk.current_lesson == "faas"
    assert on_disk.exercises["create-order"].status == "passed"
    assert on_disk.exercises["create-order"].best_points == 8
    assert on_disk.exercises["hello-handler"].checks == 2


def test_both_writers_checking_one_exercise_add_their_checks_and_keep_the_best(tmp_path):
    first, second = ProgressStore(tmp_path), ProgressStore(tmp_path)
    seed = first.load().progress
    seed.exercises["sqs-batch"] = ExerciseProgress(status="attempted", best_points=2, checks=3)
    first.save(seed)
    a, b = first.load().progress, second.load().progress
    a.exercises["sqs-batch"] = ExerciseProgress(
        status="passed", best_points=8, max_points=8, checks=4, hints_used=1
    )
    first.save(a)
    b.exercises["sqs-batch"] = ExerciseProgress(
        status="attempted", best_points=5, max_points=8, checks=5, gave_up=True
    )
    merged = second.save(b).exercises["sqs-batch"]
    # 3 checks before, one more in each writer and two in the second: 3 + 1 + 2.
    assert merged.checks == 6
    assert merged.best_points == 8
    assert merged.hints_used == 1
    assert merged.gave_up is True
    assert merged.status == "passed"  # the furthest either reached


def test_the_latest_result_comes_from_the_later_run_whoever_saves_last(tmp_path):
    first, second = ProgressStore(tmp_path), ProgressStore(tmp_path)
    a, b = first.load().progress, second.load().progress
    b.exercises["get-user"] = ExerciseProgress(
        status="passed", last_result="pass", last_run_at="2026-12-04T10:00:00Z", checks=1
    )
    a.exercises["get-user"] = ExerciseProgress(
        status="attempted", last_result="fail", last_run_at="2026-12-04T11:00:00Z", checks=1
    )
    second.save(b)
    merged = first.save(a).exercises["get-user"]
    assert merged.status == "passed"
    assert merged.last_result == "fail"
    assert merged.checks == 2


def test_visited_lessons_and_quiz_cards_merge(tmp_path):
    first, second = ProgressStore(tmp_path), ProgressStore(tmp_path)
    a, b = first.load().progress, second.load().progress
    a.visit("faas")
    b.visit("baas")
    a.quiz.cards["q1"] = CardState(
        card_id=1, state=2, due="2026-12-10T00:00:00Z", last_review="2026-12-04T10:00:00Z"
    )
    b.quiz.cards["q1"] = CardState(
        card_id=1, state=1, due="2026-12-05T00:00:00Z", last_review="2026-12-04T09:00:00Z"
    )
    first.save(a)
    merged = second.save(b)
    assert merged.visited == ["faas", "baas"]
    assert merged.current_lesson == "baas"
    assert merged.quiz.cards["q1"].state == 2  # the later review wins, though saved first


def test_a_file_corrupted_between_load_and_save_is_kept_aside(tmp_path):
    store = ProgressStore(tmp_path)
    progress = store.load().progress
    (tmp_path / PROGRESS_FILE).write_bytes(b"{half a file")
    progress.visit("faas")
    saved = store.save(progress)
    assert saved.current_lesson == "faas"
    kept = list(tmp_path.glob(f"{PROGRESS_FILE}.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == b"{half a file"
    assert store.notice is not None and str(kept[0]) in store.notice


def test_a_writer_that_keeps_its_own_copy_does_not_erase_the_other_on_its_next_save(tmp_path):
    # `quiz` saves after every answer and keeps using the Progress it loaded.
    quiz_store, cli_store = ProgressStore(tmp_path), ProgressStore(tmp_path)
    in_quiz = quiz_store.load().progress
    quiz_state = in_quiz.quiz  # the quiz session holds this object
    from_cli = cli_store.load().progress
    from_cli.exercises["create-order"] = ExerciseProgress(status="passed", checks=1)
    cli_store.save(from_cli)

    in_quiz.visit("faas")
    quiz_store.save(in_quiz)  # the return value ignored, as callers do
    assert in_quiz.exercises["create-order"].status == "passed"  # merged in place
    assert in_quiz.quiz is quiz_state

    in_quiz.visit("baas")
    quiz_store.save(in_quiz)
    on_disk = ProgressStore(tmp_path).load().progress
    assert on_disk.exercises["create-order"].status == "passed"
    assert on_disk.exercises["create-order"].checks == 1  # neither lost nor counted twice
    assert on_disk.visited == ["faas", "baas"]


def test_pull_brings_in_another_writers_results_and_keeps_unsaved_changes(tmp_path):
    app_store, cli_store = ProgressStore(tmp_path), ProgressStore(tmp_path)
    in_app = app_store.load().progress
    in_app.visit("faas")
    app_store.save(in_app)
    assert not app_store.changed_elsewhere()
    assert app_store.pull(in_app) is False
    in_app.exercises["get-user"] = ExerciseProgress(status="attempted", checks=1)  # not saved yet
    from_cli = cli_store.load().progress
    from_cli.exercises["create-order"] = ExerciseProgress(status="passed", checks=1)
    cli_store.save(from_cli)
    assert app_store.changed_elsewhere()
    assert app_store.pull(in_app) is True
    assert in_app.exercises["create-order"].status == "passed"
    assert in_app.exercises["get-user"].checks == 1 and in_app.current_lesson == "faas"
    app_store.save(in_app)
    on_disk = ProgressStore(tmp_path).load().progress
    assert set(on_disk.exercises) == {"create-order", "get-user"}
    assert on_disk.exercises["create-order"].checks == 1  # not counted twice


def test_pull_keeps_what_it_has_when_the_file_turns_unreadable(tmp_path):
    store = ProgressStore(tmp_path)
    progress = store.load().progress
    progress.visit("faas")
    store.save(progress)
    (tmp_path / PROGRESS_FILE).write_bytes(b"{torn")
    assert store.pull(progress) is False
    assert progress.current_lesson == "faas"
    assert list(tmp_path.glob(f"{PROGRESS_FILE}.corrupt-*"))
