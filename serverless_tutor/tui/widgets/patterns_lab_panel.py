"""The patterns lab panel (lesson 8): fan-out and pipes-and-filters, live on the local account.

A view over serverless_tutor.demos.patterns_lab. The first action deploys the
bundled patterns-lab service (in a worker, like every run). Each run shows its
diagram, the end state of the pattern, a trace of the invocations and their AWS
calls, and what to notice. Unmounting shuts the runtime down and empties the
local account.
"""

from __future__ import annotations

from typing import Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Static, TabbedContent, TabPane

from serverless_tutor.demos.patterns_lab import (
    FAILING_SUBSCRIBER,
    FILTERED_EVENT,
    PUBLISHED_EVENT,
    PatternsDemo,
    PatternsError,
    PatternsRun,
)
from serverless_tutor.tui.widgets.patterns_diagram import (
    PatternsDiagram,
    fan_out_lines,
    pipes_lines,
)
from serverless_tutor.tui.widgets.patterns_trace_table import PatternsTraceTable

Action = Literal["publish", "filtered", "fail", "upload", "reset"]
WORKING = {
    "publish": f"Publishing {PUBLISHED_EVENT}",
    "filtered": f"Publishing {FILTERED_EVENT}",
    "fail": f"Toggling {FAILING_SUBSCRIBER}",
    "upload": "Uploading orders.csv",
    "reset": "Resetting: throwing the deployment away",
}
TAB_OF = {
    "publish": "patterns-fan-out",
    "filtered": "patterns-fan-out",
    "fail": "patterns-fan-out",
    "upload": "patterns-pipes",
}


def fan_out_state_text(run: PatternsRun) -> str:
    state = run.fan_out
    lines = []
    for name, types in state.received.items():
        dlq = len(state.dead_letters.get(name, []))
        lines.append(f"{name:<10} got {len(types)}  DLQ {dlq}")
    return "\n".join(lines)


def pipes_state_text(run: PatternsRun) -> str:
    state = run.pipes
    depths = "  ".join(f"{name} {count}" for name, count in state.queue_depths.items())
    items = ", ".join(item["orderId"] for item in state.items) or "none"
    lines = [f"Queues  {depths}", f"Table   {items}"]
    lines.extend(f"Reject  {reject}" for reject in state.rejects)
    return "\n".join(lines)


class PatternsLabPanel(Vertical):
    """Publish to a fanned-out topic, break a subscriber, run a CSV through pipes and filters."""

    can_focus = True

    BINDINGS = [
        Binding(
            "p",
            "start('publish')",
            "Publish",
            tooltip=f"publish {PUBLISHED_EVENT} to the alerts topic",
        ),
        Binding(
            "c",
            "start('filtered')",
            "Cart evt",
            tooltip=f"publish {FILTERED_EVENT}: sms's filter skips it",
        ),
        Binding("f", "start('fail')", "Fail sms", tooltip=f"toggle {FAILING_SUBSCRIBER} failing"),
        Binding("u", "start('upload')", "Upload", tooltip="upload orders.csv (one bad row)"),
        Binding("x", "start('reset')", "Reset", tooltip="throw the deployment away"),
    ]

    DEFAULT_CSS = """
    PatternsLabPanel {
        height: auto;
        border: round $primary;
        border-title-color: $primary;
        padding: 0 1;
    }
    PatternsLabPanel:focus-within {
        border: round $accent;
    }
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

    class RunFinished(Message):
        def __init__(self, action: Action, run: PatternsRun | None):
            super().__init__()
            self.action = action
            self.run = run  # None after a toggle or a reset

    class RunFailed(Message):
        def __init__(self, problem: str):
            super().__init__()
            self.problem = problem

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.engine = PatternsDemo()
        self.running = False
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
                yield PatternsDiagram(id="patterns-fan-out-diagram")
                yield Static(id="patterns-fan-out-state", classes="patterns-state")
            with TabPane("Pipes and filters", id="patterns-pipes"):
                with Grid(classes="patterns-buttons"):
                    yield Button("Upload", id="patterns-upload", compact=True, variant="primary")
                    yield Button("Reset", id="patterns-reset", compact=True)
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
        action = (event.button.id or "").removeprefix("patterns-")
        if action in WORKING:
            event.stop()
            self.action_start(action)

    def action_start(self, action: Action) -> None:
        if self.running:
            self.notify("The lab is still running; wait for it to finish.", severity="warning")
            return
        if action in TAB_OF:
            self.query_one(TabbedContent).active = TAB_OF[action]
        status = WORKING[action]
        if action not in ("reset", "fail") and not self.engine.deployed:
            status += " (deploying patterns-lab first)"
        self._set_running(True, status + "…")
        self._perform(action)

    @work(thread=True, exclusive=True, group="patterns-lab")
    def _perform(self, action: Action) -> None:
        run = None
        try:
            if action == "reset":
                self.engine.reset()
            elif action == "fail":
                self.engine.set_failing(not self.engine.failing)
            elif action == "upload":
                run = self.engine.upload()
            else:
                run = self.engine.publish(
                    PUBLISHED_EVENT if action == "publish" else FILTERED_EVENT
                )
        except PatternsError as problem:
            self.post_message(self.RunFailed(str(problem)))
            return
        self.post_message(self.RunFinished(action, run))

    @on(RunFinished)
    def _run_finished(self, message: RunFinished) -> None:
        self.failing = self.engine.failing
        if message.action == "reset":
            self.last_run = None
            self._last_of.clear()
        elif message.run is not None:
            self.last_run = message.run
            self._last_of[message.run.pattern] = message.run
        self._set_running(False)
        self._show(message.action)

    @on(RunFailed)
    def _run_failed(self, message: RunFailed) -> None:
        self._set_running(False)
        status = self.query_one("#patterns-status", Static)
        status.update(Content(f"Failed: {message.problem}"))
        status.add_class("-failed")

    def _set_running(self, running: bool, status: str = "") -> None:
        self.running = running
        for button in self.query(".patterns-buttons Button").results(Button):
            button.disabled = running
        if running:
            widget = self.query_one("#patterns-status", Static)
            widget.remove_class("-failed")
            widget.update(Content(status))

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
            status.update(Content(f"{FAILING_SUBSCRIBER} is now {state}: press p to publish."))
        elif run is None:
            status.update(
                Content(
                    "Ready: p publish, c cart event (filtered), f fail sms, u upload CSV, x reset."
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
