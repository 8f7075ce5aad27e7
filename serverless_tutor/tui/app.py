"""The Textual app: top-level areas are MODES; the learn mode is the chapter reader."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen

from serverless_tutor.content.lesson_cache import LessonHeading, cached_headings
from serverless_tutor.paths import data_home, lessons_dir
from serverless_tutor.progress_file import ProgressGlance, glance_at_progress
from serverless_tutor.tui.lesson_commands import LessonCommands
from serverless_tutor.tui.screens.learn_screen import LearnScreen

if TYPE_CHECKING:
    # The models import pydantic: the app imports them after its first frame.
    from serverless_tutor.content.lessons import Lesson
    from serverless_tutor.progress import Progress, ProgressStore


def _quiz_screen() -> Screen:
    # Areas other than the reader are imported when first opened, to keep start-up fast.
    from serverless_tutor.tui.screens.quiz_screen import QuizScreen

    return QuizScreen()


def _exercises_screen() -> Screen:
    from serverless_tutor.tui.screens.exercises_screen import ExercisesScreen

    return ExercisesScreen()


def _instructor_screen() -> Screen:
    from serverless_tutor.tui.screens.instructor_screen import InstructorScreen

    return InstructorScreen()


DARK_THEME = "textual-dark"
# How often the app looks for progress saved by `check`, `hint` or `quiz` in another shell.
OUTSIDE_PROGRESS_POLL_S = 2.0
LIGHT_THEME = "textual-light"
# Validated lessons, keyed by their files' hashes, in the learner's data folder.
LESSON_CACHE_FILE = "cache/lessons.json"


class TutorApp(App):
    TITLE = "serverless-tutor"
    SUB_TITLE = "Serverless Architecture"
    CSS_PATH = "app.tcss"
    MODES = {
        "learn": LearnScreen,
        "quiz": _quiz_screen,
        "exercises": _exercises_screen,
        "instructor": _instructor_screen,
    }
    DEFAULT_MODE = "learn"
    COMMANDS = App.COMMANDS | {LessonCommands}
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        # Off the footer (still in `?`), so the footer fits 80 columns without cutting a label.
        Binding("t", "toggle_theme", "Theme", show=False, id="toggle-theme"),
        Binding("l", "switch_mode('learn')", "Learn", id="learn-mode"),
        Binding("q", "switch_mode('quiz')", "Quiz", id="quiz-mode"),
        Binding("e", "switch_mode('exercises')", "Exercises", id="exercises-mode"),
        # Not in the footer (learners do not need it); `?` lists it.
        Binding("g", "switch_mode('instructor')", "Instructor", show=False, id="instructor-mode"),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
    ]

    class ProgressChanged(Message):
        """Another writer's progress was merged into the app's: screens redraw their marks."""

    class FirstScreenShown(Message):
        """The first frame is on the terminal and the models are loaded: what was kept back
        (recording the visit, the lesson's text) can be done now."""

    def __init__(
        self,
        store: ProgressStore | None = None,
        lessons: list[Lesson] | None = None,
        *,
        grades_folder: str | None = None,
    ):
        # `serverless-tutor --grades DIR`: start in the instructor area with DIR open.
        # Textual's App.__init__ reads DEFAULT_MODE to make the first screen, so this one
        # app's value is set before it runs.
        self.grades_folder = grades_folder
        if grades_folder is not None:
            self.DEFAULT_MODE = "instructor"  # type: ignore[misc]  # per app, see above
        super().__init__()
        # The first frame (lesson list with marks, the open lesson's heading) is drawn from
        # plain JSON: the lesson cache and a glance at the progress file. The validated
        # models (pydantic) are loaded on first use, which is right after that frame.
        self._store = store
        self._lessons = lessons
        self._progress: Progress | None = None
        self._startup_notice: str | None = None
        self.data_folder = store.folder if store is not None else data_home()
        self.progress_glance: ProgressGlance = glance_at_progress(self.data_folder)
        self.lesson_headings: list[LessonHeading] = self._first_screen_headings()
        self._theme_by_default = self.theme
        if self.progress_glance.theme in (DARK_THEME, LIGHT_THEME):
            self.theme = self.progress_glance.theme
        # False until Textual's Ready event: the lesson text is laid out after the first
        # frame (lesson list and heading), so the app comes up without waiting for it.
        self.first_screen_shown = False

    def _first_screen_headings(self) -> list[LessonHeading]:
        if self._lessons is None:
            cached = cached_headings(lessons_dir(), self.data_folder / LESSON_CACHE_FILE)
            if cached:
                return cached
        # Lessons given, no cache yet, or a lesson file changed: the validated lessons' own.
        return [lesson.heading for lesson in self.lessons]

    @property
    def store(self) -> ProgressStore:
        if self._store is None:
            from serverless_tutor.progress import ProgressStore

            self._store = ProgressStore(self.data_folder)
        return self._store

    @property
    def lessons(self) -> list[Lesson]:
        """The validated lessons (read through the cache in the data folder)."""
        if self._lessons is None:
            from serverless_tutor.content.lessons import shipped_lessons

            self._lessons = shipped_lessons(cache_file=self.data_folder / LESSON_CACHE_FILE)
        return self._lessons

    @property
    def progress(self) -> Progress:
        """The learner's progress, validated; an unreadable file is moved aside (and noted)."""
        if self._progress is None:
            loaded = self.store.load()
            self._progress = loaded.progress
            self._startup_notice = loaded.notice
        return self._progress

    @property
    def models_loaded(self) -> bool:
        """Have the lessons and the progress been validated (pydantic imported)?"""
        return self._lessons is not None and self._progress is not None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The key of the area the learner is in leaves the footer (and does nothing: it
        # would switch to where they already are), so the footer fits 80 columns.
        return not (action == "switch_mode" and parameters == (self.current_mode,))

    def on_ready(self) -> None:
        self.first_screen_shown = True
        # The models load once the frames already due (Textual's own) are drawn too.
        self.call_after_refresh(self._load_after_first_frame)

    def _load_after_first_frame(self) -> None:
        progress, _lessons = self.progress, self.lessons
        wanted_theme = progress.theme if progress.theme in (DARK_THEME, LIGHT_THEME) else None
        if (wanted_theme or self._theme_by_default) != self.theme:  # the glance was wrong
            self.theme = wanted_theme or self._theme_by_default
        if self._startup_notice:
            self.notify(self._startup_notice, title="Progress", severity="warning", timeout=10)
            self._startup_notice = None
        self.screen.post_message(self.FirstScreenShown())

    def on_mount(self) -> None:
        self.set_interval(OUTSIDE_PROGRESS_POLL_S, self.pick_up_outside_progress)

    def on_app_focus(self, _event: events.AppFocus) -> None:
        self.pick_up_outside_progress()

    def pick_up_outside_progress(self) -> None:
        """Merge in what `check` or `quiz` saved from another shell, and show it."""
        if not self.first_screen_shown:
            return  # the progress is read from disk right after the first frame anyway
        try:
            changed = self.store.pull(self.progress)
        except OSError:
            return  # the next save reports a folder that cannot be written
        if changed:
            self.screen.post_message(self.ProgressChanged())

    def save_progress(self) -> None:
        try:
            self.store.save(self.progress)
        except OSError as exc:
            self.notify(f"Could not save progress to {self.store.path}: {exc}", severity="error")

    def action_help(self) -> None:
        # Imported when first asked for: it brings the panel frame and its text widgets.
        from serverless_tutor.tui.screens.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME
        self.progress.theme = self.theme
        self.save_progress()

    async def open_lesson(self, lesson_id: str) -> None:
        """Switch to the learn area and open a lesson (used by the command palette)."""
        await self.switch_mode("learn")
        screen = self.screen
        if isinstance(screen, LearnScreen):
            await screen.open_lesson(lesson_id)
