"""What the learner sees after answering: right or not, the expected answer, why, and where to read more."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Static

from serverless_tutor.quiz.models import QuestionInstance
from serverless_tutor.quiz.scoring import Grade


class QuizFeedback(Vertical):
    DEFAULT_CSS = """
    QuizFeedback {
        height: auto;
        margin: 1 1 0 1;
        padding: 0 1;
        border: round $primary;
    }
    QuizFeedback.-right {
        border: round $success;
    }
    QuizFeedback.-wrong {
        border: round $error;
    }
    QuizFeedback.-partial {
        border: round $warning;
    }
    QuizFeedback .quiz-verdict {
        text-style: bold;
    }
    QuizFeedback .quiz-lesson {
        color: $text-muted;
    }
    """

    class NextRequested(Message):
        """The learner wants the next question."""

    def __init__(
        self, question: QuestionInstance, grade: Grade, *, last: bool, id: str | None = None
    ):
        super().__init__(id=id)
        self.question = question
        self.grade = grade
        self.last = last

    def compose(self) -> ComposeResult:
        grade = self.grade
        if self.question.type == "open":
            verdict = f"Self-score {grade.score:.0%}: {'pass' if grade.correct else 'below the pass mark'}"
            self.add_class("-right" if grade.correct else "-partial")
        elif grade.correct:
            verdict = "Right."
            self.add_class("-right")
        elif grade.score > 0:
            verdict = f"Partly right ({grade.score:.0%})."
            self.add_class("-partial")
        else:
            verdict = "Not right."
            self.add_class("-wrong")
        self.border_title = "Feedback"
        yield Static(verdict, classes="quiz-verdict", markup=False)
        if self.question.type != "open" and not grade.correct:
            yield Static(f"Expected: {grade.expected}", markup=False, id="quiz-expected")
        yield Static(grade.explanation, markup=False, id="quiz-explanation")
        yield Static(f"Lesson: {grade.lesson}", classes="quiz-lesson", markup=False)
        label = "See the summary (enter)" if self.last else "Next question (enter)"
        yield Button(label, id="quiz-next", variant="primary", compact=True)

    def on_mount(self) -> None:
        button = self.query_one("#quiz-next", Button)
        button.focus()
        self.call_after_refresh(button.scroll_visible)

    @on(Button.Pressed, "#quiz-next")
    def _next(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.NextRequested())
