"""The list of lessons; a check mark shows the ones already visited."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from serverless_tutor.content.lesson_cache import LessonHeading

VISITED_MARK = "✓"


class LessonSidebar(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="sidebar-down"),
        Binding("k", "cursor_up", "Up", show=False, id="sidebar-up"),
    ]

    def __init__(
        self,
        lessons: list[LessonHeading],
        visited: Iterable[str],
        current: str | None = None,
        **kwargs,
    ):
        self._lessons = lessons
        self._visited = set(visited)
        self._use_short_titles = False
        super().__init__(*[self._option(lesson) for lesson in lessons], **kwargs)
        if current is not None:
            # Highlighted from the start, so the first frame shows it (no watcher runs yet).
            self.set_reactive(LessonSidebar.highlighted, self.get_option_index(current))

    def _option(self, lesson: LessonHeading) -> Option:
        mark = VISITED_MARK if lesson.id in self._visited else " "
        title = (lesson.short_title or lesson.title) if self._use_short_titles else lesson.title
        return Option(f"{mark} {lesson.number:>2}. {title}", id=lesson.id)

    def on_resize(self) -> None:
        # Full titles when they fit on one line, short ones when the terminal is narrow.
        short = self.scrollable_content_region.width < max(
            len(f"  {lesson.number:>2}. {lesson.title}") for lesson in self._lessons
        )
        if short != self._use_short_titles:
            self._use_short_titles = short
            self._redraw_prompts()

    def _redraw_prompts(self) -> None:
        for index, lesson in enumerate(self._lessons):
            self.replace_option_prompt_at_index(index, self._option(lesson).prompt)

    def show_lessons(self, lessons: list[LessonHeading], visited: Iterable[str]) -> None:
        """Show exactly these lessons and marks (the validated ones, after the first frame)."""
        visited = set(visited)
        if lessons == self._lessons and visited == self._visited:
            return
        same_lessons = [lesson.id for lesson in lessons] == [lesson.id for lesson in self._lessons]
        self._lessons, self._visited = lessons, visited
        if same_lessons:
            self._redraw_prompts()
        else:
            self.set_options([self._option(lesson) for lesson in lessons])

    def mark_visited(self, lesson_id: str) -> None:
        if lesson_id in self._visited:
            return
        self._visited.add(lesson_id)
        index = self.get_option_index(lesson_id)
        self.replace_option_prompt_at_index(index, self._option(self._lessons[index]).prompt)

    def show_lesson(self, lesson_id: str) -> None:
        self.highlighted = self.get_option_index(lesson_id)
