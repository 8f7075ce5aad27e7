"""Grading a class end to end: a pack, a submissions folder, records, gradebook, resume, budget.

The class (pack week1.yaml: hello-handler weighted x2 = 14 points, and an
instructor's own exercise word-count from classroom_data/instructor-exercises,
scaled to 10 points; word-count's Lambda timeout is 1 s so a runaway loop is
cheap to grade):

    ada  hello-handler: the reference solution (folder layout)   word-count: the reference solution (flat .py)
    bob  hello-handler: the starter (flat .py)                    word-count: missing
    cyd  hello-handler: not Python                                word-count: a busy loop that never returns
    dee  hello-handler: a copy of the solution                    word-count: the starter (1 of 3 points)

The shared run keeps cyd's busy loop (a runaway that burns CPU, stopped by the Lambda
timeout). Tests that only need a submission that takes long (resume here; the killed
run and the budget in test_classroom_interrupted.py) use SLEEP_LOOP: it never returns
either, but waits without burning a core, so the rest of the suite keeps its CPU while
the timeout or the budget runs out.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from serverless_tutor.cli import main
from serverless_tutor.content.packs import load_pack
from serverless_tutor.grading.classroom import (
    GradeRecord,
    grade_class,
    record_path,
)
from serverless_tutor.grading.gradebook import LONG_COLUMNS, write_gradebook
from serverless_tutor.paths import exercises_dir

DATA = Path(__file__).parent / "classroom_data"
WORD_COUNT = DATA / "instructor-exercises" / "word-count"
HELLO = exercises_dir() / "hello-handler"
BUSY_LOOP = "def lambda_handler(event, context):\n    while True:\n        pass\n"
SLEEP_LOOP = "import time\n\ndef lambda_handler(event, context):\n    while True:\n        time.sleep(0.05)\n"


def make_class(root: Path) -> Path:
    def put(relative: str, source: Path | str) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            source if isinstance(source, str) else source.read_text(encoding="utf-8"),
            encoding="utf-8",
        )

    put("ada/hello-handler/handler.py", HELLO / "solution" / "handler.py")
    put("ada/word-count.py", WORD_COUNT / "solution" / "handler.py")
    put("bob/hello-handler.py", HELLO / "handler.py")
    put("cyd/hello-handler/handler.py", "this is not python\n")
    put("cyd/word-count.py", BUSY_LOOP)
    put("dee/hello-handler.py", HELLO / "solution" / "handler.py")
    put("dee/word-count/handler.py", WORD_COUNT / "handler.py")
    (root / "__MACOSX").mkdir()  # archive debris is not a student
    return root


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def pack():
    return load_pack(DATA / "week1.yaml")


@pytest.fixture(scope="module")
def graded(tmp_path_factory, pack):
    """One real class run (sandboxed graders, two in parallel), shared by the tests that read its output."""
    root = tmp_path_factory.mktemp("class")
    submissions = make_class(root / "submissions")
    before = tree_digest(submissions)
    out = root / "out"
    seen = []
    run = grade_class(
        pack,
        submissions,
        out,
        jobs=2,
        on_record=lambda record, done, total: seen.append((done, total)),
    )
    book, files = write_gradebook(pack, run, out)
    return {
        "run": run,
        "book": book,
        "files": files,
        "out": out,
        "submissions": submissions,
        "before": before,
        "seen": seen,
    }


def status_of(run, student: str, exercise: str) -> GradeRecord:
    return next(r for r in run.records if (r.student, r.exercise) == (student, exercise))


def test_every_pair_gets_the_right_outcome(graded):
    run = graded["run"]
    assert run.students == ["ada", "bob", "cyd", "dee"]
    outcomes = {(r.student, r.exercise): (r.status, r.points) for r in run.records}
    assert outcomes == {
        ("ada", "hello-handler"): ("pass", 7),
        ("ada", "word-count"): ("pass", 3),
        ("bob", "hello-handler"): ("fail", 1),
        ("bob", "word-count"): ("missing", 0),
        ("cyd", "hello-handler"): ("error", 0),
        ("cyd", "word-count"): ("fail", 0),
        ("dee", "hello-handler"): ("pass", 7),
        ("dee", "word-count"): ("fail", 1),
    }
    assert run.graded == 7 and run.reused == 0 and run.ungraded == []
    assert graded["seen"][-1] == (8, 8) and len(graded["seen"]) == 8


def test_the_runaway_loop_is_stopped_by_the_lambda_timeout(graded):
    record = status_of(graded["run"], "cyd", "word-count")
    first = record.result.tests[0]
    assert "timeout" in first.message and "Status: timeout" in first.report[0]
    assert record.submission == "cyd/word-count.py"


def test_missing_and_broken_submissions_say_why(graded):
    missing = status_of(graded["run"], "bob", "word-count")
    assert (
        missing.message == "No submission: expected bob/word-count/handler.py or bob/word-count.py."
    )
    assert missing.result is None and missing.submission is None
    broken = status_of(graded["run"], "cyd", "hello-handler")
    assert broken.result.tests[0].status == "error"


def test_one_record_file_per_pair_and_submissions_untouched(graded):
    out, run = graded["out"], graded["run"]
    files = sorted((out / "results").rglob("*.json"))
    assert len(files) == 8
    for record in run.records:
        saved = GradeRecord.model_validate_json(
            record_path(out, record.student, record.exercise).read_bytes()
        )
        assert saved.status == record.status and saved.points == record.points
    assert not list((out / "results").rglob("*.tmp"))
    assert tree_digest(graded["submissions"]) == graded["before"]


def test_gradebook_csv_has_a_row_per_student_with_pack_points(graded):
    with graded["files"].written["wide"].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [
        "student",
        "hello-handler",
        "word-count",
        "total",
        "max",
        "percent",
        "ungraded",
    ]
    assert rows[1:] == [
        ["ada", "14", "10", "24", "24", "100.0", "0"],
        ["bob", "2", "0", "2", "24", "8.3", "0"],
        ["cyd", "0", "0", "0", "24", "0.0", "0"],
        ["dee", "14", "3.33", "17.33", "24", "72.2", "0"],
    ]


def test_long_csv_has_one_row_per_pair(graded):
    with graded["files"].written["long"].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == LONG_COLUMNS
    assert len(rows) == 8
    bob = next(row for row in rows if (row["student"], row["exercise"]) == ("bob", "word-count"))
    assert (bob["status"], bob["points"], bob["maxPoints"]) == ("missing", "0", "10")
    assert bob["message"].startswith("No submission")
    ada = next(row for row in rows if (row["student"], row["exercise"]) == ("ada", "hello-handler"))
    assert (ada["status"], ada["points"], ada["maxPoints"], ada["late"]) == (
        "pass",
        "14",
        "14",
        "no",
    )


def test_gradebook_json_and_feedback(graded):
    book = json.loads(graded["files"].written["json"].read_text(encoding="utf-8"))
    assert book["pack"] == "week-1" and book["counts"] == {
        "pass": 3,
        "fail": 3,
        "error": 1,
        "missing": 1,
    }
    dee = next(student for student in book["students"] if student["student"] == "dee")
    assert (dee["total"], dee["maxPoints"]) == (17.33, 24)
    feedback = (graded["out"] / "feedback" / "cyd.md").read_text(encoding="utf-8")
    assert "# Week 1: feedback for cyd" in feedback
    assert "### ✗ counts three words (0/2)" in feedback
    assert "REPORT RequestId:" in feedback and "Status: timeout" in feedback
    assert len(graded["files"].feedback) == 4


def test_resume_keeps_finished_work_and_regrades_what_changed(graded, pack, tmp_path):
    """An interrupted run left some records (and a stray temporary file); resume grades only the rest."""
    submissions = tmp_path / "submissions"
    shutil.copytree(graded["submissions"], submissions)
    out = tmp_path / "out"
    for student, exercise in [
        ("ada", "hello-handler"),
        ("ada", "word-count"),
        ("dee", "word-count"),
        ("bob", "word-count"),
    ]:
        target = record_path(out, student, exercise)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(record_path(graded["out"], student, exercise), target)
    (out / "results" / "cyd").mkdir(parents=True)
    (out / "results" / "cyd" / ".word-count.json.x.tmp").write_text('{"half": ', encoding="utf-8")
    record_path(out, "cyd", "hello-handler").write_text(
        '{"version": 1, "stud', encoding="utf-8"
    )  # unreadable: graded again
    (submissions / "dee" / "word-count" / "handler.py").write_text(
        (WORD_COUNT / "solution" / "handler.py").read_text(encoding="utf-8"), encoding="utf-8"
    )  # dee fixed it
    (submissions / "cyd" / "word-count.py").write_text(
        SLEEP_LOOP, encoding="utf-8"
    )  # still a runaway (it has no record, only the stray file): one that burns no CPU

    regraded = []
    run = grade_class(
        pack,
        submissions,
        out,
        jobs=1,
        resume=True,
        on_record=lambda record, done, total: regraded.append((record.student, record.exercise)),
    )
    assert run.reused == 3  # ada x2 and bob's missing word-count
    assert run.graded == 5
    kept = status_of(run, "ada", "hello-handler")
    assert kept.graded_at == status_of(graded["run"], "ada", "hello-handler").graded_at
    assert status_of(run, "dee", "word-count").status == "pass"
    assert status_of(run, "cyd", "hello-handler").status == "error"
    assert status_of(run, "cyd", "word-count").status == "fail"
    assert sorted(regraded) == sorted((r.student, r.exercise) for r in run.records)


def test_grade_cli_json_prints_the_gradebook(graded, pack, tmp_path, capsys):
    """--resume over a finished run re-grades nothing: the CLI exits 0 and prints the same totals."""
    out = tmp_path / "out"
    shutil.copytree(graded["out"] / "results", out / "results")
    code = main(
        [
            "grade",
            str(DATA / "week1.yaml"),
            str(graded["submissions"]),
            "--out",
            str(out),
            "--resume",
            "--json",
        ]
    )
    assert code == 0
    book = json.loads(capsys.readouterr().out)
    assert book["graded"] == 0 and book["reused"] == 8
    assert [student["total"] for student in book["students"]] == [24, 2, 0, 17.33]


def test_grade_cli_writes_lms_gradebooks_with_roster_and_manifest(graded, tmp_path, capsys):
    """Over the finished run (--resume: nothing re-graded): Canvas and nbgrader files, ids from
    the roster, and lateness from the manifest, not from the files' times."""
    out = tmp_path / "out"
    shutil.copytree(graded["out"] / "results", out / "results")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        'folder,id,sis_login_id,name\nada,-2+3,ada@uni,"Lovelace, Ada"\nbob,77,bob@uni,Bob\n',
        encoding="utf-8",
    )
    manifest = tmp_path / "manifest.json"
    manifest.write_text('{"ada": "2030-02-01T09:00:00Z", "bob": "2030-01-02T09:00:00Z"}')
    code = main(
        [
            "grade",
            str(DATA / "week1.yaml"),
            str(graded["submissions"]),
            "--out",
            str(out),
            "--resume",
            "--format",
            "canvas",
            "--format",
            "nbgrader",
            "--roster",
            str(roster),
            "--manifest",
            str(manifest),
            "--assignment-id",
            "hello-handler=9001",
        ]
    )
    assert code == 0
    printed = " ".join(capsys.readouterr().out.split())  # as read, whatever the line wrapping
    assert "2 folder(s) are not on the roster" in printed and "cyd, dee" in printed
    assert "2 late submission(s); submission times from manifest" in printed  # ada's two
    with (out / "canvas-gradebook.csv").open(newline="", encoding="utf-8") as handle:
        canvas = list(csv.reader(handle))
    assert canvas[0][5] == "Hello, handler (9001)"
    assert canvas[2] == ["Lovelace, Ada", "-2+3", "", "ada@uni", "", "14", "10"]
    with (out / "nbgrader-grades.csv").open(newline="", encoding="utf-8") as handle:
        nbgrader = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert nbgrader["-2+3"]["timestamp"] == "2030-02-01 09:00:00+00:00"
    assert nbgrader["77"]["score"] == "2.0"
    ada = GradeRecord.model_validate_json(record_path(out, "ada", "word-count").read_bytes())
    assert (ada.late, ada.submitted_from) == (True, "manifest")
    bob = GradeRecord.model_validate_json(record_path(out, "bob", "hello-handler").read_bytes())
    assert bob.late is False
    assert not (out / "gradebook.csv").exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["grade", "no-such-pack", "."], "no pack file or shipped pack 'no-such-pack'"),
        (["grade", "intro", "/no/such/folder"], "not a folder of submissions"),
        (["grade", "intro", "{subs}", "--jobs", "0"], "--jobs must be 1 or more"),
        (["grade", "intro", "{subs}", "--budget", "0"], "--budget must be a number of seconds"),
        (["grade", "intro", "{subs}", "--budget", "inf"], "more than 0; got inf"),
        (["grade", "intro", "{subs}", "--budget", "nan"], "more than 0; got nan"),
        (["grade", "intro", "{subs}", "--roster", "/no/such.csv"], "/no/such.csv: (file)"),
        (["grade", "intro", "{subs}", "--assignment-id", "hello"], "expects EXERCISE=ID"),
        (["grade", "intro", "{subs}", "--out-inside"], "inside the submissions folder"),
        (["grade", "intro", "{empty}"], "no student folders"),
        (["pack", "show", "nope"], "no pack file or shipped pack 'nope'"),
    ],
)
def test_usage_errors_exit_2(argv, message, tmp_path, capsys):
    subs = make_class(tmp_path / "subs")
    (tmp_path / "empty").mkdir()
    argv = [arg.format(subs=subs, empty=tmp_path / "empty") for arg in argv]
    if "--out-inside" in argv:
        argv = [arg for arg in argv if arg != "--out-inside"] + ["--out", str(subs / "grades")]
    elif argv[0] == "grade":
        argv += ["--out", str(tmp_path / "out")]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_pack_show_and_list(capsys):
    assert main(["pack", "show", "intro", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [e["id"] for e in shown["exercises"]] == [
        "hello-handler",
        "create-order",
        "sqs-batch",
        "stateless-counter",
        "init-outside-handler",
        "s3-uppercase",
    ]
    assert all(e["shipped"] for e in shown["exercises"]) and shown["totalPoints"] == 45
    assert main(["pack", "show", str(DATA / "week1.yaml")]) == 0
    text = capsys.readouterr().out
    assert "14 (own 7)" in text and "Total 24 points." in text
    assert main(["pack", "list", "--json"]) == 0
    assert [p["id"] for p in json.loads(capsys.readouterr().out)] == ["intro"]
