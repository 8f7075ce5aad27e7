"""Class grading interrupted or cut short: the run killed mid-way, a submission over the
budget, a grading process whose coordinator is gone.

Split from test_classroom.py (same class data) so the two files' runs balance across
the test workers: these tests wait on timeouts and a 10 s budget.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from serverless_tutor.cli import main
from serverless_tutor.content.packs import load_pack
from serverless_tutor.grading.classroom import (
    SCRATCH_PREFIX,
    GradeRecord,
    grade_class,
    record_path,
    scratch_in_use,
)
from tests.grading.test_classroom import SLEEP_LOOP, WORD_COUNT


def test_a_killed_run_loses_nothing_and_resume_finishes_it(tmp_path):
    """SIGKILL the `grade` command once the first result is on disk; every file left is whole; --resume completes."""
    submissions = tmp_path / "submissions"
    for student in ("s1", "s2", "s3"):
        folder = submissions / student
        folder.mkdir(parents=True)
        (folder / "word-count.py").write_text(
            SLEEP_LOOP, encoding="utf-8"
        )  # about 2 s each: two 1 s timeouts
    pack_file = tmp_path / "pack.yaml"
    pack_file.write_text(
        f"id: kill-test\ntitle: Kill test\nexercise_folders: [{WORD_COUNT.parent}]\nexercises: [word-count]\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "serverless_tutor",
        "grade",
        str(pack_file),
        str(submissions),
        "--out",
        str(out),
        "--jobs",
        "1",
        "--json",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while (
            not list(out.glob("results/*/*.json"))
            and process.poll() is None
            and time.monotonic() < deadline
        ):
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    written = list(out.glob("results/*/*.json"))
    assert 1 <= len(written) < 3
    for path in written:
        record = GradeRecord.model_validate_json(path.read_bytes())
        assert record.status == "fail", record.message

    [stale] = Path(tempfile.gettempdir()).glob(
        f"{SCRATCH_PREFIX}{process.pid}-*"
    )  # the killed run could not clean up
    deadline = time.monotonic() + 60
    while scratch_in_use(stale) and time.monotonic() < deadline:
        time.sleep(0.1)  # its orphaned grading process notices its parent is gone and exits

    resumed = grade_class(load_pack(pack_file), submissions, out, jobs=1, resume=True)
    assert resumed.reused == len(written) and resumed.graded == 3 - len(written)
    assert [record.status for record in resumed.records] == ["fail"] * 3, [
        r.message for r in resumed.records
    ]
    assert not stale.exists()  # the next run removed it


def test_a_submission_over_the_budget_is_stopped_and_reported(tmp_path, capsys):
    """A 300 s Lambda timeout and a loop that never returns: the 10 s class budget stops the pair; `grade` exits 1.

    The budget is generous next to an honest submission (about a second), so the
    grader finishes ben's well within it even on a loaded machine. The budget is wall
    time, so ann's loop sleeps: 10 s of a spinning core would slow the rest of the suite."""
    exercise = tmp_path / "exercises" / "word-count"
    shutil.copytree(WORD_COUNT, exercise)
    spec = exercise / "exercise.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("timeout_s: 1", "timeout_s: 300"), encoding="utf-8"
    )
    pack_file = tmp_path / "pack.yaml"
    pack_file.write_text(
        "id: slow\ntitle: Slow\nexercise_folders: [exercises]\nexercises: [word-count]\n",
        encoding="utf-8",
    )
    submissions = tmp_path / "submissions"
    (submissions / "ann").mkdir(parents=True)
    (submissions / "ann" / "word-count.py").write_text(SLEEP_LOOP, encoding="utf-8")
    (submissions / "ben").mkdir()
    shutil.copyfile(WORD_COUNT / "solution" / "handler.py", submissions / "ben" / "word-count.py")
    out = tmp_path / "out"

    code = main(
        [
            "grade",
            str(pack_file),
            str(submissions),
            "--out",
            str(out),
            "--budget",
            "10",
            "--jobs",
            "1",
        ]
    )
    printed = capsys.readouterr().out
    assert code == 1, printed
    assert "1 could not be graded" in printed and "ann/word-count" in printed
    # The runaway was stopped inside its grading process: no replacement had to start.
    assert "(1 grading process(es) started)" in " ".join(printed.split()), printed
    ann = GradeRecord.model_validate_json(record_path(out, "ann", "word-count").read_bytes())
    assert ann.status == "ungraded" and "10 s budget" in ann.message, ann.message
    ben = GradeRecord.model_validate_json(record_path(out, "ben", "word-count").read_bytes())
    assert ben.status == "pass", ben.message  # graded by the same grading process
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[1] == ["ann", "ungraded", "", "3", "", "1"]  # marked and counted, not a zero


def test_a_grading_process_whose_coordinator_is_gone_exits_without_a_traceback(tmp_path):
    """The coordinator killed: the reply pipe is broken. The process exits 0 and its log stays empty."""
    log = tmp_path / "worker.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "serverless_tutor.grading.class_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=tmp_path,
        )
        assert process.stdin is not None and process.stdout is not None
        process.stdout.close()  # as if the coordinator had died
        process.stdin.write(json.dumps({"t": "setup", "exercises": [str(WORD_COUNT)]}).encode())
        process.stdin.write(b"\n")
        process.stdin.close()
        assert process.wait(timeout=180) == 0
    assert log.read_text(encoding="utf-8", errors="replace") == ""
