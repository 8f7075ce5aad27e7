"""The patterns lab's trace: one row per invocation, then the AWS calls it made."""

from __future__ import annotations

from serverless_tutor.demos.patterns_lab import PatternsRun
from serverless_tutor.tui.widgets.fitted_trace_table import FittedTraceTable
from serverless_tutor.tui.widgets.pipeline_trace_table import short_code, short_resource

COLUMNS = ("#", "function / call", "result", "resource")
SERVICE_PREFIX = "patterns-lab-"


def resource_name(resource: str | None) -> str:
    """patterns-lab-alerts-dev -> alerts: the service and stage are the same on every row."""
    return short_resource(resource, SERVICE_PREFIX)


def trace_rows(run: PatternsRun | None) -> list[tuple[str, str, str, str]]:
    if run is None:
        return []
    rows: list[tuple[str, str, str, str]] = [
        ("", f"demo {c.service} {c.operation}", c.outcome, resource_name(c.resource))
        for c in run.demo_calls
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
            rows.append(
                ("", f"  {call.service} {call.operation}", verdict, resource_name(call.resource))
            )
    rows += [
        ("", f"Lambda {c.service} {c.operation}", c.outcome, resource_name(c.resource))
        for c in run.service_calls
    ]
    return rows


class PatternsTraceTable(FittedTraceTable):
    """At 80 columns the resource goes under the call and the text wraps; wider, one line a row."""

    DEFAULT_CSS = """
    PatternsTraceTable {
        height: auto;
        max-height: 10;
    }
    """

    HEADERS = COLUMNS

    def show(self, run: PatternsRun | None) -> None:
        self.show_rows(trace_rows(run))
