"""The reference solution: locked until the learner passes or gives up (recorded)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static, TextArea

LOCKED = (
    "The reference solution opens after you pass this exercise, or after you give up "
    "(F4; giving up is recorded in your progress)."
)


class ExerciseSolution(Vertical):
    DEFAULT_CSS = """
    ExerciseSolution #solution-note {
        padding: 0 1;
        color: $text-muted;
        height: auto;
    }
    ExerciseSolution TextArea {
        height: 1fr;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(LOCKED, id="solution-note", markup=False)
        yield TextArea.code_editor("", language="python", read_only=True, id="solution-text")

    def on_mount(self) -> None:
        self.show_locked()

    def show_locked(self) -> None:
        self.query_one("#solution-note", Static).update(LOCKED)
        text = self.query_one("#solution-text", TextArea)
        text.load_text("")
        text.display = False

    def reveal(self, code: str, why: str) -> None:
        self.query_one("#solution-note", Static).update(f"Reference solution ({why}).")
        text = self.query_one("#solution-text", TextArea)
        text.load_text(code)
        text.display = True
