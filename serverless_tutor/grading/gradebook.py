"""Turn a class run into grades: a gradebook model and the files an instructor uploads or sends.

    gradebook.csv        one row per student: student, one column per exercise (points
                         in the pack), total, max, percent. Missing work counts 0; a pair
                         the grader could not finish is left blank (no grade, not zero).
    grades-long.csv      one row per student and exercise: student, exercise, status,
                         points, maxPoints, message, late
    gradebook.json       the Gradebook model below
    feedback/<student>.md  every test's message and Lambda REPORT lines, per exercise

Points are the pack's: an exercise entry with `points` scales the exercise's own
points to that many, one with `weight` multiplies them. Files are written
atomically, like the per-pair records.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from serverless_tutor.content.packs import Pack
from serverless_tutor.grading.classroom import ClassRun, GradeRecord, RecordStatus, write_atomically
from serverless_tutor.terminal_text import one_line as one_visible_line
from serverless_tutor.terminal_text import visible

WIDE_CSV = "gradebook.csv"
LONG_CSV = "grades-long.csv"
JSON_FILE = "gradebook.json"
FEEDBACK_FOLDER = "feedback"
LONG_COLUMNS = ["student", "exercise", "status", "points", "maxPoints", "message", "late"]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExerciseColumn(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    title: str
    max_points: float = Field(alias="maxPoints", description="in this pack")
    exercise_points: int = Field(alias="exercisePoints", description="the exercise's own points")


class ExerciseGrade(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    status: RecordStatus
    points: float | None = Field(description="in this pack; None when the pair could not be graded")
    max_points: float = Field(alias="maxPoints")
    message: str | None = None
    late: bool | None = None


class StudentGrades(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    student: str
    exercises: dict[str, ExerciseGrade]
    total: float
    max_points: float = Field(alias="maxPoints")
    percent: float
    ungraded: int = Field(
        description="exercises the grader could not finish (left out of the total)"
    )


class Gradebook(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    pack: str
    title: str
    due: datetime | None = None
    generated_at: datetime = Field(alias="generatedAt")
    exercises: list[ExerciseColumn]
    students: list[StudentGrades]
    counts: dict[str, int] = Field(description="records by status")
    graded: int = Field(description="pairs graded in this run")
    reused: int = Field(description="pairs taken from an earlier run")
    seconds: float
    jobs: int


class GradebookFiles(BaseModel):
    wide_csv: Path
    long_csv: Path
    json_file: Path
    feedback: list[Path]


# --- building -----------------------------------------------------------------------


def _grade(pack: Pack, record: GradeRecord) -> ExerciseGrade:
    points = None if record.status == "ungraded" else pack.scale(record.exercise, record.points)
    return ExerciseGrade(
        status=record.status,
        points=points,
        max_points=pack.max_points(record.exercise),
        message=record.message,
        late=record.late,
    )


def build_gradebook(pack: Pack, run: ClassRun) -> Gradebook:
    by_student: dict[str, dict[str, GradeRecord]] = {student: {} for student in run.students}
    for record in run.records:
        by_student[record.student][record.exercise] = record
    maximum = pack.total_points
    students = []
    for student, records in by_student.items():
        grades = {exercise.id: _grade(pack, records[exercise.id]) for exercise in pack.exercises}
        total = round(sum(grade.points or 0 for grade in grades.values()), 2)
        students.append(
            StudentGrades(
                student=student,
                exercises=grades,
                total=total,
                max_points=maximum,
                percent=round(100 * total / maximum, 1) if maximum else 0.0,
                ungraded=sum(1 for grade in grades.values() if grade.status == "ungraded"),
            )
        )
    columns = [
        ExerciseColumn(
            id=exercise.id,
            title=exercise.title,
            max_points=pack.max_points(exercise.id),
            exercise_points=exercise.spec.points,
        )
        for exercise in pack.exercises
    ]
    return Gradebook(
        pack=pack.id,
        title=pack.title,
        due=pack.spec.due_at,
        generated_at=datetime.now(UTC),
        exercises=columns,
        students=students,
        counts=dict(Counter(record.status for record in run.records)),
        graded=run.graded,
        reused=run.reused,
        seconds=run.seconds,
        jobs=run.jobs,
    )


# --- formatting helpers ---------------------------------------------------------------


def number(value: float | None) -> str:
    """7 -> "7", 3.5 -> "3.5", 3.333 -> "3.33", None -> "" (a blank cell)."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def one_line(message: str | None) -> str:
    """A message on one line for a CSV cell: list markers dropped, lines joined with '; '."""
    if not message:
        return ""
    lines = [line.strip().removeprefix("- ").strip() for line in message.splitlines()]
    return "; ".join(line for line in lines if line)


def safe_cell(text: str) -> str:
    """A learner-derived cell: control characters shown as escapes (the file may be `cat`ed),
    and a leading ' before = + - @ tab CR, which spreadsheets would run as a formula."""
    if text.startswith(_FORMULA_STARTS):
        text = "'" + text
    return one_visible_line(text)


_MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|~")


def markdown_text(text: str) -> str:
    """Learner text as literal Markdown: no HTML, link, image, heading or emphasis it could start."""
    out = []
    for character in one_visible_line(text):
        if character in _MARKDOWN_SPECIAL:
            out.append("\\" + character)
        elif character == "<":
            out.append("&lt;")
        elif character == ">":
            out.append("&gt;")
        elif character == "&":
            out.append("&amp;")
        else:
            out.append(character)
    return "".join(out)


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180: quoted as needed, CRLF line ends
    writer.writerows(rows)
    return buffer.getvalue()


def wide_csv(book: Gradebook) -> str:
    header = ["student", *[column.id for column in book.exercises], "total", "max", "percent"]
    rows = [header]
    for student in book.students:
        cells = [number(student.exercises[column.id].points) for column in book.exercises]
        rows.append(
            [
                safe_cell(student.student),
                *cells,
                number(student.total),
                number(student.max_points),
                f"{student.percent:.1f}",
            ]
        )
    return _csv(rows)


def long_csv(book: Gradebook) -> str:
    rows = [LONG_COLUMNS]
    for student in book.students:
        for column in book.exercises:
            grade = student.exercises[column.id]
            late = "" if grade.late is None else ("yes" if grade.late else "no")
            rows.append(
                [
                    safe_cell(student.student),
                    safe_cell(column.id),
                    grade.status,
                    number(grade.points),
                    number(grade.max_points),
                    safe_cell(one_line(grade.message)),
                    late,
                ]
            )
    return _csv(rows)


def _fence(text: str) -> str:
    """A fenced block that the text cannot close early, whatever backticks it holds."""
    longest, run = 0, 0
    for character in text:
        run = run + 1 if character == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{visible(text)}\n{fence}"


_MARKS = {"pass": "✓", "fail": "✗", "error": "!", "missing": "–", "ungraded": "?"}


def feedback_markdown(
    pack: Pack, book: Gradebook, student: StudentGrades, records: dict[str, GradeRecord]
) -> str:
    lines = [f"# {markdown_text(pack.title)}: feedback for {markdown_text(student.student)}", ""]
    if book.due is not None:
        lines += [f"Due {book.due.isoformat()}.", ""]
    lines += [
        f"**Total: {number(student.total)} of {number(student.max_points)} points ({student.percent:.1f} %).**",
        "",
        "| exercise | status | points |",
        "|---|---|---|",
    ]
    for column in book.exercises:
        grade = student.exercises[column.id]
        late = " (late)" if grade.late else ""
        points = (
            "not graded"
            if grade.points is None
            else f"{number(grade.points)} / {number(grade.max_points)}"
        )
        lines.append(f"| {column.id} | {_MARKS[grade.status]} {grade.status}{late} | {points} |")
    for column in book.exercises:
        grade, record = student.exercises[column.id], records[column.id]
        lines += ["", f"## {column.title} ({column.id})", ""]
        scaled = (
            ""
            if column.max_points == column.exercise_points
            else f" (in this pack: {number(grade.points)} of {number(grade.max_points)})"
        )
        lines.append(
            f"Status: **{grade.status}**, {record.points} of {record.max_points} points{scaled}."
        )
        if record.submission:
            lines.append(f"File: {markdown_text(record.submission)}.")
        if grade.message:
            lines += ["", _fence(grade.message)]
        if record.result is None:
            continue
        for test in record.result.tests:
            lines += [
                "",
                f"### {_MARKS[test.status]} {markdown_text(test.name)} ({test.points}/{test.max_points})",
            ]
            if test.message:
                lines += ["", _fence(test.message)]
            if test.report:
                lines += ["", _fence("\n".join(line.replace("\t", "  ") for line in test.report))]
            if test.output and test.status != "pass":
                lines += ["", "Your handler's output:", "", _fence(test.output)]
    return "\n".join(lines) + "\n"


# --- writing ------------------------------------------------------------------------


def write_gradebook(pack: Pack, run: ClassRun, out: Path) -> tuple[Gradebook, GradebookFiles]:
    out = Path(out)
    book = build_gradebook(pack, run)
    wide, long_, json_file = out / WIDE_CSV, out / LONG_CSV, out / JSON_FILE
    write_atomically(wide, wide_csv(book))
    write_atomically(long_, long_csv(book))
    write_atomically(
        json_file,
        json.dumps(book.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False)
        + "\n",
    )
    by_student: dict[str, dict[str, GradeRecord]] = {student: {} for student in run.students}
    for record in run.records:
        by_student[record.student][record.exercise] = record
    feedback = []
    for student in book.students:
        path = out / FEEDBACK_FOLDER / f"{student.student}.md"
        write_atomically(path, feedback_markdown(pack, book, student, by_student[student.student]))
        feedback.append(path)
    return book, GradebookFiles(
        wide_csv=wide, long_csv=long_, json_file=json_file, feedback=feedback
    )
