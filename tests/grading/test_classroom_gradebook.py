"""The gradebook from records alone (no grading): scaling, totals, blank cells, safe CSV and Markdown."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from serverless_tutor.content.packs import load_pack
from serverless_tutor.grading.classroom import ClassRun, GradeRecord
from serverless_tutor.grading.gradebook import (
    build_gradebook,
    feedback_markdown,
    long_csv,
    number,
    one_line,
    safe_cell,
    wide_csv,
)
from serverless_tutor.grading.results import CheckResult, TestResult

DATA = Path(__file__).parent / "classroom_data"
WHEN = datetime(2030, 1, 1, tzinfo=UTC)


def record(
    student: str,
    exercise: str,
    status: str,
    points: int,
    max_points: int,
    message: str | None = None,
    result: CheckResult | None = None,
) -> GradeRecord:
    return GradeRecord(
        student=student,
        exercise=exercise,
        status=status,
        points=points,
        max_points=max_points,
        message=message,
        exercise_sha256="0" * 64,
        graded_at=WHEN,
        result=result,
    )


def run_of(records: list[GradeRecord]) -> ClassRun:
    students = sorted({r.student for r in records})
    return ClassRun(
        pack="week-1",
        submissions="s",
        out="o",
        students=students,
        records=records,
        graded=len(records),
        reused=0,
        seconds=1.0,
        jobs=2,
    )


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_ungraded_is_blank_missing_is_zero_and_totals_add_up():
    pack = load_pack(DATA / "week1.yaml")
    book = build_gradebook(
        pack,
        run_of(
            [
                record("=cmd", "hello-handler", "ungraded", 0, 7, "Not graded: budget"),
                record("=cmd", "word-count", "fail", 2, 3, "- one\n- two"),
                record("zoe", "hello-handler", "pass", 7, 7),
                record("zoe", "word-count", "missing", 0, 3, "No submission"),
            ]
        ),
    )
    wide = rows(wide_csv(book))
    # The ungraded pair is marked and counted; the total is not known yet, so it is blank, not 6.67.
    assert wide == [
        ["student", "hello-handler", "word-count", "total", "max", "percent", "ungraded"],
        ["'=cmd", "ungraded", "6.67", "", "24", "", "1"],
        ["zoe", "14", "0", "14", "24", "58.3", "0"],
    ]
    assert (book.students[0].total, book.students[0].graded_points) == (None, 6.67)
    assert book.students[0].percent is None
    long_rows = rows(long_csv(book))
    assert long_rows[1][:4] == ["'=cmd", "hello-handler", "ungraded", ""]
    assert long_rows[2][:6] == ["'=cmd", "word-count", "fail", "6.67", "10", "one; two"]
    assert book.students[0].ungraded == 1 and book.counts == {
        "ungraded": 1,
        "fail": 1,
        "pass": 1,
        "missing": 1,
    }


def test_number_formatting():
    assert [number(7.0), number(3.5), number(3.333), number(None), number(0)] == [
        "7",
        "3.5",
        "3.33",
        "",
        "0",
    ]


def test_cells_that_look_like_formulas_stay_text():
    # Only what a spreadsheet would run: a plain signed number is a number, not a formula.
    assert [safe_cell(text) for text in ("=1+1", "+1", "@x", "-2", "-2+3", "+A1", "ok")] == [
        "'=1+1",
        "+1",
        "'@x",
        "-2",
        "'-2+3",
        "'+A1",
        "ok",
    ]
    assert one_line("- first\n\n- second\nthird") == "first; second; third"


def test_feedback_fences_cannot_be_broken_by_the_message():
    pack = load_pack(DATA / "week1.yaml")
    sneaky = "```\n# injected heading\n```"
    test = TestResult(
        name="counts three words",
        status="fail",
        message=sneaky,
        test_code="",
        points=0,
        max_points=2,
        report=["REPORT RequestId: r1\tDuration: 1.00 ms\tStatus: success"],
    )
    result = CheckResult(
        status="fail",
        message="1 of 1 tests failed",
        tests=[test],
        points=0,
        max_points=3,
        exercise="word-count",
    )
    records = [
        record("amy", "hello-handler", "missing", 0, 7, "No submission"),
        record("amy", "word-count", "fail", 0, 3, "1 of 1 tests failed", result),
    ]
    book = build_gradebook(pack, run_of(records))
    text = feedback_markdown(pack, book, book.students[0], {r.exercise: r for r in records})
    assert "````text\n```\n# injected heading\n```\n````" in text
    assert "REPORT RequestId: r1  Duration: 1.00 ms  Status: success" in text
    assert "| word-count | ✗ fail | 0 / 10 |" in text
