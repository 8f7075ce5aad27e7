"""The order pipeline panel (lesson 5): place orders in the chapter's event-driven shop and watch them flow.

A view over serverless_tutor.demos.order_pipeline. The first action deploys the
bundled order-service (in a worker, like every run); each run returns a
PipelineRun, which the panel plays back one step at a time: the diagram lights the
function that ran, the trace table grows by its AWS calls, and at the end the
shop's state and what to notice appear. The playback timer runs only while the
panel is shown; with TEXTUAL_ANIMATIONS=none the whole run appears at once.
Unmounting shuts the runtime down and empties the local account.

Two toggles shape the next order: a fault (none, throttle a write, duplicate a
delivery, crash after a write: the pipeline's own fault plans) and the code (the
fixed handlers, or the chapter's as written). The end state then says whether it
is right for one order, and if not, how it is wrong.
"""

from __future__ import annotations

from typing import Any, Literal

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Button, Static

from serverless_tutor.demos.fault_toggles import FAULT_LABELS, Code, FaultName
from serverless_tutor.demos.order_pipeline import (
    PipelineDemo,
    PipelineError,
    PipelineOptions,
    PipelineRun,
    ShopState,
    fault_plan,
)
from serverless_tutor.tui.widgets.action_panel import ActionPanel
from serverless_tutor.tui.widgets.fault_toggles import FaultToggles
from serverless_tutor.tui.widgets.pipeline_diagram import PipelineDiagram
from serverless_tutor.tui.widgets.pipeline_trace_table import PipelineTraceTable

STEP_S = 0.6  # playback: one invocation per tick
WIDE_PANEL = 72  # columns from which the end state sits beside the diagram
Action = Literal["order", "oversell", "fail-payment", "replay", "reset"]
WORKING: dict[Action, str] = {
    "order": "Placing an order",
    "oversell": "Ordering more books than the shop has",
    "fail-payment": "Placing an order with processPayment denied dynamodb:UpdateItem",
    "replay": "Delivering the last order's messages a second time",
    "reset": "Resetting: throwing the deployment away",
}


def state_text(run: PipelineRun) -> str:
    """The shop after the run, compared with before it."""
    before = run.state_before_replay if run.scenario == "replay" else run.state_before
    before_stock = before.stock if before is not None else {}
    after = run.end_state
    stock = "  ".join(
        _change(product, before_stock.get(product), count) for product, count in after.stock.items()
    )
    email = f"{after.emails_sent} sent" + (
        f" to {', '.join(after.email_to)}" if after.email_to else ""
    )
    order = (after.order_id or "-")[:8]
    lines = [
        f"Order {order}…  {after.order_status or 'not saved'}",
        f"Stock  {stock}",
        f"Confirmation email  {email}",
        f"On-failure queue  {after.failed_events} message{'' if after.failed_events == 1 else 's'}",
    ]
    if run.replay_changed_state is False:
        lines.append("Replay changed nothing: every step is idempotent.")
    if run.consequences:
        lines.append(f"Wrong for one order: {'; '.join(run.consequences)}")
    elif run.fault_plan is not None and run.scenario == "order":
        lines.append("Right for one order: stock taken once, CONFIRMED, 1 email")
    return "\n".join(lines)


def _change(product: str, before: int | None, after: int) -> str:
    return (
        f"{product} {after}" if before is None or before == after else f"{product} {before}→{after}"
    )


class OrderPipelinePanel(ActionPanel[PipelineRun | None]):
    """POST an order, follow it through SNS to every function, replay it, break it."""

    can_focus = True

    # The footer shows the keys that fit at 80 columns, most important first; `?` lists all.
    BINDINGS = [
        Binding("o", "start('order')", "Order", tooltip="place an order: 1 book, 2 pens"),
        Binding(
            "r",
            "start('replay')",
            "Replay",
            tooltip="deliver every message of the last order again",
        ),
        Binding(
            "s", "start('oversell')", "Oversell", tooltip="order one book more than is in stock"
        ),
        Binding(
            "f",
            "start('fail-payment')",
            "Fail pay",
            show=False,
            tooltip="deny processPayment dynamodb:UpdateItem, then order",
        ),
        Binding(
            "x",
            "start('reset')",
            "Reset",
            show=False,
            tooltip="throw the deployment away; the next order deploys afresh",
        ),
        # The selects show these two.
        Binding(
            "i",
            "next_fault",
            "Next fault (none, throttle, duplicate, crash)",
            show=False,
            tooltip="the fault for the next order",
        ),
        Binding(
            "w",
            "toggle_code",
            "Code: fixed or as written",
            show=False,
            tooltip="the handlers for the next order: fixed, or the chapter's as written",
        ),
    ]

    DEFAULT_CSS = """
    OrderPipelinePanel #pipeline-intro, OrderPipelinePanel #pipeline-notes {
        height: auto;
        color: $text-muted;
    }
    OrderPipelinePanel #pipeline-buttons {
        height: auto;
        grid-size: 3;
        grid-columns: 1fr 1fr 1fr;
        grid-gutter: 0 1;
        margin: 1 0 0 0;
    }
    OrderPipelinePanel #pipeline-buttons Button {
        width: 100%;
        min-width: 0;
    }
    OrderPipelinePanel #pipeline-status {
        height: auto;
        text-style: bold;
        margin: 1 0 0 0;
    }
    OrderPipelinePanel #pipeline-status.-failed {
        color: $error;
    }
    OrderPipelinePanel #pipeline-view, OrderPipelinePanel #pipeline-side {
        height: auto;
    }
    OrderPipelinePanel #pipeline-diagram, OrderPipelinePanel #pipeline-state {
        margin: 1 0 0 0;
    }
    OrderPipelinePanel #pipeline-state {
        height: auto;
    }
    OrderPipelinePanel #pipeline-notes {
        margin: 1 0 1 0;
    }
    /* Wide enough for two columns: the end state and notes beside the diagram. */
    OrderPipelinePanel.-wide #pipeline-view {
        layout: horizontal;
    }
    OrderPipelinePanel.-wide #pipeline-diagram {
        width: 46;
    }
    OrderPipelinePanel.-wide #pipeline-side {
        width: 1fr;
    }
    """

    STATUS = "#pipeline-status"
    CONTROLS = "#pipeline-buttons Button"
    BUSY_WARNING = "The pipeline is still running; wait for it to finish."
    FAILURE_PREFIX = "Failed"
    ENGINE_ERRORS = (PipelineError,)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.engine = PipelineDemo()
        self.last_run: PipelineRun | None = None
        self.revealed = 0
        self._on_screen = False
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        self.border_title = "Order pipeline"
        yield Static(
            Content(
                "order-service from this lesson, running locally: four functions share one SNS topic, and "
                "filter policies on eventType deliver each event only to the function that handles it."
            ),
            id="pipeline-intro",
        )
        with Grid(id="pipeline-buttons"):
            # Keys o r s f x show in the footer while the panel has focus.
            yield Button("Order", id="pipeline-order", compact=True, variant="primary")
            yield Button("Replay", id="pipeline-replay", compact=True)
            yield Button("Oversell", id="pipeline-oversell", compact=True)
            yield Button("Fail pay", id="pipeline-fail-payment", compact=True)
            yield Button("Reset", id="pipeline-reset", compact=True)
        # Keys i (fault) and w (code) cycle these while the panel has focus.
        yield FaultToggles("pipeline", id="pipeline-toggles")
        yield Static(id="pipeline-status")
        with Vertical(id="pipeline-view"):
            yield PipelineDiagram(id="pipeline-diagram")
            with Vertical(id="pipeline-side"):
                yield Static(id="pipeline-state")
                yield Static(id="pipeline-notes")
        yield PipelineTraceTable(id="pipeline-trace")

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width >= WIDE_PANEL, "-wide")

    def on_mount(self) -> None:
        self._timer = self.set_interval(STEP_S, self._reveal_next, pause=True)
        self._show()

    def on_show(self) -> None:
        self._on_screen = True
        self._sync_timer()

    def on_hide(self) -> None:
        self._on_screen = False
        self._sync_timer()

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.engine.close()  # if a run is still going, it tears down when it ends

    # ------------------------------------------------------------ playback

    @property
    def playing(self) -> bool:
        return self.last_run is not None and self.revealed < len(self.last_run.steps)

    def _sync_timer(self) -> None:
        if self._timer is None:
            return
        if self.playing and self._on_screen and self.app.animation_level != "none":
            self._timer.resume()
        else:
            self._timer.pause()

    def _reveal_next(self) -> None:
        if not self.playing:
            self._sync_timer()
            return
        self.revealed += 1
        self._show()
        self._sync_timer()

    # ------------------------------------------------------------ controls

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        for action in WORKING:
            if event.button.id == f"pipeline-{action}":
                event.stop()
                self.action_start(action)

    @property
    def fault(self) -> FaultName | None:
        return self.query_one(FaultToggles).fault

    @property
    def code(self) -> Code:
        return self.query_one(FaultToggles).code

    def action_next_fault(self) -> None:
        self.query_one(FaultToggles).next_fault()

    def action_toggle_code(self) -> None:
        self.query_one(FaultToggles).toggle_code()

    def action_start(self, action: Action) -> None:
        if self.warn_if_busy():
            return
        if action == "replay" and self.engine.last_order_id is None:
            self.notify(
                "Place an order first: a replay re-delivers the last order's messages.",
                severity="warning",
            )
            return
        status = WORKING[action]
        fault, code = self.fault, self.code
        if action not in ("reset", "replay"):
            if fault is not None:
                status += f", with a fault: {FAULT_LABELS[fault]}"
            if code == "as-written":
                status += ", code as written"
        if action != "reset" and not self.engine.deployed:
            status += " (deploying order-service first)"
        self.start_action(status + "…", lambda: self._perform(action, fault, code))

    def _perform(self, action: Action, fault: FaultName | None, code: Code) -> PipelineRun | None:
        """In the worker thread: None after a reset."""
        if action == "reset":
            self.engine.reset()
            return None
        if action == "replay":
            return self.engine.replay()
        return self.engine.run(
            PipelineOptions(
                oversell=action == "oversell",
                fail_payment=action == "fail-payment",
                faults=fault_plan(fault) if fault is not None else None,
                code=code,
            )
        )

    def show_result(self, result: PipelineRun | None) -> None:
        self.show_run(result)

    def show_run(self, run: PipelineRun | None) -> None:
        """Play `run` back from its first step (all at once when animations are off)."""
        self.last_run = run
        animate = run is not None and self._on_screen and self.app.animation_level != "none"
        self.revealed = 0 if animate else (len(run.steps) if run is not None else 0)
        if animate:
            self.revealed = 1  # the first step at once; the timer brings the rest
        self._show()
        self._sync_timer()

    # ------------------------------------------------------------- drawing

    def _show(self) -> None:
        run = self.last_run
        self.query_one(PipelineDiagram).show(run, self.revealed, current=self.playing)
        self.query_one(PipelineTraceTable).show(
            run.steps[: self.revealed] if run is not None else []
        )
        status = self.query_one("#pipeline-status", Static)
        state = self.query_one("#pipeline-state", Static)
        notes = self.query_one("#pipeline-notes", Static)
        if self.busy:
            return
        if run is None:
            status.update(
                Content(
                    "Ready: press o to place an order (1 book, 2 pens); i picks a fault, w the code. "
                    "The first run also deploys order-service into a local account."
                )
            )
            state.update(Content(""))
            notes.update(Content(""))
            return
        if self.playing:
            step = run.steps[self.revealed - 1]
            status.update(
                Content(
                    f"Step {self.revealed} of {len(run.steps)}: {step.function} ← {step.trigger}"
                )
            )
            state.update(Content(""))
            notes.update(Content(""))
            return
        status.update(Content(_finished_line(run)))
        state.update(Content(state_text(run)))
        notes.update(Content("\n".join(f"• {note}" for note in run.notes)))


def _finished_line(run: PipelineRun) -> str:
    what = {
        "order": "Order",
        "oversell": "Oversold order",
        "fail-payment": "Order with a failing payment",
        "replay": "Replay",
    }[run.scenario]
    return f"{what}: {len(run.steps)} invocation{'' if len(run.steps) == 1 else 's'}, ended {_status(run.end_state)}."


def _status(state: ShopState) -> str:
    return state.order_status or "without an order"
