"""The patterns lab panel in a tiny app that mounts only it: a keyboard-only Pilot test, the diagrams'
width, and an 80x24 snapshot before any run."""

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Button, DataTable, Static, TabbedContent

from serverless_tutor.content.lessons import shipped_lessons
from serverless_tutor.content.panels import PANELS
from serverless_tutor.demos.patterns_lab import PatternsDemo
from serverless_tutor.tui.panels import panel_widget
from serverless_tutor.tui.widgets.patterns_diagram import (
    fan_out_lines,
    pipes_lines,
    plain,
)
from serverless_tutor.tui.widgets.patterns_lab_panel import PatternsLabPanel
from serverless_tutor.tui.widgets.patterns_trace_table import trace_rows

SIZE = (80, 24)
LESSON_PANE = 45  # the panel's inner width in the lesson pane of an 80-column terminal


class PatternsApp(App):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield PatternsLabPanel()


def text(app: App, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def settle(pilot, panel: PatternsLabPanel, attempts: int = 400) -> None:
    """Let the app run until the worker has reported (bounded; no timing is asserted)."""
    for _ in range(attempts):
        await pilot.pause(0.05)
        if not panel.busy:
            await pilot.pause()
            return
    assert not panel.busy


def test_registered_under_its_id_and_listed_by_lesson_8():
    assert panel_widget("patterns-lab") is PatternsLabPanel
    assert "patterns-lab" in PANELS
    assert {lesson.number for lesson in shipped_lessons() if "patterns-lab" in lesson.panels} == {8}


def test_the_diagrams_fit_the_lesson_pane():
    with PatternsDemo() as demo:
        demo.set_failing(True)
        runs = [demo.publish(), demo.publish("CartUpdated"), demo.upload()]
    pictures = [plain(fan_out_lines(None, False)), plain(pipes_lines(None))]
    pictures += [plain(fan_out_lines(run, True)) for run in runs[:2]] + [
        plain(pipes_lines(runs[2]))
    ]
    for picture in pictures:
        for line in picture.splitlines():
            assert len(line) <= LESSON_PANE, line
    assert "├─▶ sms [OrderPlaced] ✗ 3 tries → DLQ" in pictures[2]
    assert "├─▶ sms [OrderPlaced] filtered out\n" in pictures[3]
    assert "├─▶ sms [OrderPlaced]  (failing)" in plain(fan_out_lines(None, True))
    assert "└─▶ SQS rejects (1)" in pictures[4]


async def focused_panel(app, pilot) -> PatternsLabPanel:
    """The lab panel, focused once the app's own first focus is done."""
    panel = app.query_one(PatternsLabPanel)
    panel.focus()
    await pilot.pause()
    return panel


def test_snapshot_before_any_run_at_80x24(snap_compare):
    assert snap_compare(PatternsApp(), terminal_size=SIZE)


async def test_publish_fail_filter_upload_and_reset_by_keyboard():
    app = PatternsApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = await focused_panel(app, pilot)
        assert text(app, "#patterns-status").startswith("Ready: a publish")

        await pilot.press("a")
        await settle(pilot, panel)
        assert not any(button.disabled for button in app.query(Button).results(Button))
        assert text(app, "#patterns-status") == "publish OrderPlaced: 3 invocations."
        assert text(app, "#patterns-fan-out-state") == (
            "email      got 1  DLQ 0\nsms        got 1  DLQ 0\nanalytics  got 1  DLQ 0\n"
            "Order o-42: 1 email, 1 sale counted (total 1)"
        )
        assert text(app, "#patterns-fan-out-diagram").count("✓ cold") == 3
        assert app.query_one(DataTable).row_count == len(trace_rows(panel.last_run)) == 9

        await pilot.press("f")
        await settle(pilot, panel)
        assert text(app, "#patterns-status").startswith("sms is now failing")
        await pilot.press("a")
        await settle(pilot, panel)
        assert text(app, "#patterns-status") == "publish OrderPlaced: 5 invocations."
        assert text(app, "#patterns-fan-out-state").startswith(
            "email      got 2  DLQ 0\nsms        got 1  DLQ 1\nanalytics  got 2  DLQ 0"
        )
        assert "✗ 3 tries → DLQ" in text(app, "#patterns-fan-out-diagram")
        assert "isolated" in text(app, "#patterns-notes")

        await pilot.press("c")
        await settle(pilot, panel)
        assert text(app, "#patterns-status") == "publish CartUpdated: 2 invocations."
        assert "filtered out" in text(app, "#patterns-fan-out-diagram")

        await pilot.press("u")
        await settle(pilot, panel)
        assert app.query_one(TabbedContent).active == "patterns-pipes"
        assert text(app, "#patterns-status") == "upload orders.csv: 2 invocations."
        assert text(app, "#patterns-pipes-state") == (
            "Queues  raw 0  clean 0  rejects 1\nTable   o-1, o-3\n"
            "Reject  orders.csv line 3: quantity 'two' is not a whole number"
        )

        await pilot.press("x")
        await settle(pilot, panel)
        assert panel.last_run is None and not panel.engine.deployed and not panel.engine.failing
        assert text(app, "#patterns-status").startswith("Ready: a publish")
        assert (
            text(app, "#patterns-pipes-state") == "" and text(app, "#patterns-fan-out-state") == ""
        )


async def test_the_fault_and_code_toggles_by_keyboard_change_the_end_state():
    app = PatternsApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = await focused_panel(app, pilot)
        await pilot.press("i", "i", "w")  # fault: none -> throttle -> duplicate; code: as written
        assert (panel.fault, panel.code) == ("duplicate", "as-written")

        await pilot.press("a")
        await settle(pilot, panel)
        assert panel.last_run is not None and panel.last_run.code == "as-written"
        state = text(app, "#patterns-fan-out-state")
        assert "Order o-42: 2 emails, 1 sale counted (total 1)" in state
        assert state.endswith("Wrong for one order: 2 emails for 1 order")
        assert "Fault 'duplicate the email delivery' with the code as written" in text(
            app, "#patterns-notes"
        )

        await pilot.press("i", "i", "w")  # crash, then wraps round to no fault; the fixed code
        assert (panel.fault, panel.code) == (None, "fixed")


async def test_the_pipes_fault_toggle_by_keyboard_changes_the_upload():
    app = PatternsApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = await focused_panel(app, pilot)
        await pilot.press("u")  # to the pipes tab, an upload without a fault
        await settle(pilot, panel)
        await pilot.press("i", "i")  # on this tab: its own toggle, none -> throttle -> duplicate
        assert (panel.pipes_fault, panel.fault) == ("duplicate", None)
        assert app.query_one(TabbedContent).active == "patterns-pipes"

        await pilot.press("u")
        await settle(pilot, panel)
        assert text(app, "#patterns-status") == "upload orders.csv: 3 invocations."
        state = text(app, "#patterns-pipes-state")
        assert "Table   o-1, o-3  (written o-1 2x, o-3 2x)" in state
        assert "(x3 in all)" in state  # the first upload's reject, and this one's two
        assert state.endswith("Wrong for one upload: line 3 went to the reject queue 2 times")
        assert "nothing deduplicates the reject queue" in text(app, "#patterns-notes")

        await pilot.press("i")  # crash: transform fails once, its message comes back in 30 s
        await pilot.press("u")
        await settle(pilot, panel)
        assert text(app, "#patterns-pipes-state").endswith(
            "Right for one upload: o-1 and o-3 loaded, line 3 rejected once"
        )
        assert "30 s visibility timeout" in text(app, "#patterns-notes")


async def test_unmounting_shuts_the_engine_down():
    app = PatternsApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = await focused_panel(app, pilot)
        await pilot.press("u")
        await settle(pilot, panel)
        engine = panel.engine
        assert engine.deployed
        await panel.remove()
        assert not engine.deployed
