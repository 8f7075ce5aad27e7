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
with `tmux capture-pane` every 5 ms. Two bare apps: Header, Markdown and Footer (the
figure's historical baseline), and Header, Static and Footer (no Markdown stack).
Runs are interleaved; each round gives one ratio per baseline, and the median and
range of those ratios are printed. Beside the wall time, the CPU time (user + system)
each process had used when its first screen appeared, read from /proc: it moves far
less with machine load. Bytecode goes to a temporary folder, never into the checkout.

    python benchmarks/startup.py --tmux --runs 15 --compare /tmp/before

--compare also times the tutor from another source tree in the same rounds (for
example `git archive HEAD~1 | tar -x -C /tmp/before`), so a change is measured against
what it replaced under the same load.
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
import sys
from textual.app import App
from textual.widgets import Footer, Header, Markdown, Static

PANE = Static if sys.argv[1:] == ["static"] else Markdown

class Bare(App):
    def compose(self):
        yield Header()
        yield PANE("# Hello\\n\\nA bare Textual app with a header, a text pane and a footer.")
        yield Footer()

Bare().run()
"""
BARE_READY = "a header, a text pane and a footer"
TUTOR_READY = "12. Summary and Interview Tips"


def _process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system, all threads, waited-for children) of a running process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name in parentheses: state is field 3, utime 14 ... cstime 17.
    fields = stat[stat.rindex(")") + 2 :].split()
    ticks = sum(int(field) for field in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def time_in_tmux(
    tmux: list[str], command: str, ready: str, env: dict[str, str], timeout_s: float = 30.0
) -> tuple[float, float | None]:
    """(wall, CPU) seconds from starting `command` in a fresh 120x40 tmux window until `ready`
    is on screen; the CPU time is the process's own, read from /proc at that moment."""
    start = time.perf_counter()
    window, pid = subprocess.run(
        # exec: the pane's process is the app itself, so its pid is the one to read.
        [*tmux, "new-window", "-d", "-P", "-F", "#{window_id} #{pane_pid}", f"exec {command}"],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout.split()
    try:
        while time.perf_counter() - start < timeout_s:
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", window],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            if ready in screen:
                return time.perf_counter() - start, _process_cpu(int(pid))
            time.sleep(0.005)
        raise TimeoutError(f"{ready!r} did not appear within {timeout_s} s")
    finally:
        subprocess.run([*tmux, "kill-window", "-t", window], check=False)


def _spread(values: list[float], unit: str = "ms") -> str:
    ordered = sorted(values)
    scale = 1000 if unit == "ms" else 1
    digits = 0 if unit == "ms" else 2
    return (
        f"median {statistics.median(ordered) * scale:.{digits}f}{unit}"
        f"  range {ordered[0] * scale:.{digits}f}-{ordered[-1] * scale:.{digits}f}{unit}"
    )


def main_tmux(runs: int, compare: Path | None) -> None:
    load_before = os.getloadavg()
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
        # Each side: label, command, what on the terminal says its first screen is up.
        sides = [
            ("bare (Header, Markdown, Footer)", f"{python} {bare_script}", BARE_READY),
            ("bare (Header, Static, Footer)", f"{python} {bare_script} static", BARE_READY),
            ("serverless-tutor", f"{python} -m serverless_tutor", TUTOR_READY),
        ]
        if compare is not None:
            # The tutor from another source tree (say, a `git archive` of an older commit),
            # in the same run, so a change is measured against what it replaced. Its own data
            # folder: the lesson cache is keyed by the code that wrote it.
            compare_home = Path(scratch) / "home-compare"
            sides.append(
                (
                    f"serverless-tutor from {compare}",
                    f"env PYTHONPATH={compare} SERVERLESS_TUTOR_HOME={compare_home}"
                    f" {python} -m serverless_tutor",
                    TUTOR_READY,
                )
            )
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
        wall: dict[str, list[float]] = {label: [] for label, _, _ in sides}
        cpu: dict[str, list[float]] = {label: [] for label, _, _ in sides}
        try:
            for _label, command, ready in sides:  # warm-ups: file cache, bytecode, lesson cache
                time_in_tmux(tmux, command, ready, env)
            for _ in range(runs):  # interleaved so machine load affects all sides alike
                for label, command, ready in sides:
                    seconds, cpu_seconds = time_in_tmux(tmux, command, ready, env)
                    wall[label].append(seconds)
                    if cpu_seconds is not None:
                        cpu[label].append(cpu_seconds)
        finally:
            subprocess.run([*tmux, "kill-server"], check=False)
    load_after = os.getloadavg()
    print("scenario: launch in a 120x40 tmux pane until the first screen is on the terminal")
    print(
        f"runs: {runs} per side, interleaved; load average (1 min) {load_before[0]:.1f} "
        f"before, {load_after[0]:.1f} after; {os.cpu_count()} CPUs"
    )
    for label, _, _ in sides:
        cpu_part = f";  CPU to first screen {_spread(cpu[label])}" if cpu[label] else ""
        print(f"{label:40} wall {_spread(wall[label])}{cpu_part}")
    tutor = "serverless-tutor"
    for label, _, _ in sides:
        if label == tutor:
            continue
        # One ratio per round: the two processes of a round ran under the same load.
        ratios = [ours / theirs for ours, theirs in zip(wall[tutor], wall[label], strict=True)]
        line = f"ratio tutor / {label}: wall, per round {_spread(ratios, 'x')}"
        if len(cpu[tutor]) == len(cpu[label]) == runs:
            cpu_ratios = [o / t for o, t in zip(cpu[tutor], cpu[label], strict=True)]
            line += f";  CPU, per round {_spread(cpu_ratios, 'x')}"
        print(line)
    print("goal: the tutor within 1.50x of a bare Textual app")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--tmux", action="store_true", help="measure in a real terminal (tmux)")
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="SOURCE_DIR",
        help="with --tmux, also time the tutor from another source tree (e.g. an older commit)",
    )
    args = parser.parse_args()
    if args.tmux:
        main_tmux(args.runs, args.compare)
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
