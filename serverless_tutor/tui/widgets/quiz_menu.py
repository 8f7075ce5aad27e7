"""The Quiz area's start page: pick a mode (practice, review, mock interview), a section and a count."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Select, Static

from serverless_tutor.quiz.models import SECTION_TITLES
from serverless_tutor.quiz.session import DEFAULT_COUNT, MODES, Mode
from serverless_tutor.tui.widgets.number_input import NumberInput, NumberRange
from serverless_tutor.tui.widgets.tutor_select import TutorSelect

MODE_LABELS: dict[str, str] = {
    "practice": "Practice by section",
    "review": "Review queue (spaced repetition)",
    "interview": "Mock interview (timed, typed answers)",
}


def due_text(due_now: int, next_due: datetime | None) -> str:
    """How many cards are due now, else when the next one is (local time), as the CLI says it."""
    if due_now:
        return f"{due_now} due for review now"
    if next_due is None:
        return "nothing to review yet"
    local = next_due.astimezone()
    today = datetime.now(local.tzinfo).date()
    when = f"{local:%H:%M}" if local.date() == today else f"{local:%a %d %b %H:%M}"
    return f"0 due now; next review at {when}"


class QuizMenu(Vertical):
    DEFAULT_CSS = """
    QuizMenu {
        height: auto;
        padding: 0 1;
    }
    QuizMenu .quiz-menu-title {
        text-style: bold;
        margin-bottom: 1;
    }
    QuizMenu RadioSet {
        width: 100%;
    }
    QuizMenu .quiz-menu-row {
        height: auto;
        margin-top: 1;
    }
    QuizMenu Label {
        padding: 0 1 0 0;
        width: 11;
    }
    QuizMenu #quiz-section {
        width: 44;
    }
    QuizMenu #quiz-count {
        width: 12;
    }
    QuizMenu #quiz-start {
        margin-top: 1;
    }
    QuizMenu .quiz-menu-note {
        color: $text-muted;
        margin-top: 1;
    }
    """

    class StartRequested(Message):
        def __init__(self, mode: Mode, section: int | None, count: int | None):
            super().__init__()
            self.mode = mode
            self.section = section
            self.count = count

    def __init__(
        self,
        *,
        bank_size: int,
        due_now: int,
        next_due: datetime | None = None,
        id: str | None = None,
    ):
        super().__init__(id=id)
        self.bank_size = bank_size
        self.due_now = due_now
        self.next_due = next_due

    def compose(self) -> ComposeResult:
        yield Static(self._title(), classes="quiz-menu-title", id="quiz-menu-title", markup=False)
        with RadioSet(id="quiz-mode"):
            for index, mode in enumerate(MODES):
                yield RadioButton(MODE_LABELS[mode], value=index == 0, id=f"quiz-mode-{mode}")
        with Horizontal(classes="quiz-menu-row"):
            yield Label("Section")
            options = [(f"{number}. {title}", number) for number, title in SECTION_TITLES.items()]
            yield TutorSelect(
                options, prompt="All sections", allow_blank=True, id="quiz-section", compact=True
            )
        with Horizontal(classes="quiz-menu-row"):
            yield Label("Questions")
            yield NumberInput(
                number_range=NumberRange(
                    Decimal(1), Decimal(max(self.bank_size, 1)), "questions", whole=True
                ),
                label="Questions",
                blank_allowed=True,
                placeholder=str(DEFAULT_COUNT["practice"]),
                id="quiz-count",
                compact=True,
            )
        yield Button("Start (enter)", id="quiz-start", variant="primary", compact=True)
        yield Static(
            "Tab moves between fields. Answers feed the review queue: missed questions come back first.",
            classes="quiz-menu-note",
            markup=False,
        )

    def _title(self) -> str:
        return f"Quiz · {self.bank_size} questions · {due_text(self.due_now, self.next_due)}"

    def set_due(self, due_now: int, next_due: datetime | None = None) -> None:
        self.due_now = due_now
        self.next_due = next_due
        self.query_one("#quiz-menu-title", Static).update(self._title())

    @property
    def mode(self) -> Mode:
        index = self.query_one("#quiz-mode", RadioSet).pressed_index
        return MODES[index] if index >= 0 else "practice"

    @on(RadioSet.Changed, "#quiz-mode")
    def _mode_changed(self, event: RadioSet.Changed) -> None:
        self.query_one("#quiz-count", NumberInput).placeholder = str(DEFAULT_COUNT[self.mode])

    @on(Input.Submitted, "#quiz-count")
    @on(Button.Pressed, "#quiz-start")
    def _start(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        section = self.query_one("#quiz-section", Select).value
        count_input = self.query_one("#quiz-count", NumberInput)
        if count_input.problem is not None:
            self.notify(f"Questions: {count_input.problem}", severity="warning")
            count_input.focus()
            return
        count = None if count_input.is_blank else count_input.read_whole()  # blank: the default
        self.post_message(
            self.StartRequested(self.mode, section if isinstance(section, int) else None, count)
        )
