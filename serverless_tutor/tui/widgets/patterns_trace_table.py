"""The patterns lab's trace: one row per invocation, then the AWS calls it made."""

from __future__ import annotations

from textual.widgets import DataTable

from serverless_tutor.demos.patterns_lab import PatternsRun
from serverless_tutor.tui.widgets.pipeline_trace_table import short_code

COLUMNS = ("#", "function / call", "result", "resource")


def trace_rows(run: PatternsRun | None) -> list[tuple[str, str, str, str]]:
    if run is None:
        return []
    rows: list[tuple[str, str, str, str]] = [
        ("", f"demo {c.service} {c.operation}", c.outcome, c.resource or "") for c in run.demo_calls
    ]
    for invocation in run.invocations:
        start = "cold" if invocation.cold else "warm"
        result = (
            start if invocation.outcome == "ok" else f"{start}, try {invocation.attempt} failed"
        )
        rows.append((str(invocation.number), invocation.function, result, invocation.trigger))
        for call in invocation.calls:
            verdict = (
                "ok" if call.outcome == "ok" else f"{call.outcome}: {short_code(call.error_code)}"
            )
            rows.append(("", f"  {call.service} {call.operation}", verdict, call.resource or ""))
    rows += [
        ("", f"Lambda {c.service} {c.operation}", c.outcome, c.resource or "")
        for c in run.service_calls
    ]
    return rows


class PatternsTraceTable(DataTable):
    DEFAULT_CSS = """
    PatternsTraceTable {
        height: auto;
        max-height: 10;
    }
    """

    def __init__(self, **kwargs):
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)

    def on_mount(self) -> None:
        self.add_columns(*COLUMNS)

    def show(self, run: PatternsRun | None) -> None:
        self.clear()
        for row in trace_rows(run):
            self.add_row(*row)
