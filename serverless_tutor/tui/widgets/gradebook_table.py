"""The gradebook of a graded folder: one row per student, sortable by any column.

A click on a column's header (or the screen's `s`, which calls sort_by_cursor) sorts
by that column; again reverses it. Blank cells (ungraded, no total yet) stay last
either way. Names are shown with their control characters made visible, never as markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from serverless_tutor.grading.gradebook import StudentGrades, number
from serverless_tutor.grading.graded_folder import GradedFolder, sorted_students
from serverless_tutor.terminal_text import one_line

STATUS_STYLES = {
    "pass": "green",
    "fail": "red",
    "error": "yellow",
    "missing": "dim",
    "ungraded": "magenta",
}


class GradebookTable(DataTable):
    class StudentHighlighted(Message):
        def __init__(self, student: str):
            super().__init__()
            self.student = student

    class ExerciseHighlighted(Message):
        def __init__(self, exercise: str):
            super().__init__()
            self.exercise = exercise

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=True, **kwargs)
        self.graded: GradedFolder | None = None
        self.sort_column = "student"
        self.descending = False

    @property
    def student(self) -> str | None:
        """The student of the cursor's row."""
        if self.graded is None or self.row_count == 0:
            return None
        return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)

    @property
    def column(self) -> str | None:
        if self.graded is None or self.row_count == 0:
            return None
        return str(self.coordinate_to_cell_key(self.cursor_coordinate).column_key.value)

    def show(self, graded: GradedFolder) -> None:
        keep = self.student if self.graded is not None else None
        self.graded = graded
        if self.sort_column not in self._columns():
            self.sort_column, self.descending = "student", False
        self._fill(keep)

    def sort_by(self, column: str) -> None:
        if self.graded is None:
            return
        if column == self.sort_column:
            self.descending = not self.descending
        else:
            self.sort_column, self.descending = column, False
        self._fill(self.student)

    def action_sort_by_cursor(self) -> None:
        column = self.column
        if column is not None:
            self.sort_by(column)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        event.stop()
        self.post_message(self.StudentHighlighted(str(event.cell_key.row_key.value)))
        column = str(event.cell_key.column_key.value)
        if self.graded is not None and column in {c.id for c in self.graded.book.exercises}:
            self.post_message(self.ExerciseHighlighted(column))

    def _columns(self) -> list[str]:
        exercises = [c.id for c in self.graded.book.exercises] if self.graded else []
        return ["student", *exercises, "total", "percent", "ungraded"]

    def _header(self, column: str) -> Text:
        assert self.graded is not None
        label = Text(one_line(column))
        maximum = next((c.max_points for c in self.graded.book.exercises if c.id == column), None)
        if maximum is not None:
            label.append(f" /{number(maximum)}", style="dim")
        if column == "percent":
            label = Text("%")
        if column == self.sort_column:
            label.append(" ▼" if self.descending else " ▲", style="bold")
        return label

    def _cells(self, row: StudentGrades) -> list[Text]:
        assert self.graded is not None
        cells = [Text(one_line(row.student))]
        for column in self.graded.book.exercises:
            grade = row.exercises[column.id]
            shown = "ungraded" if grade.status == "ungraded" else number(grade.points)
            cell = Text(shown, style=STATUS_STYLES[grade.status], justify="right")
            if grade.late:
                cell.append(" late", style="italic")
            cells.append(cell)
        cells += [
            Text(number(row.total), justify="right"),
            Text("" if row.percent is None else f"{row.percent:.1f}", justify="right"),
            Text(str(row.ungraded), style="magenta" if row.ungraded else "", justify="right"),
        ]
        return cells

    def _fill(self, keep_student: str | None) -> None:
        assert self.graded is not None
        column_index = self.cursor_coordinate.column
        self.clear(columns=True)
        for column in self._columns():
            self.add_column(self._header(column), key=column)
        rows = sorted_students(self.graded, self.sort_column, descending=self.descending)
        for row in rows:
            self.add_row(*self._cells(row), key=row.student)
        names = [row.student for row in rows]
        row_index = names.index(keep_student) if keep_student in names else 0
        if rows:
            self.move_cursor(row=row_index, column=min(column_index, len(self.columns) - 1))
