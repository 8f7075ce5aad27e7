"""The reading pane: a lesson's prose, then the live panels it lists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from serverless_tutor.content.lesson_cache import LessonHeading
from serverless_tutor.tui.panels import panel_widget
from serverless_tutor.tui.tutor_app import tutor_app
from serverless_tutor.tui.widgets.lesson_prose import LessonProse

if TYPE_CHECKING:
    from serverless_tutor.content.lessons import Lesson


class LessonView(VerticalScroll):
    def __init__(self, lesson_count: int, first: LessonHeading | None = None, **kwargs):
        """`first`: the lesson whose heading the first frame shows, before its model is loaded."""
        super().__init__(**kwargs)
        self._lesson_count = lesson_count
        self.lesson: Lesson | None = None
        # The lesson whose heading is shown.
        self.heading: LessonHeading | None = first
        self._text_kept_back = False
        # The lesson whose text and panels are all mounted (tests wait for it).
        self.shown_in_full: Lesson | None = None

    def compose(self) -> ComposeResult:
        # Composed with its text, the heading is laid out in the first frame.
        yield Static(self._heading_text(), id="lesson-heading")
        yield LessonProse(id="lesson-body")
        yield Vertical(id="lesson-panels")

    def _heading_text(self) -> str:
        heading = self.heading
        if heading is None:
            return ""
        return f"[b]{heading.number}. {heading.title}[/b]\n[dim]Lesson {heading.number} of {self._lesson_count} · about {heading.minutes} min[/dim]"

    async def show(self, lesson: Lesson) -> None:
        self.lesson = lesson
        self.shown_in_full = None
        self.heading = lesson.heading
        self.query_one("#lesson-heading", Static).update(self._heading_text())
        await self.query_one("#lesson-panels", Vertical).remove_children()
        self.scroll_home(animate=False)
        # Laying out the text (Markdown, highlighted code) is the slowest part of the
        # first screen: at start-up it waits until the lesson list is on the terminal.
        self._text_kept_back = not tutor_app(self.app).first_screen_shown
        if not self._text_kept_back:
            self._show_text(lesson)

    def show_text_kept_back(self) -> None:
        """The first screen is on the terminal: the text follows a frame later."""
        if self._text_kept_back and self.lesson is not None:
            self._text_kept_back = False
            self.call_after_refresh(self._show_text, self.lesson)

    def _show_text(self, lesson: Lesson) -> None:
        # The learner may have moved on already, or quit (not attached once the app exits).
        if self.lesson is not lesson or not self.is_attached:
            return
        self.query_one(LessonProse).show_markdown(lesson.body)
        if lesson.panels:
            # The text first; panels (some import engines or start runtimes) a frame later.
            self.call_after_refresh(self._mount_panels, lesson)
        else:
            self.shown_in_full = lesson

    async def _mount_panels(self, lesson: Lesson) -> None:
        if self.lesson is not lesson or not self.is_attached:
            return
        panels = self.query_one("#lesson-panels", Vertical)
        await panels.mount_all([panel_widget(panel_id)() for panel_id in lesson.panels])
        if self.lesson is lesson:
            self.shown_in_full = lesson
