"""The exercise verbs: `exercises`, `check`, `watch`, `hint`, `reset`, `solution`.

    serverless-tutor exercises [--json]
    serverless-tutor check ID [--file PATH] [--json]     exit 0 pass, 1 fail or error, 2 usage
    serverless-tutor check ID --batch DIR [--json]       grade a folder of submissions (exit 0 if all pass)
    serverless-tutor check ID --exercise-folder DIR      an instructor's own exercise (DIR holds ID/exercise.yaml,
                                                         or is that exercise's folder)
    serverless-tutor watch ID [--file PATH]              re-check on save; Enter or r re-runs, q quits
    serverless-tutor hint ID [--json]
    serverless-tutor reset ID
    serverless-tutor solution ID [--give-up]

Every verb takes --workspace DIR (default: <data home>/workspace). A data folder that
cannot be written (read-only, full) is one line on stderr and exit 1 (for `check`, the
exit code stays the verdict); a `hint` or `solution` is still shown first.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from serverless_tutor.cli.fault_option import fault_plan_option
from serverless_tutor.cli.learner_data import (
    EXIT_NOT_RECORDED,
    data_folder_error,
    load_progress,
    save_progress,
)
from serverless_tutor.cli.output import console, print_json, usage_error
from serverless_tutor.content.exercises import (
    Exercise,
    shipped_exercise,
    shipped_exercises,
)
from serverless_tutor.problems import ContentError
from serverless_tutor.progress import ProgressStore

if TYPE_CHECKING:
    from serverless_tutor.grading.runner import Grader

EXIT_PASS, EXIT_FAIL = 0, 1


def register(subparsers: argparse._SubParsersAction) -> None:
    listing = subparsers.add_parser("exercises", help="list the graded exercises and your status")
    listing.add_argument(
        "--json",
        action="store_true",
        help="print an array of objects (id, title, section, status, ...)",
    )
    _workspace_option(listing)
    listing.set_defaults(handler=list_exercises)
    actions = listing.add_subparsers(dest="exercises_action", metavar="ACTION")
    show = actions.add_parser(
        "show", help="print an exercise's task and where your handler file is"
    )
    show.add_argument("exercise", help="exercise id")
    _workspace_option(show)
    show.set_defaults(handler=show_exercise)

    check = subparsers.add_parser(
        "check",
        help="grade your handler for an exercise (exit 0 pass, 1 fail or error)",
        description="Grade your handler for an exercise: exit 0 pass, 1 fail or error, 2 usage. "
        "The first check of a session starts a grader in the background that makes the "
        "next ones quick (see `serverless-tutor grader --help`; SERVERLESS_TUTOR_GRADER=off "
        "turns it off).",
    )
    check.add_argument("exercise", help="exercise id (see `serverless-tutor exercises`)")
    source = check.add_mutually_exclusive_group()
    source.add_argument("--file", type=Path, help="grade this file instead of your workspace copy")
    source.add_argument(
        "--batch",
        type=Path,
        metavar="DIR",
        help="grade every *.py and */handler.py in DIR (a class's submissions); progress is not recorded",
    )
    check.add_argument(
        "--json",
        action="store_true",
        help="print the result as JSON (Exercism test-runner v3 + points)",
    )
    check.add_argument(
        "--exercise-folder",
        type=Path,
        metavar="DIR",
        help="take the exercise from DIR (an instructor's own: DIR/ID/exercise.yaml, or DIR is the "
        "exercise's folder) instead of the shipped ones; progress is not recorded",
    )
    check.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="show every test's details (default: the first failure's)",
    )
    check.add_argument(
        "--faults",
        metavar="PLAN",
        help="run every test under a fault plan (a *.faults.yaml file, or a shipped one: "
        "throttle-second-write, duplicate-delivery, crash-after-write); not recorded as progress",
    )
    _workspace_option(check)
    check.set_defaults(handler=run_check)

    watch = subparsers.add_parser("watch", help="re-check an exercise every time you save it")
    watch.add_argument("exercise", help="exercise id")
    watch.add_argument("--file", type=Path, help="watch this file instead of your workspace copy")
    _workspace_option(watch)
    watch.set_defaults(handler=run_watch)

    hint = subparsers.add_parser("hint", help="show the next hint for an exercise")
    hint.add_argument("exercise", help="exercise id")
    hint.add_argument("--json", action="store_true")
    _workspace_option(hint)
    hint.set_defaults(handler=run_hint)

    reset = subparsers.add_parser(
        "reset", help="restore the starter file (your current file is kept aside)"
    )
    reset.add_argument("exercise", help="exercise id")
    _workspace_option(reset)
    reset.set_defaults(handler=run_reset)

    solution = subparsers.add_parser(
        "solution", help="show the reference solution (after a pass, or after giving up)"
    )
    solution.add_argument("exercise", help="exercise id")
    solution.add_argument(
        "--give-up",
        action="store_true",
        help="give up on this exercise (recorded) and see the solution",
    )
    _workspace_option(solution)
    solution.set_defaults(handler=run_solution)


def _workspace_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workspace",
        type=Path,
        metavar="DIR",
        help="where your exercise files live (default: in the data directory)",
    )


def _workspace(args: argparse.Namespace):
    from serverless_tutor.grading.workspace import Workspace

    return Workspace(args.workspace)


def _load() -> list[Exercise]:
    return shipped_exercises()


def _from_folder(folder: Path, exercise_id: str) -> tuple[Exercise | None, int | None]:
    """An instructor's own exercise: DIR/ID/exercise.yaml, or DIR itself when it is that exercise."""
    from serverless_tutor.content.exercises import SPEC_FILE, load_exercise

    if not folder.is_dir():
        return None, usage_error(f"--exercise-folder {folder}: not a folder")
    candidates = [folder / exercise_id, folder] if folder.name != exercise_id else [folder]
    spec_folder = next((c for c in candidates if (c / SPEC_FILE).is_file()), None)
    if spec_folder is None:
        return None, usage_error(
            f"--exercise-folder {folder}: expected {folder / exercise_id / SPEC_FILE} "
            f"(or {folder / SPEC_FILE} with id {exercise_id!r})"
        )
    try:
        exercise = load_exercise(spec_folder)
    except ContentError as exc:
        for problem in exc.problems:
            sys.stderr.write(problem.line() + "\n")
        return None, usage_error(
            f"the exercise in {spec_folder} is invalid ({len(exc.problems)} problem(s) above)"
        )
    if exercise.id != exercise_id:
        return None, usage_error(
            f"--exercise-folder {spec_folder} holds exercise {exercise.id!r}, not {exercise_id!r}"
        )
    return exercise, None


def _find(args: argparse.Namespace) -> tuple[Exercise | None, int | None]:
    folder = getattr(args, "exercise_folder", None)
    if folder is not None:
        return _from_folder(folder, args.exercise)
    try:
        exercise = shipped_exercise(args.exercise)  # only its own folder: a one-shot verb
        exercises = _load() if exercise is None else []
    except ContentError as exc:
        return None, usage_error(f"shipped exercises are invalid:\n{exc}")
    if exercise is None:
        known = ", ".join(e.id for e in exercises)
        return None, usage_error(f"no exercise {args.exercise!r}; known exercises: {known}")
    return exercise, None


# --- exercises ------------------------------------------------------------------------


def list_exercises(args: argparse.Namespace) -> int:
    from serverless_tutor.grading.learner import status_of

    try:
        exercises = _load()
    except ContentError as exc:
        return usage_error(f"shipped exercises are invalid:\n{exc}")
    progress = load_progress(ProgressStore())
    workspace = _workspace(args)
    statuses = [status_of(progress, exercise, workspace) for exercise in exercises]
    if args.json:
        print_json(statuses)
        return 0
    from rich.table import Table

    table = Table(title="Graded exercises", show_lines=False)
    table.add_column("§", justify="right")
    table.add_column("id")
    table.add_column("title", overflow="fold")
    table.add_column("level")
    table.add_column("status")
    table.add_column("points", justify="right")
    marks = {"new": "·", "started": "…", "attempted": "✗", "passed": "✓"}
    for status in statuses:
        label = f"{marks[status.status]} {status.status}" + (" (gave up)" if status.gave_up else "")
        table.add_row(
            str(status.section),
            status.id,
            status.title,
            status.difficulty,
            label,
            f"{status.best_points}/{status.points}",
        )
    console().print(table)
    return 0


# --- check ----------------------------------------------------------------------------


def show_exercise(args: argparse.Namespace) -> int:
    """The task statement as the app shows it, and the file to edit (made from the starter)."""
    exercise, failed = _find(args)
    if exercise is None:
        assert failed is not None  # set whenever the value is None
        return failed
    from rich.markdown import Markdown

    try:
        path = _workspace(args).ensure(exercise)
    except OSError as exc:
        return data_folder_error(f"create your copy of the starter for {exercise.id}", exc)
    spec = exercise.spec
    out = console()
    out.print(Markdown(spec.instructions))
    out.print(
        f"\n[bold]{exercise.id}[/bold]: section {spec.section}, {spec.difficulty}, "
        f"{spec.points} points in {len(spec.tests)} tests"
    )
    out.print(f"Your handler: {path}")
    out.print(
        f"Check it: serverless-tutor check {exercise.id}   "
        f"(hint: serverless-tutor hint {exercise.id})"
    )
    from serverless_tutor.cli import grader_client

    if grader_client.available():
        grader_client.start_for_next_checks()  # so that the first check is quick too
    return 0


def _submission(args: argparse.Namespace, exercise: Exercise) -> tuple[Path | None, int | None]:
    if args.file is not None:
        if not args.file.is_file():
            return None, usage_error(f"--file {args.file}: no such file")
        return args.file, None
    try:
        return _workspace(args).ensure(exercise), None
    except OSError as exc:
        return None, data_folder_error(f"create your copy of the starter for {exercise.id}", exc)


def run_check(args: argparse.Namespace, grader: Grader | None = None) -> int:
    """`check`: in a Grader of its own, or in `grader`, a long-lived one (the background
    grader's)."""
    exercise, failed = _find(args)
    if exercise is None:
        assert failed is not None  # set whenever the value is None
        return failed
    if args.batch is not None:
        return _run_batch(args, exercise)
    submission, failed = _submission(args, exercise)
    if submission is None:
        assert failed is not None  # set whenever the value is None
        return failed
    from serverless_tutor.grading.runner import grade

    try:
        plan = fault_plan_option(args.faults)
    except ValueError as exc:
        return usage_error(str(exc))
    if grader is None:
        result = grade(exercise, submission, faults=plan)
    else:
        result = grader.grade(exercise, submission, faults=plan)
    if args.exercise_folder is None and plan is None:  # experiments are not the learner's progress
        _record(exercise, result)
    if args.json:
        print_json(result)
    else:
        render_check(result, submission, verbose=args.verbose)
    return EXIT_PASS if result.passed else EXIT_FAIL


def _run_batch(args: argparse.Namespace, exercise: Exercise) -> int:
    gc.enable()  # main() turned it off for a one-shot check; a folder is a long run
    from serverless_tutor.grading.batch import find_submissions, grade_folder

    if not args.batch.is_dir():
        return usage_error(f"--batch {args.batch}: not a folder")
    if not find_submissions(args.batch, exercise.spec.function.handler_file):
        return usage_error(
            f"--batch {args.batch}: no *.py or */{exercise.spec.function.handler_file} files in it"
        )
    from rich.markup import escape

    from serverless_tutor.terminal_text import one_line

    out = None if args.json else console()

    def show(path: Path, result) -> None:
        if out is not None:
            out.print(
                f"{result.status.upper():<5} {result.points:>3}/{result.max_points}  "
                f"{escape(one_line(str(path)))}"
            )

    batch = grade_folder(exercise, args.batch, on_result=show)
    if args.json:
        print_json(batch)
    else:
        assert out is not None
        out.print(f"{batch.passed} of {len(batch.submissions)} submissions pass {exercise.id}")
    return EXIT_PASS if batch.passed == len(batch.submissions) else EXIT_FAIL


def _record(exercise: Exercise, result) -> None:
    from serverless_tutor.grading.learner import record_check

    store = ProgressStore()
    progress = load_progress(store)
    record_check(progress, exercise, result)
    save_progress(store, progress, f"this check of {exercise.id}")


def render_check(result, submission: Path, *, verbose: bool = False) -> None:
    """Human output of `check` and `watch`: one line per test, and the details (message,
    REPORT lines, the handler's output) of the first test that did not pass; of every
    test with `verbose`. Every learner-made string (messages quoting the handler's errors
    and responses, its output) is shown with control characters escaped and rich markup
    taken literally."""
    from rich.markup import escape
    from rich.text import Text

    from serverless_tutor.terminal_text import one_line, visible

    def lines(text: str) -> list[str]:
        return [escape(line) for line in visible(text).split("\n")]

    out = console(highlight=False)
    colour = {"pass": "green", "fail": "red", "error": "yellow"}
    out.print(Text.assemble((one_line(result.exercise), "bold"), f"  {one_line(str(submission))}"))
    first_failure = next((t for t in result.tests if t.status != "pass"), None)
    for test in result.tests:
        mark = {"pass": "✓", "fail": "✗", "error": "!"}[test.status]
        out.print(
            f"[{colour[test.status]}]{mark}[/] {escape(one_line(test.name))}  [dim]({test.points}/{test.max_points})[/]"
        )
        if not verbose and test is not first_failure:
            continue
        if test.message:
            for line in lines(test.message):
                out.print(f"    {line}")
        for line in test.report:
            out.print(f"    [dim]{escape(one_line(line.replace(chr(9), '  ')))}[/]")
        if test.output and test.status != "pass":
            out.print("    [dim]output:[/]")
            for line in lines(test.output):
                out.print(f"    [dim]| {line}[/]")
    message = " / ".join(lines(result.message or ""))
    out.print(f"[bold {colour[result.status]}]{result.status.upper()}[/]  {message}")
    hidden = sum(1 for t in result.tests if t.status != "pass") - 1
    if not verbose and hidden > 0:
        out.print(
            f"[dim]The first failure is shown; {hidden} more: add --verbose to see every test's details.[/]"
        )


# --- watch ----------------------------------------------------------------------------


def run_watch(args: argparse.Namespace) -> int:
    exercise, failed = _find(args)
    if exercise is None:
        assert failed is not None  # set whenever the value is None
        return failed
    submission, failed = _submission(args, exercise)
    if submission is None:
        assert failed is not None  # set whenever the value is None
        return failed
    from serverless_tutor.grading.watch import WatchLoop

    out = console()
    from rich.markup import escape

    from serverless_tutor.terminal_text import one_line

    out.print(
        f"Watching {escape(one_line(str(submission)))}. Save to re-check; press Enter or r to re-run, q to quit."
    )

    def report(result) -> None:
        _record(exercise, result)
        render_check(result, submission)
        out.print("[dim]Waiting for changes (Enter/r: run again, q: quit)[/]")

    with (
        WatchLoop(exercise, submission, on_result=report) as loop,
        _KeyReader(loop),
        contextlib.suppress(KeyboardInterrupt),
    ):
        loop.run_until_quit()
    return 0


class _KeyReader:
    """Enter or r: run again; q: quit. Single keys on a terminal (cbreak mode), lines otherwise."""

    def __init__(self, loop):
        self.loop = loop
        self._saved = None

    def __enter__(self):
        import threading

        if sys.stdin.isatty():
            import termios
            import tty

            self._saved = termios.tcgetattr(sys.stdin.fileno())
            tty.setcbreak(sys.stdin.fileno())
        threading.Thread(target=self._read, name="tutor-watch-keys", daemon=True).start()
        return self

    def __exit__(self, *exc_info):
        if self._saved is not None:
            import termios

            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self._saved)

    def _read(self) -> None:
        while True:
            key = sys.stdin.read(1)
            if not key:  # stdin closed: file events still trigger runs
                return
            if key.lower() == "q":
                self.loop.stop()
                return
            if key in ("\n", "\r", "r", "R"):
                self.loop.request_run()


# --- hint, reset, solution ------------------------------------------------------------


def run_hint(args: argparse.Namespace) -> int:
    exercise, failed = _find(args)
    if exercise is None:
        assert failed is not None  # set whenever the value is None
        return failed
    from serverless_tutor.grading.learner import next_hint

    store = ProgressStore()
    progress = load_progress(store)
    hint = next_hint(progress, exercise)
    # The hint is shown even when it cannot be recorded: the learner asked for it.
    if args.json:
        print_json(hint)
    else:
        from rich.markdown import Markdown

        out = console()
        out.print(f"[bold]Hint {hint.number} of {hint.total}[/] for {exercise.id}")
        out.print(Markdown(hint.text))
        if not hint.more:
            out.print(
                f"[dim]That was the last hint. Stuck? `serverless-tutor solution {exercise.id} --give-up` shows the "
                "reference solution (giving up is recorded).[/]"
            )
    sys.stdout.flush()  # the hint before any error line on stderr
    if not save_progress(store, progress, f"hint {hint.number} of {exercise.id}"):
        return EXIT_NOT_RECORDED
    return 0


def run_reset(args: argparse.Namespace) -> int:
    exercise, failed = _find(args)
    if exercise is None:
        assert failed is not None  # set whenever the value is None
        return failed
    workspace = _workspace(args)
    try:
        result = workspace.reset(exercise)
    except OSError as exc:
        failed = data_folder_error(f"restore the starter for {exercise.id}", exc)
        if not workspace.exists(exercise) and workspace.history(exercise):
            # reset moves the file to history/ before copying the starter: say where it went
            sys.stderr.write(
                f"serverless-tutor: your previous file is kept at {workspace.history(exercise)[-1]}\n"
            )
        return failed
    out = console()
    out.print(f"Restored the starter for {exercise.id} at {result.path}")
    if result.kept is not None:
        out.print(f"Your previous file is kept at {result.kept}")
    return 0


def run_solution(args: argparse.Namespace) -> int:
    exercise, failed = _find(args)
    if exercise is None:
        assert failed is not None  # set whenever the value is None
        return failed
    from serverless_tutor.grading.learner import SolutionLocked, give_up, reveal_solution

    store = ProgressStore()
    progress = load_progress(store)
    if args.give_up:
        give_up(progress, exercise)
    try:
        solution = reveal_solution(progress, exercise)
    except SolutionLocked as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_FAIL
    from rich.syntax import Syntax

    out = console()
    why = "you passed it" if solution.reason == "passed" else "you gave up"
    out.print(f"[bold]Reference solution for {exercise.id}[/] ({why})")
    out.print(Syntax(solution.text, "python", line_numbers=True))
    sys.stdout.flush()  # the solution before any error line on stderr
    what = "giving up and seeing the solution" if args.give_up else "seeing the solution"
    if not save_progress(store, progress, f"{what} of {exercise.id}"):
        return EXIT_NOT_RECORDED
    return 0
