"""The API console panel (lesson 7): send requests to the users REST API and see which function ran.

A view over serverless_tutor.demos.api_console. Pick an example request (or type
your own method, path and body), press ctrl+s or Enter in the path, and the
answer appears: status, body, which function ran, cold or warm with its REPORT
figures, and the DynamoDB calls it made. The first send deploys users-api into a
local account (in a worker, like every send); unmounting shuts the runtime down
and empties the account.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Input, Select, Static, TextArea

from serverless_tutor.demos.api_console import (
    EXAMPLES,
    METHODS,
    ApiConsole,
    ApiConsoleError,
    ApiExchange,
)
from serverless_tutor.tui.widgets.action_panel import ActionPanel
from serverless_tutor.tui.widgets.tutor_select import TutorSelect

MAX_BODY_LINES = 24


def status_line(exchange: ApiExchange) -> str:
    """`201 Created · createUser · cold · 11.17 ms` (or who answered instead of a function)."""
    try:
        phrase = HTTPStatus(exchange.status).phrase
    except ValueError:
        phrase = ""
    who = exchange.function or "API Gateway"
    state = "" if exchange.cold is None else (" · cold" if exchange.cold else " · warm")
    took = "" if exchange.report is None else f" · {exchange.report.duration_ms:.2f} ms"
    return f"{exchange.status} {phrase} · {who}{state}{took}".replace("  ", " ")


def report_line(exchange: ApiExchange) -> str:
    """The REPORT figures, folded to fit the lesson pane."""
    report = exchange.report
    if report is None:
        return f"No function ran: {exchange.problem}." if exchange.problem else "No function ran."
    lines = [
        f"REPORT Duration {report.duration_ms:.2f} ms · Billed {report.billed_duration_ms} ms",
        f"Memory {report.memory_size_mb} MB · Max used {report.max_memory_used_mb} MB"
        + (" (estimate)" if report.max_memory_estimated else ""),
    ]
    if report.init_duration_ms is not None:
        lines.append(f"Init Duration {report.init_duration_ms:.2f} ms (billed too)")
    return "\n".join(lines)


def trace_lines(exchange: ApiExchange) -> list[str]:
    if exchange.report is None:
        return []
    if not exchange.calls:
        return ["AWS calls: none (it answered before touching the table)"]
    resources = {call.resource for call in exchange.calls}
    shared = resources.pop() if len(resources) == 1 else None
    lines = [f"AWS calls to {shared}:" if shared else "AWS calls:"]
    for call in exchange.calls:
        outcome = call.outcome if call.outcome == "ok" else f"{call.outcome} {call.error_code}"
        where = "" if shared or not call.resource else f" {call.resource}"
        lines.append(f"  {call.label} {outcome} {call.latency_ms:.1f} ms{where}")
    return lines


def body_text(exchange: ApiExchange) -> str:
    lines = exchange.pretty_body().splitlines() or ["(empty body)"]
    if len(lines) > MAX_BODY_LINES:
        lines = [*lines[:MAX_BODY_LINES], f"… {len(lines) - MAX_BODY_LINES} more lines"]
    return "\n".join(lines)


class ApiConsolePanel(ActionPanel[ApiExchange]):
    """Send GET, POST, PUT and DELETE requests to users-api through the local API Gateway."""

    BINDINGS = [
        Binding("ctrl+s", "send", "Send", tooltip="send the request through the local API Gateway"),
    ]

    DEFAULT_CSS = """
    ApiConsolePanel #api-intro {
        height: auto;
        color: $text-muted;
    }
    ApiConsolePanel #api-example {
        margin: 1 0 0 0;
    }
    ApiConsolePanel #api-line {
        height: auto;
    }
    ApiConsolePanel #api-method {
        width: 12;
    }
    ApiConsolePanel #api-path {
        width: 1fr;
    }
    ApiConsolePanel #api-body {
        height: 4;
    }
    ApiConsolePanel #api-send {
        width: 100%;
        min-width: 0;
    }
    ApiConsolePanel #api-status {
        height: auto;
        text-style: bold;
        margin: 1 0 0 0;
    }
    ApiConsolePanel #api-status.-ok {
        color: $success;
    }
    ApiConsolePanel #api-status.-client-error {
        color: $warning;
    }
    ApiConsolePanel #api-status.-failed {
        color: $error;
    }
    ApiConsolePanel #api-report, ApiConsolePanel #api-trace {
        height: auto;
        color: $text-muted;
    }
    ApiConsolePanel #api-response {
        height: auto;
        background: $surface;
        padding: 0 1;
    }
    """

    STATUS = "#api-status"
    CONTROLS = "#api-send"
    BUSY_WARNING = "The last request is still running; wait for its answer."
    FAILURE_PREFIX = "Not sent"
    ENGINE_ERRORS = (ApiConsoleError,)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.engine = ApiConsole()
        self.last_exchange: ApiExchange | None = None

    def compose(self) -> ComposeResult:
        self.border_title = "API console: users-api"
        yield Static(
            Content(
                "Example 1 running locally: five functions, one per route, over one DynamoDB table "
                "(seeded with u-ada and u-grace). Paths start with the stage, /dev."
            ),
            id="api-intro",
        )
        yield TutorSelect(
            [(example.label, index) for index, example in enumerate(EXAMPLES)],
            prompt="Pick an example request…",
            id="api-example",
            compact=True,
        )
        with Horizontal(id="api-line"):
            yield TutorSelect(
                [(method, method) for method in METHODS],
                value="GET",
                allow_blank=False,
                id="api-method",
                compact=True,
            )
            yield Input("/dev/users", placeholder="/dev/users", id="api-path", compact=True)
        yield TextArea(
            "",
            id="api-body",
            soft_wrap=True,
            show_line_numbers=False,
            compact=True,
            placeholder="JSON body (POST and PUT)",
        )
        yield Button("Send (ctrl+s)", id="api-send", compact=True, variant="primary")
        yield Static(
            Content(
                "Ready: pick an example or edit the request, then press ctrl+s. "
                "The first send deploys users-api."
            ),
            id="api-status",
        )
        yield Static(id="api-report")
        yield Static(id="api-response")
        yield Static(id="api-trace")

    def on_mount(self) -> None:
        for answer in self.query("#api-report, #api-response, #api-trace").results(Static):
            answer.display = False  # until the first answer

    def on_unmount(self) -> None:
        self.engine.close()  # if a send is still running, it tears down when it ends

    # ------------------------------------------------------------ controls

    @on(Select.Changed, "#api-example")
    def _example_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if not isinstance(event.value, int):
            return  # the blank prompt
        example = EXAMPLES[event.value]
        self.query_one("#api-method", Select).value = example.method
        self.query_one("#api-path", Input).value = example.path
        self.query_one("#api-body", TextArea).text = example.body

    @on(Button.Pressed, "#api-send")
    def _send_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_send()

    @on(Input.Submitted, "#api-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_send()

    def action_send(self) -> None:
        if self.warn_if_busy():
            return
        method = str(self.query_one("#api-method", Select).value)
        path = self.query_one("#api-path", Input).value
        body = self.query_one("#api-body", TextArea).text
        first = "" if self.engine.deployed else " (deploying users-api first)"
        self.start_action(
            f"Sending {method} {path}{first}…", lambda: self.engine.send(method, path, body)
        )

    # ------------------------------------------------------------- drawing

    def show_result(self, exchange: ApiExchange) -> None:
        self.last_exchange = exchange
        status = self.query_one("#api-status", Static)
        status.set_classes(
            "-ok"
            if exchange.status < 400
            else "-client-error"
            if exchange.status < 500
            else "-failed"
        )
        status.update(Content(status_line(exchange)))
        self.query_one("#api-report", Static).update(Content(report_line(exchange)))
        response = self.query_one("#api-response", Static)
        response.update(Content(body_text(exchange)))
        self.query_one("#api-trace", Static).update(Content("\n".join(trace_lines(exchange))))
        for answer in self.query("#api-report, #api-response, #api-trace").results(Static):
            answer.display = True
