"""The server-vs-serverless panel (lesson 1): what does idle cost?

A view over serverless_tutor.pricing.server_comparison: the month's Lambda bill next
to a flat-priced always-on server, the break-even volume and both costs across
1k..1B requests a month. A recompute (nine bills and the break-even bisection) takes
a few milliseconds, so it runs on every change in the UI thread; no worker is needed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox, Select, Static

from serverless_tutor.pricing.money import usd
from serverless_tutor.pricing.server_comparison import (
    SERVER_PRESETS,
    TRAFFIC_PRESETS,
    ServerComparison,
    TrafficShape,
    compare_with_server,
    money_text,
)
from serverless_tutor.tui.widgets.cost_calculator_panel import bar, compact
from serverless_tutor.tui.widgets.lesson_panel import LessonPanel
from serverless_tutor.tui.widgets.number_input import (
    DURATION_MS,
    MEMORY_MB,
    MONTHLY_REQUESTS,
    SERVER_MONTHLY_USD,
    NumberInput,
)
from serverless_tutor.tui.widgets.tutor_select import TutorSelect

CHART_WIDTH = 22
CHART_FLOOR = Decimal("0.01")  # the log axis starts at one cent; smaller costs draw no bar
FIELD_LABELS = {"requests": "requests/month", "duration_ms": "duration", "memory_mb": "memory"}
BILL_LABELS = {
    "requests": "requests",
    "compute": "compute",
    "free_tier_requests": "free reqs",
    "free_tier_compute": "free GB-s",
}
SHAPES: dict[str, TrafficShape] = {"steady": "steady", "spiky": "spiky"}
VERDICTS = {
    "lambda": "▶ Lambda is cheaper by {saving}/month.",
    "server": "▶ The server is cheaper by {saving}/month.",
    "same": "▶ Both cost the same.",
}


def log_position(amount: Decimal, largest: Decimal) -> Decimal:
    """Where amount sits on a log axis from one cent (0) to largest (1); below a cent: 0."""
    if amount <= CHART_FLOOR or largest <= CHART_FLOOR:
        return Decimal(0)
    return (amount / CHART_FLOOR).log10() / (largest / CHART_FLOOR).log10()


def chart_lines(result: ServerComparison) -> list[str]:
    """Lambda's cost per decade of volume as log-scale bars, the server as a │ column, the break-even row."""
    largest = max(max(row.lambda_cost for row in result.rows), result.server_monthly_usd)
    server_column = min(
        CHART_WIDTH - 1, int(log_position(result.server_monthly_usd, largest) * CHART_WIDTH)
    )
    crossing = result.break_even.requests
    lines = [f"[b]{'req/mo':>6} Lambda, log $ (│ server)[/b]"]
    marked = False
    for row in result.rows:
        if not marked and crossing <= row.requests:
            lines.append(f"[$warning]{'':>6} ── break-even {compact(crossing)} ──[/]")
            marked = True
        cells = list(bar(log_position(row.lambda_cost, largest), Decimal(1), CHART_WIDTH))
        if cells[server_column] == " ":
            cells[server_column] = "│"
        colour = "$success" if row.cheaper != "server" else "$error"
        lines.append(
            f"{compact(row.requests):>6} [{colour}]{''.join(cells)}[/] {money_text(row.lambda_cost):>9}"
        )
    if not marked:
        lines.append(f"[$warning]{'':>6} ── break-even {compact(crossing)} ──[/]")
    return lines


class ServerComparisonPanel(LessonPanel):
    """Pick traffic, function and server; see both monthly costs, the break-even and a chart."""

    DEFAULT_CSS = """
    ServerComparisonPanel Horizontal {
        height: auto;
    }
    ServerComparisonPanel Input, ServerComparisonPanel Select {
        width: 1fr;
    }
    ServerComparisonPanel #idle-free-tier {
        width: auto;
    }
    ServerComparisonPanel .idle-side {
        width: 1fr;
        height: auto;
    }
    ServerComparisonPanel #idle-server-side {
        margin: 0 0 0 1;
    }
    ServerComparisonPanel #idle-error {
        height: auto;
        color: $error;
    }
    ServerComparisonPanel #idle-verdict {
        height: auto;
        text-style: bold;
        margin: 1 0 0 0;
    }
    ServerComparisonPanel #idle-chart {
        height: auto;
        margin: 1 0 0 0;
    }
    ServerComparisonPanel #idle-notice {
        height: auto;
        color: $text-muted;
        margin: 1 0 0 0;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.result: ServerComparison | None = None
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        self.border_title = "What does idle cost?"
        with Horizontal():
            yield NumberInput(
                str(TRAFFIC_PRESETS[0].requests),
                number_range=MONTHLY_REQUESTS,
                title="requests/month",
                id="idle-requests",
            )
            yield TutorSelect(
                [(p.label, p.id) for p in TRAFFIC_PRESETS], prompt="traffic…", id="idle-traffic"
            )
        with Horizontal():
            yield NumberInput(
                "200",
                number_range=DURATION_MS,
                label="duration",
                title="duration ms",
                id="idle-duration",
            )
            yield NumberInput(
                "512", number_range=MEMORY_MB, label="memory", title="memory MB", id="idle-memory"
            )
        with Horizontal():
            yield NumberInput(
                str(SERVER_PRESETS[0].monthly_usd),
                number_range=SERVER_MONTHLY_USD,
                title="server $/month",
                id="idle-server",
            )
            yield TutorSelect(
                [(p.label, p.id) for p in SERVER_PRESETS], prompt="server…", id="idle-server-preset"
            )
        with Horizontal():
            yield TutorSelect(
                [("steady traffic", "steady"), ("idle + spikes", "spiky")],
                value="steady",
                allow_blank=False,
                id="idle-shape",
                tooltip="same monthly requests, arriving evenly or all in one hour a day",
            )
            yield Checkbox("free tier", id="idle-free-tier")
        yield Static(id="idle-error")
        with Horizontal():
            yield Static(id="idle-lambda-side", classes="idle-side")
            yield Static(id="idle-server-side", classes="idle-side")
        yield Static(id="idle-verdict")
        yield Static(id="idle-breakeven")
        yield Static(id="idle-chart")
        yield Static(id="idle-notice")

    def on_mount(self) -> None:
        # A learner paging on with n may already have had this panel taken down: its fields
        # are gone before this runs, and there is nothing left to compute for.
        if self.query("#idle-server"):
            self.recompute()

    # ------------------------------------------------------------ events

    @on(NumberInput.Valid)
    @on(NumberInput.Invalid)
    @on(Checkbox.Changed)
    @on(Select.Changed, "#idle-shape")
    def _inputs_changed(self) -> None:
        self.recompute()

    @on(Select.Changed, "#idle-traffic")
    def _traffic_chosen(self, event: Select.Changed) -> None:
        chosen = {p.id: p for p in TRAFFIC_PRESETS}.get(str(event.value))
        if chosen is not None:
            self._set_input("#idle-requests", str(chosen.requests))

    @on(Select.Changed, "#idle-server-preset")
    def _server_chosen(self, event: Select.Changed) -> None:
        chosen = {p.id: p for p in SERVER_PRESETS}.get(str(event.value))
        if chosen is not None:
            self._set_input("#idle-server", str(chosen.monthly_usd))

    def _set_input(self, selector: str, value: str) -> None:
        with self.prevent(NumberInput.Changed):
            self.query_one(selector, NumberInput).value = value
        self.recompute()

    # ------------------------------------------------------------ model

    def _field(self, widget_id: str) -> NumberInput:
        return self.query_one(f"#{widget_id}", NumberInput)

    def recompute(self) -> None:
        try:
            server = self._field("idle-server").read()
            self.result = compare_with_server(
                requests=self._field("idle-requests").read_whole(),
                duration_ms=self._field("idle-duration").read(),
                memory_mb=self._field("idle-memory").read_whole(),
                server_monthly_usd=server,
                free_tier=self.query_one("#idle-free-tier", Checkbox).value,
                shape=SHAPES[str(self.query_one("#idle-shape", Select).value)],
            )
            self.error = None
        except ValidationError as exc:
            first = exc.errors()[0]
            field = FIELD_LABELS.get(str(first["loc"][0]) if first["loc"] else "", "input")
            self.error = f"{field}: {first['msg'].removeprefix('Value error, ')}"
        except ValueError as exc:  # InvalidNumber and PricingInputError are ValueErrors too
            self.error = str(exc)
        self._show()

    # ------------------------------------------------------------ views

    def _show(self) -> None:
        error = self.query_one("#idle-error", Static)
        error.update(f"⚠ {self.error}" if self.error else "")
        error.display = bool(self.error)
        result = self.result
        if self.error or result is None:
            return  # keep the last good figures under the error
        self.query_one("#idle-lambda-side", Static).update(self._lambda_side(result))
        self.query_one("#idle-server-side", Static).update(self._server_side(result))
        self.query_one("#idle-verdict", Static).update(
            VERDICTS[result.cheaper].format(saving=usd(result.saving))
        )
        crossing = result.break_even
        self.query_one("#idle-breakeven", Static).update(
            f"Break-even: [b]{crossing.requests:,}[/b] requests/month (≈{crossing.requests_per_second:.2f}/s)"
        )
        self.query_one("#idle-chart", Static).update("\n".join(chart_lines(result)))
        self.query_one("#idle-notice", Static).update(result.notice)

    @staticmethod
    def _lambda_side(result: ServerComparison) -> str:
        lines = ["[b]Lambda[/b] (pay per use)"]
        for line in result.bill.lines:
            lines.append(f"{BILL_LABELS.get(line.key, line.key):<10}{money_text(line.amount):>10}")
        lines.append(f"[b]{'total':<10}{money_text(result.bill.total):>10}[/b]")
        return "\n".join(lines)

    @staticmethod
    def _server_side(result: ServerComparison) -> str:
        busy = result.server_busy_share
        busy_text = f"{busy * 100:.1f}%" if busy <= 1 else f"{busy:.1f} workers"
        lines = [
            "[b]Server[/b] (always on)",
            f"{'flat':<10}{usd(result.server_monthly_usd):>10}",
            f"{'busy':<10}{busy_text:>10}",
            f"{'peak/s':<10}{result.peak_per_second:>10.2f}",
            f"[b]{'total':<10}{usd(result.server_monthly_usd):>10}[/b]",
        ]
        return "\n".join(lines)
