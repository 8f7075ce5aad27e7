"""`pack export gradescope|github-classroom`: the files it writes and its clear refusals."""

from __future__ import annotations

import zipfile
from pathlib import Path

import yaml

from serverless_tutor.cli import main
from serverless_tutor.grading.github_classroom import WORKFLOW_PATH

DATA = Path(__file__).parent / "classroom_data"
PACK = str(DATA / "week1.yaml")


def test_gradescope_export_writes_the_autograder_zip(capsys, tmp_path):
    target = tmp_path / "autograder.zip"
    assert main(["pack", "export", "gradescope", PACK, "--out", str(target)]) == 0
    assert str(target) in capsys.readouterr().out
    with zipfile.ZipFile(target) as bundle:
        names = set(bundle.namelist())
    assert {"setup.sh", "run_autograder", "pack/week1.yaml"} <= names
    assert "pack/instructor-exercises/word-count/exercise.yaml" in names


def test_github_classroom_export_writes_the_template(capsys, tmp_path):
    target = tmp_path / "template"
    argv = ["pack", "export", "github-classroom", PACK, "--out", str(target)]
    assert main([*argv, "--grader", "serverless-tutor==1.0"]) == 0
    assert (target / "hello-handler" / "handler.py").is_file()
    assert (target / "word-count" / "handler.py").is_file()
    assert not list(target.rglob("solution"))
    workflow = yaml.safe_load((target / WORKFLOW_PATH).read_text(encoding="utf-8"))
    steps = workflow["jobs"]["run-autograding-tests"]["steps"]
    assert "serverless-tutor==1.0" in steps[2]["run"]


def test_github_classroom_needs_a_grader(capsys, tmp_path):
    argv = ["pack", "export", "github-classroom", PACK, "--out", str(tmp_path / "t")]
    assert main(argv) == 2
    assert "--grader PIP_REQUIREMENT is required" in capsys.readouterr().err
    assert not (tmp_path / "t").exists()


def test_github_classroom_refuses_a_folder_with_files(capsys, tmp_path):
    (tmp_path / "mine.txt").write_text("keep me\n")
    argv = ["pack", "export", "github-classroom", PACK, "--out", str(tmp_path)]
    assert main([*argv, "--grader", "serverless-tutor"]) == 2
    err = capsys.readouterr().err
    assert f"--out {tmp_path}: expected a new or empty folder; it already holds files" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]


def test_a_bad_pack_names_the_file_and_the_field(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: week-1\ntitle: Week\nexercises: [no-such-exercise]\n")
    assert main(["pack", "export", "gradescope", str(bad), "--out", str(tmp_path / "a.zip")]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: exercises.0.id: a shipped exercise or one in exercise_folders" in err
    assert not (tmp_path / "a.zip").exists()


def test_gradescope_wants_a_zip_name_and_no_grader(capsys, tmp_path):
    assert main(["pack", "export", "gradescope", PACK, "--out", str(tmp_path)]) == 2
    assert "expected a .zip file name; it is a folder" in capsys.readouterr().err
    argv = ["pack", "export", "gradescope", PACK, "--out", str(tmp_path / "a.zip")]
    assert main([*argv, "--grader", "x"]) == 2
    assert "--grader is for github-classroom" in capsys.readouterr().err
