"""LMS-ready gradebooks from records alone: Canvas's import CSV, nbgrader's export columns,
the roster, submission times from a manifest, ungraded pairs marked, hidden tests withheld."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from serverless_tutor.content.packs import load_pack
from serverless_tutor.grading.class_roster import (
    find_manifest,
    load_roster,
    load_submission_times,
)
from serverless_tutor.grading.classroom import (
    ClassRun,
    GradeRecord,
    _find_pair,
    exercise_sha256,
)
from serverless_tutor.grading.gradebook import build_gradebook, feedback_markdown, write_gradebook
from serverless_tutor.grading.lms_formats import (
    CANVAS_FIXED_COLUMNS,
    CANVAS_POINTS_ROW,
    NBGRADER_COLUMNS,
    CanvasRow,
    NbgraderRow,
    canvas_csv,
    nbgrader_csv,
)
from serverless_tutor.grading.results import CheckResult, TestResult
from serverless_tutor.problems import ContentError

DATA = Path(__file__).parent / "classroom_data"
WHEN = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def pack():
    return load_pack(DATA / "week1.yaml")


def record(student, exercise, status, points, max_points, **extra) -> GradeRecord:
    return GradeRecord(
        student=student,
        exercise=exercise,
        status=status,
        points=points,
        max_points=max_points,
        exercise_sha256="0" * 64,
        graded_at=WHEN,
        **extra,
    )


def run_of(records: list[GradeRecord]) -> ClassRun:
    return ClassRun(
        pack="week-1",
        submissions="s",
        out="o",
        students=sorted({r.student for r in records}),
        records=records,
        graded=len(records),
        reused=0,
        seconds=1.0,
        jobs=1,
    )


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def write_roster(path: Path) -> Path:
    path.write_text(
        "folder,id,sis_user_id,sis_login_id,first_name,last_name,email,section\n"
        "-2+3,-2+3,S-1,ada@uni.example,Ada,Lovelace,ada@uni.example,Mon lab\n"
        "zoe,1002,S-2,zoe@uni.example,Zoe,=Smith,zoe@uni.example,Tue lab\n"
        "nobody,1003,S-3,no@uni.example,No,Body,no@uni.example,Tue lab\n",
        encoding="utf-8",
    )
    return path


SUBMITTED = datetime(2030, 1, 30, 18, 0, tzinfo=UTC)


def class_records() -> list[GradeRecord]:
    return [
        record("-2+3", "hello-handler", "pass", 7, 7, submitted_at=SUBMITTED),
        record("-2+3", "word-count", "ungraded", 0, 3, message="Not graded: budget"),
        record("zoe", "hello-handler", "fail", 1, 7, submitted_at=SUBMITTED),
        record("zoe", "word-count", "missing", 0, 3, message="No submission"),
        record("stray", "hello-handler", "pass", 7, 7),
        record("stray", "word-count", "pass", 3, 3),
    ]


def test_canvas_csv_follows_the_import_format_with_ids_exact(pack, tmp_path):
    roster = load_roster(write_roster(tmp_path / "roster.csv"))
    book = build_gradebook(pack, run_of(class_records()), roster)
    table = rows(canvas_csv(book, {"hello-handler": "55501"}))
    assert table[0] == [
        *CANVAS_FIXED_COLUMNS,
        "Hello, handler (55501)",
        "Count the words (word-count)",
    ]
    assert table[1] == [CANVAS_POINTS_ROW, "", "", "", "", "14", "10"]
    by_login = {row[3]: row for row in table[2:]}
    # The id that looks like a formula is kept exactly (Canvas matches it as it is);
    # the ungraded pair is a blank cell (Canvas: no change), the missing one 0.
    assert by_login["ada@uni.example"] == [
        "Lovelace, Ada",
        "-2+3",
        "S-1",
        "ada@uni.example",
        "Mon lab",
        "14",
        "",
    ]
    # A name is free text: neutralised.
    assert by_login["zoe@uni.example"][:2] == ["'=Smith, Zoe", "1002"]
    assert by_login["zoe@uni.example"][5:] == ["2", "0"]
    # On the roster without a folder: a row of zeros. Not on the roster: login is the folder.
    assert by_login["no@uni.example"][5:] == ["0", "0"]
    assert by_login["stray"] == ["stray", "", "", "stray", "", "14", "10"]
    for row in table[2:]:
        CanvasRow.model_validate(dict(zip(CANVAS_FIXED_COLUMNS, row[:5], strict=True)))
    assert book.not_on_roster == ["stray"]


def test_nbgrader_csv_has_the_export_columns(pack, tmp_path):
    roster = load_roster(write_roster(tmp_path / "roster.csv"))
    book = build_gradebook(pack, run_of(class_records()), roster)
    table = list(csv.DictReader(io.StringIO(nbgrader_csv(book))))
    assert (
        tuple(table[0])
        == NBGRADER_COLUMNS
        == (
            "assignment",
            "duedate",
            "timestamp",
            "student_id",
            "last_name",
            "first_name",
            "email",
            "raw_score",
            "late_submission_penalty",
            "score",
            "max_score",
        )
    )
    by_id = {row["student_id"]: NbgraderRow.model_validate(row) for row in table}
    ada = by_id["-2+3"]
    assert (ada.assignment, ada.duedate, ada.timestamp) == (
        "week-1",
        "2030-01-31 23:59:59+00:00",
        "2030-01-30 18:00:00+00:00",
    )
    assert (ada.raw_score, ada.score, ada.max_score) == ("", "", "24.0")  # one ungraded
    zoe = by_id["1002"]
    assert (zoe.last_name, zoe.raw_score, zoe.late_submission_penalty, zoe.score) == (
        "'=Smith",
        "2.0",
        "0.0",
        "2.0",
    )
    assert by_id["stray"].raw_score == "24.0"


def test_roster_problems_name_file_line_and_column(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("folder,idd\n../etc,1\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_roster(bad)
    assert [p.line() for p in caught.value.problems] == [
        f"{bad}: (header).idd: one of the known columns: folder, id, sis_user_id, "
        "sis_login_id, name, first_name, last_name, email, section"
    ]
    bad.write_text("folder,id\n../etc,1\nada,2\nada,3\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_roster(bad)
    assert [p.field for p in caught.value.problems] == ["line 2.folder", "line 4.folder"]
    bad.write_bytes(b"folder\n\xff\xfe\n")
    with pytest.raises(ContentError) as caught:
        load_roster(bad)
    assert caught.value.problems[0].expected.startswith("UTF-8 text")


def test_manifest_times_decide_lateness_not_file_times(pack, tmp_path):
    submissions = tmp_path / "submissions"
    handler = submissions / "ada" / "hello-handler" / "handler.py"
    handler.parent.mkdir(parents=True)
    handler.write_text("def lambda_handler(event, context):\n    return None\n")
    after_due = datetime(2031, 1, 1, tzinfo=UTC).timestamp()
    os.utime(handler, (after_due, after_due))  # as a `cp -r` after the due date leaves it
    exercise = pack.exercise("hello-handler")
    due = pack.spec.due_at

    from_file = _find_pair(submissions, "ada", exercise, due)
    assert (from_file.late, from_file.submitted_from) == (True, "file")

    (submissions / "submissions.csv").write_text(
        "student,submitted_at\nada,2030-01-30T18:00:00Z\n", encoding="utf-8"
    )
    manifest_file = find_manifest(submissions)
    assert manifest_file is not None
    times = load_submission_times(manifest_file)
    on_time = _find_pair(submissions, "ada", exercise, due, times)
    assert (on_time.late, on_time.submitted_at, on_time.submitted_from) == (
        False,
        SUBMITTED,
        "manifest",
    )
    # Not in the manifest: no time and lateness unknown, never the file's time.
    unknown = _find_pair(submissions, "bob", exercise, due, times)
    assert unknown.submitted_at is None and unknown.late is None

    manifest = tmp_path / "manifest.json"
    manifest.write_text('{"ada": "2030-01-30T18:00:00", "bob": "yesterday"}', encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_submission_times(manifest)
    assert [p.field for p in caught.value.problems] == ["bob"]
    manifest.write_text('{"ada": "2030-01-30T18:00:00"}', encoding="utf-8")
    assert load_submission_times(manifest).times["ada"] == SUBMITTED  # no zone: UTC


def test_formats_write_only_the_chosen_files(pack, tmp_path):
    _book, files = write_gradebook(
        pack, run_of(class_records()), tmp_path, formats=("canvas", "nbgrader")
    )
    assert sorted(p.name for p in files.written.values()) == [
        "canvas-gradebook.csv",
        "nbgrader-grades.csv",
    ]
    assert not (tmp_path / "gradebook.csv").exists()
    assert sorted(p.name for p in files.feedback) == ["-2+3.md", "stray.md", "zoe.md"]
    assert "Total: not known yet: 1 exercise(s) could not be graded" in (
        tmp_path / "feedback" / "-2+3.md"
    ).read_text(encoding="utf-8")


def test_hidden_test_messages_stay_out_of_student_feedback(pack):
    secret = "expected {'count': 17} for 'Émile était là'"
    tests = [
        TestResult(name="counts words", status="pass", test_code="", points=1, max_points=1),
        TestResult(
            name="unicode words",
            status="fail",
            message=secret,
            output="event was Émile était là",
            test_code="hidden",
            points=0,
            max_points=2,
            visibility="hidden",
            report=["REPORT RequestId: r1\tDuration: 1.00 ms"],
        ),
    ]
    result = CheckResult(
        status="fail", message="1 of 2 tests failed", tests=tests, points=1, max_points=3
    )
    records = [
        record("amy", "hello-handler", "missing", 0, 7),
        record("amy", "word-count", "fail", 1, 3, result=result),
    ]
    book = build_gradebook(pack, run_of(records))
    text = feedback_markdown(pack, book, book.students[0], {r.exercise: r for r in records})
    assert "A hidden test failed: unicode words." in text
    assert "Émile" not in text and "17" not in text
    assert "REPORT RequestId: r1" in text
    # The instructor's record keeps the message.
    assert result.tests[1].message == secret


def test_exercise_digest_is_stable(pack):
    exercise = pack.exercise("word-count")
    assert exercise_sha256(exercise) == exercise_sha256(exercise)
