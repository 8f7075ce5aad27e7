"""Instructor tools: `check --exercise-folder`, `validate` grading an exercise's own solution
and starter, and non-UTF-8 content files reported with file and field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from serverless_tutor.cli import main
from serverless_tutor.progress import ProgressStore

DATA = Path(__file__).parent / "classroom_data"
WORD_COUNT = DATA / "instructor-exercises" / "word-count"
WRONG_SOLUTION = "def lambda_handler(event, context):\n    return {'words': 0}\n"


@pytest.fixture
def own_exercises(tmp_path) -> Path:
    folder = tmp_path / "mine"
    shutil.copytree(WORD_COUNT, folder / "word-count")
    return folder


def test_check_runs_an_instructors_own_exercise(own_exercises, capsys):
    solution = own_exercises / "word-count" / "solution" / "handler.py"
    argv = ["check", "word-count", "--exercise-folder", str(own_exercises)]
    assert main([*argv, "--file", str(solution), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["status"], result["points"], result["exercise"]) == ("pass", 3, "word-count")
    # The exercise's own folder works as well; the starter fails.
    starter = own_exercises / "word-count" / "handler.py"
    folder = str(own_exercises / "word-count")
    assert main(["check", "word-count", "--exercise-folder", folder, "--file", str(starter)]) == 1
    assert "FAIL" in capsys.readouterr().out
    assert "word-count" not in ProgressStore().load().progress.exercises


def test_check_exercise_folder_errors_say_what_was_expected(own_exercises, tmp_path, capsys):
    argv = ["check", "no-such", "--exercise-folder", str(own_exercises)]
    assert main(argv) == 2
    assert f"expected {own_exercises / 'no-such' / 'exercise.yaml'}" in capsys.readouterr().err
    assert main(["check", "x", "--exercise-folder", str(tmp_path / "nope")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_validate_grades_a_given_exercises_solution_and_starter(own_exercises, capsys):
    exercise = own_exercises / "word-count"
    (exercise / "solution" / "handler.py").write_text(WRONG_SOLUTION, encoding="utf-8")
    shutil.copyfile(WORD_COUNT / "solution" / "handler.py", exercise / "handler.py")
    assert main(["validate", str(own_exercises)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith(
        f"{exercise / 'solution' / 'handler.py'}: (solution): the reference solution to pass "
        "every test of word-count; fail: counts three words: "
    )
    assert lines[1] == (
        f"{exercise / 'handler.py'}: (starter): the starter to fail at least one test of "
        "word-count (it passes them all: there is nothing to do)"
    )


def test_validate_grades_a_packs_own_exercises(own_exercises, tmp_path, capsys):
    pack = own_exercises / "pack.yaml"
    pack.write_text(
        "id: mine\ntitle: Mine\nexercise_folders: [.]\nexercises: [hello-handler, word-count]\n",
        encoding="utf-8",
    )
    assert main(["validate", str(pack)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "all content is valid\n"
    assert "of 1 exercise(s)" in captured.err  # its own exercise, not the shipped hello-handler


@pytest.mark.parametrize(
    "name, field",
    [("hints.md", "(file)"), ("checks.py", "(file)"), ("exercise.yaml", "(file)")],
)
def test_non_utf8_content_is_a_problem_not_a_traceback(own_exercises, capsys, name, field):
    path = own_exercises / "word-count" / name
    path.write_bytes(b"caf\xe9 latin-1 text\n")
    assert main(["validate", str(own_exercises)]) == 1
    out = capsys.readouterr().out
    assert f"{path}: {field}: " in out and "Traceback" not in out
    if name != "exercise.yaml":
        assert "UTF-8 text; byte 3 is not" in out


def test_pack_show_reports_a_non_utf8_hints_file(own_exercises, capsys):
    (own_exercises / "word-count" / "hints.md").write_bytes(b"\xff\xfe hints\n")
    pack = own_exercises / "pack.yaml"
    pack.write_text(
        "id: mine\ntitle: Mine\nexercise_folders: [.]\nexercises: [word-count]\n",
        encoding="utf-8",
    )
    assert main(["pack", "show", str(pack)]) == 2
    err = capsys.readouterr().err
    assert f"{own_exercises / 'word-count' / 'hints.md'}: (file): UTF-8 text" in err
