"""The reading pane: a lesson's prose, then the live panels it lists."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from serverless_tutor.content.lessons import Lesson
from serverless_tutor.tui.panels import panel_widget
from serverless_tutor.tui.widgets.lesson_prose import LessonProse


class LessonView(VerticalScroll):
    def __init__(self, lesson_count: int, **kwargs):
        super().__init__(**kwargs)
        self._lesson_count = lesson_count
        self.lesson: Lesson | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="lesson-heading")
        yield LessonProse(id="lesson-body")
        yield Vertical(id="lesson-panels")

    async def show(self, lesson: Lesson) -> None:
        self.lesson = lesson
        heading = f"[b]{lesson.number}. {lesson.title}[/b]\n[dim]Lesson {lesson.number} of {self._lesson_count} · about {lesson.minutes} min[/dim]"
        self.query_one("#lesson-heading", Static).update(heading)
        self.query_one(LessonProse).show_markdown(lesson.body)
        await self.query_one("#lesson-panels", Vertical).remove_children()
        self.scroll_home(animate=False)
        if lesson.panels:
            # The text first; panels (some import engines or start runtimes) a frame later.
            self.call_after_refresh(self._mount_panels, lesson)

    async def _mount_panels(self, lesson: Lesson) -> None:
        if self.lesson is not lesson:  # the learner has moved on already
            return
        panels = self.query_one("#lesson-panels", Vertical)
        await panels.mount_all([panel_widget(panel_id)() for panel_id in lesson.panels])
