"""The Quiz area: practice by section, the spaced-repetition review queue, and a timed mock interview.

The screen drives a QuizSession (serverless_tutor.quiz.session): it shows the menu,
then one question at a time with feedback after each answer, then the summary.
Progress (the review cards) lives in `app.progress.quiz` and is saved through
`app.save_progress()` after every answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from serverless_tutor.problems import ContentError
from serverless_tutor.quiz.bank import Bank, shipped_bank
from serverless_tutor.quiz.models import SECTION_TITLES
from serverless_tutor.quiz.scheduler import ReviewScheduler, utc_now
from serverless_tutor.quiz.session import QuizSession
from serverless_tutor.tui.tutor_app import tutor_app
from serverless_tutor.tui.widgets.quiz_feedback import QuizFeedback
from serverless_tutor.tui.widgets.quiz_menu import QuizMenu
from serverless_tutor.tui.widgets.quiz_question_view import QuizQuestionView
from serverless_tutor.tui.widgets.quiz_summary_view import QuizSummaryView
from serverless_tutor.tui.widgets.quiz_timer import QuizTimer

MODE_TITLES = {"practice": "Practice", "review": "Review", "interview": "Mock interview"}


class QuizScreen(Screen):
    DEFAULT_CSS = """
    QuizScreen #quiz-status-bar {
        height: 1;
        background: $panel;
    }
    QuizScreen #quiz-status {
        width: 1fr;
        padding: 0 1;
    }
    QuizScreen #quiz-body {
        height: 1fr;
    }
    """

    BINDINGS = [Binding("escape", "back", "Back", id="quiz-back")]

    def __init__(
        self,
        *,
        seed: int | None = None,
        bank: Bank | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utc_now,
    ):
        super().__init__()
        self.seed = seed
        self.bank = bank
        self._clock = clock
        self._now = now
        self.session: QuizSession | None = None
        self.saved_path: Path | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="quiz-status-bar"):
            yield Static("Quiz", id="quiz-status", markup=False)
            yield QuizTimer(id="quiz-timer")
        yield VerticalScroll(id="quiz-body", can_focus=False)
        yield Footer()

    async def on_mount(self) -> None:
        if self.bank is None:
            try:
                self.bank = shipped_bank()
            except ContentError as exc:
                await self._body().mount(
                    Static(f"The question bank is invalid:\n{exc}", markup=False)
                )
                return
        await self.show_menu()

    def on_screen_resume(self) -> None:
        self._timer().resume_refresh()
        menus = self.query(QuizMenu)
        if menus:
            menus.first().set_due(self._due_now(), self._next_due())

    def on_screen_suspend(self) -> None:
        self._timer().pause_refresh()

    # --- the three views -------------------------------------------------

    def _body(self) -> VerticalScroll:
        return self.query_one("#quiz-body", VerticalScroll)

    def _status(self, text: str) -> None:
        self.query_one("#quiz-status", Static).update(text)

    def _timer(self) -> QuizTimer:
        return self.query_one("#quiz-timer", QuizTimer)

    def _due_now(self) -> int:
        return len(ReviewScheduler(tutor_app(self.app).progress.quiz).due(self._now()))

    def _next_due(self) -> datetime | None:
        return ReviewScheduler(tutor_app(self.app).progress.quiz).next_due()

    async def show_menu(self) -> None:
        assert self.bank is not None
        self.session = None
        self._timer().clear()
        self._status("Quiz: choose a mode")
        body = self._body()
        await body.remove_children()
        menu = QuizMenu(
            bank_size=len(self.bank.questions),
            due_now=self._due_now(),
            next_due=self._next_due(),
            id="quiz-menu",
        )
        await body.mount(menu)
        menu.query_one("#quiz-mode").focus()

    async def show_question(self) -> None:
        session = self.session
        assert session is not None and session.current is not None
        question = session.current
        heading = f"{session.position}/{session.total} · {question.section}. {SECTION_TITLES[question.section]}"
        body = self._body()
        await body.remove_children()
        view = QuizQuestionView(question, heading, id="quiz-question")
        await body.mount(view)
        body.scroll_home(animate=False)
        view.first_input().focus()
        session.begin_question()
        if session.mode == "interview":
            self._timer().start(session.elapsed, (question.minutes or 0) * 60 or None)
        else:
            self._timer().clear()
        self._update_status()

    async def show_summary(self) -> None:
        session = self.session
        assert session is not None
        self._timer().clear()
        body = self._body()
        await body.remove_children()
        await body.mount(QuizSummaryView(session.summary(), id="quiz-summary"))
        body.scroll_home(animate=False)
        self._status(f"{MODE_TITLES[session.mode]}: summary")

    def _update_status(self) -> None:
        session = self.session
        if session is None:
            return
        scope = f"section {session.section}" if session.section else "all sections"
        score = sum(r.grade.score for r in session.records)
        self._status(
            f"{MODE_TITLES[session.mode]} · {scope} · question {min(session.position, session.total)} of {session.total}"
            f" · score {score:g}/{len(session.records)}"
        )

    # --- messages from the widgets ---------------------------------------

    async def on_quiz_menu_start_requested(self, message: QuizMenu.StartRequested) -> None:
        assert self.bank is not None
        session = QuizSession(
            self.bank,
            tutor_app(self.app).progress.quiz,
            mode=message.mode,
            section=message.section,
            count=message.count,
            seed=self.seed,
            now=self._now,
            clock=self._clock,
        )
        if session.total == 0:
            self.notify(self._empty_reason(session), title="Quiz", timeout=6)
            return
        self.session = session
        self.saved_path = None
        await self.show_question()

    def _empty_reason(self, session: QuizSession) -> str:
        if session.mode == "review":
            next_due = session.scheduler.next_due()
            if next_due is None:
                return "Nothing to review yet: answer some practice questions first."
            return f"Nothing is due for review now; the next card is due at {next_due.astimezone():%H:%M}."
        return "No questions of that kind in this section."

    def on_quiz_question_view_answer_finished(
        self, message: QuizQuestionView.AnswerFinished
    ) -> None:
        if self.session is not None:
            self.session.stop_clock()
            self._timer().stop()

    async def on_quiz_question_view_submitted(self, message: QuizQuestionView.Submitted) -> None:
        session = self.session
        if session is None or session.current is None:
            return
        grade = session.submit(message.answer)
        tutor_app(self.app).save_progress()
        self._timer().stop()
        self._update_status()
        last = session.position >= session.total
        await self._body().mount(
            QuizFeedback(session.current, grade, last=last, id="quiz-feedback")
        )

    async def on_quiz_feedback_next_requested(self, message: QuizFeedback.NextRequested) -> None:
        session = self.session
        if session is None:
            return
        session.advance()
        if session.finished:
            await self.show_summary()
        else:
            await self.show_question()

    def on_quiz_summary_view_save_requested(self, message: QuizSummaryView.SaveRequested) -> None:
        from serverless_tutor.paths import data_home
        from serverless_tutor.quiz.export import default_markdown_path, save_session_markdown

        session = self.session
        if session is None:
            return
        store = getattr(self.app, "store", None)
        home = store.folder if store is not None else data_home()
        try:
            path = save_session_markdown(session, default_markdown_path(session, home))
        except OSError as exc:
            self.notify(f"Could not save the answers: {exc}", severity="error")
            return
        self.saved_path = path
        tutor_app(self.app).progress.quiz.interviews.append(str(path))
        tutor_app(self.app).save_progress()
        self.query_one(QuizSummaryView).show_saved(str(path))

    async def on_quiz_summary_view_back_requested(
        self, message: QuizSummaryView.BackRequested
    ) -> None:
        await self.show_menu()

    async def action_back(self) -> None:
        """Escape: end a session early (to its summary; an interview asks first), leave a summary for the menu, leave the menu for the lessons."""
        session = self.session
        if session is not None and not session.finished and not self.query(QuizSummaryView):
            if session.mode == "interview":
                from serverless_tutor.tui.widgets.quiz_end_interview_dialog import (
                    QuizEndInterviewDialog,
                )

                async def answered(end: bool | None) -> None:
                    if end and self.session is session:
                        await self._end_session(session)

                self.app.push_screen(QuizEndInterviewDialog(), answered)
                return
            await self._end_session(session)
            return
        if self.query(QuizSummaryView):
            await self.show_menu()
            return
        if "learn" in self.app.MODES:
            await self.app.switch_mode("learn")

    async def _end_session(self, session: QuizSession) -> None:
        if session.records:
            await self.show_summary()
        else:
            await self.show_menu()
