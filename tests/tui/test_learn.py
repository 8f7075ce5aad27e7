"""Pilot tests: a learner reading through the chapter with the keyboard."""

from serverless_tutor.content.lessons import shipped_lessons
from serverless_tutor.progress import ProgressStore
from serverless_tutor.tui.app import TutorApp
from serverless_tutor.tui.screens.help_screen import HelpScreen
from serverless_tutor.tui.screens.learn_screen import LearnScreen
from serverless_tutor.tui.widgets.lesson_sidebar import LessonSidebar

LESSON_IDS = [lesson.id for lesson in shipped_lessons()]


def make_app(tmp_path) -> TutorApp:
    return TutorApp(store=ProgressStore(tmp_path / "home"))


async def test_next_walks_all_twelve_lessons_and_previous_walks_back(tmp_path):
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
        await pilot.pause()
        assert again.screen.current_lesson_id == LESSON_IDS[3]
        sidebar = again.query_one(LessonSidebar)
        prompts = [str(sidebar.get_option_at_index(i).prompt) for i in range(len(LESSON_IDS))]
        assert [p.startswith("✓") for p in prompts] == [True] * 4 + [False] * (len(LESSON_IDS) - 4)


async def test_help_lists_every_key_and_escape_closes_it(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-keys")
        keys = {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
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


async def test_paging_quickly_through_every_panel_lesson_does_not_crash(tmp_path):
    # Panels are mounted and removed as lessons change; callbacks they scheduled must not
    # fire into a removed panel.
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(len(LESSON_IDS) - 1):
            await pilot.press("n")
        for _ in range(len(LESSON_IDS) - 1):
            await pilot.press("p")
        await pilot.pause(0.3)
        assert app.screen.current_lesson_id == LESSON_IDS[0]
