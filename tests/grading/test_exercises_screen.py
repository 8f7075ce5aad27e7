"""The Exercises area, driven with Textual's Pilot: open, edit, run, results, hint, reset, give up."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import TabbedContent

from serverless_tutor.grading.workspace import Workspace
from serverless_tutor.progress import ProgressStore
from serverless_tutor.tui.screens.exercises_screen import ExercisesScreen
from serverless_tutor.tui.widgets.exercise_editor import ExerciseEditor
from serverless_tutor.tui.widgets.exercise_give_up_dialog import ExerciseGiveUpDialog
from serverless_tutor.tui.widgets.exercise_hints import ExerciseHints
from serverless_tutor.tui.widgets.exercise_list import ExerciseList
from serverless_tutor.tui.widgets.exercise_results import ExerciseResults
from serverless_tutor.tui.widgets.exercise_solution import ExerciseSolution


class ExercisesHost(App):
    """Just enough of the tutor app for the Exercises screen: progress, saved to a folder."""

    def __init__(self, home: Path):
        super().__init__()
        self.store = ProgressStore(home)
        self.progress = self.store.load().progress
        self.workspace = Workspace(home / "workspace")

    def save_progress(self) -> None:
        self.store.save(self.progress)

    def on_mount(self) -> None:
        self.push_screen(ExercisesScreen(workspace=self.workspace))


async def _wait_for_check(pilot, screen: ExercisesScreen) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _text(widget) -> str:
    return "\n".join(str(static.render()) for static in widget.query("Static"))


@pytest.fixture
def host(tmp_path):
    return ExercisesHost(tmp_path / "home")


async def test_open_shows_the_first_exercise_with_its_instructions(host):
    async with host.run_test(size=(80, 24)) as pilot:
        screen = host.screen
        assert isinstance(screen, ExercisesScreen)
        assert screen.current.id == "hello-handler"
        assert screen.query_one(ExerciseList).option_count >= 14
        assert screen.query_one(TabbedContent).active == "tab-instructions"
        await pilot.press("down", "enter")  # the second exercise
        assert screen.current.id == "context-info"
        assert screen.query_one(TabbedContent).active == "tab-editor"
        assert host.focused is screen.query_one(ExerciseEditor).text_area


async def test_edit_saves_to_the_workspace_file(host):
    async with host.run_test(size=(80, 24)) as pilot:
        screen = host.screen
        await pilot.press("enter")  # open hello-handler in the editor
        editor = screen.query_one(ExerciseEditor)
        editor.text_area.move_cursor((0, 0))
        await pilot.press("#", " ", "m", "i", "n", "e", "enter")
        assert editor.modified
        await pilot.press("ctrl+s")
        path = host.workspace.path_for(screen.current)
        assert path.read_text().startswith("# mine\n")
        assert not editor.modified


async def test_run_shows_per_test_results_with_report_lines_and_unlocks_the_solution(host):
    async with host.run_test(size=(80, 24)) as pilot:
        screen = host.screen
        await pilot.press("enter")
        editor = screen.query_one(ExerciseEditor)
        await pilot.press("f5")  # the starter: fails
        await _wait_for_check(pilot, screen)
        assert screen.query_one(TabbedContent).active == "tab-results"
        assert screen.last_result.status == "fail"
        results = screen.query_one(ExerciseResults)
        assert len(results.query(".test-fail")) >= 1
        assert "REPORT RequestId:" in _text(results)
        assert host.progress.exercises["hello-handler"].status == "attempted"
        assert not screen.query_one("#solution-text").display

        editor.text_area.load_text(screen.current.solution.read_text())
        await pilot.press("f5")
        await _wait_for_check(pilot, screen)
        assert screen.last_result.status == "pass"
        assert host.progress.exercises["hello-handler"].status == "passed"
        assert screen.query_one("#solution-text").display
        assert (
            host.workspace.path_for(screen.current).read_text()
            == screen.current.solution.read_text()
        )


async def test_hint_shows_the_next_hint_and_records_it(host):
    async with host.run_test(size=(80, 24)) as pilot:
        screen = host.screen
        await pilot.press("f2")
        assert screen.query_one(TabbedContent).active == "tab-hints"
        assert "1 of 4 hints shown" in _text(screen.query_one(ExerciseHints))
        await pilot.press("f2")
        assert host.progress.exercises["hello-handler"].hints_used == 2
        assert (
            ProgressStore(host.store.folder).load().progress.exercises["hello-handler"].hints_used
            == 2
        )


async def test_reset_restores_the_starter_and_keeps_the_old_file(host):
    async with host.run_test(size=(80, 24)) as pilot:
        screen = host.screen
        await pilot.press("enter")
        editor = screen.query_one(ExerciseEditor)
        editor.text_area.load_text("# my attempt\n")
        await pilot.press("ctrl+s", "f3")
        exercise = screen.current
        assert editor.text_area.text == exercise.starter.read_text()
        kept = host.workspace.history(exercise)
        assert [path.read_text() for path in kept] == ["# my attempt\n"]


async def test_give_up_asks_first_then_reveals_and_records(host):
    async with host.run_test(size=(80, 24)) as pilot:
        screen = host.screen
        await pilot.press("f4")
        assert isinstance(host.screen, ExerciseGiveUpDialog)
        await pilot.press("escape")  # keep trying
        assert host.screen is screen
        assert (
            "hello-handler" not in host.progress.exercises
            or not host.progress.exercises["hello-handler"].gave_up
        )
        await pilot.press("f4")
        await pilot.click("#give-up")
        await pilot.pause()
        assert host.screen is screen
        assert host.progress.exercises["hello-handler"].gave_up
        assert screen.query_one(TabbedContent).active == "tab-solution"
        assert screen.query_one("#solution-text").text == screen.current.solution.read_text()
        assert screen.query_one(ExerciseSolution).query_one("#solution-text").display


async def test_the_tutor_app_has_an_exercises_mode():
    from serverless_tutor.tui.app import TutorApp

    assert isinstance(TutorApp.MODES["exercises"](), ExercisesScreen)
    assert any(binding.action == "switch_mode('exercises')" for binding in TutorApp.BINDINGS)


def test_snapshot_80x24(snap_compare, tmp_path):
    assert snap_compare(ExercisesHost(tmp_path / "home"), terminal_size=(80, 24))
