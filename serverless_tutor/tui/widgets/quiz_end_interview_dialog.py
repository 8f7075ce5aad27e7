"""Asks before Escape ends a mock interview: the unanswered questions would be lost."""

from __future__ import annotations

from textual.binding import Binding

from serverless_tutor.tui.widgets.confirm_dialog import ConfirmDialog


class QuizEndInterviewDialog(ConfirmDialog):
    BINDINGS = [Binding("y", "dismiss(True)", "End it", id="end-interview-confirm")]

    def __init__(self) -> None:
        super().__init__(
            "End the interview now?\n"
            "Answered questions go to the summary; the rest are skipped.\n"
            "y ends it; escape keeps going.",
            cancel="Keep going",
            confirm="End the interview",
            confirm_id="end-interview",
        )
