"""Command palette provider: find a lesson by its title or key terms."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from serverless_tutor.tui.tutor_app import tutor_app


class LessonCommands(Provider):
    def _entries(self) -> list[tuple[str, str, str]]:
        return [
            (f"Lesson {lesson.number}: {lesson.title}", lesson.id, lesson.summary)
            for lesson in tutor_app(self.app).lessons
        ]

    async def discover(self) -> Hits:
        for title, lesson_id, summary in self._entries():
            yield DiscoveryHit(
                title, partial(tutor_app(self.app).open_lesson, lesson_id), help=summary
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, lesson_id, summary in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(tutor_app(self.app).open_lesson, lesson_id),
                    help=summary,
                )
