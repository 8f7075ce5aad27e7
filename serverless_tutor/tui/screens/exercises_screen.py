"""The Exercises area: pick an exercise, read it, edit your handler, run the tests.

Left: the exercises with their status. Right: tabs for the instructions, the
editor (your workspace copy of handler.py), the results (per test, with Lambda's
REPORT lines and the handler's output), hints, and the solution (locked until
you pass or give up). Checks run in a thread worker against a long-lived Grader
(one sandbox template, one local account), so the UI never waits on them.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown, OptionList, TabbedContent, TabPane
from textual.worker import Worker, WorkerState, get_current_worker

from serverless_tutor.content.exercises import Exercise, find_exercise, shipped_exercises
from serverless_tutor.grading import learner
from serverless_tutor.grading.results import CheckResult
from serverless_tutor.grading.workspace import Workspace
from serverless_tutor.problems import ContentError
from serverless_tutor.progress import Progress
from serverless_tutor.tui.tab_keys import tab_bindings, tab_label
from serverless_tutor.tui.tutor_app import tutor_app
from serverless_tutor.tui.widgets.exercise_editor import ExerciseEditor
from serverless_tutor.tui.widgets.exercise_give_up_dialog import ExerciseGiveUpDialog
from serverless_tutor.tui.widgets.exercise_hints import ExerciseHints
from serverless_tutor.tui.widgets.exercise_list import ExerciseList
from serverless_tutor.tui.widgets.exercise_results import ExerciseResults
from serverless_tutor.tui.widgets.exercise_solution import ExerciseSolution

if TYPE_CHECKING:
    from serverless_tutor.grading.runner import Grader
    from serverless_tutor.tui.app import TutorApp


# Tab id -> label; each tab's number (shown in its label) is its key.
TABS = {
    "tab-instructions": "Task",
    "tab-editor": "Editor",
    "tab-results": "Results",
    "tab-hints": "Hints",
    "tab-solution": "Solution",
}


class ExercisesScreen(Screen):
    DEFAULT_CSS = """
    ExercisesScreen #exercise-list {
        width: 26;
        height: 1fr;
        border: none;
        border-right: vkey $foreground 20%;
        background: $panel;
    }
    ExercisesScreen #exercise-tabs {
        width: 1fr;
        height: 1fr;
    }
    ExercisesScreen #instructions {
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("f5,ctrl+r", "run_checks", "Run", priority=True, id="exercise-run"),
        Binding("ctrl+s", "save", "Save", priority=True, id="exercise-save"),
        Binding("f2", "hint", "Hint", priority=True, id="exercise-hint"),
        # Off the footer so it fits 80 columns (`?` lists them).
        Binding("f3", "reset", "Reset", show=False, priority=True, id="exercise-reset"),
        Binding("f4", "solution", "Solution", show=False, priority=True, id="exercise-solution"),
        Binding(
            "f6",
            "open_in_editor",
            "$EDITOR",
            show=False,
            priority=True,
            id="exercise-open-editor",
        ),
        # Hidden from the footer (it is full at 80 columns); listed in `?`.
        Binding("escape", "focus_list", "List", show=False, id="exercise-focus-list"),
        # Outside the editor (escape leaves it), a digit shows a tab; n opens the next exercise.
        *tab_bindings(TABS),
        Binding("n", "next_exercise", "Next exercise", show=False, id="exercise-next"),
    ]

    class CheckFinished(Message):
        def __init__(self, exercise_id: str, result: CheckResult):
            super().__init__()
            self.exercise_id = exercise_id
            self.result = result

    class CheckFailed(Message):
        def __init__(self, exercise_id: str, reason: str):
            super().__init__()
            self.exercise_id = exercise_id
            self.reason = reason

    def __init__(self, exercises: list[Exercise] | None = None, workspace: Workspace | None = None):
        super().__init__()
        self._exercises = exercises
        self.workspace = workspace if workspace is not None else Workspace()
        self.current: Exercise | None = None
        self.last_result: CheckResult | None = None
        self._grader: Grader | None = None  # created in a worker on first use

    # --- layout and lifecycle -------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield ExerciseList(id="exercise-list")
            with TabbedContent(id="exercise-tabs"):
                with TabPane(tab_label(TABS, "tab-instructions"), id="tab-instructions"):
                    with VerticalScroll():
                        yield Markdown("", id="instructions")
                with TabPane(tab_label(TABS, "tab-editor"), id="tab-editor"):
                    yield ExerciseEditor(id="editor")
                with TabPane(tab_label(TABS, "tab-results"), id="tab-results"):
                    yield ExerciseResults(id="results")
                with TabPane(tab_label(TABS, "tab-hints"), id="tab-hints"):
                    yield ExerciseHints(id="hints")
                with TabPane(tab_label(TABS, "tab-solution"), id="tab-solution"):
                    yield ExerciseSolution(id="solution")
        yield Footer()

    def on_mount(self) -> None:
        if self._exercises is None:
            try:
                self._exercises = shipped_exercises()
            except ContentError as exc:
                self._exercises = []
                self.notify(
                    f"The shipped exercises are invalid:\n{exc}", severity="error", timeout=15
                )
        self.refresh_list()
        if self._exercises:
            self.open_exercise(self._exercises[0].id)
        self.query_one(ExerciseList).focus()

    def on_unmount(self) -> None:
        if self._grader is not None:
            self._grader.close()
            self._grader = None

    @property
    def exercises(self) -> list[Exercise]:
        return self._exercises or []

    @property
    def progress(self) -> Progress:
        return tutor_app(self.app).progress

    def _save_progress(self) -> None:
        tutor_app(self.app).save_progress()

    def on_tutor_app_progress_changed(self, _message: TutorApp.ProgressChanged) -> None:
        self.refresh_list()

    def on_screen_resume(self) -> None:
        # Progress may have changed (another shell, another area) while this area was hidden.
        if self.is_mounted and self._exercises is not None:
            self.refresh_list()

    def refresh_list(self) -> None:
        statuses = [
            learner.status_of(self.progress, exercise, self.workspace)
            for exercise in self.exercises
        ]
        self.query_one(ExerciseList).show_statuses(statuses)

    # --- opening an exercise --------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.open_exercise(event.option.id)
            self.query_one(TabbedContent).active = "tab-editor"
            self.query_one(ExerciseEditor).text_area.focus()

    def open_exercise(self, exercise_id: str) -> None:
        exercise = find_exercise(self.exercises, exercise_id)
        if exercise is None:
            return
        if self.current is not None and self.current.id != exercise_id:
            self._save_editor()
        self.current = exercise
        self.last_result = None
        self.query_one(ExerciseList).select_exercise(exercise_id)
        spec = exercise.spec
        facts = f"*Section {spec.section} · {spec.difficulty} · {spec.points} points · {len(spec.tests)} tests*\n\n"
        self.query_one("#instructions", Markdown).update(facts + spec.instructions)
        self.query_one(ExerciseEditor).load(self.workspace.ensure(exercise))
        self.query_one(ExerciseResults).show_message(
            "No results yet. Press F5 to save and run the tests."
        )
        self.query_one(ExerciseHints).show_hints(
            learner.shown_hints(self.progress, exercise), len(exercise.hints)
        )
        solution = self.query_one(ExerciseSolution)
        if learner.can_see_solution(self.progress, exercise):
            self._reveal_solution()
        else:
            solution.show_locked()

    def _save_editor(self) -> None:
        editor = self.query_one(ExerciseEditor)
        if editor.modified:
            editor.save()

    # --- actions --------------------------------------------------------------------

    def action_focus_list(self) -> None:
        self.query_one(ExerciseList).focus()

    def action_show_tab(self, tab_id: str) -> None:
        self.query_one(TabbedContent).active = tab_id
        if tab_id == "tab-editor":
            self.query_one(ExerciseEditor).text_area.focus()

    def action_next_exercise(self) -> None:
        """Open the first exercise after the current one that is not passed yet."""
        upcoming = self._next_unpassed()
        if upcoming is None:
            self.notify("Every exercise after this one is passed.", timeout=4)
            return
        self.open_exercise(upcoming.id)
        self.action_show_tab("tab-editor")

    def _next_unpassed(self) -> Exercise | None:
        exercises = self.exercises
        start = exercises.index(self.current) + 1 if self.current in exercises else 0
        for exercise in exercises[start:]:
            if learner.status_of(self.progress, exercise, self.workspace).status != "passed":
                return exercise
        return None

    def action_open_in_editor(self) -> None:
        """Save, hand the terminal to $VISUAL or $EDITOR on the workspace file, then reload it."""
        editor = self.query_one(ExerciseEditor)
        path = editor.save()
        if path is None:
            return
        command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not command:
            self.notify(
                "Set $EDITOR (e.g. export EDITOR=nano) to edit in your own editor.",
                severity="warning",
                timeout=6,
            )
            return
        try:
            with self.app.suspend():
                completed = subprocess.run([*shlex.split(command), str(path)], check=False)
        except SuspendNotSupported:
            self.notify("This terminal cannot hand over to $EDITOR.", severity="warning")
            return
        except OSError as exc:
            self.notify(f"Could not run {command}: {exc}", severity="error", timeout=8)
            return
        editor.load(path)
        self.action_show_tab("tab-editor")
        if completed.returncode != 0:
            self.notify(f"{command} exited with {completed.returncode}.", severity="warning")

    def action_save(self) -> None:
        path = self.query_one(ExerciseEditor).save()
        if path is not None:
            self.notify(f"Saved {path}", timeout=3)
            self.refresh_list()

    def action_run_checks(self) -> None:
        if self.current is None:
            return
        path = self.query_one(ExerciseEditor).save()
        if path is None:
            return
        self.query_one(ExerciseResults).show_running(self.current.id)
        self.query_one(TabbedContent).active = "tab-results"
        self.run_checks(self.current, path)

    @work(thread=True, exclusive=True, group="exercise-check", exit_on_error=False)
    def run_checks(self, exercise: Exercise, path) -> None:
        from serverless_tutor.grading.runner import Grader
        from serverless_tutor.runtime.template import SandboxUnavailable

        worker = get_current_worker()
        try:
            if self._grader is None:
                self._grader = Grader()
            result = self._grader.grade(exercise, path)
        except (SandboxUnavailable, OSError) as exc:
            self.post_message(self.CheckFailed(exercise.id, f"The check could not run: {exc}"))
            return
        if not worker.is_cancelled:
            self.post_message(self.CheckFinished(exercise.id, result))

    def on_exercises_screen_check_finished(self, message: CheckFinished) -> None:
        exercise = find_exercise(self.exercises, message.exercise_id)
        if exercise is None:
            return
        learner.record_check(self.progress, exercise, message.result)
        self._save_progress()
        self.refresh_list()
        if self.current is None or self.current.id != exercise.id:
            return
        self.last_result = message.result
        self.query_one(ExerciseResults).show_result(message.result)
        if message.result.passed:
            self._reveal_solution()
            upcoming = self._next_unpassed()
            offer = f" Press n for the next one: {upcoming.title}." if upcoming is not None else ""
            self.notify(
                f"{exercise.title}: all tests pass. The reference solution is now open.{offer}",
                title="Passed",
                timeout=10,
            )

    def on_exercises_screen_check_failed(self, message: CheckFailed) -> None:
        if self.current is not None and self.current.id == message.exercise_id:
            self.query_one(ExerciseResults).show_message(message.reason)
        self.notify(message.reason, severity="error", timeout=10)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A check that crashed in the grader is reported, never shown as a pass, and the app keeps running.
        if event.worker.group == "exercise-check" and event.state == WorkerState.ERROR:
            reason = f"The grader failed: {type(event.worker.error).__name__}: {event.worker.error}"
            self.query_one(ExerciseResults).show_message(reason)
            self.notify(reason, severity="error", timeout=10)

    def action_hint(self) -> None:
        if self.current is None:
            return
        learner.next_hint(self.progress, self.current)
        self._save_progress()
        self.query_one(ExerciseHints).show_hints(
            learner.shown_hints(self.progress, self.current), len(self.current.hints)
        )
        self.query_one(TabbedContent).active = "tab-hints"
        self.refresh_list()

    def action_reset(self) -> None:
        if self.current is None:
            return
        result = self.workspace.reset(self.current)
        self.query_one(ExerciseEditor).load(result.path)
        kept = f" Your previous file is kept at {result.kept}." if result.kept else ""
        self.notify(f"Restored the starter.{kept}", title="Reset", timeout=8)
        self.query_one(TabbedContent).active = "tab-editor"
        self.refresh_list()

    def action_solution(self) -> None:
        if self.current is None:
            return
        if learner.can_see_solution(self.progress, self.current):
            self._reveal_solution()
            self.query_one(TabbedContent).active = "tab-solution"
            return
        exercise = self.current

        def answered(gave_up: bool | None) -> None:
            if gave_up and self.current is exercise:
                learner.give_up(self.progress, exercise)
                self._reveal_solution()
                self.query_one(TabbedContent).active = "tab-solution"
                self.refresh_list()

        self.app.push_screen(ExerciseGiveUpDialog(exercise.id), answered)

    def _reveal_solution(self) -> None:
        assert self.current is not None
        solution = learner.reveal_solution(self.progress, self.current)
        self._save_progress()
        why = "you passed it" if solution.reason == "passed" else "you gave up; this is recorded"
        self.query_one(ExerciseSolution).reveal(solution.text, why)
