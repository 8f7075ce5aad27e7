"""Gradebooks in the formats learning-management systems import: Canvas and nbgrader.

Canvas: the gradebook import CSV, written down from Canvas's guide "How do I import
grades in the Gradebook?" (https://community.canvaslms.com/t5/Instructor-Guide/
How-do-I-import-grades-in-the-Gradebook/ta-p/807) and the file Canvas's own "Export"
writes (the same guide says to start from an export):

    Student, ID, SIS User ID, SIS Login ID, Section, <Assignment name> (<assignment id>), ...
    "    Points Possible", , , , , <points>, ...        (the second row, as Canvas exports it)
    "Lovelace, Ada", 1001, S-1001, ada@uni.example, Mon lab, 7, ...

Canvas matches a row to a student by ID, SIS User ID or SIS Login ID, and a column to
an assignment by the number in parentheses; a column whose id Canvas does not know
becomes a new assignment. A blank score changes nothing (our ungraded pairs stay
blank); a missing submission is 0. Our assignments are the pack's exercises; give
each its Canvas assignment id with `grade --assignment-id EXERCISE=ID` (otherwise the
exercise id stands in the parentheses). Without a roster, the folder name goes in
SIS Login ID.

nbgrader: the columns of `nbgrader export` (nbgrader/plugins/export.py, CsvExportPlugin:
assignment, duedate, timestamp, student_id, last_name, first_name, email, raw_score,
late_submission_penalty, score, max_score), one row per student for the pack as one
assignment. We apply no late penalty (0.0); lateness is in grades-long.csv. While an
exercise is ungraded, raw_score and score are blank.

Ids are written exactly as the roster or the folder gives them: an LMS matches them
character for character. Free text (names) a spreadsheet would run is neutralised.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from serverless_tutor.grading.gradebook import Gradebook, StudentGrades, number, safe_cell

CANVAS_FIXED_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_ROW = "    Points Possible"  # Canvas exports it indented by four spaces


class CanvasRow(BaseModel):
    """One student row of Canvas's gradebook import, before the assignment columns."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    student: str = Field(alias="Student", description="display name, 'Last, First'")
    id: str = Field(alias="ID", description="Canvas user id")
    sis_user_id: str = Field(alias="SIS User ID")
    sis_login_id: str = Field(alias="SIS Login ID")
    section: str = Field(alias="Section")


class NbgraderRow(BaseModel):
    """One row of `nbgrader export` (CsvExportPlugin), in its column order."""

    model_config = ConfigDict(extra="forbid")

    assignment: str
    duedate: str
    timestamp: str
    student_id: str
    last_name: str
    first_name: str
    email: str
    raw_score: str
    late_submission_penalty: str
    score: str
    max_score: str


NBGRADER_COLUMNS = tuple(NbgraderRow.model_fields)


def canvas_assignment_header(title: str, assignment_id: str) -> str:
    return f"{title} ({assignment_id})"


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _canvas_row(student: StudentGrades) -> CanvasRow:
    entry = student.roster
    if entry is None:
        return CanvasRow(
            student=safe_cell(student.student),
            id="",
            sis_user_id="",
            sis_login_id=student.student,
            section="",
        )
    return CanvasRow(
        student=safe_cell(entry.sortable_name),
        id=entry.id,
        sis_user_id=entry.sis_user_id,
        sis_login_id=entry.sis_login_id,
        section=entry.section,
    )


def canvas_csv(book: Gradebook, assignment_ids: dict[str, str]) -> str:
    """Canvas's import CSV: the fixed columns, one column per exercise, the Points Possible row."""
    headers = [
        canvas_assignment_header(column.title, assignment_ids.get(column.id, column.id))
        for column in book.exercises
    ]
    rows = [list(CANVAS_FIXED_COLUMNS) + headers]
    rows.append(
        [CANVAS_POINTS_ROW, "", "", "", ""] + [number(c.max_points) for c in book.exercises]
    )
    for student in book.students:
        fixed = _canvas_row(student).model_dump(by_alias=True)
        scores = [number(student.exercises[column.id].points) for column in book.exercises]
        rows.append([fixed[name] for name in CANVAS_FIXED_COLUMNS] + scores)
    return _csv(rows)


def _nbgrader_time(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat(sep=" ")


def nbgrader_row(book: Gradebook, student: StudentGrades) -> NbgraderRow:
    entry = student.roster
    times = [grade.submitted_at for grade in student.exercises.values() if grade.submitted_at]
    score = "" if student.total is None else f"{student.total:.1f}"
    return NbgraderRow(
        assignment=book.pack,
        duedate=_nbgrader_time(book.due),
        timestamp=_nbgrader_time(max(times) if times else None),
        student_id=(entry.id or student.student) if entry else student.student,
        last_name=safe_cell(entry.last_name) if entry else "",
        first_name=safe_cell(entry.first_name) if entry else "",
        email=entry.email if entry else "",
        raw_score=score,
        late_submission_penalty="0.0",
        score=score,
        max_score=f"{sum(column.max_points for column in book.exercises):.1f}",
    )


def nbgrader_csv(book: Gradebook) -> str:
    rows = [list(NBGRADER_COLUMNS)]
    for student in book.students:
        row = nbgrader_row(book, student).model_dump()
        rows.append([row[name] for name in NBGRADER_COLUMNS])
    return _csv(rows)
