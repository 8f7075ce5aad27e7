"""`serverless-tutor serve` driven in a real headless Chromium, as a student would use it.

The page draws the terminal on a canvas, so the test watches what the app does:
the session's own progress file (one data directory per browser session) records
the lesson on screen, and a key press in the page moves it to the next lesson.
A screenshot of each step is kept in the test's temporary folder.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium for the browser test (.ci/run)")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout_s: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def current_lesson(sessions: Path) -> str | None:
    for progress in sessions.glob("session-*/progress.json"):
        try:
            return json.loads(progress.read_text()).get("current_lesson")
        except (OSError, ValueError):
            return None
    return None


@pytest.fixture
def server(tmp_path: Path):
    port = free_port()
    sessions = tmp_path / "sessions"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "serverless_tutor",
            "serve",
            "--port",
            str(port),
            "--sessions",
            str(sessions),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "SERVERLESS_TUTOR_HOME": str(tmp_path / "home")},
    )

    def listening() -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    try:
        wait_for(listening, what="serve to listen")
        yield f"http://127.0.0.1:{port}/", sessions
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_student_opens_the_app_and_moves_to_the_next_lesson(server, tmp_path: Path):
    url, sessions = server
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(url)
            first = wait_for(lambda: current_lesson(sessions), what="the first lesson")
            # A blank canvas is a ~5 KB PNG; the drawn lesson list and text are several times that.
            wait_for(
                lambda: len(page.screenshot(path=str(tmp_path / "first-screen.png"))) > 20_000,
                what="the first screen to be drawn",
            )
            page.locator(".xterm-helper-textarea").focus()  # the terminal's keyboard input
            page.keyboard.press("n")
            second = wait_for(
                lambda: (lesson := current_lesson(sessions)) != first and lesson,
                what="the next lesson",
            )
            page.screenshot(path=str(tmp_path / "next-lesson.png"))
        finally:
            browser.close()
    assert (first, second) == ("introduction", "faas")
    assert len(list(sessions.glob("session-*"))) == 1  # this browser's own data directory
