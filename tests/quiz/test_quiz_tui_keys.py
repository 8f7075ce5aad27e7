"""Quiz keys at 80x24 and 120x40: no single key records a self-score after Done, Escape asks
before ending an interview, the menu says when the next review is due.

Split from test_quiz_tui.py (whose hosts and helpers these use) so the two files run on
separate workers.
"""

import pytest
from textual.widgets import Static

from serverless_tutor.quiz.scheduler import ReviewScheduler
from serverless_tutor.tui.widgets.quiz_feedback import QuizFeedback
from serverless_tutor.tui.widgets.quiz_question_view import QuizQuestionView
from serverless_tutor.tui.widgets.quiz_summary_view import QuizSummaryView
from tests.quiz.test_quiz_tui import T0, QuizHost, answer_with_keys, start_from_menu, text_of

SIZES = [(80, 24), (120, 40)]
sizes = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


@sizes
async def test_after_done_no_single_key_records_a_self_score(tmp_path, size):
    app = QuizHost(tmp_path / "home")
    async with app.run_test(size=size) as pilot:
        screen = app.quiz_screen
        await start_from_menu(pilot, mode_downs=2, count="1")
        view = screen.query_one(QuizQuestionView)
        await pilot.press(*"Providers", "tab", "enter")  # Done
        assert view.revealed
        answer = view.query_one("#quiz-open-text")
        assert app.focused is answer  # not the rubric
        await pilot.press("space", "enter", "space")
        assert view.query_one("#quiz-rubric").picked == []
        assert answer.text == "Providers" and not screen.query(QuizFeedback)
        await pilot.press("ctrl+s")  # nothing ticked: asks first
        await pilot.pause()
        assert not screen.query(QuizFeedback)
        assert "ctrl+s again to record 0%" in text_of(view.query_one("#quiz-error", Static))
        await pilot.press("ctrl+s")
        await pilot.pause()
        verdict = screen.query_one(QuizFeedback).query_one(".quiz-verdict", Static)
        assert text_of(verdict) == "Self-score 0%: below the pass mark"


@sizes
async def test_escape_asks_before_ending_an_interview(tmp_path, size):
    from serverless_tutor.tui.widgets.quiz_end_interview_dialog import QuizEndInterviewDialog

    app = QuizHost(tmp_path / "home")
    async with app.run_test(size=size) as pilot:
        screen = app.quiz_screen
        await start_from_menu(pilot, mode_downs=2, count="2")
        await pilot.press(*"Providers", "tab", "enter", "tab", "space", "ctrl+s")
        await pilot.pause()
        await pilot.press("enter")  # the next question
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QuizEndInterviewDialog)
        await pilot.press("escape")  # keep going
        await pilot.pause()
        assert app.screen is screen and screen.query(QuizQuestionView)
        assert screen.session is not None and screen.session.position == 2
        await pilot.press("escape", "y")
        await pilot.pause()
        summary = screen.query_one(QuizSummaryView)
        assert (summary.summary.answered, summary.summary.asked) == (1, 2)


@sizes
async def test_the_menu_says_when_the_next_review_is_due(tmp_path, size):
    from serverless_tutor.tui.widgets.quiz_menu import QuizMenu, due_text

    app = QuizHost(tmp_path / "home", seed=2)
    async with app.run_test(size=size) as pilot:
        screen = app.quiz_screen
        title = screen.query_one("#quiz-menu-title", Static)
        assert text_of(title).endswith("nothing to review yet")
        await start_from_menu(pilot, mode_downs=0, count="1")
        await answer_with_keys(pilot, screen.query_one(QuizQuestionView))
        await pilot.press("enter")  # the summary
        await pilot.pause()
        await pilot.press("escape")  # the menu
        await pilot.pause()
        next_due = ReviewScheduler(app.progress.quiz).next_due()
        assert next_due is not None and next_due > T0
        menu = screen.query_one(QuizMenu)
        expected = f"Quiz · {menu.bank_size} questions · {due_text(0, next_due)}"
        assert text_of(screen.query_one("#quiz-menu-title", Static)) == expected
        assert "next review at" in expected
