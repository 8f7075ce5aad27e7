"""Progress-touching verbs with a corrupt progress file, or a data folder they cannot write.

A corrupt file moved aside is one line on stderr naming where it went. A data folder
that cannot be written (here: under a regular file, or a writer that fails with EROFS
or ENOSPC; chmod does not stop root) is one line on stderr and exit 1, after the hint
or solution the learner asked for, and the file on disk stays as it was.
"""

from __future__ import annotations

import errno
import io
import json
import os

import pytest

from serverless_tutor import progress as progress_module
from serverless_tutor.cli import main
from serverless_tutor.progress import PROGRESS_FILE, Progress, ProgressStore

GARBAGE = "garbage, not JSON\n"


def corrupt_progress(home):
    home.mkdir(parents=True, exist_ok=True)
    (home / PROGRESS_FILE).write_text(GARBAGE)


def kept_files(home):
    return sorted(home.glob(f"{PROGRESS_FILE}.corrupt-*"))


@pytest.fixture
def unwritable_home(tmp_path, monkeypatch):
    """A data folder that cannot be created: its parent is a regular file."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    home = blocker / "home"
    monkeypatch.setenv("SERVERLESS_TUTOR_HOME", str(home))
    return home


def failing_writer(code):
    def write(path, data):
        raise OSError(code, os.strerror(code), str(path))

    return write


@pytest.mark.parametrize(
    "argv",
    [
        ["hint", "hello-handler"],
        ["hint", "hello-handler", "--json"],
        ["exercises"],
        ["exercises", "--json"],
        ["solution", "hello-handler", "--give-up"],
        ["solution", "hello-handler"],  # locked: still says what happened to the file
    ],
)
def test_a_corrupt_progress_file_moved_aside_is_named_on_stderr(argv, tutor_home, capsys):
    corrupt_progress(tutor_home)
    main(argv)
    err = capsys.readouterr().err
    [kept] = kept_files(tutor_home)
    assert kept.read_text() == GARBAGE
    notices = [line for line in err.splitlines() if "unreadable" in line]
    assert notices == [
        f"serverless-tutor: Progress file was unreadable (JSONDecodeError); kept it as {kept} "
        "and started fresh."
    ]


def test_quiz_names_the_moved_file_on_stderr(tutor_home, monkeypatch, capsys):
    corrupt_progress(tutor_home)
    monkeypatch.setattr("sys.stdin", io.StringIO("q\n"))
    assert main(["quiz", "--count", "1", "--seed", "1"]) == 0
    captured = capsys.readouterr()
    [kept] = kept_files(tutor_home)
    assert f"kept it as {kept}" in captured.err
    assert "unreadable" not in captured.out


def test_hint_on_an_unwritable_data_folder_shows_the_hint_then_one_error_line(
    unwritable_home, capsys
):
    assert main(["hint", "hello-handler"]) == 1
    captured = capsys.readouterr()
    assert "Hint 1 of 4 for hello-handler" in captured.out
    assert captured.err.splitlines() == [
        f"serverless-tutor: error: hint 1 of hello-handler not recorded: cannot write "
        f"{unwritable_home / PROGRESS_FILE} (Not a directory); the progress already there is "
        "unchanged"
    ]


def test_solution_on_an_unwritable_data_folder_shows_it_then_one_error_line(
    unwritable_home, capsys
):
    assert main(["solution", "hello-handler", "--give-up"]) == 1
    captured = capsys.readouterr()
    assert "Reference solution for hello-handler" in captured.out
    [line] = captured.err.splitlines()
    assert line.startswith(
        "serverless-tutor: error: giving up and seeing the solution of hello-handler not recorded"
    )


@pytest.mark.parametrize(
    ("argv", "doing"),
    [
        (["reset", "hello-handler"], "restore the starter for hello-handler"),
        (
            ["exercises", "show", "hello-handler"],
            "create your copy of the starter for hello-handler",
        ),
        (["check", "hello-handler"], "create your copy of the starter for hello-handler"),
    ],
)
def test_workspace_verbs_on_an_unwritable_data_folder_fail_in_one_line(
    argv, doing, unwritable_home, capsys
):
    assert main(argv) == 1
    [line] = capsys.readouterr().err.splitlines()
    folder = unwritable_home / "workspace" / "hello-handler"
    assert line == f"serverless-tutor: error: could not {doing}: Not a directory: {folder}"


def test_exercises_lists_from_an_unwritable_data_folder(unwritable_home, capsys):
    assert main(["exercises", "--json"]) == 0
    assert {e["status"] for e in json.loads(capsys.readouterr().out)} == {"new"}


def test_an_interview_on_an_unwritable_data_folder_is_graded_but_not_recorded(
    unwritable_home, monkeypatch, capsys
):
    monkeypatch.setattr("sys.stdin", io.StringIO("my answer\n\nall\n"))
    assert main(["quiz", "--mode", "interview", "--count", "1", "--seed", "1"]) == 1
    captured = capsys.readouterr()
    assert "Self-score: 100%" in captured.out
    assert "Next review" not in captured.out  # nothing was scheduled
    lines = captured.err.splitlines()
    assert lines[0].startswith("serverless-tutor: error: your answers not recorded: cannot write")
    assert lines[1].startswith("serverless-tutor: error: could not save the answers as Markdown:")
    assert len(lines) == 2


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_full_or_read_only_folder_leaves_the_progress_on_disk_as_it_was(
    code, tutor_home, monkeypatch, capsys
):
    store = ProgressStore(tutor_home)
    store.save(Progress(visited=["introduction"]))
    before = (tutor_home / PROGRESS_FILE).read_bytes()
    monkeypatch.setattr(progress_module, "write_atomically", failing_writer(code))
    assert main(["hint", "hello-handler"]) == 1
    captured = capsys.readouterr()
    assert "Hint 1 of 4" in captured.out
    assert f"({os.strerror(code)})" in captured.err
    assert (tutor_home / PROGRESS_FILE).read_bytes() == before


def test_a_corrupt_file_that_cannot_be_moved_aside_is_never_written_over(
    tutor_home, monkeypatch, capsys
):
    """A read-only folder: the rename fails. Even if a write would succeed, save refuses."""
    corrupt_progress(tutor_home)

    def cannot_move(self):
        raise OSError(errno.EROFS, "Read-only file system", str(self.path))

    monkeypatch.setattr(ProgressStore, "_move_aside", cannot_move)
    assert main(["hint", "hello-handler"]) == 1
    captured = capsys.readouterr()
    assert "Hint 1 of 4" in captured.out
    notice, error = captured.err.splitlines()
    assert notice == (
        f"serverless-tutor: Progress file {tutor_home / PROGRESS_FILE} was unreadable "
        "(JSONDecodeError) and could not be moved aside (Read-only file system); it is left as "
        "it is, and nothing is recorded until it is moved or deleted."
    )
    assert error.startswith("serverless-tutor: error: hint 1 of hello-handler not recorded")
    assert (tutor_home / PROGRESS_FILE).read_text() == GARBAGE
    assert kept_files(tutor_home) == []
