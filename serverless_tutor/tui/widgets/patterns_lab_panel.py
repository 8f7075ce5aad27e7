"""The patterns lab panel (lesson 8): fan-out and pipes-and-filters, live on the local account.

A view over serverless_tutor.demos.patterns_lab. The first action deploys the
bundled patterns-lab service (in a worker, like every run). Each run shows its
diagram, the end state of the pattern, a trace of the invocations and their AWS
calls, and what to notice. Unmounting shuts the runtime down and empties the
local account.

On the fan-out tab two toggles shape the next publish: a fault (none, throttle a
write, duplicate a delivery, crash after a write: the lab's own fault plans) and
the code (the fixed subscribers, or email and analytics as first written). The
end state then says whether one order got one email and one counted sale. On the
pipes-and-filters tab a fault toggle shapes the next upload (throttle the loader,
duplicate transform's delivery, crash transform after a row); a message that fails
comes back after its queue's visibility timeout on the lab's stepped clock. The end
state then says whether the good rows were loaded and the bad one rejected once.
"""

from __future__ import annotations

from typing import Any, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.content import Content
from textual.widgets import Button, Static, TabbedContent, TabPane

from serverless_tutor.demos.fault_toggles import FAULT_LABELS, Code, FaultName
from serverless_tutor.demos.patterns_lab import (
    FAILING_SUBSCRIBER,
    FILTERED_EVENT,
    PUBLISHED_EVENT,
    RIGHT_UPLOAD,
    PatternsDemo,
    PatternsError,
    PatternsRun,
    fault_plan,
)
from serverless_tutor.tui.widgets.action_panel import ActionPanel
from serverless_tutor.tui.widgets.fault_toggles import FaultToggles
from serverless_tutor.tui.widgets.patterns_diagram import (
    PatternsDiagram,
    fan_out_lines,
    pipes_lines,
)
from serverless_tutor.tui.widgets.patterns_trace_table import PatternsTraceTable

Action = Literal["publish", "filtered", "fail", "upload", "reset"]
WORKING: dict[Action, str] = {
    "publish": f"Publishing {PUBLISHED_EVENT}",
    "filtered": f"Publishing {FILTERED_EVENT}",
    "fail": f"Toggling {FAILING_SUBSCRIBER}",
    "upload": "Uploading orders.csv",
    "reset": "Resetting: throwing the deployment away",
}
TAB_OF: dict[Action, str] = {
    "publish": "patterns-fan-out",
    "filtered": "patterns-fan-out",
    "fail": "patterns-fan-out",
    "upload": "patterns-pipes",
}


def fan_out_state_text(run: PatternsRun) -> str:
    state = run.fan_out
    if state is None:
        return ""
    lines = []
    for name, types in state.received.items():
        dlq = len(state.dead_letters.get(name, []))
        lines.append(f"{name:<10} got {len(types)}  DLQ {dlq}")
    if state.order_id is not None:
        lines.append(
            f"Order {state.order_id}: {state.emails_sent} email{'' if state.emails_sent == 1 else 's'}, "
            f"{state.sales_counted} sale{'' if state.sales_counted == 1 else 's'} counted "
            f"(total {state.sales_total})"
        )
    if run.consequences:
        lines.append(f"Wrong for one order: {'; '.join(run.consequences)}")
    elif run.fault_plan is not None and state.order_id is not None:
        lines.append("Right for one order: 1 email, 1 sale counted")
    return "\n".join(lines)


def pipes_state_text(run: PatternsRun) -> str:
    state = run.pipes
    if state is None:
        return ""
    depths = "  ".join(f"{name} {count}" for name, count in state.queue_depths.items())
    items = ", ".join(item["orderId"] for item in state.items) or "none"
    twice = [f"{order} {count}x" for order, count in state.writes.items() if count > 1]
    lines = [f"Queues  {depths}", f"Table   {items}"]
    if twice:
        lines[-1] += f"  (written {', '.join(twice)})"
    if state.rejects:
        lines.append(
            f"Reject  {state.rejects[-1]}"
            + (f"  (x{len(state.rejects)} in all)" if len(state.rejects) > 1 else "")
        )
    if run.consequences:
        lines.append(f"Wrong for one upload: {'; '.join(run.consequences)}")
    elif run.fault_plan is not None:
        lines.append(f"Right for one upload: {RIGHT_UPLOAD}")
    return "\n".join(lines)


class PatternsLabPanel(ActionPanel[tuple[Action, PatternsRun | None]]):
    """Publish to a fanned-out topic, break a subscriber, run a CSV through pipes and filters."""

    can_focus = True

    # The footer shows the keys that fit at 80 columns, most important first; `?` lists all.
    BINDINGS = [
        # Not `p`: that is Previous lesson, which must keep working while the lab has focus.
        Binding(
            "a",
            "start('publish')",
            "Publish",
            tooltip=f"publish {PUBLISHED_EVENT} to the alerts topic",
        ),
        Binding("u", "start('upload')", "Upload", tooltip="upload orders.csv (one bad row)"),
        Binding(
            "f",
            "start('fail')",
            "Fail sms",
            show=False,
            tooltip=f"toggle {FAILING_SUBSCRIBER} failing",
        ),
        Binding(
            "c",
            "start('filtered')",
            "Cart evt",
            show=False,
            tooltip=f"publish {FILTERED_EVENT}: sms's filter skips it",
        ),
        Binding("x", "start('reset')", "Reset", show=False, tooltip="throw the deployment away"),
        # The selects show these two.
        Binding(
            "i",
            "next_fault",
            "Next fault (none, throttle, duplicate, crash)",
            show=False,
            tooltip="the fault for the next publish, or upload on the pipes tab",
        ),
        Binding(
            "w",
            "toggle_code",
            "Code: fixed or as written",
            show=False,
            tooltip="email and analytics for the next publish: fixed, or as first written",
        ),
    ]

    DEFAULT_CSS = """
    PatternsLabPanel TabbedContent, PatternsLabPanel TabPane {
        height: auto;
    }
    PatternsLabPanel TabPane {
        padding: 0;
    }
    PatternsLabPanel .patterns-buttons {
        height: auto;
        grid-size: 3;
        grid-columns: 1fr 1fr 1fr;
        grid-gutter: 0 1;
    }
    PatternsLabPanel .patterns-buttons Button {
        width: 100%;
        min-width: 0;
    }
    PatternsLabPanel PatternsDiagram, PatternsLabPanel .patterns-state {
        height: auto;
        margin: 1 0 0 0;
    }
    PatternsLabPanel #patterns-status {
        height: auto;
        text-style: bold;
        margin: 1 0 0 0;
    }
    PatternsLabPanel #patterns-status.-failed {
        color: $error;
    }
    PatternsLabPanel #patterns-notes {
        height: auto;
        color: $text-muted;
        margin: 1 0 0 0;
    }
    """

    STATUS = "#patterns-status"
    CONTROLS = ".patterns-buttons Button"
    BUSY_WARNING = "The lab is still running; wait for it to finish."
    FAILURE_PREFIX = "Failed"
    ENGINE_ERRORS = (PatternsError,)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.engine = PatternsDemo()
        self.failing = False
        self.last_run: PatternsRun | None = None
        self._last_of: dict[str, PatternsRun] = {}  # pattern -> its last run

    def compose(self) -> ComposeResult:
        self.border_title = "Patterns lab"
        with TabbedContent(id="patterns-tabs"):
            with TabPane("Fan-out", id="patterns-fan-out"):
                with Grid(classes="patterns-buttons"):
                    yield Button("Publish", id="patterns-publish", compact=True, variant="primary")
                    yield Button("Cart evt", id="patterns-filtered", compact=True)
                    yield Button("Fail sms", id="patterns-fail", compact=True)
                # Keys i (fault) and w (code) cycle these while the panel has focus.
                yield FaultToggles("patterns", id="patterns-toggles")
                yield PatternsDiagram(id="patterns-fan-out-diagram")
                yield Static(id="patterns-fan-out-state", classes="patterns-state")
            with TabPane("Pipes and filters", id="patterns-pipes"):
                with Grid(classes="patterns-buttons"):
                    yield Button("Upload", id="patterns-upload", compact=True, variant="primary")
                    yield Button("Reset", id="patterns-reset", compact=True)
                # Key i cycles this one while this tab is showing.
                yield FaultToggles("patterns-pipes", with_code=False, id="patterns-pipes-toggles")
                yield PatternsDiagram(id="patterns-pipes-diagram")
                yield Static(id="patterns-pipes-state", classes="patterns-state")
        yield Static(id="patterns-status")
        yield PatternsTraceTable(id="patterns-trace")
        yield Static(id="patterns-notes")

    def on_mount(self) -> None:
        self._show()

    def on_unmount(self) -> None:
        self.engine.close()  # if a run is still going, it tears down when it ends

    # ------------------------------------------------------------ controls

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        for action in WORKING:
            if event.button.id == f"patterns-{action}":
                event.stop()
                self.action_start(action)

    def _toggles(self, tab: str) -> FaultToggles:
        kind = "pipes-toggles" if tab == "patterns-pipes" else "toggles"
        return self.query_one(f"#patterns-{kind}", FaultToggles)

    @property
    def fault(self) -> FaultName | None:
        """The fault for the next publish (the fan-out tab's toggle)."""
        return self._toggles("patterns-fan-out").fault

    @property
    def pipes_fault(self) -> FaultName | None:
        """The fault for the next upload (the pipes-and-filters tab's toggle)."""
        return self._toggles("patterns-pipes").fault

    @property
    def code(self) -> Code:
        return self._toggles("patterns-fan-out").code

    def action_next_fault(self) -> None:
        """The fault of the tab showing: the next publish's, or the next upload's."""
        self._toggles(self.query_one(TabbedContent).active).next_fault()

    def action_toggle_code(self) -> None:
        self.query_one(TabbedContent).active = "patterns-fan-out"
        self._toggles("patterns-fan-out").toggle_code()

    def action_start(self, action: Action) -> None:
        if self.warn_if_busy():
            return
        if action in TAB_OF:
            self.query_one(TabbedContent).active = TAB_OF[action]
        status = WORKING[action]
        fault = self.pipes_fault if action == "upload" else self.fault
        code = self.code
        if action in ("publish", "filtered", "upload") and fault is not None:
            status += f", with a fault: {FAULT_LABELS[fault]}"
        if action in ("publish", "filtered") and code == "as-written":
            status += ", code as written"
        if action not in ("reset", "fail") and not self.engine.deployed:
            status += " (deploying patterns-lab first)"
        self.start_action(status + "…", lambda: (action, self._perform(action, fault, code)))

    def _perform(self, action: Action, fault: FaultName | None, code: Code) -> PatternsRun | None:
        """In the worker thread: None after a toggle or a reset."""
        if action == "reset":
            self.engine.reset()
            return None
        if action == "fail":
            self.engine.set_failing(not self.engine.failing)
            return None
        if action == "upload":
            return self.engine.upload(faults=fault_plan(fault, "pipes") if fault else None)
        return self.engine.publish(
            PUBLISHED_EVENT if action == "publish" else FILTERED_EVENT,
            code=code,
            faults=fault_plan(fault) if fault is not None else None,
        )

    def show_result(self, result: tuple[Action, PatternsRun | None]) -> None:
        action, run = result
        self.failing = self.engine.failing
        if action == "reset":
            self.last_run = None
            self._last_of.clear()
        elif run is not None:
            self.last_run = run
            self._last_of[run.pattern] = run
        self._show(action)

    # ------------------------------------------------------------- drawing

    def _show(self, action: Action | None = None) -> None:
        run = self.last_run
        # Each tab keeps the picture of its own last run; the trace and notes are of the last run of either.
        fan_out = self.last_fan_out
        pipes = self.last_pipes
        self.query_one("#patterns-fan-out-diagram", PatternsDiagram).show(
            fan_out_lines(fan_out, self.failing)
        )
        self.query_one("#patterns-fan-out-state", Static).update(
            Content(fan_out_state_text(fan_out) if fan_out else "")
        )
        self.query_one("#patterns-pipes-diagram", PatternsDiagram).show(pipes_lines(pipes))
        self.query_one("#patterns-pipes-state", Static).update(
            Content(pipes_state_text(pipes) if pipes else "")
        )
        self.query_one(PatternsTraceTable).show(run)
        status = self.query_one("#patterns-status", Static)
        notes = self.query_one("#patterns-notes", Static)
        if action == "fail":
            state = (
                "failing (its role is denied dynamodb:PutItem)" if self.failing else "working again"
            )
            status.update(Content(f"{FAILING_SUBSCRIBER} is now {state}: press a to publish."))
        elif run is None:
            status.update(
                Content(
                    "Ready: a publish, c cart event (filtered), f fail sms, i fault, w code, "
                    "u upload CSV, x reset."
                )
            )
        else:
            count = len(run.invocations)
            status.update(Content(f"{run.action}: {count} invocation{'' if count == 1 else 's'}."))
        notes.update(
            Content("\n".join(f"• {note}" for note in run.notes) if run is not None else "")
        )

    @property
    def last_fan_out(self) -> PatternsRun | None:
        return self._last_of.get("fan-out")

    @property
    def last_pipes(self) -> PatternsRun | None:
        return self._last_of.get("pipes")
