"""The list of graded exercises with each one's status mark."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from serverless_tutor.grading.learner import ExerciseStatus

STATUS_MARKS = {"new": "·", "started": "…", "attempted": "✗", "passed": "✓"}
STATUS_STYLES = {"new": "dim", "started": "", "attempted": "bold", "passed": "bold"}


class ExerciseList(OptionList):
    """One option per exercise (option id = exercise id); selecting one opens it."""

    def show_statuses(self, statuses: list[ExerciseStatus]) -> None:
        highlighted = self.highlighted
        self.clear_options()
        self.add_options([Option(self._label(status), id=status.id) for status in statuses])
        if highlighted is not None and highlighted < len(statuses):
            self.highlighted = highlighted

    @staticmethod
    def _label(status: ExerciseStatus) -> Text:
        mark = STATUS_MARKS[status.status]
        label = Text.assemble((f"{mark} ", STATUS_STYLES[status.status]), status.id)
        if status.gave_up:
            label.append(" (gave up)", style="dim")
        return label

    def select_exercise(self, exercise_id: str) -> None:
        for index in range(self.option_count):
            if self.get_option_at_index(index).id == exercise_id:
                self.highlighted = index
                return
