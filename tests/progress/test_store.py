import json
import os
import signal
import subprocess
import sys
import time

import pytest

from serverless_tutor.progress import PROGRESS_FILE, Progress, ProgressStore


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
    assert [p.name for p in tmp_path.iterdir()] == [PROGRESS_FILE]


WRITER = """
import sys
from pathlib import Path
from serverless_tutor.progress import Progress, ProgressStore
store = ProgressStore(Path(sys.argv[1]))
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
