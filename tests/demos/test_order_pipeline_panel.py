"""The order pipeline panel in a tiny app that mounts only it: keyboard-only Pilot tests, the pure
diagram frames, and 80x24 snapshots (before any run, and after a run with its varying figures masked)."""

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Button, DataTable, Static

from serverless_tutor.content.lessons import shipped_lessons
from serverless_tutor.content.panels import PANELS
from serverless_tutor.demos.order_pipeline import (
    PipelineDemo,
    PipelineOptions,
    PipelineRun,
    fault_plan,
)
from serverless_tutor.tui.panels import panel_widget
from serverless_tutor.tui.widgets.order_pipeline_panel import OrderPipelinePanel
from serverless_tutor.tui.widgets.pipeline_diagram import BOX_WIDTH, diagram_lines
from serverless_tutor.tui.widgets.pipeline_trace_table import PipelineTraceTable, trace_rows

SIZE = (80, 24)
LARGE = (120, 40)
LESSON_PANE = 45  # the panel's inner width in the lesson pane of an 80-column terminal


class PipelineApp(App):
    def __init__(self, animations: bool = True):
        super().__init__()
        if not animations:
            self.animation_level = "none"  # what TEXTUAL_ANIMATIONS=none sets

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield OrderPipelinePanel()


@pytest.fixture(scope="module")
def failed_payment_run() -> PipelineRun:
    with PipelineDemo() as demo:
        return demo.place_order("fail-payment")


@pytest.fixture(scope="module")
def as_written_crash_run() -> PipelineRun:
    with PipelineDemo() as demo:
        return demo.run(PipelineOptions(code="as-written", faults=fault_plan("crash")))


def masked(run: PipelineRun) -> PipelineRun:
    """The run with request ids, message ids, order ids and timings fixed, so a snapshot is stable."""
    order_id = "0badcafe-0000-4000-8000-000000000000"
    steps = []
    for step in run.steps:
        steps.append(
            step.model_copy(
                update={
                    "request_id": f"request-{step.number}",
                    "duration_ms": 10.0 * step.number,
                    "billed_ms": 10 * step.number,
                    "init_ms": 100.0 if step.cold else None,
                    "message_id": step.message_id and "message-1",
                    "calls": [c.model_copy(update={"latency_ms": 1.5}) for c in step.calls],
                    "published": [
                        p.model_copy(update={"message_id": "message-1"}) for p in step.published
                    ],
                    "log": [],
                    "error": step.error and f"{step.error_type}: masked",
                }
            )
        )
    states = {
        k: getattr(run, k).model_copy(update={"order_id": order_id})
        for k in ("state_before", "end_state")
    }
    return run.model_copy(update={"steps": steps, "order_id": order_id, **states})


def text(app: App, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def settle(pilot, panel: OrderPipelinePanel, attempts: int = 300) -> None:
    """Let the app run until the worker has reported and playback has ended (bounded; no timing is asserted)."""
    for _ in range(attempts):
        await pilot.pause(0.05)
        if not panel.busy and not panel.playing:
            await pilot.pause()
            return
    assert not panel.busy and not panel.playing


def test_registered_under_its_id_and_listed_by_lesson_5():
    assert panel_widget("order-pipeline") is OrderPipelinePanel
    assert "order-pipeline" in PANELS
    assert {lesson.number for lesson in shipped_lessons() if "order-pipeline" in lesson.panels} == {
        5
    }


def test_every_frame_fits_the_lesson_pane(failed_payment_run):
    for revealed in range(len(failed_payment_run.steps) + 1):
        lines = diagram_lines(failed_payment_run, revealed, current=True)
        for line in lines:
            drawn = "".join(text for text, _ in line)
            assert len(drawn) <= LESSON_PANE, drawn
        assert all(len(line[0][0]) == BOX_WIDTH for line in lines[1:])  # boxes and bands line up


def test_frames_reveal_the_run_one_step_at_a_time(failed_payment_run):
    def picture(revealed: int) -> str:
        return "\n".join(
            "".join(t for t, _ in line)
            for line in diagram_lines(failed_payment_run, revealed, current=True)
        )

    def roles(revealed: int) -> dict[str, str]:
        found = {}
        for line in diagram_lines(failed_payment_run, revealed, current=True):
            name = line[0][0].strip("│ ")
            if line[0][0].startswith("│"):
                found[name] = line[0][1]
        return found

    assert "✓" not in picture(0) and "✗" not in picture(0)
    assert roles(0) == dict.fromkeys(
        ["createOrder", "processPayment", "updateInventory", "sendNotification"], "dim"
    )
    assert roles(1)["createOrder"] == "current" and "→ processPayment" in picture(1)
    assert "✗ attempt 1 failed" in picture(2) and roles(2)["processPayment"] == "current"
    assert "✗ attempt 2 failed" in picture(3)
    final = picture(4)
    assert "✗ failed, 3 attempts" in final and "└▶ on-failure queue" in final
    assert roles(4)["updateInventory"] == "dim" and roles(4)["sendNotification"] == "dim"
    rows = trace_rows(failed_payment_run.steps)
    assert ("", "  dynamodb UpdateItem", "denied: AccessDenied", "orders") in [
        r[:3] + r[4:] for r in rows
    ]
    assert [r[2] for r in rows if r[1].startswith("  raised ClientError")] == [
        "attempt 1, retried",
        "attempt 2, retried",
        "attempt 3",
    ]
    assert ("", "  → OrderCreated", "to processPayment", "", "events") in rows


def test_snapshot_before_the_first_order_at_80x24(snap_compare):
    assert snap_compare(PipelineApp(), terminal_size=SIZE)


def test_snapshot_after_a_failing_payment_at_80x24(snap_compare, failed_payment_run):
    async def show_the_run(pilot):
        pilot.app.animation_level = "none"
        pilot.app.query_one(OrderPipelinePanel).show_run(masked(failed_payment_run))
        await pilot.pause()

    assert snap_compare(PipelineApp(), terminal_size=SIZE, run_before=show_the_run)


def test_snapshot_after_a_crash_with_the_code_as_written_at_120x40(
    snap_compare, as_written_crash_run
):
    async def show_the_run(pilot):
        pilot.app.animation_level = "none"
        panel = pilot.app.query_one(OrderPipelinePanel)
        panel.action_next_fault()
        panel.action_next_fault()
        panel.action_next_fault()
        panel.action_toggle_code()
        panel.show_run(masked(as_written_crash_run))
        await pilot.pause()

    assert snap_compare(PipelineApp(), terminal_size=LARGE, run_before=show_the_run)


async def test_the_trace_fits_the_lesson_pane_with_every_figure_in_view(failed_payment_run):
    app = PipelineApp(animations=False)
    async with app.run_test(size=(LESSON_PANE + 4, 40)) as pilot:  # + the panel's border, padding
        app.query_one(OrderPipelinePanel).show_run(failed_payment_run)
        await pilot.pause()
        table = app.query_one(PipelineTraceTable)
        assert table.size.width <= LESSON_PANE
        assert table.virtual_size.width <= table.size.width  # nothing scrolled out of view
        assert [str(column.label) for column in table.columns.values()] == [
            "#",
            "step / call",
            "result",
            "ms",
        ]
        calls = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert any(call.endswith("\n    orders") for call in calls)  # the resource, under


async def test_the_fault_and_code_toggles_by_keyboard_change_the_end_state():
    app = PipelineApp(animations=False)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(OrderPipelinePanel)
        panel.focus()
        await pilot.pause()  # after the app's own first focus
        await pilot.press("i", "i", "i", "w")  # fault: none -> throttle -> duplicate -> crash
        assert (panel.fault, panel.code) == ("crash", "as-written")

        await pilot.press("o")
        await settle(pilot, panel)
        assert panel.last_run is not None and panel.last_run.code == "as-written"
        assert text(app, "#pipeline-status") == "Order: 3 invocations, ended PAID."
        assert (
            "Wrong for one order: no stock taken; order stuck at PAID; 0 emails for 1 order"
            in text(app, "#pipeline-state")
        )
        assert "Fault 'crash after the payment write' with the code as written" in text(
            app, "#pipeline-notes"
        )

        await pilot.press("i", "w")  # wraps round to no fault; back to the fixed code
        assert (panel.fault, panel.code) == (None, "fixed")


async def test_order_replay_oversell_failure_and_reset_by_keyboard():
    app = PipelineApp(animations=False)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(OrderPipelinePanel)
        panel.focus()
        await pilot.pause()  # after the app's own first focus
        assert text(app, "#pipeline-status").startswith("Ready: press o to place an order")

        await pilot.press("r")  # nothing to replay yet: a warning, no worker
        assert not panel.busy and panel.last_run is None

        await pilot.press("o")
        await settle(pilot, panel)
        assert not any(button.disabled for button in app.query(Button).results(Button))
        assert panel.revealed == 4  # animations off: the whole run at once
        assert text(app, "#pipeline-status") == "Order: 4 invocations, ended CONFIRMED."
        assert "Stock  book 5→4  pen 100→98" in text(app, "#pipeline-state")
        assert "1 sent to ada@example.com" in text(app, "#pipeline-state")
        assert "✉ ada@example.com" in text(app, "#pipeline-diagram")
        table = app.query_one(DataTable)
        run = panel.last_run
        assert run is not None  # mypy narrowed it to None at the start
        assert table.row_count == len(trace_rows(run.steps))

        await pilot.press("r")
        await settle(pilot, panel)
        assert text(app, "#pipeline-status") == "Replay: 3 invocations, ended CONFIRMED."
        assert "Replay changed nothing: every step is idempotent." in text(app, "#pipeline-state")
        assert text(app, "#pipeline-diagram").count("↺ duplicate: skipped") == 3

        await pilot.press("s")
        await settle(pilot, panel)
        assert text(app, "#pipeline-status") == "Oversold order: 3 invocations, ended OUT_OF_STOCK."
        assert "Stock  book 4  pen 98" in text(app, "#pipeline-state")

        await pilot.press("f")
        await settle(pilot, panel)
        assert (
            text(app, "#pipeline-status")
            == "Order with a failing payment: 4 invocations, ended PENDING."
        )
        assert "On-failure queue  1 message" in text(app, "#pipeline-state")

        await pilot.press("x")
        await settle(pilot, panel)
        assert panel.last_run is None and not panel.engine.deployed
        assert text(app, "#pipeline-status").startswith("Ready: press o")
        assert text(app, "#pipeline-state") == ""


async def test_playback_steps_through_the_run_and_holds_while_hidden():
    app = PipelineApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(OrderPipelinePanel)
        panel.focus()
        await pilot.pause()  # after the app's own first focus
        await pilot.press("o")
        for _ in range(300):  # until the worker has reported (playback starts at step 1)
            await pilot.pause(0.05)
            if not panel.busy:
                break
        assert panel.playing and 1 <= panel.revealed < 4
        assert text(app, "#pipeline-status").startswith(f"Step {panel.revealed} of 4: ")
        assert text(app, "#pipeline-state") == ""  # the end state waits for the last step

        panel.display = False
        await pilot.pause()
        held = panel.revealed
        await pilot.pause(1.5)  # more than two playback ticks
        assert panel.revealed == held and panel.playing

        panel.display = True
        await settle(pilot, panel)
        assert panel.revealed == 4
        assert text(app, "#pipeline-status") == "Order: 4 invocations, ended CONFIRMED."


async def test_unmounting_shuts_the_engine_down():
    app = PipelineApp(animations=False)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(OrderPipelinePanel)
        panel.focus()
        await pilot.pause()  # after the app's own first focus
        await pilot.press("o")
        await settle(pilot, panel)
        engine = panel.engine
        assert engine.deployed
        await panel.remove()
        assert not engine.deployed


def test_resources_drop_the_service_and_stage_every_row_shares():
    from serverless_tutor.tui.widgets.pipeline_trace_table import short_resource

    assert short_resource("order-service-orders-dev") == "orders"
    assert (
        short_resource("order-service-orders-dev+order-service-inventory-dev") == "orders+inventory"
    )
    assert short_resource("orders@example.com") == "orders@example.com"
    assert short_resource(None) == ""
