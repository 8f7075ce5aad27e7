"""Asks before giving up on an exercise: giving up shows the solution and is recorded."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ExerciseGiveUpDialog(ModalScreen[bool]):
    DEFAULT_CSS = """
    ExerciseGiveUpDialog {
        align: center middle;
    }
    ExerciseGiveUpDialog #give-up-box {
        width: 60;
        max-width: 95%;
        height: auto;
        border: round $warning;
        background: $surface;
        padding: 0 1;
    }
    ExerciseGiveUpDialog #give-up-buttons {
        height: auto;
        align-horizontal: right;
    }
    """
    BINDINGS = [Binding("escape", "dismiss(False)", "Keep trying", id="give-up-cancel")]

    def __init__(self, exercise_id: str):
        super().__init__()
        self.exercise_id = exercise_id

    def compose(self) -> ComposeResult:
        with Vertical(id="give-up-box"):
            yield Static(
                f"Give up on {self.exercise_id} and see the reference solution?\n"
                "This is recorded in your progress.",
                markup=False,
            )
            with Horizontal(id="give-up-buttons"):
                yield Button("Keep trying", id="keep-trying", variant="primary")
                yield Button("Give up", id="give-up", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#keep-trying", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "give-up")
