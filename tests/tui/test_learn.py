"""Pilot tests: a learner reading through the chapter with the keyboard."""

import inspect
import io
import json
from pathlib import Path

from rich.console import Console
from textual.widgets import Footer

from serverless_tutor.content.lessons import shipped_lessons
from serverless_tutor.progress import ProgressStore
from serverless_tutor.tui.app import LESSON_CACHE_FILE, TutorApp
from serverless_tutor.tui.screens.help_screen import HelpScreen
from serverless_tutor.tui.screens.learn_screen import LearnScreen
from serverless_tutor.tui.widgets.lesson_prose import LessonProse
from serverless_tutor.tui.widgets.lesson_sidebar import LessonSidebar
from serverless_tutor.tui.widgets.lesson_view import LessonView

LESSON_IDS = [lesson.id for lesson in shipped_lessons()]


def make_app(tmp_path) -> TutorApp:
    return TutorApp(store=ProgressStore(tmp_path / "home"))


async def lesson_shown_in_full(pilot, app: TutorApp) -> None:
    """Wait (bounded, no timing asserted) until the open lesson's text and panels are mounted."""
    view = app.screen.query_one(LessonView)
    for _ in range(200):
        if view.lesson is not None and view.shown_in_full is view.lesson:
            return
        await pilot.pause(0.05)
    raise AssertionError(f"lesson {view.lesson and view.lesson.id} was never shown in full")


async def test_next_walks_all_twelve_lessons_and_previous_walks_back(tmp_path):
    # Paging quickly also mounts and removes every lesson's panel: callbacks a removed
    # panel scheduled must not fire into it (the pause at the end gives them time to).
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LearnScreen)
        seen = [screen.current_lesson_id]
        for _ in range(len(LESSON_IDS) - 1):
            await pilot.press("n")
            seen.append(screen.current_lesson_id)
        assert seen == LESSON_IDS
        await pilot.press("n")
        assert screen.current_lesson_id == LESSON_IDS[-1]
        await pilot.press("p", "p")
        await pilot.pause(0.3)
        assert screen.current_lesson_id == LESSON_IDS[-3]
    assert set(app.progress.visited) == set(LESSON_IDS)


async def test_sidebar_keys_open_a_lesson(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.focused, LessonSidebar)
        await pilot.press("j", "j", "down", "enter")
        assert app.screen.current_lesson_id == LESSON_IDS[3]
        await pilot.press("k", "up", "enter")
        assert app.screen.current_lesson_id == LESSON_IDS[1]


async def test_resumes_where_the_learner_left_off_with_visited_marks(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test() as pilot:
        await pilot.press("n", "n", "n")
    again = make_app(tmp_path)
    async with again.run_test() as pilot:
        await lesson_shown_in_full(pilot, again)
        assert again.screen.current_lesson_id == LESSON_IDS[3]
        sidebar = again.query_one(LessonSidebar)
        prompts = [str(sidebar.get_option_at_index(i).prompt) for i in range(len(LESSON_IDS))]
        assert [p.startswith("✓") for p in prompts] == [True] * 4 + [False] * (len(LESSON_IDS) - 4)


async def test_help_lists_every_key_and_escape_closes_it(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = {key for key, _description, _where in app.screen.rows()}
        for expected in ("n", "p", "?", "escape", "ctrl+q", "ctrl+p", "enter", "t"):
            assert any(expected in key for key in keys), (expected, keys)
        await pilot.press("escape")
        assert isinstance(app.screen, LearnScreen)


async def test_command_palette_finds_a_lesson_by_name(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"cold starts")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.current_lesson_id == "cold-starts"


async def test_theme_toggle_is_remembered(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test() as pilot:
        await pilot.press("t")
        assert app.theme == "textual-light"
    again = make_app(tmp_path)
    async with again.run_test():
        assert again.theme == "textual-light"


async def test_corrupt_progress_starts_fresh_with_a_notice(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "progress.json").write_text("{broken")
    app = make_app(tmp_path)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.screen.current_lesson_id == LESSON_IDS[0]
        assert any("kept it as" in n.message for n in app._notifications)
    assert len(list(home.glob("progress.json.corrupt-*"))) == 1


async def test_ctrl_q_quits(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test() as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


class FirstScreenRecorder(TutorApp):
    """Records what the first frame held, at Textual's Ready event."""

    CSS_PATH = str(Path(inspect.getfile(TutorApp)).with_name(TutorApp.CSS_PATH))

    def on_ready(self) -> None:
        sidebar = self.screen.query_one(LessonSidebar)
        self.first_frame = {
            "lessons listed": sidebar.option_count,
            "text": self.screen.query_one(LessonProse)._markdown,
        }
        super().on_ready()


async def test_first_screen_lists_the_lessons_and_the_text_follows(tmp_path):
    app = FirstScreenRecorder(store=ProgressStore(tmp_path / "home"))
    async with app.run_test(size=(120, 40)) as pilot:
        await lesson_shown_in_full(pilot, app)
        assert app.first_frame == {"lessons listed": len(LESSON_IDS), "text": ""}
        prose = app.screen.query_one(LessonProse)
        assert prose._markdown == shipped_lessons()[0].body
        assert prose.region.height > 10


async def test_lessons_are_cached_in_the_data_folder_and_reused(tmp_path):
    home = tmp_path / "home"
    app = TutorApp(store=ProgressStore(home))
    async with app.run_test() as pilot:
        await lesson_shown_in_full(pilot, app)
    cache = home / LESSON_CACHE_FILE
    files = json.loads(cache.read_text(encoding="utf-8"))["files"]
    assert len(files) == len(LESSON_IDS)
    written = cache.stat().st_mtime_ns

    again = TutorApp(store=ProgressStore(home))
    assert again.lessons == shipped_lessons()
    assert cache.stat().st_mtime_ns == written  # read, not rewritten


async def test_footer_fits_80_columns_without_cutting_a_label(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        for area in ("learn", "quiz"):
            await app.switch_mode(area)
            await pilot.pause()
            footer = app.screen.query_one(Footer)
            palette = footer.query_one("FooterKey.-command-palette")
            keys = [key for key in footer.query("FooterKey") if key is not palette]
            shown = {key.description for key in keys}
            # The area the learner is in has no key in the footer (it would go nowhere).
            assert {"Help", "Exercises"} <= shown and area.title() not in shown
            for key in keys:
                assert key.region.right <= palette.region.x, (area, key.description)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert ("t", "theme", "everywhere") in app.screen.rows()  # off the footer, still listed


async def test_help_keeps_every_scope_readable_at_80_columns(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        # Lesson 5's panel has long key descriptions: a table sized to its text cut "where".
        await app.screen.open_lesson(LESSON_IDS[4])
        await lesson_shown_in_full(pilot, app)
        await pilot.press("question_mark")
        keys = app.screen.query_one("#help-keys")
        width = keys.content_region.width
        assert keys.virtual_size.width <= width  # no column runs past the box
        console = Console(width=width, record=True, file=io.StringIO())
        console.print(keys.content)
        words = console.export_text().split()
        for _key, _description, where in app.screen.rows():
            assert all(word in words for word in where.split()), where
