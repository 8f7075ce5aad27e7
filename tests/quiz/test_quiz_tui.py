"""Pilot tests for the Quiz area: every answer widget by keyboard, and the three modes at 80x24.

The keys checked at both 80x24 and 120x40 are in test_quiz_tui_keys.py (a file of its own
so the two run on separate workers)."""

from datetime import UTC, datetime, timedelta

import pytest
from textual.app import App
from textual.widgets import DataTable, Static

from serverless_tutor.progress import ProgressStore
from serverless_tutor.quiz.answers import OpenAnswer
from serverless_tutor.quiz.bank import shipped_bank
from serverless_tutor.quiz.instances import instantiate
from serverless_tutor.quiz.scheduler import ReviewScheduler
from serverless_tutor.quiz.scoring import Grade, grade
from serverless_tutor.tui.screens.quiz_screen import QuizScreen
from serverless_tutor.tui.widgets.number_input import NumberInput
from serverless_tutor.tui.widgets.quiz_feedback import QuizFeedback
from serverless_tutor.tui.widgets.quiz_ordering_input import QuizOrderingInput
from serverless_tutor.tui.widgets.quiz_question_view import QuizQuestionView
from serverless_tutor.tui.widgets.quiz_summary_view import QuizSummaryView
from serverless_tutor.tui.widgets.quiz_timer import QuizTimer

SIZE = (80, 24)
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class ManualClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class QuestionHost(App):
    """Shows one question view and records what it submits."""

    def __init__(self, instance):
        super().__init__()
        self.instance = instance
        self.answers = []
        self.finished = 0

    def compose(self):
        yield QuizQuestionView(self.instance, "1/1 · test", id="quiz-question")

    def on_mount(self):
        self.query_one(QuizQuestionView).first_input().focus()

    def on_quiz_question_view_submitted(self, message):
        self.answers.append(message.answer)

    def on_quiz_question_view_answer_finished(self, message):
        self.finished += 1


class QuizHost(App):
    """The Quiz screen alone, with a real progress store (as TutorApp provides it)."""

    TITLE = "serverless-tutor"

    def __init__(self, home, *, seed=7, clock=None, now=lambda: T0):
        super().__init__()
        self.store = ProgressStore(home)
        self.progress = self.store.load().progress
        self.quiz_screen = QuizScreen(seed=seed, clock=clock or ManualClock(), now=now)

    def on_mount(self):
        self.push_screen(self.quiz_screen)

    def save_progress(self):
        self.store.save(self.progress)


def text_of(widget: Static) -> str:
    return str(widget.content)


async def answer_with_keys(pilot, view: QuizQuestionView):
    """Give the full-marks answer to the view's question using only the keyboard."""
    question = view.question
    kind = question.type
    if kind == "single":
        await pilot.press(*["down"] * question.correct[0], "space", "ctrl+s")
    elif kind == "multiple":
        position = 0
        for index in question.correct:
            await pilot.press(*["down"] * (index - position), "space")
            position = index
        await pilot.press("ctrl+s")
    elif kind in {"numeric", "cost"}:
        await pilot.press(*f"{question.answer:.4f}", "enter")
    elif kind == "ordering":
        order_input = view.query_one(QuizOrderingInput)
        for target, wanted in enumerate(question.correct):
            current = order_input.order.index(wanted)
            highlighted = order_input.highlighted
            step = "down" if current > highlighted else "up"
            await pilot.press(*[step] * abs(current - highlighted))
            await pilot.press(*["K"] * (current - target))
        await pilot.press("ctrl+s")
    elif kind == "scenario":
        await pilot.press(*["down"] * (0 if question.fit else 1), "space", "tab")
        await pilot.press(*["down"] * question.correct[0], "space", "ctrl+s")
    else:
        await pilot.press(*"Answer.", "tab", "enter", "tab")  # Done, then tab to the rubric
        for _ in question.rubric:
            await pilot.press("space", "down")
        await pilot.press("ctrl+s")
    await pilot.pause()


ONE_OF_EACH = [
    "intro-what-serverless",
    "intro-characteristics",
    "intro-max-timeout",
    "cost-monthly-total",
    "cold-start-steps",
    "when-video-encoding",
    "interview-pricing",
]


@pytest.mark.parametrize("question_id", ONE_OF_EACH)
async def test_each_question_type_can_be_answered_by_keyboard(question_id):
    instance = instantiate(shipped_bank().get(question_id), seed=5)
    app = QuestionHost(instance)
    async with app.run_test(size=SIZE) as pilot:
        await answer_with_keys(pilot, app.query_one(QuizQuestionView))
        assert len(app.answers) == 1, app.query_one("#quiz-error", Static).content
        result = grade(instance, app.answers[0])
        assert (result.correct, result.score) == (True, 1.0), result
        if instance.type == "open":
            assert app.finished == 1
            assert app.answers[0] == OpenAnswer(
                text="Answer.", ticked=list(range(len(instance.rubric)))
            )


async def test_submitting_nothing_says_what_is_missing():
    instance = instantiate(shipped_bank().get("intro-what-serverless"), seed=5)
    app = QuestionHost(instance)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        assert app.answers == []
        assert "Choose one option" in text_of(app.query_one("#quiz-error", Static))


async def test_an_open_answer_needs_text_before_the_model_answer_shows():
    instance = instantiate(shipped_bank().get("interview-cold-starts"), seed=5)
    app = QuestionHost(instance)
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(QuizQuestionView)
        await pilot.press("tab", "enter")
        assert not view.revealed and "Type an answer first" in text_of(
            app.query_one("#quiz-error", Static)
        )
        await pilot.press("shift+tab", *"Cold", "ctrl+s")
        assert view.revealed and app.answers == []
        assert view.query_one("#quiz-model-answer").display


async def start_from_menu(pilot, mode_downs: int, count: str):
    """Menu by keyboard: pick the mode (0 practice, 1 review, 2 interview), keep all sections, type the count, enter."""
    await pilot.press(*["down"] * mode_downs, "space", "tab", "tab", *count, "enter")
    await pilot.pause()


async def test_a_count_out_of_range_is_refused_with_the_reason_and_a_good_one_starts(tmp_path):
    app = QuizHost(tmp_path / "home")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.quiz_screen
        bank_size = len(screen.bank.questions)
        await start_from_menu(pilot, mode_downs=0, count="0")
        count = screen.query_one("#quiz-count", NumberInput)
        reason = f"must be 1 to {bank_size:,} questions"
        assert screen.session is None and count.problem == reason and count.has_class("-invalid")
        assert app.focused is count
        await pilot.press("backspace", "3", "enter")
        await pilot.pause()
        assert screen.session is not None and screen.session.total == 3


async def test_practice_mode_by_section_saves_each_answer(tmp_path):
    home = tmp_path / "home"
    app = QuizHost(home, seed=21)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.quiz_screen
        # Section 7 from the drop-down: enter opens it, 7 downs past "All sections", enter picks.
        await pilot.press("tab", "enter", *["down"] * 7, "enter", "tab", "3", "enter")
        await pilot.pause()
        session = screen.session
        assert session is not None and (session.mode, session.section, session.total) == (
            "practice",
            7,
            3,
        )
        for number in range(1, 4):
            view = screen.query_one(QuizQuestionView)
            assert f"{number}/3" in view.heading
            await answer_with_keys(pilot, view)
            feedback = screen.query_one(QuizFeedback)
            verdict = text_of(feedback.query_one(".quiz-verdict", Static))
            assert verdict == "Right." or verdict.startswith("Self-score 100%")
            assert (
                text_of(feedback.query_one(".quiz-lesson", Static))
                == "Lesson: implementation-examples"
            )
            assert len(ProgressStore(home).load().progress.quiz.cards) == number
            await pilot.press("enter")
            await pilot.pause()
        summary = screen.query_one(QuizSummaryView)
        assert text_of(summary.query_one("#quiz-score", Static)).startswith(
            "Practice done: 3 of 3 (100%)"
        )
        assert "none: well done" in text_of(summary.query_one("#quiz-revisit", Static))
        await pilot.press("escape")
        assert screen.query_one("#quiz-menu")


async def test_review_mode_brings_the_missed_card_first(tmp_path):
    home = tmp_path / "home"
    store = ProgressStore(home)
    progress = store.load().progress
    scheduler = ReviewScheduler(progress.quiz)
    before = T0 - timedelta(days=1)
    scheduler.record(
        "cost-levers",
        Grade(
            question_id="cost-levers",
            correct=True,
            score=1,
            given="",
            expected="",
            explanation="",
            lesson="cost-optimization",
        ),
        before,
    )
    scheduler.record(
        "cold-start-steps",
        Grade(
            question_id="cold-start-steps",
            correct=False,
            score=0,
            given="",
            expected="",
            explanation="",
            lesson="cold-starts",
        ),
        before,
    )
    store.save(progress)
    app = QuizHost(home)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.quiz_screen
        assert "2 due for review now" in text_of(screen.query_one("#quiz-menu-title", Static))
        await start_from_menu(pilot, mode_downs=1, count="")
        session = screen.session
        assert session.mode == "review"
        assert [q.id for q in session.instances] == ["cold-start-steps", "cost-levers"]
        view = screen.query_one(QuizQuestionView)
        assert view.question.id == "cold-start-steps"
        await answer_with_keys(pilot, view)
        card = ProgressStore(home).load().progress.quiz.cards["cold-start-steps"]
        assert (card.reviews, card.last_rating) == (2, 3)


async def test_review_with_nothing_due_stays_on_the_menu_and_says_why(tmp_path):
    app = QuizHost(tmp_path / "home")
    async with app.run_test(size=SIZE) as pilot:
        await start_from_menu(pilot, mode_downs=1, count="")
        assert app.quiz_screen.session is None
        assert any("Nothing to review yet" in str(n.message) for n in app._notifications)


async def test_mock_interview_with_timer_summary_and_markdown(tmp_path):
    home = tmp_path / "home"
    clock = ManualClock()
    app = QuizHost(home, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.quiz_screen
        await start_from_menu(pilot, mode_downs=2, count="2")
        session = screen.session
        assert (session.mode, session.total) == ("interview", 2)
        timer = screen.query_one(QuizTimer)
        assert timer.running and timer.text == "⏱ 0:00 / 3:00"
        assert timer.region.height == 1 and timer.region.y < 24  # visible on screen
        clock.now += 65
        timer.tick()
        assert timer.text == "⏱ 1:05 / 3:00"
        view = screen.query_one(QuizQuestionView)
        assert view.question.prompt == "What is serverless architecture?"
        await pilot.press(*"Providers", "tab", "enter")
        assert view.revealed and not timer.running
        clock.now += 40  # ticking the rubric is not answer time
        await pilot.press("tab", "space", "down", "space", "ctrl+s")
        await pilot.pause()
        feedback = screen.query_one(QuizFeedback)
        assert (
            text_of(feedback.query_one(".quiz-verdict", Static))
            == "Self-score 40%: below the pass mark"
        )
        await pilot.press("enter")
        await pilot.pause()
        assert (
            screen.query_one(QuizQuestionView).question.prompt
            == "Explain cold starts and how to mitigate them."
        )
        assert screen.query_one(QuizTimer).text == "⏱ 0:00 / 4:00"
        clock.now += 200
        await pilot.press(*"Init", "tab", "enter", "tab")
        for _ in range(6):
            await pilot.press("space", "down")
        await pilot.press("ctrl+s", "enter")
        await pilot.pause()
        summary = screen.query_one(QuizSummaryView)
        assert text_of(summary.query_one("#quiz-score", Static)).startswith(
            "Mock interview done: 1.4 of 2 (70%)"
        )
        table = summary.query_one(DataTable)
        rows = {
            str(table.get_row_at(i)[0]): str(table.get_row_at(i)[2]) for i in range(table.row_count)
        }
        assert rows == {"Serverless basics": "40%", "Cold starts": "100%"}
        assert (
            text_of(summary.query_one("#quiz-weakest", Static))
            == "Weakest sections: none under the pass mark"
        )
        assert (
            text_of(summary.query_one("#quiz-revisit", Static))
            == "Lessons to revisit: introduction"
        )
        await pilot.press("enter")  # "Save answers to Markdown" has focus
        await pilot.pause()
        [saved] = (home / "interviews").glob("interview-*.md")
        text = saved.read_text(encoding="utf-8")
        assert "> Providers" in text and "> Init" in text
        assert "1:05 of 3:00 suggested" in text and "3:20 of 4:00 suggested" in text
        assert str(saved) in ProgressStore(home).load().progress.quiz.interviews
        assert text_of(summary.query_one("#quiz-saved", Static)) == f"Saved to {saved}"


async def test_escape_mid_session_shows_the_summary_of_what_was_answered(tmp_path):
    app = QuizHost(tmp_path / "home", seed=2)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.quiz_screen
        await start_from_menu(pilot, mode_downs=0, count="5")
        await answer_with_keys(pilot, screen.query_one(QuizQuestionView))
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        summary = screen.query_one(QuizSummaryView)
        assert summary.summary.answered == 1 and summary.summary.asked == 5


async def test_the_app_switches_to_the_quiz_with_q_and_back_with_escape(tmp_path):
    from serverless_tutor.tui.app import TutorApp
    from serverless_tutor.tui.screens.learn_screen import LearnScreen

    app = TutorApp(store=ProgressStore(tmp_path / "home"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        assert app.screen.query_one("#quiz-menu")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LearnScreen)


def test_quiz_menu_snapshot(snap_compare, tmp_path):
    assert snap_compare(QuizHost(tmp_path / "home"), terminal_size=SIZE)


def test_mock_interview_question_snapshot(snap_compare, tmp_path):
    async def start_interview(pilot):
        await start_from_menu(pilot, mode_downs=2, count="2")

    assert snap_compare(QuizHost(tmp_path / "home"), terminal_size=SIZE, run_before=start_interview)


def test_practice_question_with_feedback_snapshot(snap_compare, tmp_path):
    async def answer_first(pilot):
        await start_from_menu(pilot, mode_downs=0, count="4")
        await answer_with_keys(pilot, pilot.app.quiz_screen.query_one(QuizQuestionView))

    assert snap_compare(
        QuizHost(tmp_path / "home", seed=4), terminal_size=SIZE, run_before=answer_first
    )
