"""The Instructor area: a graded output folder (what `grade --out` wrote), read and re-graded.

Top: the folder's path (enter opens it; the last one opened is remembered in the
app's data folder). Left: the gradebook, sortable (`s` or a click on a header),
and under it the score distribution of the exercise under the cursor. Right: the
highlighted student's feedback and every test result. `r` grades the highlighted
student again in a thread worker (the sandbox, as `grade --resume` would) and
reloads the folder when it is done; the UI stays live meanwhile.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual.worker import Worker, WorkerState, get_current_worker

from serverless_tutor.grading.classroom import ClassSetupError
from serverless_tutor.grading.gradebook import number
from serverless_tutor.grading.graded_folder import (
    MAX_BINS,
    GradedFolder,
    RegradeResult,
    ScoreDistribution,
    open_graded_folder,
    regrade_student,
    remember_folder,
    remembered_folder,
    score_distribution,
    student_feedback,
)
from serverless_tutor.problems import ContentError
from serverless_tutor.terminal_text import one_line
from serverless_tutor.tui.tutor_app import tutor_app
from serverless_tutor.tui.widgets.gradebook_folder_input import GradebookFolderInput
from serverless_tutor.tui.widgets.gradebook_table import GradebookTable
from serverless_tutor.tui.widgets.score_chart import ScoreChart
from serverless_tutor.tui.widgets.student_feedback_view import StudentFeedbackView

CHART_BINS_SHORT = 5
TALL_TERMINAL = 36  # rows from which the chart shows ten score ranges


class InstructorScreen(Screen):
    DEFAULT_CSS = """
    InstructorScreen #instructor-folder {
        height: 3;
        margin: 0 1;
    }
    InstructorScreen #instructor-status {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    InstructorScreen #instructor-left {
        width: 3fr;
        height: 1fr;
    }
    InstructorScreen #instructor-table {
        height: 1fr;
        min-height: 4;
    }
    InstructorScreen #instructor-chart {
        border-top: hkey $foreground 20%;
    }
    InstructorScreen #instructor-feedback {
        width: 2fr;
        height: 1fr;
        border-left: vkey $foreground 20%;
    }
    """

    BINDINGS = [
        Binding(
            "s", "sort", "Sort", tooltip="sort by the column under the cursor", id="instructor-sort"
        ),
        Binding("r", "regrade", "Re-grade", id="instructor-regrade"),
        # Listed in `?`, not in the footer, which has room for two keys of this screen at 80 columns.
        Binding("o", "focus_folder", "Open folder", show=False, id="instructor-open"),
        Binding("f", "focus_feedback", "Feedback", show=False, id="instructor-feedback"),
        Binding("escape", "focus_table", "Gradebook", show=False, id="instructor-focus-table"),
    ]

    class RegradeFinished(Message):
        def __init__(self, result: RegradeResult):
            super().__init__()
            self.result = result

    class RegradeFailed(Message):
        def __init__(self, student: str, reason: str):
            super().__init__()
            self.student = student
            self.reason = reason

    def __init__(self) -> None:
        super().__init__()
        self.graded: GradedFolder | None = None
        self.regrading: str | None = None  # the student being re-graded, while it runs

    def compose(self) -> ComposeResult:
        yield Header()
        yield GradebookFolderInput(id="instructor-folder")
        yield Static("No folder open.", id="instructor-status")
        with Horizontal():
            with Vertical(id="instructor-left"):
                yield GradebookTable(id="instructor-table")
                yield ScoreChart(id="instructor-chart")
            yield StudentFeedbackView(id="instructor-feedback")
        yield Footer()

    def on_mount(self) -> None:
        app = tutor_app(self.app)
        folder_input = self.query_one(GradebookFolderInput)
        asked, app.grades_folder = app.grades_folder, None
        if asked is not None:  # `serverless-tutor --grades DIR`
            folder_input.value = asked
            self.open_folder(asked)
            return
        remembered = remembered_folder(app.store.folder)
        if remembered:
            folder_input.value = remembered
            self.open_folder(remembered, remember=False)
        else:
            folder_input.focus()

    # --- opening ---------------------------------------------------------------------

    def on_gradebook_folder_input_folder_chosen(
        self, message: GradebookFolderInput.FolderChosen
    ) -> None:
        self.open_folder(message.folder)

    def open_folder(self, folder: str, *, remember: bool = True) -> None:
        try:
            graded = open_graded_folder(Path(folder).expanduser())
        except ContentError as exc:
            self.graded = None
            self.query_one(GradebookTable).clear(columns=True)
            self.query_one(ScoreChart).show(None)
            self.query_one(StudentFeedbackView).show_message(str(exc))
            self._status(
                Text(f"Cannot open {one_line(folder)}: see the problems on the right.", "red")
            )
            return
        self.graded = graded
        if remember:
            try:
                remember_folder(tutor_app(self.app).store.folder, str(Path(folder).resolve()))
            except OSError as exc:  # the folder still opens; only the next start will not know it
                self.notify(f"Could not remember the folder: {exc}", severity="warning")
        table = self.query_one(GradebookTable)
        table.show(graded)
        table.focus()
        self._show_summary()
        self._show_student(table.student)
        exercises = graded.book.exercises
        self.query_one(ScoreChart).show(self._distribution(exercises[0].id) if exercises else None)

    def _show_summary(self) -> None:
        if self.graded is None:
            return
        book = self.graded.book
        text = Text.assemble(
            (one_line(book.title), "bold"),
            f" · {len(book.students)} students · {number(sum(c.max_points for c in book.exercises))} points",
        )
        ungraded = sum(1 for row in book.students if row.ungraded)
        if ungraded:
            text.append(f" · {ungraded} with ungraded work", "magenta")
        if self.graded.regrade_problem:
            text.append(" · re-grading unavailable (r says why)", "dim")
        self._status(text)

    def _status(self, text: Text) -> None:
        self.query_one("#instructor-status", Static).update(text)

    # --- following the cursor --------------------------------------------------------

    def on_gradebook_table_student_highlighted(
        self, message: GradebookTable.StudentHighlighted
    ) -> None:
        self._show_student(message.student)

    def on_gradebook_table_exercise_highlighted(
        self, message: GradebookTable.ExerciseHighlighted
    ) -> None:
        if self.graded is not None:
            self.query_one(ScoreChart).show(self._distribution(message.exercise))

    def _distribution(self, exercise: str) -> ScoreDistribution | None:
        if self.graded is None:
            return None
        # Fewer, wider ranges on a short terminal, so the gradebook keeps its rows.
        bins = CHART_BINS_SHORT if self.app.size.height < TALL_TERMINAL else MAX_BINS
        return score_distribution(self.graded, exercise, bins=bins)

    def _show_student(self, student: str | None) -> None:
        view = self.query_one(StudentFeedbackView)
        if self.graded is None or student is None:
            return
        try:
            view.show(student_feedback(self.graded, student))
        except ContentError as exc:
            view.show_message(str(exc))

    # --- keys ------------------------------------------------------------------------

    def action_sort(self) -> None:
        self.query_one(GradebookTable).action_sort_by_cursor()

    def action_focus_folder(self) -> None:
        self.query_one(GradebookFolderInput).focus()

    def action_focus_table(self) -> None:
        self.query_one(GradebookTable).focus()

    def action_focus_feedback(self) -> None:
        self.query_one(StudentFeedbackView).focus()

    def action_regrade(self) -> None:
        student = self.query_one(GradebookTable).student
        if self.graded is None or student is None:
            self.notify("Open a graded folder first (o).", severity="warning")
            return
        if self.graded.regrade_problem:
            self.notify(f"Cannot re-grade: {self.graded.regrade_problem}", severity="warning")
            return
        if self.regrading is not None:
            self.notify(f"Still re-grading {one_line(self.regrading)}.", severity="warning")
            return
        self.regrading = student
        self._status(Text(f"Re-grading {one_line(student)} in the sandbox…", "bold"))
        self.regrade(self.graded.folder, student)

    @work(thread=True, exclusive=True, group="instructor-regrade", exit_on_error=False)
    def regrade(self, folder: str, student: str) -> None:
        worker = get_current_worker()
        try:
            result = regrade_student(folder, student)
        except ContentError as exc:
            self.post_message(self.RegradeFailed(student, str(exc)))
            return
        except (ClassSetupError, OSError) as exc:
            self.post_message(self.RegradeFailed(student, f"{type(exc).__name__}: {exc}"))
            return
        if not worker.is_cancelled:
            self.post_message(self.RegradeFinished(result))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Anything the worker did not expect still ends the re-grade, with its reason shown.
        if event.worker.group == "instructor-regrade" and event.state == WorkerState.ERROR:
            student = self.regrading or ""
            error = event.worker.error
            self.post_message(self.RegradeFailed(student, f"{type(error).__name__}: {error}"))

    def on_instructor_screen_regrade_finished(self, message: RegradeFinished) -> None:
        self.regrading = None
        result = message.result
        if self.graded is not None:
            self.open_folder(self.graded.folder, remember=False)

        def total(row) -> str:
            return "no total yet" if row.total is None else number(row.total)

        self._status(
            Text(
                f"Re-graded {one_line(result.student)}: {total(result.before)} → {total(result.after)} "
                f"({result.graded} run again, {result.reused} unchanged, {result.seconds:.1f} s)",
                "green" if result.after.ungraded == 0 else "magenta",
            )
        )

    def on_instructor_screen_regrade_failed(self, message: RegradeFailed) -> None:
        self.regrading = None
        self._status(Text(f"Re-grading {one_line(message.student)} failed.", "red"))
        self.query_one(StudentFeedbackView).show_message(message.reason)
