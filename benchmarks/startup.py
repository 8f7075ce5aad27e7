"""Time to first screen: serverless-tutor vs a bare Textual app, measured in the same run.

Two modes, both interleaved (one run of each side per round, so machine load hits all
sides alike), both with bytecode in a temporary folder, never in the checkout:

    python benchmarks/startup.py --tmux [--runs 15] [--compare SOURCE_DIR]
    python benchmarks/startup.py [--runs 15] [--compare SOURCE_DIR]

--tmux measures what a person sees: each app starts in a real terminal (a tmux pane of
120x40) and the clock stops when its first screen is on that terminal (the tutor's
lesson list down to lesson 12 and lesson 1's heading; the bare app's text), polled
with `tmux capture-pane` every 5 ms. Wall time only: the tutor keeps working after its
first frame (models, then the lesson text), so its CPU time when the poll sees the
screen would count work done after it.

Without --tmux each app runs headless in a fresh interpreter and exits on Textual's
Ready event (the DOM is ready and the first frame has been displayed), without running
the app's own Ready handler (the tutor's post-first-frame work). For the tutor the
driver checks that the lesson list was in that frame. It reports wall time and CPU
time (user + system, from the kernel's accounting of the finished process): CPU time
moves far less with machine load than wall time does.

Baselines: a bare app with Header, Markdown and Footer (the figure's historical
baseline), and one with Header, Static and Footer (no Markdown stack). Each round gives
one ratio per baseline; the median and range of those ratios are printed.

--compare also times the tutor from another source tree in the same rounds (for example
`git archive HEAD~1 | tar -x -C /tmp/before`), with its own data folder (the lesson
cache is keyed by the code that wrote it), so a change is measured against what it
replaced under the same load. Every Python runs with -P, so the current folder never
shadows the tree being measured. Goal: the tutor within 1.5x of the bare app.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

EXIT_AFTER_FIRST_SCREEN = """
import sys

def exit_on_ready(app_class, check=lambda app: None):
    import inspect, pathlib

    class FirstScreen(app_class):
        if app_class.CSS_PATH:  # keep the stylesheet path relative to the real app's file
            CSS_PATH = str(pathlib.Path(inspect.getfile(app_class)).with_name(app_class.CSS_PATH))

        def on_ready(self, event):
            check(self)
            event.prevent_default()  # the app's own Ready handler is work after the first frame
            self.exit()
    return FirstScreen

PANE = sys.argv[1] if len(sys.argv) > 1 else "Markdown"
"""

BARE_APP = (
    EXIT_AFTER_FIRST_SCREEN
    + """
from textual.app import App
from textual.widgets import Footer, Header, Markdown, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield {"Markdown": Markdown, "Static": Static}[PANE](
            "# Hello\\n\\nA bare Textual app with a header, a text pane and a footer."
        )
        yield Footer()

exit_on_ready(Bare)().run(headless=True, size=(120, 40))
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

BARE_APP_IN_TERMINAL = """
import sys
from textual.app import App
from textual.widgets import Footer, Header, Markdown, Static

PANE = Static if sys.argv[1:] == ["Static"] else Markdown

class Bare(App):
    def compose(self):
        yield Header()
        yield PANE("# Hello\\n\\nA bare Textual app with a header, a text pane and a footer.")
        yield Footer()

Bare().run()
"""
BARE_READY = ("a header, a text pane and a footer",)
# The tutor's first screen: the lesson list down to its last lesson, and lesson 1's heading.
TUTOR_READY = ("12. Summary and Interview Tips", "Lesson 1 of 12")
TUTOR = "serverless-tutor"


@dataclass
class Side:
    """One app being timed: its label, argv, extra environment, and its first screen's text."""

    label: str
    argv: list[str]
    env: dict[str, str]
    ready: tuple[str, ...]


def sides(scratch: Path, tmux: bool, compare: Path | None) -> list[Side]:
    python = [sys.executable, "-P"]
    bare_script = scratch / "bare_app.py"
    bare_script.write_text(BARE_APP_IN_TERMINAL)

    def bare(pane: str) -> list[str]:
        return [*python, str(bare_script), pane] if tmux else [*python, "-c", BARE_APP, pane]

    tutor = [*python, "-m", "serverless_tutor"] if tmux else [*python, "-c", TUTOR_APP]
    found = [
        Side("bare (Header, Markdown, Footer)", bare("Markdown"), {}, BARE_READY),
        Side("bare (Header, Static, Footer)", bare("Static"), {}, BARE_READY),
        Side(TUTOR, tutor, {}, TUTOR_READY),
    ]
    if compare is not None:
        found.append(
            Side(
                f"{TUTOR} from {compare}",
                tutor,
                {
                    "PYTHONPATH": str(compare.resolve()),
                    "SERVERLESS_TUTOR_HOME": str(scratch / "home-compare"),
                },
                TUTOR_READY,
            )
        )
    return found


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_headless(side: Side, env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of the whole process, which exits at its first frame."""
    cpu_before = _children_cpu()
    start = time.perf_counter()
    subprocess.run(side.argv, check=True, env={**env, **side.env}, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, _children_cpu() - cpu_before


def time_in_tmux(
    tmux: list[str], side: Side, env: dict[str, str], timeout_s: float = 30.0
) -> float:
    """Seconds from starting the side in a fresh 120x40 tmux window until its text is on screen."""
    command = " ".join(["env", *(f"{key}={value}" for key, value in side.env.items()), *side.argv])
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
            if all(text in screen for text in side.ready):
                return time.perf_counter() - start
            time.sleep(0.005)
        raise TimeoutError(f"{side.ready!r} did not appear within {timeout_s} s")
    finally:
        subprocess.run([*tmux, "kill-window", "-t", window], check=False)


def _spread(values: list[float], unit: str = "ms") -> str:
    ordered = sorted(values)
    scale, digits = (1000, 0) if unit == "ms" else (1, 2)
    return (
        f"median {statistics.median(ordered) * scale:.{digits}f}{unit}"
        f"  range {ordered[0] * scale:.{digits}f}-{ordered[-1] * scale:.{digits}f}{unit}"
    )


def report(title: str, runs: int, load: tuple[float, float], measured: dict[str, dict]) -> None:
    print(title)
    print(
        f"runs: {runs} per side, interleaved; load average (1 min) {load[0]:.1f} before, "
        f"{load[1]:.1f} after; {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    for label, samples in measured.items():
        cpu = f";  CPU {_spread(samples['cpu'])}" if samples["cpu"] else ""
        print(f"{label:40} wall {_spread(samples['wall'])}{cpu}")
    ours = measured[TUTOR]
    for label, samples in measured.items():
        if label == TUTOR:
            continue
        # One ratio per round: the processes of a round ran under the same load.
        line = f"ratio {TUTOR} / {label}: wall per round " + _spread(
            [a / b for a, b in zip(ours["wall"], samples["wall"], strict=True)], "x"
        )
        if ours["cpu"] and samples["cpu"]:
            line += ";  CPU per round " + _spread(
                [a / b for a, b in zip(ours["cpu"], samples["cpu"], strict=True)], "x"
            )
        print(line)
    print("goal: the tutor within 1.50x of a bare Textual app")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--tmux", action="store_true", help="measure in a real terminal (tmux)")
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="SOURCE_DIR",
        help="also time the tutor from another source tree (e.g. an older commit)",
    )
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            "SERVERLESS_TUTOR_HOME": str(Path(scratch) / "home"),
            "PYTHONPYCACHEPREFIX": str(Path(scratch) / "pycache"),
        }
        # An installed package has its bytecode compiled (pip does it); let the warm-up run
        # write it for a source checkout too, or every run would recompile our modules.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        timed = sides(Path(scratch), args.tmux, args.compare)
        measured: dict[str, dict] = {side.label: {"wall": [], "cpu": []} for side in timed}
        if not args.tmux:
            for side in timed:  # warm-ups: file cache, bytecode, lesson cache
                time_headless(side, env)
            for _ in range(args.runs):
                for side in timed:
                    wall, cpu = time_headless(side, env)
                    measured[side.label]["wall"].append(wall)
                    measured[side.label]["cpu"].append(cpu)
            title = "scenario: headless, whole process until the first frame (Textual's Ready)"
        else:
            # A tmux server of our own, kept alive by an idle 120x40 session whose new
            # windows take its size: killing the last session of a server while the next
            # one starts fails with "server exited unexpectedly", and a private socket
            # leaves anyone else's tmux alone. (tmux 3.3a crashes on new-window under
            # window-size manual.)
            tmux = ["tmux", "-L", f"startup-bench-{os.getpid()}"]
            idle_session = ["new-session", "-d", "-x", "120", "-y", "40", "sleep 3600"]
            subprocess.run([*tmux, "-f", "/dev/null", *idle_session], check=True, env=env)
            try:
                for side in timed:
                    time_in_tmux(tmux, side, env)
                for _ in range(args.runs):
                    for side in timed:
                        measured[side.label]["wall"].append(time_in_tmux(tmux, side, env))
            finally:
                subprocess.run([*tmux, "kill-server"], check=False)
            title = (
                "scenario: launch in a 120x40 tmux pane until the first screen is on the terminal"
            )
    report(title, args.runs, (load_before, os.getloadavg()[0]), measured)


if __name__ == "__main__":
    main()
