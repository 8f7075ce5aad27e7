"""The Instructor area (g): open a graded folder, sort it, read a student's feedback, re-grade.

The graded folder is written from records (no grading), so it is quick and the same
every run; only the re-grade test runs a submission in the sandbox. The class:

    ada      hello-handler pass 7 (14 in the pack)  word-count pass 3 (10)
    bob      hello-handler fail 1 (2)               word-count missing
    ESC-red  hello-handler ungraded                 word-count missing   (a hostile folder name)
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import Static

from serverless_tutor.cli import main
from serverless_tutor.content.packs import load_pack
from serverless_tutor.grading.classroom import ClassRun, GradeRecord, RecordStatus, save_record
from serverless_tutor.grading.gradebook import write_gradebook
from serverless_tutor.grading.graded_folder import (
    GradeInputs,
    record_grade_inputs,
    remembered_folder,
)
from serverless_tutor.paths import exercises_dir
from serverless_tutor.progress import ProgressStore
from serverless_tutor.tui.app import TutorApp
from serverless_tutor.tui.screens.instructor_screen import InstructorScreen
from serverless_tutor.tui.widgets.gradebook_table import GradebookTable
from serverless_tutor.tui.widgets.student_feedback_view import StudentFeedbackView

PACK = Path(__file__).parent.parent / "grading" / "classroom_data" / "week1.yaml"
HELLO = exercises_dir() / "hello-handler"
HOSTILE = "\x1b[31mred"
WHEN = datetime(2030, 1, 1, tzinfo=UTC)
SIZES = [(80, 24), (120, 40)]


def record(
    student: str, exercise: str, status: RecordStatus, points: int, max_points: int
) -> GradeRecord:
    return GradeRecord(
        student=student,
        exercise=exercise,
        status=status,
        points=points,
        max_points=max_points,
        message="No submission." if status == "missing" else None,
        exercise_sha256="0" * 64,  # matches no exercise: a re-grade runs every submission again
        graded_at=WHEN,
    )


@pytest.fixture
def graded(tmp_path, monkeypatch) -> Path:
    """tmp_path/graded, as `grade --out` would write it for the class above; tmp_path is the
    working folder, so the path typed is short and the same every run (for the snapshots)."""
    monkeypatch.chdir(tmp_path)
    submissions = tmp_path / "submissions"
    for name in ("ada", "bob", HOSTILE):
        (submissions / name).mkdir(parents=True)
    (submissions / "bob" / "hello-handler.py").write_text((HELLO / "handler.py").read_text())
    records = [
        record("ada", "hello-handler", "pass", 7, 7),
        record("ada", "word-count", "pass", 3, 3),
        record("bob", "hello-handler", "fail", 1, 7),
        record("bob", "word-count", "missing", 0, 3),
        record(HOSTILE, "hello-handler", "ungraded", 0, 7),
        record(HOSTILE, "word-count", "missing", 0, 3),
    ]
    out = tmp_path / "graded"
    for item in records:
        save_record(out, item)
    run = ClassRun(
        pack="week-1",
        submissions=str(submissions),
        out=str(out),
        students=["ada", "bob", HOSTILE],
        records=records,
        graded=6,
        reused=0,
        seconds=1.0,
        jobs=1,
    )
    write_gradebook(load_pack(PACK), run, out)
    record_grade_inputs(
        out, GradeInputs(pack=str(PACK), submissions=str(submissions), budget_s=60.0)
    )
    return out


def app_at(tmp_path) -> TutorApp:
    return TutorApp(store=ProgressStore(tmp_path / "home"))


async def until(pilot, condition, what: str, seconds: float = 12) -> None:
    """Let the app run until `condition()` holds (a generous deadline: the machine is shared)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def row_order(table: GradebookTable) -> list[str]:
    return [str(row.key.value) for row in table.ordered_rows]


async def open_graded(pilot, app: TutorApp) -> GradebookTable:
    """g, then type the folder's path (relative: the tests run in tmp_path) and enter."""
    await pilot.press("g")
    await until(pilot, lambda: isinstance(app.screen, InstructorScreen), "the instructor area")
    await pilot.press(*"graded", "enter")
    table = app.screen.query_one(GradebookTable)
    await until(pilot, lambda: table.row_count == 3, "the gradebook's rows")
    return table


def feedback_text(app: TutorApp) -> str:
    return str(app.screen.query_one(StudentFeedbackView).query_one(Static).content)


async def test_open_a_folder_by_its_path_and_it_is_remembered(tmp_path, graded):
    app = app_at(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_graded(pilot, app)
        assert row_order(table) == [HOSTILE, "ada", "bob"]  # by name: ESC sorts first
        assert str(table.get_row(HOSTILE)[0]) == "\\x1b[31mred"  # the escape shown, not obeyed
        assert str(table.get_row(HOSTILE)[1]) == "ungraded"
        assert app.focused is table
    assert remembered_folder(tmp_path / "home") == str(graded.resolve())


async def test_grades_option_opens_the_app_in_the_instructor_area_on_that_folder(tmp_path, graded):
    """`serverless-tutor --grades DIR`: no learn screen first, the folder open and remembered."""
    app = TutorApp(store=ProgressStore(tmp_path / "home"), grades_folder="graded")
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, InstructorScreen)
        table = app.screen.query_one(GradebookTable)
        await until(pilot, lambda: table.row_count == 3, "the gradebook's rows")
        assert app.focused is table
        await pilot.press("l")  # the other areas are there as usual
        assert app.current_mode == "learn"
    assert remembered_folder(tmp_path / "home") == str(graded.resolve())


def test_grades_option_with_a_missing_folder_is_a_usage_error(tmp_path, capsys):
    assert main(["--grades", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert f"--grades {tmp_path / 'nope'}: not a folder" in err


async def test_s_sorts_by_the_column_under_the_cursor_and_again_reverses(tmp_path, graded):
    app = app_at(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_graded(pilot, app)
        await pilot.press("right", "right", "right")  # student, hello-handler, word-count, total
        assert table.column == "total"
        await pilot.press("s")
        assert row_order(table) == ["bob", "ada", HOSTILE]  # 2, 24, then the blank total
        await pilot.press("s")
        assert row_order(table) == ["ada", "bob", HOSTILE]
        assert table.sort_column == "total" and table.descending


async def test_moving_down_shows_that_students_feedback(tmp_path, graded):
    app = app_at(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_graded(pilot, app)
        assert "feedback for \\\\x1b\\[31mred" in feedback_text(app)  # markdown-escaped, then shown
        await pilot.press("down", "down")
        assert table.student == "bob"
        await until(pilot, lambda: "feedback for bob" in feedback_text(app), "bob's feedback")
        assert "hello-handler: fail 1/7" in feedback_text(app)
        await pilot.press("f")
        assert isinstance(app.focused, StudentFeedbackView)
        await pilot.press("escape")
        assert table.has_focus


async def test_r_regrades_the_highlighted_student_in_the_background(tmp_path, graded):
    (tmp_path / "submissions" / "bob" / "hello-handler.py").write_text(
        (HELLO / "solution" / "handler.py").read_text()
    )
    app = app_at(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_graded(pilot, app)
        await pilot.press("down", "down", "r")
        screen = app.screen
        assert isinstance(screen, InstructorScreen) and screen.regrading == "bob"
        await until(pilot, lambda: screen.regrading is None, "the re-grade", seconds=120)
        assert str(table.get_row("bob")[3]) == "14"  # the total: 2 before
        assert str(table.get_row("ada")[3]) == "24"
        status = str(screen.query_one("#instructor-status", Static).content)
        assert status.startswith("Re-graded bob: 2 → 14")
        assert table.student == "bob"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_instructor_screen(snap_compare, tmp_path, graded, size):
    async def open_it(pilot) -> None:
        await pilot.press("g")
        await pilot.press(*"graded", "enter")
        await until(
            pilot, lambda: pilot.app.screen.query_one(GradebookTable).row_count == 3, "rows"
        )

    assert snap_compare(app_at(tmp_path), terminal_size=size, run_before=open_it)
