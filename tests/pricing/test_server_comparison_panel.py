"""The server-vs-serverless panel, mounted alone in a tiny app: keyboard-only Pilot test and an 80x24 snapshot."""

from decimal import Decimal as D

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Checkbox, Input, Select, Static

from serverless_tutor.content.lessons import shipped_lessons
from serverless_tutor.content.panels import PANELS
from serverless_tutor.pricing.server_comparison import compare_with_server
from serverless_tutor.tui.panels import panel_widget
from serverless_tutor.tui.widgets.server_comparison_panel import (
    ServerComparisonPanel,
    chart_lines,
)

SIZE = (80, 24)
LESSON_PANE = 45  # the panel's inner width in the lesson pane of an 80-column terminal


class PanelApp(App):
    CSS = "ServerComparisonPanel { width: 45; }"  # as wide as in the lesson pane at 80x24

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield ServerComparisonPanel()

    def on_mount(self) -> None:
        # A blinking cursor makes the snapshot depend on when it is taken; keep it shown.
        for field in self.query(Input):
            field.cursor_blink = False


def text(app: App, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def retype(pilot, selector: str, value: str) -> None:
    field = pilot.app.query_one(selector, Input)
    field.focus()
    await pilot.press("end", *["backspace"] * len(field.value), *list(value))
    await pilot.pause()


async def choose(pilot, selector: str, downs: int) -> None:
    """Open a Select with the keyboard and move `downs` rows down from its current choice."""
    pilot.app.query_one(selector, Select).focus()
    await pilot.press("enter", *["down"] * downs, "enter")
    await pilot.pause()


def test_registered_under_its_id_and_listed_by_lesson_1():
    assert panel_widget("server-vs-serverless") is ServerComparisonPanel
    assert "server-vs-serverless" in PANELS
    assert {
        lesson.number for lesson in shipped_lessons() if "server-vs-serverless" in lesson.panels
    } == {1}


def test_chart_fits_the_lesson_pane_and_marks_the_break_even_between_1m_and_10m():
    result = compare_with_server(
        requests=100_000, duration_ms=D(200), memory_mb=512, server_monthly_usd=D(15)
    )
    lines = [Content.from_markup(line).plain for line in chart_lines(result)]
    assert all(len(line) <= LESSON_PANE for line in lines), lines
    labels = [line.split()[0] for line in lines[1:]]
    assert labels == ["1.0k", "10.0k", "100.0k", "1.0M", "──", "10.0M", "100.0M", "1.0B"]
    assert lines[5].strip() == "── break-even 8.0M ──"
    assert (
        lines[4].endswith("$1.87")
        and lines[-1].endswith("$1,866.67")
        and lines[1].endswith("<$0.01")
    )
    assert "│" in lines[4]  # the server's column, where Lambda's bar has not reached it


async def test_inputs_update_the_verdict_at_once_by_keyboard():
    app = PanelApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(ServerComparisonPanel)
        # hobby API (100k) at 200 ms, 512 MB against a $15 VM
        assert text(app, "#idle-verdict") == "▶ Lambda is cheaper by $14.81/month."
        assert text(app, "#idle-breakeven") == "Break-even: 8,035,700 requests/month (≈3.06/s)"
        assert "total          $0.19" in text(app, "#idle-lambda-side")
        assert text(app, "#idle-notice").startswith("Scale to zero: 100,000 requests cost $0.19")

        await choose(pilot, "#idle-traffic", 2)  # the blank prompt, hobby, busy
        assert app.query_one("#idle-requests", Input).value == "30000000"
        assert text(app, "#idle-verdict") == "▶ The server is cheaper by $41.00/month."
        assert text(app, "#idle-notice").startswith(
            "Past 8,035,700 requests a month the flat $15.00 server wins"
        )

        await choose(pilot, "#idle-server-preset", 3)  # the blank prompt, $15, $50, $200
        assert app.query_one("#idle-server", Input).value == "200"
        assert text(app, "#idle-verdict") == "▶ Lambda is cheaper by $144.00/month."

        await retype(pilot, "#idle-requests", "1000000")
        await retype(pilot, "#idle-server", "15")
        assert text(app, "#idle-verdict") == "▶ Lambda is cheaper by $13.13/month."  # $15 - $1.87

        app.query_one("#idle-free-tier", Checkbox).focus()
        await pilot.press("space")
        await pilot.pause()
        assert panel.result.free_tier and panel.result.bill.total == 0
        assert text(app, "#idle-breakeven").startswith("Break-even: 11,714,272 requests/month")
        assert "free reqs" in text(app, "#idle-lambda-side")

        await choose(pilot, "#idle-shape", 1)
        assert panel.result.shape == "spiky"
        assert "sized for the spike" in text(app, "#idle-notice")

        await retype(pilot, "#idle-memory", "64")
        assert text(app, "#idle-error").startswith("⚠ memory: ")
        assert app.query_one("#idle-error").display
        assert panel.result.memory_mb == 512  # the last good figures stay on screen
        await retype(pilot, "#idle-memory", "1024")
        assert not app.query_one("#idle-error").display
        assert panel.result.memory_mb == 1024


def test_snapshot_at_80x24(snap_compare):
    assert snap_compare(PanelApp(), terminal_size=SIZE)
