"""Asks before giving up on an exercise: giving up shows the solution and is recorded."""

from __future__ import annotations

from serverless_tutor.tui.widgets.confirm_dialog import ConfirmDialog


class ExerciseGiveUpDialog(ConfirmDialog):
    def __init__(self, exercise_id: str):
        super().__init__(
            f"Give up on {exercise_id} and see the reference solution?\n"
            "This is recorded in your progress.",
            cancel="Keep trying",
            confirm="Give up",
            confirm_id="give-up",
        )
        self.exercise_id = exercise_id
