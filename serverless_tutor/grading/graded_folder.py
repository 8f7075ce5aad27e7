"""Read what `grade --out DIR` wrote, and re-grade one student in it.

    open_graded_folder(DIR)            the gradebook (gradebook.json) and where the class came from
    student_feedback(folder, NAME)     feedback/<NAME>.md and the results/<NAME>/*.json records
    score_distribution(folder, ID)     one exercise's scores as histogram bins, mean, median
    sorted_students(folder, COLUMN)    the gradebook's rows ordered by a column
    regrade_student(DIR, NAME)         grade one student again, as `grade --resume` would

Everything in DIR is treated as untrusted: a student chose the folder names it is
built from, and anyone may have edited its files. A file that is missing or does not
parse raises ContentError with the file, the field and what was expected; a name
that is not a single folder name (`..`, a slash) is refused rather than followed.
Names are returned exactly; callers show them through terminal_text.

Re-grading needs the pack and the submissions folder. `grade` records them in
DIR/grade-inputs.json (GradeInputs below); a folder graded before that file existed
can be read but not re-graded until `grade ... --resume` is run on it once.
The student's submission files are copied (with their modification times) into a
temporary class of one and graded there with resume=True, so an unchanged exercise
keeps its record and a changed one runs in the sandbox; then their records are
written back and every gradebook file is rewritten from all the records, exactly as
`grade --resume` rewrites them.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from serverless_tutor.atomic_write import write_atomically
from serverless_tutor.content.packs import Pack, load_pack
from serverless_tutor.grading.class_roster import load_roster, load_submission_times
from serverless_tutor.grading.classroom import (
    RESULTS_FOLDER,
    ClassRun,
    GradeRecord,
    RecordCallback,
    find_students,
    grade_class,
    load_record,
    record_path,
    save_record,
)
from serverless_tutor.grading.folder_lock import FolderBusy, writing
from serverless_tutor.grading.gradebook import (
    CANVAS_CSV,
    DEFAULT_FORMATS,
    FEEDBACK_FOLDER,
    JSON_FILE,
    LONG_CSV,
    NBGRADER_CSV,
    WIDE_CSV,
    Gradebook,
    StudentGrades,
    write_gradebook,
)
from serverless_tutor.problems import ContentError, Problem, problems_from_validation

INPUTS_FILE = "grade-inputs.json"
LAST_FOLDER_FILE = "instructor.json"  # in the app's data folder: the graded folder opened last
FORMAT_FILES = {
    "wide": WIDE_CSV,
    "long": LONG_CSV,
    "json": JSON_FILE,
    "canvas": CANVAS_CSV,
    "nbgrader": NBGRADER_CSV,
}
MAX_BINS = 10
MAX_FEEDBACK_BYTES = 2_000_000  # a feedback file is a few kB; a huge one is not read into the app
MAX_GRADEBOOK_BYTES = 100_000_000  # gradebook.json of a class of 1,000 is a few MB
SORT_COLUMNS = ("student", "total", "percent", "ungraded")  # and every exercise id


class GradeInputs(BaseModel):
    """Where a graded folder's class came from: what re-grading one student needs."""

    model_config = ConfigDict(populate_by_name=True)

    version: Literal[1] = 1
    pack: str = Field(description="the pack file, absolute")
    submissions: str = Field(description="the submissions folder, absolute")
    manifest: str | None = Field(default=None, description="the submission-times manifest used")
    roster: str | None = Field(default=None, description="the roster file used")
    budget_s: float = Field(alias="budgetSeconds", gt=0)
    formats: list[str] = Field(default_factory=lambda: list(DEFAULT_FORMATS))
    assignment_ids: dict[str, str] = Field(default_factory=dict, alias="assignmentIds")


class GradedFolder(BaseModel):
    folder: str
    book: Gradebook
    inputs: GradeInputs | None = Field(
        description="where the pack and submissions are; None for a folder graded before "
        f"{INPUTS_FILE} was written (it cannot be re-graded until `grade --resume` runs once)"
    )
    regrade_problem: str | None = Field(
        default=None, description="why a student of this folder cannot be re-graded, if not"
    )

    def student(self, name: str) -> StudentGrades | None:
        return next((row for row in self.book.students if row.student == name), None)


class StudentFeedback(BaseModel):
    student: str
    markdown: str = Field(description="feedback/<student>.md as written for the student")
    feedback_problem: str | None = Field(
        default=None, description="why the feedback file could not be shown, when it could not"
    )
    records: list[GradeRecord] = Field(
        description="the instructor's records, with every test's full result"
    )
    unreadable: list[str] = Field(
        default_factory=list, description="exercises whose record file is missing or corrupt"
    )


class ScoreBin(BaseModel):
    low: float
    high: float
    count: int


class ScoreDistribution(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    exercise: str
    title: str
    max_points: float = Field(alias="maxPoints")
    bins: list[ScoreBin] = Field(
        description="students per score range; the last range includes full marks"
    )
    scored: int = Field(description="students with a score (missing work counts 0)")
    ungraded: int
    missing: int
    late: int
    mean: float | None
    median: float | None


class RegradeResult(BaseModel):
    student: str
    before: StudentGrades
    after: StudentGrades
    records: list[GradeRecord]
    graded: int = Field(description="exercises run in the sandbox again")
    reused: int = Field(description="exercises kept: the submission and the exercise are unchanged")
    seconds: float
    written: list[str] = Field(description="files rewritten in the graded folder")


# --- reading ------------------------------------------------------------------------


def _problem(path: Path, field: str, expected: str) -> ContentError:
    return ContentError([Problem(file=str(path), field=field, expected=expected)])


def read_bounded(path: Path, limit: int) -> bytes:
    """A regular file's bytes, at most `limit` of them (a FIFO or a device could block or never end).

    Raises FileNotFoundError, or ValueError saying why the file is not read."""
    if not path.exists():
        raise FileNotFoundError(path)
    if not path.is_file():
        raise ValueError("it is not a regular file")
    with open(path, "rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"it is larger than {limit:,} bytes")
    return data


def _read_json(path: Path, what: str) -> bytes:
    try:
        return read_bounded(path, MAX_GRADEBOOK_BYTES)
    except FileNotFoundError:
        raise _problem(path, "(file)", f"{what}; the file does not exist") from None
    except ValueError as exc:
        raise _problem(path, "(file)", f"{what}; {exc}") from None
    except OSError as exc:
        raise _problem(path, "(file)", f"{what}; it cannot be read ({exc.strerror})") from None


def single_name(name: str) -> bool:
    """Whether a name from the folder is one plain folder or file name (nothing to follow elsewhere)."""
    return (
        bool(name)
        and name not in (".", "..")
        and "/" not in name
        and "\\" not in name
        and "\0" not in name
    )


def _check_names(path: Path, book: Gradebook) -> None:
    problems = [
        Problem(
            file=str(path),
            field=f"students.{index}.student",
            expected="a student folder name (not empty, '.', '..', and without slashes)",
        )
        for index, row in enumerate(book.students)
        if not single_name(row.student)
    ]
    problems += [
        Problem(
            file=str(path),
            field=f"exercises.{index}.id",
            expected="an exercise id (without slashes)",
        )
        for index, column in enumerate(book.exercises)
        if not single_name(column.id)
    ]
    ids = {column.id for column in book.exercises}
    for index, row in enumerate(book.students):
        if set(row.exercises) != ids:
            problems.append(
                Problem(
                    file=str(path),
                    field=f"students.{index}.exercises",
                    expected="one grade for each exercise in `exercises`",
                )
            )
    if problems:
        raise ContentError(problems)


def read_grade_inputs(folder: Path) -> GradeInputs | None:
    """DIR/grade-inputs.json, or None when there is none (a folder graded before it was written)."""
    path = Path(folder) / INPUTS_FILE
    if not path.exists():
        return None
    raw = _read_json(path, "where the pack and the submissions are, as `grade` writes it")
    try:
        return GradeInputs.model_validate_json(raw)
    except ValidationError as exc:
        raise ContentError(problems_from_validation(path, exc)) from None


def record_grade_inputs(folder: Path, inputs: GradeInputs) -> Path:
    """Write DIR/grade-inputs.json (called by `grade` before it grades)."""
    path = Path(folder) / INPUTS_FILE
    write_atomically(
        path, json.dumps(inputs.model_dump(mode="json", by_alias=True), indent=2) + "\n"
    )
    return path


def open_graded_folder(folder: Path | str) -> GradedFolder:
    """The gradebook of a graded output folder; ContentError when it is not one or is corrupt."""
    folder = Path(folder)
    if not folder.is_dir():
        raise _problem(folder, "(folder)", "a folder written by `serverless-tutor grade --out`")
    path = folder / JSON_FILE
    raw = _read_json(
        path, "the gradebook `grade` writes (graded with --format that left out json?)"
    )
    try:
        book = Gradebook.model_validate_json(raw)
    except ValidationError as exc:
        raise ContentError(problems_from_validation(path, exc)) from None
    _check_names(path, book)
    inputs = read_grade_inputs(folder)
    return GradedFolder(
        folder=str(folder), book=book, inputs=inputs, regrade_problem=_regrade_problem(inputs)
    )


def _regrade_problem(inputs: GradeInputs | None) -> str | None:
    if inputs is None:
        return (
            f"this folder has no {INPUTS_FILE} (graded by an older version): run the same "
            "`grade ... --resume` once to record where the pack and submissions are"
        )
    if not Path(inputs.pack).is_file():
        return f"the pack {inputs.pack} is not there any more"
    if not Path(inputs.submissions).is_dir():
        return f"the submissions folder {inputs.submissions} is not there any more"
    return None


def student_feedback(graded: GradedFolder, student: str) -> StudentFeedback:
    """One student's feedback file and their records (with every test's result)."""
    if graded.student(student) is None:
        raise _problem(Path(graded.folder) / JSON_FILE, "students", f"a student named {student!r}")
    folder = Path(graded.folder)
    path = folder / FEEDBACK_FOLDER / f"{student}.md"
    markdown, problem = "", None
    try:
        markdown = read_bounded(path, MAX_FEEDBACK_BYTES).decode("utf-8", errors="replace")
    except FileNotFoundError:
        problem = f"{path} does not exist"
    except ValueError as exc:
        problem = f"{path} is not shown: {exc}"
    except OSError as exc:
        problem = f"{path} cannot be read ({exc.strerror})"
    records, unreadable = [], []
    for column in graded.book.exercises:
        record = load_record(folder, student, column.id)
        if record is None or record.student != student or record.exercise != column.id:
            unreadable.append(column.id)
        else:
            records.append(record)
    return StudentFeedback(
        student=student,
        markdown=markdown,
        feedback_problem=problem,
        records=records,
        unreadable=unreadable,
    )


def _bins(max_points: float, scores: list[float], most: int) -> list[ScoreBin]:
    count = min(most, max(1, math.ceil(max_points))) if max_points > 0 else 1
    width = max_points / count if max_points > 0 else 1.0
    counts = [0] * count
    for score in scores:
        index = min(count - 1, max(0, math.floor(score / width + 1e-9)))
        counts[index] += 1
    return [
        ScoreBin(low=round(i * width, 2), high=round((i + 1) * width, 2), count=counts[i])
        for i in range(count)
    ]


def score_distribution(
    graded: GradedFolder, exercise: str, *, bins: int = MAX_BINS
) -> ScoreDistribution:
    """One exercise's scores in at most `bins` equal ranges from 0 to its points in the pack."""
    column = next((c for c in graded.book.exercises if c.id == exercise), None)
    if column is None:
        known = ", ".join(c.id for c in graded.book.exercises)
        raise _problem(
            Path(graded.folder) / JSON_FILE, "exercises", f"an exercise {exercise!r} (has {known})"
        )
    grades = [row.exercises[exercise] for row in graded.book.students]
    scores = [grade.points for grade in grades if grade.points is not None]
    return ScoreDistribution(
        exercise=exercise,
        title=column.title,
        max_points=column.max_points,
        bins=_bins(column.max_points, scores, max(1, bins)),
        scored=len(scores),
        ungraded=sum(1 for grade in grades if grade.status == "ungraded"),
        missing=sum(1 for grade in grades if grade.status == "missing"),
        late=sum(1 for grade in grades if grade.late),
        mean=round(statistics.fmean(scores), 2) if scores else None,
        median=round(statistics.median(scores), 2) if scores else None,
    )


def sort_columns(graded: GradedFolder) -> list[str]:
    return ["student", *(c.id for c in graded.book.exercises), "total", "percent", "ungraded"]


def sorted_students(
    graded: GradedFolder, column: str = "student", *, descending: bool = False
) -> list[StudentGrades]:
    """The rows ordered by a column; a blank cell (ungraded, no total yet) goes last either way."""
    if column not in sort_columns(graded):
        raise ValueError(f"no column {column!r}; columns: {', '.join(sort_columns(graded))}")
    rows = graded.book.students
    if column == "student":
        return sorted(rows, key=lambda row: row.student, reverse=descending)

    def value(row: StudentGrades) -> float | None:
        if column == "total":
            return row.total
        if column == "percent":
            return row.percent
        if column == "ungraded":
            return row.ungraded
        return row.exercises[column].points

    known = [row for row in rows if value(row) is not None]
    blank = [row for row in rows if value(row) is None]
    known.sort(key=lambda row: (value(row) or 0.0, row.student), reverse=descending)
    return known + sorted(blank, key=lambda row: row.student)


# --- the folder the app opened last ----------------------------------------------------


class LastFolder(BaseModel):
    folder: str


def remembered_folder(data_folder: Path) -> str | None:
    """The graded folder the app opened last (kept in the learner's data folder), if any."""
    try:
        return LastFolder.model_validate_json((data_folder / LAST_FOLDER_FILE).read_bytes()).folder
    except (OSError, ValidationError):
        return None  # nothing remembered, or a damaged file: the app starts with an empty path


def remember_folder(data_folder: Path, folder: str) -> None:
    write_atomically(
        data_folder / LAST_FOLDER_FILE, LastFolder(folder=folder).model_dump_json() + "\n"
    )


# --- re-grading ---------------------------------------------------------------------


def _formats(folder: Path, inputs: GradeInputs) -> list[str]:
    present = [name for name, file in FORMAT_FILES.items() if (folder / file).is_file()]
    return [name for name in FORMAT_FILES if name in inputs.formats or name in present]


def _copy_submission(submissions: Path, copy: Path, student: str, pack: Pack) -> None:
    """Copy the files `grade` would look at for the student, keeping their modification times.

    A file that links inside the submissions folder is copied as the file it links to
    (grade reads it so); one that links outside becomes a link to the same place, which
    the grader refuses exactly as it refuses the original.
    """
    root = submissions.resolve()
    (copy / student).mkdir(parents=True)
    for exercise in pack.exercises:
        for relative in (
            Path(student) / exercise.id / exercise.spec.function.handler_file,
            Path(student) / f"{exercise.id}.py",
        ):
            source, target = submissions / relative, copy / relative
            if not source.is_file():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            resolved = source.resolve()
            if resolved.is_relative_to(root):
                shutil.copy2(resolved, target)
            else:
                os.symlink(resolved, target)


def _class_records(
    folder: Path, graded: GradedFolder, pack: Pack
) -> tuple[list[str], list[GradeRecord]]:
    """Every student folder's record for every exercise, from results/ (roster-only rows have none)."""
    students = [
        row.student
        for row in graded.book.students
        if (folder / RESULTS_FOLDER / row.student).is_dir()
    ]
    records, problems = [], []
    for student in students:
        for exercise in pack.exercises:
            record = load_record(folder, student, exercise.id)
            if record is None:
                problems.append(
                    Problem(
                        file=str(record_path(folder, student, exercise.id)),
                        field="(file)",
                        expected="a result record written by `grade` (missing or corrupt: "
                        "run `grade ... --resume` to grade it again)",
                    )
                )
            else:
                records.append(record)
    if problems:
        raise ContentError(problems)
    return students, records


def regrade_student(
    folder: Path | str,
    student: str,
    *,
    on_record: RecordCallback | None = None,
) -> RegradeResult:
    """Grade one student of a graded folder again and rewrite their results and the gradebook files."""
    folder = Path(folder)
    if not folder.is_dir():
        raise _problem(folder, "(folder)", "a folder written by `serverless-tutor grade --out`")
    try:
        with writing(folder):
            return _regrade(folder, student, on_record)
    except FolderBusy as exc:
        raise _problem(
            folder,
            "(folder)",
            f"no other grading run writing it at the same time; one is{exc.holder}: wait for it to finish",
        ) from None


def _regrade(folder: Path, student: str, on_record: RecordCallback | None) -> RegradeResult:
    started = time.monotonic()
    graded = open_graded_folder(folder)
    before = graded.student(student)
    if before is None:
        raise _problem(folder / JSON_FILE, "students", f"a student named {student!r}")
    if graded.regrade_problem is not None or graded.inputs is None:
        raise _problem(folder / INPUTS_FILE, "(file)", graded.regrade_problem or "")
    inputs = graded.inputs
    submissions = Path(inputs.submissions)
    if student not in find_students(submissions):
        raise _problem(
            submissions, student, "a student folder (it is not in the submissions folder now)"
        )
    pack = load_pack(Path(inputs.pack))
    if pack.id != graded.book.pack or [e.id for e in pack.exercises] != [
        c.id for c in graded.book.exercises
    ]:
        raise _problem(
            Path(inputs.pack),
            "exercises",
            f"the pack this folder was graded with ({graded.book.pack}: "
            f"{', '.join(c.id for c in graded.book.exercises)}); the pack file has changed",
        )
    roster = load_roster(Path(inputs.roster)) if inputs.roster else None
    times = load_submission_times(Path(inputs.manifest)) if inputs.manifest else None
    students, records = _class_records(folder, graded, pack)

    with tempfile.TemporaryDirectory(prefix="serverless-tutor-regrade-") as scratch:
        copy, out = Path(scratch) / "submissions", Path(scratch) / "out"
        _copy_submission(submissions, copy, student, pack)
        for record in records:
            if record.student == student:
                save_record(out, record)  # so an unchanged exercise is kept, as with --resume
        run = grade_class(
            pack,
            copy,
            out,
            jobs=1,
            resume=True,
            budget_s=inputs.budget_s,
            on_record=on_record,
            times=times,
        )
    for record in run.records:
        save_record(folder, record)
    fresh = {(record.student, record.exercise): record for record in run.records}
    merged = [fresh.get((record.student, record.exercise), record) for record in records]
    if student not in students:
        students.append(student)
        merged += run.records
    class_run = ClassRun(
        pack=pack.id,
        submissions=inputs.submissions,
        out=str(folder),
        students=students,
        records=merged,
        graded=run.graded,
        reused=len(merged) - run.graded,
        seconds=round(time.monotonic() - started, 3),
        jobs=1,
    )
    book, files = write_gradebook(
        pack,
        class_run,
        folder,
        formats=_formats(folder, inputs),
        roster=roster,
        canvas_ids=inputs.assignment_ids,
    )
    after = next(row for row in book.students if row.student == student)
    written = [str(path) for path in files.written.values()]
    written += [str(record_path(folder, student, record.exercise)) for record in run.records]
    written.append(str(folder / FEEDBACK_FOLDER / f"{student}.md"))
    return RegradeResult(
        student=student,
        before=before,
        after=after,
        records=run.records,
        graded=run.graded,
        reused=len(run.records) - run.graded,
        seconds=class_run.seconds,
        written=written,
    )
