"""The learn area: lesson list on the left, the lesson and its live panels on the right."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList

from serverless_tutor.tui.tutor_app import tutor_app
from serverless_tutor.tui.widgets.lesson_sidebar import LessonSidebar
from serverless_tutor.tui.widgets.lesson_view import LessonView

if TYPE_CHECKING:
    from serverless_tutor.tui.app import TutorApp


class LearnScreen(Screen):
    BINDINGS = [
        Binding("n", "next_lesson", "Next", id="next-lesson"),
        Binding("p", "previous_lesson", "Previous", id="previous-lesson"),
    ]

    def compose(self) -> ComposeResult:
        lessons = tutor_app(self.app).lessons
        yield Header()
        with Horizontal():
            yield LessonSidebar(lessons, set(tutor_app(self.app).progress.visited), id="sidebar")
            yield LessonView(len(lessons), id="lesson-view")
        yield Footer()

    async def on_mount(self) -> None:
        ids = [lesson.id for lesson in tutor_app(self.app).lessons]
        current = tutor_app(self.app).progress.current_lesson
        await self.open_lesson(current if current in ids else ids[0])
        self.query_one(LessonSidebar).focus()

    def on_tutor_app_first_screen_shown(self, _message: TutorApp.FirstScreenShown) -> None:
        self.query_one(LessonView).show_text_kept_back()

    def on_tutor_app_progress_changed(self, _message: TutorApp.ProgressChanged) -> None:
        sidebar = self.query_one(LessonSidebar)
        for lesson_id in tutor_app(self.app).progress.visited:
            sidebar.mark_visited(lesson_id)

    @property
    def current_lesson_id(self) -> str | None:
        lesson = self.query_one(LessonView).lesson
        return lesson.id if lesson else None

    async def open_lesson(self, lesson_id: str) -> None:
        lesson = next(lesson for lesson in tutor_app(self.app).lessons if lesson.id == lesson_id)
        await self.query_one(LessonView).show(lesson)
        sidebar = self.query_one(LessonSidebar)
        sidebar.show_lesson(lesson_id)
        sidebar.mark_visited(lesson_id)
        progress = tutor_app(self.app).progress
        if progress.current_lesson != lesson_id or lesson_id not in progress.visited:
            progress.visit(lesson_id)
            tutor_app(self.app).save_progress()

    async def on_option_list_option_selected(self, message: OptionList.OptionSelected) -> None:
        if message.option.id:
            await self.open_lesson(message.option.id)

    async def action_next_lesson(self) -> None:
        await self._step(+1)

    async def action_previous_lesson(self) -> None:
        await self._step(-1)

    async def _step(self, offset: int) -> None:
        ids = [lesson.id for lesson in tutor_app(self.app).lessons]
        index = ids.index(self.current_lesson_id) + offset if self.current_lesson_id in ids else 0
        if 0 <= index < len(ids):
            await self.open_lesson(ids[index])
        else:
            self.notify(
                "That was the last lesson." if offset > 0 else "This is the first lesson.",
                timeout=3,
            )
