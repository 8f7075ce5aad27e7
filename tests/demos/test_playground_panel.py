"""The invoke playground panel in a tiny app that mounts only it: keyboard-only Pilot tests and an 80x24 snapshot."""

import threading

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Select, Static, TextArea

from serverless_tutor.content.lessons import shipped_lessons
from serverless_tutor.content.panels import PANELS
from serverless_tutor.demos.catalog import DEMOS
from serverless_tutor.runtime import ManualClock
from serverless_tutor.tui.panels import panel_widget
from serverless_tutor.tui.widgets.environment_table import EnvironmentTable, fmt_span
from serverless_tutor.tui.widgets.invoke_playground_panel import InvokePlaygroundPanel

SIZE = (80, 24)


class PlaygroundApp(App):
    def compose(self) -> ComposeResult:
        yield InvokePlaygroundPanel(clock=ManualClock())


class LessonWidthPlaygroundApp(PlaygroundApp):
    # The panel's width in the lesson view of an 80x24 terminal.
    CSS = "InvokePlaygroundPanel { width: 49; }"


async def settle(pilot, panel: InvokePlaygroundPanel, attempts: int = 100) -> None:
    """Let the app run until the invoke worker has reported (bounded; no timing is asserted)."""
    for _ in range(attempts):
        await pilot.pause(0.05)
        if not panel.busy:
            await pilot.pause()
            return
    assert not panel.busy


def text(app: App, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


def env_rows(app: App) -> list[list[str]]:
    table = app.query_one(EnvironmentTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


async def press_and_settle(pilot, panel, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot, panel)


async def choose(pilot, selector: str, steps: int) -> None:
    """Open a Select, move the highlight `steps` options down (up if negative), pick it."""
    pilot.app.query_one(selector, Select).focus()
    await pilot.press("enter", *["down" if steps > 0 else "up"] * abs(steps), "enter")
    await pilot.pause()


def test_registered_under_its_id_and_listed_by_lessons_2_and_4():
    assert panel_widget("invoke-playground") is InvokePlaygroundPanel
    assert "invoke-playground" in PANELS
    listed = {lesson.number for lesson in shipped_lessons() if "invoke-playground" in lesson.panels}
    assert listed == {2, 4}


def test_fmt_span():
    assert [fmt_span(None), fmt_span(4.4), fmt_span(754), fmt_span(5400)] == [
        "-",
        "4 s",
        "12 min",
        "1.5 h",
    ]


def test_snapshot_before_the_first_invoke_at_80x24(snap_compare):
    assert snap_compare(PlaygroundApp(), terminal_size=SIZE)


async def test_cold_warm_three_at_once_and_ten_minutes_by_keyboard():
    app = PlaygroundApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(InvokePlaygroundPanel)
        panel.focus()
        assert (
            "def lambda_handler(event, context):"
            in app.query_one("#playground-source", TextArea).text
        )
        assert '"name": "Ada"' in app.query_one("#playground-event", TextArea).text
        assert (
            text(app, "#playground-why")
            == "No environment yet: the first request to this function is a cold start."
        )

        await press_and_settle(pilot, panel, "i")
        assert text(app, "#playground-status").startswith("Request 1: cold on env #1 · Init ")
        assert env_rows(app) == [["#1", "idle", "1", "0 s", "0 s", "cold"]]
        assert text(app, "#playground-why").startswith("Cold: first request")
        logs = app.query_one("#playground-logs", TextArea).text
        assert (
            "START RequestId: " in logs and "END RequestId: " in logs and "Init Duration: " in logs
        )
        assert '"statusCode": 200' in app.query_one("#playground-result", TextArea).text

        await press_and_settle(pilot, panel, "i")
        assert text(app, "#playground-status").startswith("Request 2: warm on env #1 · ")
        assert "Init Duration" not in app.query_one("#playground-logs", TextArea).text

        await press_and_settle(pilot, panel, "c")
        assert text(app, "#playground-status") == "3 at once: 1 warm, 2 cold on env #1 #2 #3"
        assert [row[0] for row in env_rows(app)] == ["#1", "#2", "#3"]
        assert [row[5] for row in env_rows(app)] == ["warm", "cold", "cold"]
        assert text(app, "#playground-why").startswith(
            "3 at once: #1 was idle and reused (warm); #2 and #3 are new (cold)."
        )
        assert app.query_one("#playground-history", DataTable).row_count == 5

        await pilot.press("w")
        assert env_rows(app) == []
        assert "were reclaimed (hello #1, #2 and #3)" in text(app, "#playground-why")

        await press_and_settle(pilot, panel, "i")
        assert text(app, "#playground-status").startswith("Request 6: cold on env #4")
        assert (
            text(app, "#playground-why")
            == "Cold: its environments sat idle for the keep-alive (10 min) and were reclaimed."
        )

        await pilot.press("x")
        assert (
            env_rows(app) == [] and app.query_one("#playground-history", DataTable).row_count == 0
        )
        assert text(app, "#playground-status").startswith("Ready: hello.lambda_handler")


async def test_counter_state_is_visible_in_the_result():
    app = PlaygroundApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(InvokePlaygroundPanel)
        await choose(pilot, "#playground-demo", [d.id for d in DEMOS].index("counter"))
        assert panel.demo_id == "counter"
        await press_and_settle(pilot, panel, "i")
        await press_and_settle(pilot, panel, "i")
        assert '"requests_served_here": 2' in app.query_one("#playground-result", TextArea).text
        await press_and_settle(pilot, panel, "c")
        result = app.query_one("#playground-result", TextArea).text
        assert (
            result.count('"requests_served_here": 1') == 2 and '"requests_served_here": 3' in result
        )


async def test_timeout_demo_shows_the_error_shape_and_loses_its_environment():
    app = LessonWidthPlaygroundApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(InvokePlaygroundPanel)
        await choose(pilot, "#playground-demo", [d.id for d in DEMOS].index("slow-report"))
        assert "time.sleep(1.5)" in app.query_one("#playground-source", TextArea).text
        await press_and_settle(pilot, panel, "i")
        result = app.query_one("#playground-result", TextArea).text
        assert (
            '"errorType": "Sandbox.Timedout"' in result
            and "Task timed out after 1.00 seconds" in result
        )
        assert "Status: timeout" in app.query_one("#playground-logs", TextArea).text
        assert env_rows(app) == []
        assert "Env #1 timed out and was destroyed: the next request is cold." in text(
            app, "#playground-why"
        )
        panel.focus()
        await pilot.press("5")  # the Runs tab: every column in view at 80 columns
        await pilot.pause()
        runs = app.query_one("#playground-history", DataTable)
        assert runs.virtual_size.width <= runs.scrollable_content_region.width
        cells = [str(cell) for cell in runs.get_row_at(0)]
        assert cells[:2] == ["#1", "cold"] and cells[3].isdigit() and cells[-1] == "timeout"


async def test_memory_change_gives_a_cold_start_and_says_why():
    app = PlaygroundApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(InvokePlaygroundPanel)
        await press_and_settle(pilot, panel, "i")
        await choose(pilot, "#playground-memory", 1)
        assert panel.memory_mb == 256
        await press_and_settle(pilot, panel, "i")
        assert text(app, "#playground-why").startswith("Cold: memory changed from 128 to 256 MB")
        assert "Memory Size: 256 MB" in app.query_one("#playground-logs", TextArea).text


async def test_switching_demos_keeps_each_demos_own_result():
    app = PlaygroundApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(InvokePlaygroundPanel)
        await press_and_settle(pilot, panel, "i")
        sqs_index = [d.id for d in DEMOS].index("sqs-batch")
        await choose(pilot, "#playground-demo", sqs_index)
        assert env_rows(app) == [] and app.query_one("#playground-result", TextArea).text == ""
        await choose(pilot, "#playground-demo", -sqs_index)
        assert panel.demo_id == "hello" and len(env_rows(app)) == 1
        assert '"statusCode": 200' in app.query_one("#playground-result", TextArea).text


async def test_the_ui_keeps_running_while_an_invoke_waits():
    app = PlaygroundApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(InvokePlaygroundPanel)
        panel.focus()
        panel.engine._invoke_lock.acquire()  # hold the engine: the worker waits, the UI must not
        try:
            await pilot.press("i")
            assert panel.busy and app.query_one("#playground-invoke").disabled
            assert text(app, "#playground-status") == "Invoking hello (API Gateway)…"
            await pilot.press("tab")
            assert app.focused is app.query_one("#playground-demo", Select)
            await pilot.press("i")  # refused while busy, not queued
        finally:
            panel.engine._invoke_lock.release()
        await settle(pilot, panel)
        assert [i.number for i in panel.engine.history()] == [1]
        assert not app.query_one("#playground-invoke").disabled


async def test_unmounting_shuts_the_runtime_down():
    # Other tests in this worker process may own runtimes of their own; only new threads count.
    already_running = set(threading.enumerate())
    app = PlaygroundApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(InvokePlaygroundPanel)
        await press_and_settle(pilot, panel, "c")
        engine = panel.engine
        await panel.remove()
        assert engine.closed
    leftovers = [
        t.name
        for t in set(threading.enumerate()) - already_running
        if t.name.startswith(("playground-request", "simultaneous-invoke", "lambda-"))
    ]
    assert leftovers == []
