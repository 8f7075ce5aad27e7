"""End of a session: the score, score by topic, weakest sections, lessons to revisit, save to Markdown."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Static

from serverless_tutor.quiz.session import SessionSummary
from serverless_tutor.tui.widgets.quiz_timer import clock_text


class QuizSummaryView(Vertical):
    DEFAULT_CSS = """
    QuizSummaryView {
        height: auto;
        padding: 0 1;
    }
    QuizSummaryView .quiz-score {
        text-style: bold;
        margin-bottom: 1;
    }
    QuizSummaryView DataTable {
        height: auto;
        max-height: 10;
    }
    QuizSummaryView .quiz-summary-line {
        margin-top: 1;
    }
    QuizSummaryView .quiz-summary-buttons {
        height: auto;
        margin-top: 1;
    }
    QuizSummaryView Button {
        margin-right: 2;
    }
    """

    class SaveRequested(Message):
        """Write the session's answers to a Markdown file."""

    class BackRequested(Message):
        """Return to the Quiz menu."""

    def __init__(self, summary: SessionSummary, *, id: str | None = None):
        super().__init__(id=id)
        self.summary = summary

    def compose(self) -> ComposeResult:
        summary = self.summary
        title = {"practice": "Practice", "review": "Review", "interview": "Mock interview"}[
            summary.mode
        ]
        yield Static(
            f"{title} done: {summary.score:g} of {summary.answered} ({summary.percent:g}%) in {clock_text(summary.seconds)}",
            classes="quiz-score",
            id="quiz-score",
            markup=False,
        )
        yield DataTable(id="quiz-topics", cursor_type="row", zebra_stripes=True)
        weakest = (
            ", ".join(f"{g.key}. {g.title} ({g.percent:g}%)" for g in summary.weakest_sections)
            or "none under the pass mark"
        )
        yield Static(
            f"Weakest sections: {weakest}",
            classes="quiz-summary-line",
            id="quiz-weakest",
            markup=False,
        )
        lessons = ", ".join(summary.lessons_to_revisit) or "none: well done"
        yield Static(
            f"Lessons to revisit: {lessons}",
            classes="quiz-summary-line",
            id="quiz-revisit",
            markup=False,
        )
        yield Static("", classes="quiz-summary-line", id="quiz-saved", markup=False)
        with Horizontal(classes="quiz-summary-buttons"):
            yield Button(
                "Save answers to Markdown", id="quiz-save", variant="primary", compact=True
            )
            yield Button("Back to the menu (escape)", id="quiz-back", compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#quiz-topics", DataTable)
        table.add_columns("topic", "answered", "score")
        for group in self.summary.by_topic:
            table.add_row(group.title, str(group.answered), f"{group.percent:g}%")
        self.query_one("#quiz-save", Button).focus()

    def show_saved(self, path: str) -> None:
        self.query_one("#quiz-saved", Static).update(f"Saved to {path}")
        self.query_one("#quiz-save", Button).disabled = True
        self.query_one("#quiz-back", Button).focus()

    @on(Button.Pressed, "#quiz-save")
    def _save(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.SaveRequested())

    @on(Button.Pressed, "#quiz-back")
    def _back(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.BackRequested())
