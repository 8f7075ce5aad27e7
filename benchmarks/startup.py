"""Time to first screen: serverless-tutor vs a bare Textual app, measured in the same run.

Each app runs headless in a fresh interpreter and exits on Textual's Ready event, which
is sent when the DOM is ready and the first frame has been displayed. For the tutor the
driver checks that the lesson list was in that frame (the lesson's text is laid out a
frame later, and its live panels after that, by design, so they are not part of the
first screen). We time the whole process (interpreter start included) and report
medians and ratios. Goal: the tutor within 1.5x of the bare app.

    python benchmarks/startup.py [--runs 9]
    python benchmarks/startup.py --tmux [--runs 9]

The --tmux mode measures what a person sees: each app starts in a real terminal
(a tmux pane of 120x40) and the clock stops when its first screen is on that
terminal (the tutor's lesson list down to lesson 12; the bare app's text), polled
with `tmux capture-pane` every 5 ms. Runs are interleaved; bytecode goes to a
temporary folder, never into the checkout.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXIT_AFTER_FIRST_SCREEN = """
def exit_on_ready(app_class, check=lambda app: None):
    import inspect, pathlib

    class FirstScreen(app_class):
        if app_class.CSS_PATH:  # keep the stylesheet path relative to the real app's file
            CSS_PATH = str(pathlib.Path(inspect.getfile(app_class)).with_name(app_class.CSS_PATH))

        def on_ready(self):
            check(self)
            self.exit()
    return FirstScreen
"""

BARE_APP = (
    EXIT_AFTER_FIRST_SCREEN
    + """
from textual.app import App
from textual.widgets import Footer, Header, Markdown

class Bare(App):
    def compose(self):
        yield Header()
        yield Markdown("# Hello\\n\\nA bare Textual app with a header, a Markdown pane and a footer.")
        yield Footer()

exit_on_ready(Bare)().run(headless=True, size=(120, 40))
"""
)

# A second, like-for-like baseline: a bare Textual app showing the same first lesson
# with Textual's own Markdown widget. It tells how much of the gap is "a long lesson
# with code blocks" rather than the tutor's own machinery.
BARE_APP_WITH_LESSON = (
    EXIT_AFTER_FIRST_SCREEN
    + """
from textual.app import App
from textual.widgets import Footer, Header, Markdown
from serverless_tutor.content.lessons import shipped_lessons

class BareWithLesson(App):
    def compose(self):
        yield Header()
        yield Markdown(shipped_lessons()[0].body)
        yield Footer()

exit_on_ready(BareWithLesson)().run(headless=True, size=(120, 40))
"""
)

TUTOR_APP = (
    EXIT_AFTER_FIRST_SCREEN
    + """
import serverless_tutor.cli  # the entry point's own imports count too
from serverless_tutor.tui.app import TutorApp

from serverless_tutor.tui.widgets.lesson_sidebar import LessonSidebar

def lesson_list_is_on_screen(app):
    sidebar = app.screen.query_one(LessonSidebar)
    assert sidebar.option_count == 12 and sidebar.region.height > 12, "no lesson list in the first frame"

exit_on_ready(TutorApp, lesson_list_is_on_screen)().run(headless=True, size=(120, 40))
"""
)


def time_once(source: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", source], check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


BARE_APP_IN_TERMINAL = """
from textual.app import App
from textual.widgets import Footer, Header, Markdown

class Bare(App):
    def compose(self):
        yield Header()
        yield Markdown("# Hello\\n\\nA bare Textual app with a header, a Markdown pane and a footer.")
        yield Footer()

Bare().run()
"""
BARE_READY = "a header, a Markdown pane and a footer"
TUTOR_READY = "12. Summary and Interview Tips"


def time_in_tmux(
    tmux: list[str], command: str, ready: str, env: dict[str, str], timeout_s: float = 30.0
) -> float:
    """Seconds from starting `command` in a fresh 120x40 tmux window until `ready` is on screen."""
    start = time.perf_counter()
    window = subprocess.run(
        [*tmux, "new-window", "-d", "-P", "-F", "#{window_id}", command],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout.strip()
    try:
        while time.perf_counter() - start < timeout_s:
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", window],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            if ready in screen:
                return time.perf_counter() - start
            time.sleep(0.005)
        raise TimeoutError(f"{ready!r} did not appear within {timeout_s} s")
    finally:
        subprocess.run([*tmux, "kill-window", "-t", window], check=False)


def main_tmux(runs: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        bare_script = Path(scratch) / "bare_app.py"
        bare_script.write_text(BARE_APP_IN_TERMINAL)
        env = {
            **os.environ,
            "SERVERLESS_TUTOR_HOME": str(Path(scratch) / "home"),
            "PYTHONPYCACHEPREFIX": str(Path(scratch) / "pycache"),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        python = sys.executable
        bare_command = f"{python} {bare_script}"
        tutor_command = f"{python} -m serverless_tutor"
        # A tmux server of our own, kept alive by an idle 120x40 session whose new windows
        # take its size: killing the last session of a server while the next one starts
        # fails with "server exited unexpectedly", and a private socket leaves anyone
        # else's tmux alone. (tmux 3.3a crashes on new-window under window-size manual.)
        tmux = ["tmux", "-L", f"startup-bench-{os.getpid()}"]
        subprocess.run(
            [*tmux, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", "sleep 3600"],
            check=True,
            env=env,
        )
        try:
            time_in_tmux(tmux, bare_command, BARE_READY, env)  # warm-ups: file cache, bytecode
            time_in_tmux(tmux, tutor_command, TUTOR_READY, env)
            bare, tutor = [], []
            for _ in range(runs):  # interleaved so machine load affects both alike
                bare.append(time_in_tmux(tmux, bare_command, BARE_READY, env))
                tutor.append(time_in_tmux(tmux, tutor_command, TUTOR_READY, env))
        finally:
            subprocess.run([*tmux, "kill-server"], check=False)
    bare_median, tutor_median = statistics.median(bare), statistics.median(tutor)
    print("scenario: launch in a 120x40 tmux pane until the first screen is on the terminal")
    print(f"bare Textual app (hello world)  median {bare_median * 1000:7.1f} ms  (runs: {runs})")
    print(f"serverless-tutor (lesson list)  median {tutor_median * 1000:7.1f} ms")
    print(
        f"ratio tutor / bare              {tutor_median / bare_median:.2f}x  (goal: at most 1.50x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--tmux", action="store_true", help="measure in a real terminal (tmux)")
    args = parser.parse_args()
    if args.tmux:
        main_tmux(args.runs)
        return
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "SERVERLESS_TUTOR_HOME": home}
        # An installed package has its bytecode compiled (pip does it); let the warm-up run
        # write it for a source checkout too, or every run would recompile our modules.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for source in (BARE_APP, BARE_APP_WITH_LESSON, TUTOR_APP):
            time_once(source, env)  # warm the OS file cache for all three
        bare, bare_lesson, tutor = [], [], []
        for _ in range(args.runs):  # interleaved so machine load affects all alike
            bare.append(time_once(BARE_APP, env))
            bare_lesson.append(time_once(BARE_APP_WITH_LESSON, env))
            tutor.append(time_once(TUTOR_APP, env))
    bare_median, lesson_median, tutor_median = (
        statistics.median(x) for x in (bare, bare_lesson, tutor)
    )
    print(
        f"bare Textual app (hello world)        median {bare_median * 1000:7.1f} ms  (runs: {args.runs})"
    )
    print(f"bare Textual app, lesson 1 (Markdown) median {lesson_median * 1000:7.1f} ms")
    print(f"serverless-tutor                      median {tutor_median * 1000:7.1f} ms")
    print(
        f"ratio tutor / bare hello world        {tutor_median / bare_median:.2f}x  (goal: at most 1.50x)"
    )
    print(f"ratio tutor / bare with lesson 1      {tutor_median / lesson_median:.2f}x")


if __name__ == "__main__":
    main()
