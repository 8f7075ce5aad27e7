"""Asks before Escape ends a mock interview: the unanswered questions would be lost."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class QuizEndInterviewDialog(ModalScreen[bool]):
    DEFAULT_CSS = """
    QuizEndInterviewDialog {
        align: center middle;
    }
    QuizEndInterviewDialog #end-interview-box {
        width: 60;
        max-width: 95%;
        height: auto;
        border: round $warning;
        background: $surface;
        padding: 0 1;
    }
    QuizEndInterviewDialog #end-interview-buttons {
        height: auto;
        align-horizontal: right;
    }
    """
    BINDINGS = [
        Binding("escape", "dismiss(False)", "Keep going", id="end-interview-cancel"),
        Binding("y", "dismiss(True)", "End it", id="end-interview-confirm"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="end-interview-box"):
            yield Static(
                "End the interview now?\n"
                "Answered questions go to the summary; the rest are skipped.\n"
                "y ends it; escape keeps going.",
                markup=False,
            )
            with Horizontal(id="end-interview-buttons"):
                yield Button("Keep going", id="keep-going", variant="primary")
                yield Button("End the interview", id="end-interview", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#keep-going", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "end-interview")
