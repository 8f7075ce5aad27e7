"""`exercises`, `check`, `hint`, `reset`, `solution`: output, exit codes and recorded progress."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest

from serverless_tutor.cli import main
from serverless_tutor.paths import exercises_dir
from serverless_tutor.progress import ProgressStore


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def test_exercises_json_lists_id_title_section_status(capsys):
    assert main(["exercises", "--json"]) == 0
    listed = _json(capsys)
    assert len(listed) >= 14
    assert {"id", "title", "section", "status"} <= set(listed[0])
    assert {entry["status"] for entry in listed} == {"new"}


def test_check_exit_codes_and_recorded_progress(capsys, tmp_path):
    workspace = tmp_path / "ws"
    assert (
        main(["check", "hello-handler", "--workspace", str(workspace), "--json"]) == 1
    )  # the starter
    result = _json(capsys)
    assert result["status"] == "fail" and result["version"] == 3
    assert (workspace / "hello-handler" / "handler.py").is_file()

    solution = exercises_dir() / "hello-handler" / "solution" / "handler.py"
    assert main(["check", "hello-handler", "--file", str(solution), "--json"]) == 0
    assert _json(capsys)["status"] == "pass"
    entry = ProgressStore().load().progress.exercises["hello-handler"]
    assert (entry.status, entry.checks, entry.best_points) == ("passed", 2, 7)


def test_check_renders_text_with_report_lines(capsys):
    assert main(["check", "context-info"]) == 1
    out = capsys.readouterr().out
    assert "REPORT RequestId:" in out and "FAIL" in out and "aws_request_id" in out


def test_check_error_exits_1(capsys, tmp_path):
    broken = tmp_path / "handler.py"
    broken.write_text("this is not python\n")
    assert main(["check", "hello-handler", "--file", str(broken), "--json"]) == 1
    assert _json(capsys)["status"] == "error"


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "no-such-exercise"],
        ["check", "hello-handler", "--file", "/no/such/file.py"],
        ["hint", "nope"],
        ["reset", "nope"],
        ["solution", "nope"],
    ],
)
def test_usage_errors_exit_2(capsys, argv):
    assert main(argv) == 2
    assert "serverless-tutor: error:" in capsys.readouterr().err


def test_hint_gives_the_next_hint(capsys):
    assert main(["hint", "sqs-batch", "--json"]) == 0
    assert _json(capsys)["number"] == 1
    assert main(["hint", "sqs-batch", "--json"]) == 0
    assert _json(capsys)["number"] == 2
    assert ProgressStore().load().progress.exercises["sqs-batch"].hints_used == 2


def test_reset_keeps_the_old_file(capsys, tmp_path):
    workspace = tmp_path / "ws"
    main(["reset", "get-user", "--workspace", str(workspace)])
    mine = workspace / "get-user" / "handler.py"
    mine.write_text("# my work\n")
    assert main(["reset", "get-user", "--workspace", str(workspace)]) == 0
    assert "kept at" in capsys.readouterr().out
    kept = list((workspace / "get-user" / "history").iterdir())
    assert [path.read_text() for path in kept] == ["# my work\n"]


def test_solution_needs_a_pass_or_a_recorded_give_up(capsys):
    assert main(["solution", "create-order"]) == 1
    assert "give-up" in capsys.readouterr().err
    assert main(["solution", "create-order", "--give-up"]) == 0
    assert "parse_float=Decimal" in capsys.readouterr().out
    entry = ProgressStore().load().progress.exercises["create-order"]
    assert entry.gave_up and entry.solution_revealed


def test_batch_grades_a_folder_of_submissions(capsys, tmp_path):
    exercise_folder = exercises_dir() / "cost-estimator"
    (tmp_path / "ada").mkdir()
    (tmp_path / "ada" / "handler.py").write_bytes(
        (exercise_folder / "solution" / "handler.py").read_bytes()
    )
    (tmp_path / "grace.py").write_bytes((exercise_folder / "handler.py").read_bytes())
    gc.disable()  # as run() leaves it for a one-shot check
    try:
        assert main(["check", "cost-estimator", "--batch", str(tmp_path), "--json"]) == 1
        assert gc.isenabled(), "a folder is a long run: the collector is back on"
    finally:
        gc.enable()
    batch = _json(capsys)
    assert batch["passed"] == 1 and batch["maxPoints"] == 7
    statuses = {
        Path(entry["submission"]).parent.name
        if entry["submission"].endswith("handler.py")
        else Path(entry["submission"]).stem: entry["result"]["status"]
        for entry in batch["submissions"]
    }
    assert statuses == {"ada": "pass", "grace": "fail"}
    assert "cost-estimator" not in ProgressStore().load().progress.exercises


def test_batch_of_an_empty_folder_is_a_usage_error(capsys, tmp_path):
    assert main(["check", "cost-estimator", "--batch", str(tmp_path)]) == 2
