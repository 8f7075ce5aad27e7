"""The invoke playground (lessons 2 and 4): run real handlers and watch Lambda's execution model.

A view over serverless_tutor.demos.playground: pick a bundled demo and a memory size,
invoke it once or three times at once, let ten minutes pass, reset. The panel shows
the handler's source, the event, the last response or error shape, the log lines
(START, END, REPORT with Init Duration on a cold start), the execution environments
and why the last request was cold or warm. Invokes run in a thread worker; the
environment table refreshes twice a second while the panel is shown, so a busy
environment and growing idle times are visible. Unmounting shuts the runtime down.
"""

from __future__ import annotations

import json
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Button, DataTable, Select, Static, TabbedContent, TabPane, TextArea

from serverless_tutor.demos.playground import (
    BatchResult,
    InvokePlayground,
    PlaygroundInvocation,
    TimePassed,
)
from serverless_tutor.limits import (
    CHAPTER_MAX_MEMORY_MB,
    MAX_MEMORY_MB,
    MIN_MEMORY_MB,
    ONE_VCPU_MEMORY_MB,
)
from serverless_tutor.runtime.clock import Clock
from serverless_tutor.tui.tab_keys import tab_bindings, tab_label
from serverless_tutor.tui.widgets.action_panel import ActionPanel
from serverless_tutor.tui.widgets.environment_table import EnvironmentTable
from serverless_tutor.tui.widgets.tutor_select import TutorSelect

MEMORY_SIZES = (
    MIN_MEMORY_MB,
    256,
    512,
    1024,
    ONE_VCPU_MEMORY_MB,
    CHAPTER_MAX_MEMORY_MB,
    MAX_MEMORY_MB,
)
AT_ONCE = 3
TIME_STEP_S = 600.0
REFRESH_S = 0.5


def status_line(batch: BatchResult) -> str:
    """One line about the last batch: start kind, environment, durations, outcome."""
    if len(batch.invocations) == 1:
        return _invocation_summary(batch.invocations[0])
    cold = sum(1 for i in batch.invocations if i.cold)
    failed = sum(1 for i in batch.invocations if i.result.error is not None)
    envs = " ".join(f"#{i.environment_number}" for i in batch.invocations)
    text = f"{len(batch.invocations)} at once: {len(batch.invocations) - cold} warm, {cold} cold on env {envs}"
    return text + (f"; {failed} failed" if failed else "")


def _invocation_summary(invocation: PlaygroundInvocation) -> str:
    report = invocation.result.report
    start = "cold" if invocation.cold else "warm"
    init = (
        f"Init {report.init_duration_ms:.2f} ms + " if report.init_duration_ms is not None else ""
    )
    outcome = (
        invocation.result.error.error_type if invocation.result.error is not None else report.status
    )
    return (
        f"Request {invocation.number}: {start} on env #{invocation.environment_number} · "
        f"{init}{report.duration_ms:.2f} ms · billed {report.billed_duration_ms} ms · {outcome}"
    )


def result_text(batch: BatchResult) -> str:
    """The response (or Lambda's error shape) of each request, as JSON."""

    def shown(invocation: PlaygroundInvocation) -> object:
        result = invocation.result
        return result.error.to_json() if result.error is not None else result.response

    if len(batch.invocations) == 1:
        return json.dumps(shown(batch.invocations[0]), indent=2)
    parts = []
    for invocation in batch.invocations:
        start = "cold" if invocation.cold else "warm"
        parts.append(
            f"── request {invocation.number} · env #{invocation.environment_number} · {start}"
        )
        parts.append(json.dumps(shown(invocation), indent=2))
    return "\n".join(parts)


def logs_text(batch: BatchResult) -> str:
    return "".join(invocation.result.logs for invocation in batch.invocations)


# The Runs tab's columns, (label, width), oldest run first: six columns of these widths fit
# the panel at 80 columns (a seventh, the run number, pushed the status out of view; the
# Result and Logs tabs name each request). Times are milliseconds, as in the REPORT line.
RUN_COLUMNS = (
    ("env", 3),
    ("start", 5),
    ("ms", 7),
    ("billed", 6),
    ("init", 5),
    ("status", 7),
)
# "out_of_memory" does not fit the status column; Lambda's own REPORT says so at length.
RUN_STATUS = {"success": "ok", "out_of_memory": "OOM"}


def run_cells(invocation: PlaygroundInvocation) -> tuple[str, ...]:
    """One run's row in the Runs tab: '#1', 'cold', '0.17', '1', '4.1', 'ok'."""
    report = invocation.result.report
    return (
        f"#{invocation.environment_number}",
        "cold" if invocation.cold else "warm",
        f"{report.duration_ms:.2f}",
        str(report.billed_duration_ms),
        "-" if report.init_duration_ms is None else f"{report.init_duration_ms:.1f}",
        RUN_STATUS.get(report.status, report.status),
    )


# Tab id -> title (short: five numbered tabs fit the panel at 80 columns).
PLAYGROUND_TABS = {
    "playground-tab-result": "Result",
    "playground-tab-logs": "Logs",
    "playground-tab-source": "Code",
    "playground-tab-event": "Event",
    "playground-tab-history": "Runs",
}


class InvokePlaygroundPanel(ActionPanel[BatchResult]):
    """Invoke bundled demos on a local Lambda runtime; watch cold and warm environments."""

    can_focus = True

    # The footer shows the keys that fit at 80 columns, most important first; `?` lists all.
    BINDINGS = [
        Binding("i", "invoke(1)", "Invoke", tooltip="invoke the demo once"),
        Binding(
            "c",
            f"invoke({AT_ONCE})",
            "Concurrent",
            tooltip=f"send {AT_ONCE} requests at the same instant",
        ),
        Binding(
            "w",
            "let_time_pass",
            "+10 min",
            show=False,
            tooltip="let ten minutes pass: idle environments are reclaimed",
        ),
        Binding(
            "x",
            "reset",
            "Reset",
            show=False,
            tooltip="destroy every environment and clear the history",
        ),
        *tab_bindings(PLAYGROUND_TABS),
    ]

    DEFAULT_CSS = """
    InvokePlaygroundPanel #playground-choose, InvokePlaygroundPanel #playground-buttons {
        height: auto;
    }
    InvokePlaygroundPanel #playground-demo {
        width: 1fr;
    }
    InvokePlaygroundPanel #playground-memory {
        width: 14;
        margin-left: 1;
    }
    InvokePlaygroundPanel #playground-buttons Button {
        width: auto;
        min-width: 0;
        margin-right: 1;
    }
    InvokePlaygroundPanel #playground-summary, InvokePlaygroundPanel #playground-why {
        height: auto;
        color: $text-muted;
    }
    InvokePlaygroundPanel #playground-status {
        height: auto;
        text-style: bold;
    }
    InvokePlaygroundPanel #playground-status.-failed {
        color: $error;
    }
    InvokePlaygroundPanel TabPane {
        padding: 0;
        height: auto;
    }
    InvokePlaygroundPanel TextArea, InvokePlaygroundPanel #playground-history {
        height: 9;
    }
    """

    STATUS = "#playground-status"
    CONTROLS = "#playground-buttons Button"
    BUSY_WARNING = "An invoke is still running; wait for it to finish."
    FAILURE_PREFIX = "Invoke failed"
    ENGINE_ERRORS = (RuntimeError, ValueError)  # shut down meanwhile, or a bad request

    def __init__(self, *, clock: Clock | None = None, **kwargs: Any) -> None:
        """`clock` is for tests (a ManualClock); by default real time that can be skipped ahead."""
        super().__init__(**kwargs)
        self.engine = InvokePlayground(clock=clock)
        self.demos = {info.id: info for info in self.engine.demos()}
        self.demo_id = next(iter(self.demos))
        self.memory_mb = MEMORY_SIZES[0]
        self.last_batch: dict[str, BatchResult] = {}
        self.explanation: dict[str, str] = {}
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        self.border_title = "Invoke playground"
        with Horizontal(id="playground-choose"):
            yield TutorSelect(
                [(info.title, info.id) for info in self.demos.values()],
                value=self.demo_id,
                allow_blank=False,
                compact=True,
                id="playground-demo",
                tooltip="the demo handler",
            )
            yield TutorSelect(
                [(f"{size} MB", size) for size in MEMORY_SIZES],
                value=self.memory_mb,
                allow_blank=False,
                compact=True,
                id="playground-memory",
                tooltip="memory size (a new size means new environments)",
            )
        yield Static(id="playground-summary")
        with Horizontal(id="playground-buttons"):
            # Keys i 3 w x show in the footer while the panel has focus.
            yield Button("Invoke", id="playground-invoke", compact=True, variant="primary")
            yield Button(f"{AT_ONCE} at once", id="playground-at-once", compact=True)
            yield Button("+10 min", id="playground-time", compact=True)
            yield Button("Reset", id="playground-reset", compact=True)
        yield Static(id="playground-status")
        yield EnvironmentTable(id="playground-envs")
        yield Static(id="playground-why")
        with TabbedContent(id="playground-tabs"):
            # JSON is shown as plain text: TextArea(language="json") crashes the interpreter with the
            # tree-sitter-json wheel installed here (a segfault, not an exception).
            with TabPane(
                tab_label(PLAYGROUND_TABS, "playground-tab-result"), id="playground-tab-result"
            ):
                yield TextArea(
                    "",
                    read_only=True,
                    compact=True,
                    id="playground-result",
                    placeholder="The response, or Lambda's error shape, appears here after an invoke.",
                )
            with TabPane(
                tab_label(PLAYGROUND_TABS, "playground-tab-logs"), id="playground-tab-logs"
            ):
                yield TextArea(
                    "",
                    read_only=True,
                    compact=True,
                    id="playground-logs",
                    placeholder="START, your print output, END and REPORT appear here.",
                )
            with TabPane(
                tab_label(PLAYGROUND_TABS, "playground-tab-source"), id="playground-tab-source"
            ):
                yield TextArea.code_editor(
                    "",
                    language="python",
                    theme="css",
                    read_only=True,
                    compact=True,
                    id="playground-source",
                )
            with TabPane(
                tab_label(PLAYGROUND_TABS, "playground-tab-event"), id="playground-tab-event"
            ):
                yield TextArea("", read_only=True, compact=True, id="playground-event")
            with TabPane(
                tab_label(PLAYGROUND_TABS, "playground-tab-history"), id="playground-tab-history"
            ):
                yield DataTable(cursor_type="row", id="playground-history")

    def on_mount(self) -> None:
        history = self.query_one("#playground-history", DataTable)
        for label, width in RUN_COLUMNS:
            history.add_column(label, width=width)
        self._show_demo()
        self._timer = self.set_interval(REFRESH_S, self._refresh_environments, pause=True)

    def on_show(self) -> None:
        if self._timer is not None:
            self._timer.resume()

    def on_hide(self) -> None:
        if self._timer is not None:
            self._timer.pause()

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.engine.shutdown()

    # ------------------------------------------------------------ controls

    @on(Select.Changed, "#playground-demo")
    def _demo_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if event.value != Select.NULL and event.value != self.demo_id:
            self.demo_id = str(event.value)
            self._show_demo()

    @on(Select.Changed, "#playground-memory")
    def _memory_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, int):
            self.memory_mb = event.value

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        actions = {
            "playground-invoke": lambda: self.action_invoke(1),
            "playground-at-once": lambda: self.action_invoke(AT_ONCE),
            "playground-time": self.action_let_time_pass,
            "playground-reset": self.action_reset,
        }
        action = actions.get(event.button.id or "")
        if action is not None:
            event.stop()
            action()

    def action_show_tab(self, tab_id: str) -> None:
        self.query_one("#playground-tabs", TabbedContent).active = tab_id
        self.focus(scroll_visible=False)  # focus may have been in the tab just hidden

    def action_invoke(self, at_once: int) -> None:
        if self.warn_if_busy():
            return
        demo_id, memory_mb = self.demo_id, self.memory_mb
        self.start_action(
            f"Invoking {self.demos[demo_id].title}"
            + (f", {at_once} at once" if at_once > 1 else "")
            + "…",
            lambda: self.engine.invoke(demo_id, memory_mb, at_once),
        )

    def action_let_time_pass(self) -> None:
        if self.warn_if_busy():
            return
        passed: TimePassed = self.engine.let_time_pass(TIME_STEP_S)
        for demo_id in self.demos:
            self.explanation[demo_id] = passed.explanation
        self._refresh_environments()
        self._show_why()

    def action_reset(self) -> None:
        if self.warn_if_busy():
            return
        self.engine.reset()
        self.last_batch.clear()
        self.explanation.clear()
        self._show_demo()

    def show_result(self, result: BatchResult) -> None:
        self.last_batch[result.demo_id] = result
        self.explanation[result.demo_id] = result.explanation
        if result.demo_id == self.demo_id:
            self._show_batch()

    # ------------------------------------------------------------- drawing

    def _show_demo(self) -> None:
        info = self.demos[self.demo_id]
        self.query_one("#playground-summary", Static).update(
            Content.from_markup(
                "$summary\n[i]Try:[/i] $try_this", summary=info.summary, try_this=info.try_this
            )
        )
        self.query_one("#playground-source", TextArea).load_text(self.engine.source(self.demo_id))
        self.query_one("#playground-event", TextArea).load_text(
            json.dumps(self.engine.event(self.demo_id), indent=2)
        )
        self._show_batch()

    def _show_batch(self) -> None:
        batch = self.last_batch.get(self.demo_id)
        status = self.query_one("#playground-status", Static)
        status.remove_class("-failed")
        if batch is None:
            info = self.demos[self.demo_id]
            status.update(
                Content(f"Ready: {info.handler}, timeout {info.timeout_s:g} s. Press i to invoke.")
            )
            self.query_one("#playground-result", TextArea).load_text("")
            self.query_one("#playground-logs", TextArea).load_text("")
        else:
            status.update(Content(status_line(batch)))
            self.query_one("#playground-result", TextArea).load_text(result_text(batch))
            self.query_one("#playground-logs", TextArea).load_text(logs_text(batch))
        self._show_history()
        self._refresh_environments()
        self._show_why()

    def _show_history(self) -> None:
        history = self.query_one("#playground-history", DataTable)
        history.clear()
        for invocation in self.engine.history(self.demo_id):
            history.add_row(*run_cells(invocation))
        if history.row_count:
            history.move_cursor(row=history.row_count - 1)

    def _show_why(self) -> None:
        text = self.explanation.get(self.demo_id)
        if text is None:
            text = "No environment yet: the first request to this function is a cold start."
        self.query_one("#playground-why", Static).update(Content(text))

    def _refresh_environments(self) -> None:
        if self.engine.closed:
            return
        rows = self.engine.environments(self.demo_id)
        if not self.busy and any(
            row.idle_s is not None and row.idle_s >= self.engine.keep_alive_s for row in rows
        ):
            # Real time reached the keep-alive: reclaim now rather than at the next request.
            passed = self.engine.let_time_pass(0)
            self.explanation[self.demo_id] = passed.explanation
            self._show_why()
            rows = self.engine.environments(self.demo_id)
        self.query_one(EnvironmentTable).show(rows)
