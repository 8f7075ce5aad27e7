"""The hints the learner has asked for so far."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static


class ExerciseHints(VerticalScroll):
    DEFAULT_CSS = """
    ExerciseHints #hints-note {
        padding: 0 1;
        color: $text-muted;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="hints-note", markup=False)
        yield Markdown("", id="hints-text")

    def show_hints(self, shown: list[str], total: int) -> None:
        if shown:
            note = (
                f"{len(shown)} of {total} hints shown. F2 shows the next one."
                if len(shown) < total
                else f"All {total} hints shown. Still stuck? F4 gives up (recorded) and shows the solution."
            )
        else:
            note = f"{total} hints available. Press F2 for the first one."
        self.query_one("#hints-note", Static).update(note)
        text = "\n\n".join(
            f"**Hint {number}.** {hint}" for number, hint in enumerate(shown, start=1)
        )
        self.query_one("#hints-text", Markdown).update(text)
