"""Turn a class run into grades: a gradebook model and the files an instructor uploads or sends.

`grade --format` chooses the files (default: wide, long and json, as before):

    wide      gradebook.csv        one row per student: student, one column per exercise
                                   (points in the pack), total, max, percent, ungraded
    long      grades-long.csv      one row per student and exercise: student, exercise,
                                   status, points, maxPoints, message, late, submitted_at,
                                   submitted_from
    json      gradebook.json       the Gradebook model below
    canvas    canvas-gradebook.csv Canvas's gradebook import (grading/lms_formats.py)
    nbgrader  nbgrader-grades.csv  the columns of `nbgrader export` (grading/lms_formats.py)
    always    feedback/<student>.md  every test's result and Lambda REPORT lines, per exercise;
                                   a failed hidden test is named, its message withheld (the
                                   instructor's results/<student>/<exercise>.json keep it)

Missing work counts 0. A pair the grader could not finish is *ungraded*: its cell says
"ungraded", the student's `ungraded` column counts them, and total and percent stay
blank until `grade --resume` grades it (never a silent 0). Points are the pack's: an
exercise entry with `points` scales the exercise's own points to that many, one with
`weight` multiplies them. With a roster (grading/class_roster.py), every student on it
gets a row, a folder-less one with every exercise missing. Files are written
atomically, like the per-pair records.

Spreadsheet safety: gradebook.csv and grades-long.csv are for opening in a
spreadsheet, so a learner-derived cell a spreadsheet would run as a formula (= @, or +
- not followed by a plain number) gets a leading '. The LMS files keep ids exactly as
given: an LMS matches them character for character, and it reads the file as data.
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
from serverless_tutor.grading.class_roster import Roster, RosterEntry
from serverless_tutor.grading.classroom import (
    ClassRun,
    GradeRecord,
    RecordStatus,
    exercise_sha256,
    write_atomically,
)
from serverless_tutor.terminal_text import one_line as one_visible_line
from serverless_tutor.terminal_text import visible

WIDE_CSV = "gradebook.csv"
LONG_CSV = "grades-long.csv"
JSON_FILE = "gradebook.json"
CANVAS_CSV = "canvas-gradebook.csv"
NBGRADER_CSV = "nbgrader-grades.csv"
FEEDBACK_FOLDER = "feedback"
FORMATS = ("wide", "long", "json", "canvas", "nbgrader")
DEFAULT_FORMATS = ("wide", "long", "json")
UNGRADED_MARK = "ungraded"
LONG_COLUMNS = [
    "student",
    "exercise",
    "status",
    "points",
    "maxPoints",
    "message",
    "late",
    "submitted_at",
    "submitted_from",
]
_FORMULA_STARTS = ("=", "@", "\t", "\r")
_SIGNS = ("+", "-")


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
    submitted_at: datetime | None = Field(default=None, alias="submittedAt")
    submitted_from: str | None = Field(
        default=None, alias="submittedFrom", description="manifest or file (modification time)"
    )


class StudentGrades(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    student: str = Field(description="the folder name, exactly")
    roster: RosterEntry | None = Field(
        default=None, description="the roster's row for this folder, when a roster was given"
    )
    exercises: dict[str, ExerciseGrade]
    total: float | None = Field(
        description="None while an exercise is ungraded: the grade is not known yet"
    )
    graded_points: float = Field(
        alias="gradedPoints", description="the points of the exercises graded so far"
    )
    max_points: float = Field(alias="maxPoints")
    percent: float | None
    ungraded: int = Field(description="exercises the grader could not finish")


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
    roster: str | None = Field(default=None, description="the roster file, when one was given")
    not_on_roster: list[str] = Field(
        default_factory=list,
        alias="notOnRoster",
        description="student folders the roster does not list (no LMS id)",
    )


class GradebookFiles(BaseModel):
    written: dict[str, Path] = Field(description="format -> file")
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
        submitted_at=record.submitted_at,
        submitted_from=record.submitted_from,
    )


def with_roster_students(pack: Pack, run: ClassRun, roster: Roster | None) -> ClassRun:
    """The run plus a row of missing work for each rostered student who has no folder at all."""
    if roster is None:
        return run
    absent = [folder for folder in roster.entries if folder not in run.students]
    if not absent:
        return run
    now = datetime.now(UTC)
    added = [
        GradeRecord(
            student=folder,
            exercise=exercise.id,
            status="missing",
            max_points=exercise.spec.points,
            message=f"No submission: the roster lists {folder!r} but there is no folder of that name.",
            exercise_sha256=exercise_sha256(exercise),
            graded_at=now,
        )
        for folder in absent
        for exercise in pack.exercises
    ]
    return run.model_copy(
        update={"students": [*run.students, *absent], "records": [*run.records, *added]}
    )


def build_gradebook(pack: Pack, run: ClassRun, roster: Roster | None = None) -> Gradebook:
    run = with_roster_students(pack, run, roster)
    by_student: dict[str, dict[str, GradeRecord]] = {student: {} for student in run.students}
    for record in run.records:
        by_student[record.student][record.exercise] = record
    maximum = pack.total_points
    students = []
    for student, records in by_student.items():
        grades = {exercise.id: _grade(pack, records[exercise.id]) for exercise in pack.exercises}
        graded = round(sum(grade.points or 0 for grade in grades.values()), 2)
        ungraded = sum(1 for grade in grades.values() if grade.status == "ungraded")
        complete = ungraded == 0
        students.append(
            StudentGrades(
                student=student,
                roster=roster.entries.get(student) if roster is not None else None,
                exercises=grades,
                total=graded if complete else None,
                graded_points=graded,
                max_points=maximum,
                percent=(round(100 * graded / maximum, 1) if maximum else 0.0)
                if complete
                else None,
                ungraded=ungraded,
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
        roster=roster.path if roster is not None else None,
        not_on_roster=[s for s in run.students if s not in roster.entries] if roster else [],
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


def runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet would run the cell: = or @ first (or a tab or CR, which some
    strip before looking), or + or - first when the cell is not simply a number."""
    if text.startswith(_FORMULA_STARTS):
        return True
    if text.startswith(_SIGNS):
        try:
            float(text)
        except ValueError:
            return True
    return False


def safe_cell(text: str) -> str:
    """A learner-derived cell of a file for spreadsheets: control characters shown as escapes
    (the file may be `cat`ed), and a leading ' when a spreadsheet would run it as a formula."""
    if runs_as_formula(text):
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


def _has_roster(book: Gradebook) -> bool:
    return book.roster is not None


def _student_cells(book: Gradebook, student: StudentGrades) -> list[str]:
    cells = [safe_cell(student.student)]
    if _has_roster(book):
        entry = student.roster
        cells += [safe_cell(entry.id), safe_cell(entry.sortable_name)] if entry else ["", ""]
    return cells


def _student_header(book: Gradebook) -> list[str]:
    return ["student", "student_id", "name"] if _has_roster(book) else ["student"]


def _cell(grade: ExerciseGrade) -> str:
    return UNGRADED_MARK if grade.status == "ungraded" else number(grade.points)


def wide_csv(book: Gradebook) -> str:
    columns = [column.id for column in book.exercises]
    header = [*_student_header(book), *columns, "total", "max", "percent", "ungraded"]
    rows = [header]
    for student in book.students:
        rows.append(
            [
                *_student_cells(book, student),
                *[_cell(student.exercises[column]) for column in columns],
                number(student.total),
                number(student.max_points),
                "" if student.percent is None else f"{student.percent:.1f}",
                str(student.ungraded),
            ]
        )
    return _csv(rows)


def _time(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def long_csv(book: Gradebook) -> str:
    header = (
        LONG_COLUMNS
        if not _has_roster(book)
        else ["student", "student_id", "name", *LONG_COLUMNS[1:]]
    )
    rows = [header]
    for student in book.students:
        for column in book.exercises:
            grade = student.exercises[column.id]
            late = "" if grade.late is None else ("yes" if grade.late else "no")
            rows.append(
                [
                    *_student_cells(book, student),
                    safe_cell(column.id),
                    grade.status,
                    number(grade.points),
                    number(grade.max_points),
                    safe_cell(one_line(grade.message)),
                    late,
                    _time(grade.submitted_at),
                    grade.submitted_from or "",
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


def _total_line(student: StudentGrades) -> str:
    if student.total is None or student.percent is None:
        return (
            f"**Total: not known yet: {student.ungraded} exercise(s) could not be graded "
            f"({number(student.graded_points)} of {number(student.max_points)} points so far).**"
        )
    return f"**Total: {number(student.total)} of {number(student.max_points)} points ({student.percent:.1f} %).**"


_MARKS = {"pass": "✓", "fail": "✗", "error": "!", "missing": "–", "ungraded": "?"}


def feedback_markdown(
    pack: Pack, book: Gradebook, student: StudentGrades, records: dict[str, GradeRecord]
) -> str:
    lines = [f"# {markdown_text(pack.title)}: feedback for {markdown_text(student.student)}", ""]
    if book.due is not None:
        lines += [f"Due {book.due.isoformat()}.", ""]
    lines += [
        _total_line(student),
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
            hidden = " (hidden test)" if test.visibility == "hidden" else ""
            lines += [
                "",
                f"### {_MARKS[test.status]} {markdown_text(test.name)}{hidden} ({test.points}/{test.max_points})",
            ]
            if test.visibility == "hidden":
                # Its message and the handler's output may quote the hidden inputs and
                # expected values; the instructor's results JSON keeps them.
                if test.status != "pass":
                    lines += ["", f"A hidden test failed: {markdown_text(test.name)}."]
            elif test.message:
                lines += ["", _fence(test.message)]
            if test.report:
                lines += ["", _fence("\n".join(line.replace("\t", "  ") for line in test.report))]
            if test.output and test.status != "pass" and test.visibility != "hidden":
                lines += ["", "Your handler's output:", "", _fence(test.output)]
    return "\n".join(lines) + "\n"


# --- writing ------------------------------------------------------------------------


def write_gradebook(
    pack: Pack,
    run: ClassRun,
    out: Path,
    *,
    formats: tuple[str, ...] | list[str] = DEFAULT_FORMATS,
    roster: Roster | None = None,
    canvas_ids: dict[str, str] | None = None,
) -> tuple[Gradebook, GradebookFiles]:
    """Write the chosen gradebook files and every student's feedback into `out`."""
    from serverless_tutor.grading.lms_formats import canvas_csv, nbgrader_csv

    out = Path(out)
    run = with_roster_students(pack, run, roster)
    book = build_gradebook(pack, run, roster)
    writers = {
        "wide": (WIDE_CSV, lambda: wide_csv(book)),
        "long": (LONG_CSV, lambda: long_csv(book)),
        "json": (
            JSON_FILE,
            lambda: (
                json.dumps(
                    book.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False
                )
                + "\n"
            ),
        ),
        "canvas": (CANVAS_CSV, lambda: canvas_csv(book, canvas_ids or {})),
        "nbgrader": (NBGRADER_CSV, lambda: nbgrader_csv(book)),
    }
    written: dict[str, Path] = {}
    for name in FORMATS:
        if name in formats:
            file_name, render = writers[name]
            write_atomically(out / file_name, render())
            written[name] = out / file_name
    by_student: dict[str, dict[str, GradeRecord]] = {student: {} for student in run.students}
    for record in run.records:
        by_student[record.student][record.exercise] = record
    feedback = []
    for student in book.students:
        path = out / FEEDBACK_FOLDER / f"{student.student}.md"
        write_atomically(path, feedback_markdown(pack, book, student, by_student[student.student]))
        feedback.append(path)
    return book, GradebookFiles(written=written, feedback=feedback)
