"""One quiz question: its prompt, the input its type needs, and Submit (ctrl+s).

Posts `Submitted(answer)` with an engine answer model; the screen grades it. Open
questions take two steps: the learner types, presses "Done" (posting
`AnswerFinished`, so the screen can stop the clock), sees the model answer and the
rubric, ticks the points they made and submits.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Static, TextArea

from serverless_tutor.quiz.answers import (
    AnswerError,
    ChoiceAnswer,
    ChoicesAnswer,
    NumberAnswer,
    OpenAnswer,
    OrderAnswer,
    ScenarioAnswer,
    parse_number,
)
from serverless_tutor.quiz.models import QuestionInstance
from serverless_tutor.tui.widgets.quiz_choice_list import QuizChoiceList
from serverless_tutor.tui.widgets.quiz_ordering_input import QuizOrderingInput

HINTS = {
    "single": "↑↓ move, space choose, ctrl+s submit",
    "multiple": "↑↓ move, space tick every correct choice, ctrl+s submit",
    "numeric": "type a number, enter submits",
    "cost": "type the amount, enter submits",
    "ordering": "↑↓ pick a step, shift+↑↓ or K/J move it, ctrl+s submit",
    "scenario": "choose fit or not, then the deciding reason; ctrl+s submit",
    "open": "type your answer, then tab to Done",
}


class QuizQuestionView(Vertical):
    DEFAULT_CSS = """
    QuizQuestionView {
        height: auto;
        padding: 0 1;
    }
    QuizQuestionView .quiz-heading {
        color: $text-muted;
    }
    QuizQuestionView .quiz-prompt {
        text-style: bold;
        margin-bottom: 1;
    }
    QuizQuestionView .quiz-label {
        color: $text-muted;
        margin-top: 1;
    }
    QuizQuestionView #quiz-open-text {
        height: 7;
    }
    QuizQuestionView #quiz-number {
        width: 30;
    }
    QuizQuestionView #quiz-reveal-box {
        height: auto;
        display: none;
    }
    QuizQuestionView.-revealed #quiz-reveal-box {
        display: block;
    }
    QuizQuestionView .quiz-error {
        color: $error;
        height: auto;
    }
    QuizQuestionView Button {
        margin-top: 1;
    }
    """

    BINDINGS = [Binding("ctrl+s", "submit", "Submit", id="quiz-submit")]

    class Submitted(Message):
        def __init__(
            self,
            answer: ChoiceAnswer
            | ChoicesAnswer
            | NumberAnswer
            | OrderAnswer
            | ScenarioAnswer
            | OpenAnswer,
        ):
            super().__init__()
            self.answer = answer

    class AnswerFinished(Message):
        """An open answer's text is done; the model answer is now shown."""

    def __init__(self, question: QuestionInstance, heading: str, *, id: str | None = None):
        super().__init__(id=id)
        self.question = question
        self.heading = heading
        self.revealed = False
        self.submitted = False
        self._zero_confirmed = False

    def compose(self) -> ComposeResult:
        question = self.question
        yield Static(
            f"{self.heading} · {HINTS[question.type]}", classes="quiz-heading", markup=False
        )
        yield Static(question.prompt, classes="quiz-prompt", markup=False)
        kind = question.type
        if kind in {"single", "multiple"}:
            yield QuizChoiceList(question.options, multiple=kind == "multiple", id="quiz-choices")
        elif kind in {"numeric", "cost"}:
            unit = f" ({question.unit})" if question.unit else ""
            yield Input(placeholder=f"your answer{unit}", id="quiz-number")
        elif kind == "ordering":
            yield QuizOrderingInput(question.options, id="quiz-order")
        elif kind == "scenario":
            yield QuizChoiceList(
                ["A fit for serverless", "Not a fit"], multiple=False, id="quiz-fit"
            )
            yield Static("The deciding reason:", classes="quiz-label")
            yield QuizChoiceList(question.options, multiple=False, id="quiz-reasons")
        elif kind == "open":
            yield TextArea(
                id="quiz-open-text",
                placeholder="Type your answer as you would say it in the interview…",
            )
            yield Button("Done: show the model answer", id="quiz-reveal", compact=True)
            with Vertical(id="quiz-reveal-box"):
                yield Static("Model answer", classes="quiz-label")
                yield Static(question.model_answer or "", markup=False, id="quiz-model-answer")
                yield Static("Which points did you make? (space ticks)", classes="quiz-label")
                yield QuizChoiceList(question.rubric, multiple=True, id="quiz-rubric")
        yield Static("", classes="quiz-error", id="quiz-error", markup=False)
        yield Button(
            "Submit (ctrl+s)",
            id="quiz-submit-button",
            variant="primary",
            compact=True,
            disabled=kind == "open",
        )

    def first_input(self) -> Widget:
        """The widget to focus when the question appears."""
        for selector in (
            "#quiz-choices",
            "#quiz-number",
            "#quiz-order",
            "#quiz-fit",
            "#quiz-open-text",
        ):
            found = self.query(selector)
            if found:
                return found.first()
        return self.query_one("#quiz-submit-button")

    @on(Button.Pressed, "#quiz-submit-button")
    def _submit_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#quiz-reveal")
    def _reveal_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.reveal()

    @on(Input.Submitted, "#quiz-number")
    def _number_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def reveal(self) -> None:
        """Open questions: freeze the typed answer and show the model answer and rubric."""
        if self.revealed or self.question.type != "open":
            return
        text = self.query_one("#quiz-open-text", TextArea)
        if not text.text.strip():
            self._error("Type an answer first (even a short one); then press Done.")
            return
        self._error("")
        self.revealed = True
        text.read_only = True
        self.query_one("#quiz-reveal", Button).disabled = True
        self.query_one("#quiz-submit-button", Button).disabled = False
        self.add_class("-revealed")
        self.post_message(self.AnswerFinished())
        # Focus stays on the (now read-only) answer, not the rubric: there Space would tick a
        # point and Enter submit before the model answer was read. Tab reaches the rubric.
        text.focus()
        rubric = self.query_one("#quiz-rubric", QuizChoiceList)
        self.call_after_refresh(rubric.scroll_visible)

    def action_submit(self) -> None:
        if self.submitted:
            return
        if self.question.type == "open" and not self.revealed:
            self.reveal()
            return
        try:
            answer = self.answer()
        except AnswerError as exc:
            self._error(str(exc))
            return
        if isinstance(answer, OpenAnswer) and not answer.ticked and not self._zero_confirmed:
            # A self-score of 0% is recorded only when asked for twice.
            self._zero_confirmed = True
            self._error(
                "No point ticked: that records 0%. Tab to the rubric and tick with space, "
                "or press ctrl+s again to record 0%."
            )
            return
        self._error("")
        self.submitted = True
        for widget in self.query("QuizChoiceList, Input, TextArea, QuizOrderingInput, Button"):
            widget.disabled = True
        self.post_message(self.Submitted(answer))

    def answer(
        self,
    ) -> ChoiceAnswer | ChoicesAnswer | NumberAnswer | OrderAnswer | ScenarioAnswer | OpenAnswer:
        """The answer as the widgets hold it now; AnswerError says what is missing."""
        kind = self.question.type
        if kind == "single":
            picked = self.query_one("#quiz-choices", QuizChoiceList).picked
            if not picked:
                raise AnswerError("Choose one option first (arrows, then space).")
            return ChoiceAnswer(choice=picked[0])
        if kind == "multiple":
            picked = self.query_one("#quiz-choices", QuizChoiceList).picked
            if not picked:
                raise AnswerError("Tick at least one choice (space).")
            return ChoicesAnswer(choices=sorted(picked))
        if kind in {"numeric", "cost"}:
            try:
                return NumberAnswer(value=parse_number(self.query_one("#quiz-number", Input).value))
            except AnswerError as exc:
                raise AnswerError(f"Expected {exc}.") from None
        if kind == "ordering":
            return OrderAnswer(order=self.query_one("#quiz-order", QuizOrderingInput).order)
        if kind == "scenario":
            fit = self.query_one("#quiz-fit", QuizChoiceList).picked
            reason = self.query_one("#quiz-reasons", QuizChoiceList).picked
            if not fit or not reason:
                raise AnswerError("Choose fit or not, and the deciding reason.")
            return ScenarioAnswer(fit=fit[0] == 0, reason=reason[0])
        text = self.query_one("#quiz-open-text", TextArea).text
        return OpenAnswer(text=text, ticked=self.query_one("#quiz-rubric", QuizChoiceList).picked)

    def _error(self, message: str) -> None:
        self.query_one("#quiz-error", Static).update(message)
