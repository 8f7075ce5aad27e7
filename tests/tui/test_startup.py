"""The first screen is drawn from plain JSON; pydantic and the Markdown stack come after it."""

import inspect
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from serverless_tutor.content.lesson_cache import cached_headings
from serverless_tutor.content.lessons import load_lessons_cached, shipped_lessons
from serverless_tutor.paths import lessons_dir
from serverless_tutor.progress import ProgressStore
from serverless_tutor.progress_file import glance_at_progress
from serverless_tutor.tui.app import LESSON_CACHE_FILE, TutorApp
from serverless_tutor.tui.screens.help_screen import HelpScreen
from serverless_tutor.tui.screens.learn_screen import LearnScreen
from serverless_tutor.tui.widgets.lesson_sidebar import LessonSidebar
from serverless_tutor.tui.widgets.lesson_view import LessonView

LESSONS = shipped_lessons()
# Imported only after the first frame; re-adding one to the start-up path fails the test.
KEPT_OUT_OF_THE_FIRST_FRAME = ["pydantic", "yaml", "markdown_it", "pygments"]

# Starts the app the way `serverless-tutor` does (the CLI module first), headless, and at
# Textual's Ready event (the first frame is displayed) prints what was imported and drawn.
FIRST_FRAME_PROBE = (
    f"KEPT_OUT = {KEPT_OUT_OF_THE_FIRST_FRAME!r}\n"
    + """
import inspect, json, pathlib, sys
import serverless_tutor.cli
from serverless_tutor.tui.app import TutorApp
from serverless_tutor.tui.widgets.lesson_sidebar import LessonSidebar

class Probe(TutorApp):
    CSS_PATH = str(pathlib.Path(inspect.getfile(TutorApp)).with_name(TutorApp.CSS_PATH))

    def on_ready(self):  # runs before TutorApp.on_ready, which loads the models
        sidebar = self.screen.query_one(LessonSidebar)
        print(json.dumps({
            "imported": sorted(m for m in KEPT_OUT if m in sys.modules),
            "lessons": [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)],
            "highlighted": sidebar.highlighted,
            "heading": str(self.screen.query_one("#lesson-heading").render()),
        }))
        self.exit()

Probe().run(headless=True, size=(120, 40))
"""
)


def first_frame(home: Path) -> dict:
    env = {**os.environ, "SERVERLESS_TUTOR_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME_PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_first_frame_comes_without_pydantic_and_shows_the_saved_progress(tmp_path):
    home = tmp_path / "home"
    first_run = first_frame(home)  # no lesson cache yet: lessons are validated before the frame
    assert "pydantic" in first_run["imported"]
    assert (home / LESSON_CACHE_FILE).exists()
    home.joinpath("progress.json").write_text(
        json.dumps({"current_lesson": LESSONS[2].id, "visited": [LESSONS[0].id, LESSONS[2].id]})
    )

    frame = first_frame(home)

    assert frame["imported"] == []
    marks = [prompt[0] for prompt in frame["lessons"]]
    assert marks == ["✓", " ", "✓"] + [" "] * (len(LESSONS) - 3)
    assert frame["lessons"][2] == f"✓  3. {LESSONS[2].title}"
    assert frame["highlighted"] == 2
    assert frame["heading"].startswith(f"3. {LESSONS[2].title}")


async def test_progress_the_models_refuse_is_kept_aside_after_the_first_frame(tmp_path):
    # Valid JSON, so the first frame shows its marks; the validated load after it refuses the
    # file: it is moved aside with a notice and the list shows fresh progress.
    home = tmp_path / "home"
    home.mkdir()
    (home / "progress.json").write_text(
        json.dumps(
            {
                "current_lesson": LESSONS[2].id,
                "visited": [lesson.id for lesson in LESSONS[:3]],
                "exercises": {"hello-handler": {"status": "sort of"}},
            }
        )
    )
    app = TutorApp(store=ProgressStore(home))
    assert app.progress_glance == glance_at_progress(home)
    assert app.progress_glance.visited == {lesson.id for lesson in LESSONS[:3]}
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, LearnScreen)
        view = screen.query_one(LessonView)
        for _ in range(200):
            if view.shown_in_full is not None:
                break
            await pilot.pause(0.05)
        assert view.shown_in_full == LESSONS[0]
        sidebar = screen.query_one(LessonSidebar)
        marks = [str(sidebar.get_option_at_index(i).prompt)[0] for i in range(len(LESSONS))]
        assert marks == ["✓"] + [" "] * (len(LESSONS) - 1)
        assert any("kept it as" in n.message for n in app._notifications)
    assert len(list(home.glob("progress.json.corrupt-*"))) == 1
    assert app.progress.visited == [LESSONS[0].id]


def test_cached_headings_match_the_validated_lessons_until_a_file_changes(tmp_path):
    folder = tmp_path / "lessons"
    shutil.copytree(lessons_dir(), folder)
    cache = tmp_path / "cache" / "lessons.json"
    assert cached_headings(folder, cache) is None  # no cache yet

    validated = load_lessons_cached(folder, cache)
    assert cached_headings(folder, cache) == [lesson.heading for lesson in validated]

    changed = folder / Path(validated[4].source).name
    changed.write_text(changed.read_text(encoding="utf-8") + "\nOne more line.\n")
    assert cached_headings(folder, cache) is None


class HelpFirst(TutorApp):
    """Opens help at the first frame, as a learner pressing ? at once would."""

    CSS_PATH = str(Path(inspect.getfile(TutorApp)).with_name(TutorApp.CSS_PATH))

    def on_ready(self) -> None:  # runs before TutorApp.on_ready, which schedules the models
        self.push_screen(HelpScreen())


async def test_help_opened_before_the_models_load_does_not_keep_the_lesson_text_back(tmp_path):
    app = HelpFirst(store=ProgressStore(tmp_path / "home"))
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):
            if app.models_loaded:
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, LearnScreen)
        view = app.screen.query_one(LessonView)
        for _ in range(100):
            if view.shown_in_full is not None:
                break
            await pilot.pause(0.05)
        assert view.shown_in_full == LESSONS[0]
        assert app.progress.visited == [LESSONS[0].id]
