"""The app and `check` in another shell share progress: neither erases the other's results."""

import asyncio
import subprocess
import sys

from serverless_tutor.content.lessons import shipped_lessons
from serverless_tutor.paths import exercises_dir
from serverless_tutor.progress import ProgressStore
from serverless_tutor.tui.app import TutorApp
from serverless_tutor.tui.screens.learn_screen import LearnScreen

LESSON_IDS = [lesson.id for lesson in shipped_lessons()]


async def test_a_check_from_another_shell_shows_up_and_survives_the_apps_next_save(tmp_path):
    home = tmp_path / "home"
    app = TutorApp(store=ProgressStore(home))
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, LearnScreen)
        # Another shell grades an exercise while the app holds its progress in memory.
        solution = exercises_dir() / "hello-handler" / "solution" / "handler.py"
        done = await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-m",
                "serverless_tutor",
                "check",
                "hello-handler",
                "--file",
                str(solution),
            ],
            env={
                "SERVERLESS_TUTOR_HOME": str(home),
                "PATH": "/usr/bin:/bin",
                "SERVERLESS_TUTOR_GRADER": "off",  # no background grader left after the test
            },
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        # The app notices (it polls the file, and looks again when the terminal gets focus).
        for _ in range(200):
            if "hello-handler" in app.progress.exercises:
                break
            await pilot.pause(0.05)
        assert app.progress.exercises["hello-handler"].status == "passed"
        await pilot.press("n")  # the app saves: visiting the next lesson
        assert app.screen.current_lesson_id == LESSON_IDS[1]
    on_disk = ProgressStore(home).load().progress
    assert on_disk.exercises["hello-handler"].status == "passed"
    assert on_disk.exercises["hello-handler"].checks == 1
    assert on_disk.current_lesson == LESSON_IDS[1]
    assert set(on_disk.visited) == {LESSON_IDS[0], LESSON_IDS[1]}
