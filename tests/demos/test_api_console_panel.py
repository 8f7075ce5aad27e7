"""The API console panel in a tiny app that mounts only it: keyboard-only Pilot tests and an 80x24 snapshot."""

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Button, Input, Select, Static, TextArea

from serverless_tutor.content.lessons import shipped_lessons
from serverless_tutor.content.panels import PANELS
from serverless_tutor.demos.api_console import EXAMPLES
from serverless_tutor.tui.panels import panel_widget
from serverless_tutor.tui.widgets.api_console_panel import ApiConsolePanel

SIZE = (80, 24)


class ConsoleApp(App):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield ApiConsolePanel()


def text(app: App, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def answered(pilot, panel: ApiConsolePanel, attempts: int = 300) -> None:
    """Let the app run until the worker has reported (bounded; no timing is asserted)."""
    for _ in range(attempts):
        await pilot.pause(0.05)
        if not panel.busy:
            await pilot.pause()
            return
    assert not panel.busy


async def choose_example(pilot, app: App, label: str) -> None:
    """Open the example Select with the keyboard and move down to `label`."""
    select = app.query_one("#api-example", Select)
    select.focus()
    await pilot.press("enter")
    # The list opens on the current choice; the prompt row comes first.
    here = 0 if select.value == Select.NULL else int(select.value) + 1
    there = [e.label for e in EXAMPLES].index(label) + 1
    for _ in range(abs(there - here)):
        await pilot.press("down" if there > here else "up")
    await pilot.press("enter")
    await pilot.pause()


def test_registered_under_its_id_and_listed_by_lesson_7():
    assert panel_widget("api-console") is ApiConsolePanel
    assert "api-console" in PANELS
    assert {lesson.number for lesson in shipped_lessons() if "api-console" in lesson.panels} == {7}


def test_snapshot_before_any_request_at_80x24(snap_compare):
    assert snap_compare(ConsoleApp(), terminal_size=SIZE)


async def test_choosing_and_sending_examples_by_keyboard():
    app = ConsoleApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(ApiConsolePanel)
        assert text(app, "#api-status").startswith("Ready: pick an example")

        await choose_example(pilot, app, "Create a user (201)")
        assert app.query_one("#api-method", Select).value == "POST"
        assert app.query_one("#api-path", Input).value == "/dev/users"
        assert '"Alan Turing"' in app.query_one("#api-body", TextArea).text

        await pilot.press("ctrl+s")
        await answered(pilot, panel)
        assert text(app, "#api-status").startswith("201 Created · createUser · cold · ")
        assert "Init " in text(app, "#api-report") and text(app, "#api-report").startswith(
            "REPORT Duration "
        )
        assert '"name": "Alan Turing"' in text(app, "#api-response")
        assert "dynamodb:PutItem ok" in text(app, "#api-trace")
        assert app.query_one("#api-status").has_class("-ok")

        await pilot.press("ctrl+s")  # the same function again: a warm environment
        await answered(pilot, panel)
        assert text(app, "#api-status").startswith("201 Created · createUser · warm · ")
        assert "Init " not in text(app, "#api-report")

        await choose_example(pilot, app, "Bad JSON body (400)")
        app.query_one("#api-path", Input).focus()
        await pilot.press("enter")  # Enter in the path sends too
        await answered(pilot, panel)
        assert text(app, "#api-status").startswith("400 Bad Request · createUser · warm · ")
        assert '"error": "name and email required"' in text(app, "#api-response")
        assert "AWS calls: none (it answered" in text(app, "#api-trace")
        assert app.query_one("#api-status").has_class("-client-error")

        await choose_example(pilot, app, "Unknown id (404)")
        app.query_one("#api-send", Button).focus()
        await pilot.press("enter")
        await answered(pilot, panel)
        assert text(app, "#api-status").startswith("404 Not Found · getUser · cold · ")
        assert "dynamodb:GetItem ok" in text(app, "#api-trace")


async def test_a_bad_path_is_refused_with_a_clear_message():
    app = ConsoleApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(ApiConsolePanel)
        path = app.query_one("#api-path", Input)
        path.value = "users"
        path.focus()
        await pilot.press("enter")
        await answered(pilot, panel)
        assert text(app, "#api-status").startswith(
            "Not sent: path 'users': expected a path starting with /"
        )
        assert not panel.engine.deployed


async def test_unmounting_shuts_the_engine_down():
    app = ConsoleApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(ApiConsolePanel)
        app.query_one("#api-path", Input).focus()
        await pilot.press("enter")
        await answered(pilot, panel)
        assert text(app, "#api-status").startswith("200 OK · listUsers · cold · ")
        engine = panel.engine
        assert engine.deployed
        await panel.remove()
        assert not engine.deployed
