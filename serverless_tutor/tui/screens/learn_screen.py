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

    def __init__(self) -> None:
        super().__init__()
        # True once the lesson open last is opened from the validated progress and lessons.
        self._started = False

    def compose(self) -> ComposeResult:
        # The first frame comes from the app's plain-JSON glance: no models needed yet.
        app = tutor_app(self.app)
        headings, glance = app.lesson_headings, app.progress_glance
        current = next((h for h in headings if h.id == glance.current_lesson), headings[0])
        yield Header()
        with Horizontal():
            yield LessonSidebar(headings, glance.visited, current=current.id, id="sidebar")
            yield LessonView(len(headings), first=current, id="lesson-view")
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one(LessonSidebar).focus()
        if tutor_app(self.app).first_screen_shown:
            await self._start()

    async def on_tutor_app_first_screen_shown(self, _message: TutorApp.FirstScreenShown) -> None:
        await self._start()
        self.query_one(LessonView).show_text_kept_back()

    async def on_screen_resume(self) -> None:
        # Back from help or another area opened in the first moments, when the message
        # above went to that screen instead.
        if tutor_app(self.app).models_loaded:
            await self._start()
            self.query_one(LessonView).show_text_kept_back()

    async def _start(self) -> None:
        """Open the lesson open last, from the validated progress (recording the visit)."""
        if self._started:
            return
        self._started = True
        app = tutor_app(self.app)
        lessons, progress = app.lessons, app.progress
        sidebar = self.query_one(LessonSidebar)
        sidebar.show_lessons([lesson.heading for lesson in lessons], progress.visited)
        ids = [lesson.id for lesson in lessons]
        lesson_id = progress.current_lesson if progress.current_lesson in ids else ids[0]
        # The first frame highlighted this lesson already, and the learner may have moved
        # the cursor since: it moves only if the validated progress names another lesson.
        moved = lesson_id != self.current_lesson_id or sidebar.highlighted is None
        await self.open_lesson(lesson_id, move_cursor=moved)

    def on_tutor_app_progress_changed(self, _message: TutorApp.ProgressChanged) -> None:
        sidebar = self.query_one(LessonSidebar)
        for lesson_id in tutor_app(self.app).progress.visited:
            sidebar.mark_visited(lesson_id)

    @property
    def current_lesson_id(self) -> str | None:
        heading = self.query_one(LessonView).heading
        return heading.id if heading else None

    async def open_lesson(self, lesson_id: str, move_cursor: bool = True) -> None:
        # A key pressed before the models were loaded: the lesson open last comes first.
        await self._start()
        lesson = next(lesson for lesson in tutor_app(self.app).lessons if lesson.id == lesson_id)
        await self.query_one(LessonView).show(lesson)
        sidebar = self.query_one(LessonSidebar)
        if move_cursor:
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
        await self._start()
        ids = [lesson.id for lesson in tutor_app(self.app).lessons]
        index = ids.index(self.current_lesson_id) + offset if self.current_lesson_id in ids else 0
        if 0 <= index < len(ids):
            await self.open_lesson(ids[index])
        else:
            self.notify(
                "That was the last lesson." if offset > 0 else "This is the first lesson.",
                timeout=3,
            )
