"""The interview drill panel (lesson 12): answer the chapter's interview questions one at a time.

A view over the quiz engine: the questions are the bank's open questions of
section 12 (the five common ones first, in bank order), instantiated and graded
by serverless_tutor.quiz exactly as the Quiz area does. The learner types an
answer, reveals the model answer and the rubric, ticks the points they made and
asks for the score. Nothing is timed or recorded here; the Quiz area (q) does that.

As in the Quiz area's mock interview, revealing does not move focus into the rubric (a
stray space or enter there would tick a point), and a score of 0% takes a second press.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.events import Click
from textual.widgets import Button, Static, TextArea

from serverless_tutor.quiz.answers import OpenAnswer
from serverless_tutor.quiz.bank import shipped_bank
from serverless_tutor.quiz.instances import instantiate
from serverless_tutor.quiz.models import OpenQuestion, QuestionInstance
from serverless_tutor.quiz.scoring import PASS_MARK, grade
from serverless_tutor.tui.widgets.lesson_panel import LessonPanel
from serverless_tutor.tui.widgets.quiz_choice_list import QuizChoiceList

INTERVIEW_SECTION = 12
QUIZ_POINTER = "For timed mock interviews and spaced review, press q (Quiz area)"
REVEAL_LABEL = "Show model answer"
SCORE_LABEL = "Score my answer"
ZERO_WARNING = (
    "No point ticked: that scores 0%. Tab to the points and tick with space, "
    "or press Score again for 0%."
)


def interview_questions() -> list[QuestionInstance]:
    """Section 12's open questions, as shown (open questions have nothing random to draw)."""
    return [
        instantiate(q)
        for q in shipped_bank().in_section(INTERVIEW_SECTION)
        if isinstance(q, OpenQuestion)
    ]


class InterviewDrillPanel(LessonPanel):
    """One interview question: type, reveal the model answer, tick the rubric, score, next."""

    DEFAULT_CSS = """
    InterviewDrillPanel #drill-heading, InterviewDrillPanel .drill-label, InterviewDrillPanel #drill-pointer {
        height: auto;
        color: $text-muted;
    }
    InterviewDrillPanel #drill-prompt {
        height: auto;
        text-style: bold;
    }
    InterviewDrillPanel #drill-answer {
        height: 5;
    }
    InterviewDrillPanel #drill-buttons {
        height: auto;
        grid-size: 2;
        grid-columns: 1fr 1fr;
        grid-gutter: 0 1;
    }
    InterviewDrillPanel #drill-buttons Button {
        width: 100%;
        min-width: 0;
    }
    InterviewDrillPanel #drill-error {
        height: auto;
        color: $error;
        display: none;
    }
    InterviewDrillPanel #drill-error.-shown {
        display: block;
    }
    InterviewDrillPanel #drill-reveal-box {
        height: auto;
        display: none;
    }
    InterviewDrillPanel.-revealed #drill-reveal-box {
        display: block;
    }
    InterviewDrillPanel .drill-label {
        margin: 1 0 0 0;
    }
    InterviewDrillPanel #drill-model-answer, InterviewDrillPanel #drill-score {
        height: auto;
    }
    InterviewDrillPanel #drill-score {
        text-style: bold;
        color: $warning;
    }
    InterviewDrillPanel #drill-score.-pass {
        color: $success;
    }
    InterviewDrillPanel #drill-pointer {
        margin: 1 0 0 0;
    }
    """

    # QuizChoiceList posts no message when a point is ticked, so while the rubric has focus the
    # panel ticks it itself (priority bindings run before the list's own) and redraws the score.
    BINDINGS = [
        Binding("space", "tick", "Tick", show=False, priority=True),
        Binding("enter", "tick", "Tick", show=False, priority=True),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.questions = interview_questions()
        self.index = 0
        self.revealed = False
        self.scored = False
        self._zero_confirmed = False

    @property
    def question(self) -> QuestionInstance:
        return self.questions[self.index]

    def compose(self) -> ComposeResult:
        self.border_title = "Interview drill"
        question = self.question
        yield Static(
            Content(
                f"Question {self.index + 1} of {len(self.questions)} · {question.topic} · {question.minutes:g} min"
            ),
            id="drill-heading",
        )
        yield Static(Content(question.prompt), id="drill-prompt")
        yield TextArea(id="drill-answer", placeholder="Your answer, as you would say it…")
        with Grid(id="drill-buttons"):
            yield Button(REVEAL_LABEL, id="drill-reveal", compact=True, variant="primary")
            yield Button("Next question", id="drill-next", compact=True)
        yield Static(id="drill-error")
        with Vertical(id="drill-reveal-box"):
            yield Static(Content("Model answer"), classes="drill-label")
            yield Static(Content(question.model_answer or ""), id="drill-model-answer")
            yield Static(
                Content("Which points did you make? (tab here, space ticks)"), classes="drill-label"
            )
            yield QuizChoiceList(question.rubric, multiple=True, id="drill-rubric")
            yield Static(id="drill-score")
        yield Static(Content(QUIZ_POINTER), id="drill-pointer")

    @on(Button.Pressed, "#drill-reveal")
    def _reveal_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if self.revealed:
            self.score()
        else:
            self.reveal()

    @on(Button.Pressed, "#drill-next")
    async def _next_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.next_question()

    def reveal(self) -> None:
        """Freeze the typed answer; show the model answer and the rubric; the button now scores."""
        if self.revealed:
            return
        answer = self.query_one("#drill-answer", TextArea)
        if not answer.text.strip():
            self._error("Type an answer first, even a short one.")
            return
        self._error("")
        self.revealed = True
        answer.read_only = True
        button = self.query_one("#drill-reveal", Button)
        button.label = SCORE_LABEL
        self.add_class("-revealed")
        # Focus stays on this button, not the rubric; tab reaches the points.
        button.focus(scroll_visible=False)
        rubric = self.query_one("#drill-rubric", QuizChoiceList)
        self.call_after_refresh(rubric.scroll_visible)

    def score(self) -> None:
        """Show the self-score for the ticked points; with none ticked, only when asked twice."""
        if not self.revealed:
            return
        ticked = self.query_one("#drill-rubric", QuizChoiceList).picked
        if not ticked and not self._zero_confirmed:
            self._zero_confirmed = True
            self._error(ZERO_WARNING)
            return
        self._error("")
        self.scored = True
        self.show_score()

    async def next_question(self) -> None:
        """The next question (after the last, the first again), with a fresh answer box."""
        self.index = (self.index + 1) % len(self.questions)
        self.revealed = False
        self.scored = False
        self._zero_confirmed = False
        self.remove_class("-revealed")
        await self.recompose()
        self.query_one("#drill-answer", TextArea).focus()

    def answer(self) -> OpenAnswer:
        return OpenAnswer(
            text=self.query_one("#drill-answer", TextArea).text,
            ticked=self.query_one("#drill-rubric", QuizChoiceList).picked,
        )

    def show_score(self) -> None:
        """Redraw the score once the learner has asked for it (it then follows their ticks)."""
        if not self.scored:
            return
        answer = self.answer()
        result = grade(self.question, answer)
        verdict = "pass" if result.correct else f"pass mark {PASS_MARK:.0%}"
        score = self.query_one("#drill-score", Static)
        score.update(
            Content(
                f"Self-score: {len(answer.ticked)} of {len(self.question.rubric)} ({result.score:.0%}) · {verdict}"
            )
        )
        score.set_class(result.correct, "-pass")

    def _error(self, message: str) -> None:
        error = self.query_one("#drill-error", Static)
        error.update(Content(message))
        error.set_class(bool(message), "-shown")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "tick":
            # Elsewhere (the answer box, the buttons) space and enter keep their usual meaning.
            return self.revealed and self.app.focused is self.query_one(
                "#drill-rubric", QuizChoiceList
            )
        return True

    def action_tick(self) -> None:
        self.query_one("#drill-rubric", QuizChoiceList).action_pick_highlighted()
        self.show_score()

    def on_click(self, event: Click) -> None:
        # A click toggles a point through the list's own OptionSelected handler; redraw after it.
        if self.scored:
            self.call_after_refresh(self.show_score)
