"""The cost calculator panel, mounted alone in a tiny app (independent of the lesson screen)."""

import io
from decimal import Decimal

from rich.console import Console
from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets import Checkbox, Input, Select, Static, TabbedContent

from serverless_tutor.content.panels import PANELS
from serverless_tutor.pricing.money import cents, usd
from serverless_tutor.tui.panels import panel_widget
from serverless_tutor.tui.widgets.cost_calculator_panel import CostCalculatorPanel, bar


class PanelApp(App):
    def compose(self) -> ComposeResult:
        yield CostCalculatorPanel()

    def on_mount(self) -> None:
        # A blinking cursor makes the snapshot depend on when it is taken; keep it shown.
        for field in self.query(Input):
            field.cursor_blink = False


def text_of(app: App, selector: str, width: int = 80) -> str:
    """What a Static shows, as plain text (markup strings and rich tables alike)."""
    content = app.query_one(selector, Static).content
    if isinstance(content, str):
        return str(Content.from_markup(content))
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(content)
    return console.export_text()


async def retype(pilot, selector: str, text: str) -> None:
    field = pilot.app.query_one(selector, Input)
    field.focus()
    await pilot.press("end", *["backspace"] * len(field.value), *list(text))
    await pilot.pause()


def test_registered_under_its_id():
    assert panel_widget("cost-calculator") is CostCalculatorPanel
    assert "cost-calculator" in PANELS


def test_bar_fills_in_eighths():
    assert bar(Decimal(1), Decimal(1), 4) == "████"
    assert bar(Decimal(0), Decimal(1), 4) == "    "
    assert bar(Decimal("0.5625"), Decimal(1), 4) == "██▎ "


async def test_starts_on_the_chapter_example_and_updates_as_you_type():
    app = PanelApp()
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(CostCalculatorPanel)
        assert cents(panel.bill.total) == Decimal("18.67")
        words = " ".join(text_of(app, "#cost-bill").split())  # the formula may wrap
        assert "1,000,000 GB-s × $0.0000166667" in words
        await retype(pilot, "#cost-requests", "1000000")
        assert cents(panel.bill.total) == Decimal("1.87")
        assert "$1.87" in text_of(app, "#cost-bill")


async def test_free_tier_and_arch_by_keyboard():
    app = PanelApp()
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(CostCalculatorPanel)
        x86_total = panel.bill.total
        app.query_one("#cost-free-tier", Checkbox).focus()
        await pilot.press("space")
        await pilot.pause()
        assert panel.bill.free_tier_credit == Decimal("0.2") + 400_000 * Decimal("0.0000166667")
        assert "Free tier: compute" in text_of(app, "#cost-bill")
        await pilot.press("space")  # off again
        app.query_one("#cost-arch", Select).focus()
        await pilot.press("enter", "down", "enter")
        await pilot.pause()
        assert panel.bill.architecture == "arm64"
        assert panel.bill.total < x86_total


class LessonWidthPanelApp(PanelApp):
    # The panel's width in the lesson view of an 80x24 terminal.
    CSS = "CostCalculatorPanel { width: 49; }"


async def test_at_80_columns_no_label_wraps_away_from_its_amount():
    app = LessonWidthPanelApp()
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(CostCalculatorPanel)
        app.query_one("#cost-free-tier", Checkbox).value = True
        await pilot.pause()
        bill_widget = app.query_one("#cost-bill", Static)
        rows = text_of(app, "#cost-bill", width=bill_widget.content_region.width).splitlines()
        assert panel.bill is not None
        for line in panel.bill.lines:
            assert any(line.label in row and usd(line.amount) in row for row in rows), line.label
        assert any("Free tier: requests" in row for row in rows)


async def test_preset_fills_inputs_and_shows_the_chapter_slip():
    app = PanelApp()
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(CostCalculatorPanel)
        app.query_one("#cost-preset", Select).value = "right-size-3008"
        await pilot.pause()
        assert app.query_one("#cost-memory", Input).value == "3008"
        slip = text_of(app, "#cost-slip")
        assert "$25.01" in slip and "$24.48" in slip and "2.9375 GB" in slip
        assert cents(panel.bill.compute_cost) == Decimal("24.48")
        app.query_one("#cost-preset", Select).value = "worked-example"
        await pilot.pause()
        assert "right" in text_of(app, "#cost-slip")
        await retype(pilot, "#cost-duration", "300")
        assert not app.query_one("#cost-slip", Static).display  # no longer the chapter's workload


async def test_bad_input_shows_a_reason_and_keeps_the_last_bill():
    app = PanelApp()
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(CostCalculatorPanel)
        await retype(pilot, "#cost-memory", "64")
        assert panel.error and panel.error.startswith("memory:")
        assert "128" in text_of(app, "#cost-error")
        assert cents(panel.bill.total) == Decimal("18.67")
        await retype(pilot, "#cost-memory", "1024")
        assert panel.error is None and not app.query_one("#cost-error", Static).display


async def test_memory_chart_and_break_even_follow_the_inputs():
    app = PanelApp()
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(CostCalculatorPanel)
        app.query_one("#cost-tabs", TabbedContent).active = "cost-tab-memory"
        await pilot.pause()
        assert (
            panel.tuning.cheapest == 1024
        )  # CPU-bound: same cost down to 128 MB, 1024 MB is faster
        assert "10240 MB" in text_of(app, "#cost-memory-chart")
        await retype(pilot, "#cost-cpu", "0")
        assert panel.tuning.cheapest == 128  # I/O-bound: memory buys nothing
        app.query_one("#cost-tabs", TabbedContent).active = "cost-tab-breakeven"
        await pilot.pause()
        assert panel.breakeven.requests == 26_785_667
        assert "26,785,667" in text_of(app, "#cost-breakeven-summary")
        await retype(pilot, "#cost-server", "100")
        assert panel.breakeven.requests == 53_571_333


def test_snapshot_bill(snap_compare):
    assert snap_compare(PanelApp(), terminal_size=(80, 24))


def test_snapshot_memory_chart_with_a_chapter_slip(snap_compare):
    async def choose(pilot):
        app = pilot.app
        app.query_one("#cost-preset", Select).value = "pay-per-use"
        app.query_one("#cost-tabs", TabbedContent).active = "cost-tab-memory"
        await pilot.pause()

    assert snap_compare(PanelApp(), terminal_size=(80, 24), run_before=choose)
