"""The fit check panel in a tiny app that mounts only it, in a lesson-pane-wide column: keyboard-only
Pilot tests and an 80x24 snapshot."""

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Select, Static, Switch

from serverless_tutor.content.lessons import shipped_lessons
from serverless_tutor.content.panels import PANELS
from serverless_tutor.tui.panels import panel_widget
from serverless_tutor.tui.widgets.fit_check_panel import FitCheckPanel
from serverless_tutor.tui.widgets.fit_reason_list import FitReasonList

SIZE = (80, 24)
LESSON_COLUMN = (
    51  # the panel is 49 wide (45 inside) in the lesson pane at 80x24; the scroll bar takes 2
)


class FitApp(App):
    CSS = f"VerticalScroll {{ width: {LESSON_COLUMN}; }}"

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield FitCheckPanel()


def verdict_of(app: App) -> str:
    return str(app.query_one("#fit-verdict", Static).render())


def reason_keys(app: App) -> list[str]:
    return [
        next(c for c in row.classes if c.startswith("fit-") and c != "fit-row").removeprefix("fit-")
        for row in app.query(".fit-row")
    ]


async def retype(pilot, selector: str, text: str) -> None:
    field = pilot.app.query_one(selector, Input)
    field.focus()
    await pilot.press("end", *["backspace"] * len(field.value), *list(text))
    await pilot.pause()


def test_registered_under_its_id_and_listed_by_lessons_10_and_11():
    assert panel_widget("fit-check") is FitCheckPanel
    assert "fit-check" in PANELS
    assert {lesson.number for lesson in shipped_lessons() if "fit-check" in lesson.panels} == {
        10,
        11,
    }


def test_snapshot_rest_api_at_80x24(snap_compare):
    assert snap_compare(FitApp(), terminal_size=SIZE)


async def test_starts_on_the_rest_api_and_choosing_presets_by_keyboard_updates_the_verdict():
    app = FitApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(FitCheckPanel)
        assert panel.assessment.verdict == "good fit"
        assert verdict_of(app).startswith("● Good fit")
        assert app.query_one("#fit-verdict").has_class("-good")
        assert reason_keys(app)[0] == "traffic"
        app.query_one("#fit-preset", Select).focus()
        await pilot.press("enter", *["down"] * 4, "enter")  # rest-api -> ... -> game-server
        await pilot.pause()
        assert app.query_one("#fit-preset", Select).value == "game-server"
        assert app.query_one("#fit-state", Switch).value is True
        assert app.query_one("#fit-duration", Input).value == "1800"
        assert verdict_of(app).startswith("● Poor fit")
        assert app.query_one("#fit-verdict").has_class("-poor")
        assert reason_keys(app)[:2] == ["in-memory-state", "timeout"]
        await pilot.press("enter", "down", "enter")  # video-transcode
        await pilot.pause()
        assert panel.assessment.key_reason.key == "timeout"
        assert app.query_one("#fit-longest", Input).value == "7200"


async def test_changing_inputs_updates_at_once():
    app = FitApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(FitCheckPanel)
        await retype(pilot, "#fit-p99", "300")
        assert panel.assessment.verdict == "fit with care"
        assert app.query_one("#fit-verdict").has_class("-care")
        assert reason_keys(app)[0] == "cold-starts"
        assert "7.3%" in str(app.query_one(".fit-cold-starts .fit-reason", Static).render())
        assert "L6 cold starts" in str(
            app.query_one(".fit-cold-starts .fit-pointer", Static).render()
        )
        assert "Cold share 7.3%" in str(app.query_one("#fit-figures", Static).render())
        app.query_one("#fit-gpu", Switch).focus()
        await pilot.press("space")
        await pilot.pause()
        assert panel.assessment.verdict == "poor fit" and reason_keys(app)[0] == "gpu-memory"
        await retype(pilot, "#fit-p99", "")  # blank: nobody waits
        assert panel.assessment.workload.p99_budget_ms is None


async def test_bad_input_shows_a_reason_and_keeps_the_last_verdict():
    app = FitApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(FitCheckPanel)
        await retype(pilot, "#fit-longest", "0.1")
        assert (
            panel.error == "longest job s: longest_duration_s must be at least typical_duration_s"
            or panel.error.startswith("workload: longest_duration_s must be at least")
        )
        assert app.query_one("#fit-error", Static).display
        assert panel.assessment.verdict == "good fit"
        await retype(pilot, "#fit-longest", "3")
        assert panel.error is None and not app.query_one("#fit-error", Static).display


async def test_reason_list_fits_the_lesson_pane():
    app = FitApp()
    async with app.run_test(size=SIZE):
        panel = app.query_one(FitCheckPanel)
        assert panel.outer_size.width == 49 and panel.content_size.width == 45
        assert app.query_one(FitReasonList).size.width == 45
