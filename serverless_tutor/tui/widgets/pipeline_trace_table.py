"""The pipeline's trace: one row per invocation, then its AWS calls and what it published."""

from __future__ import annotations

from serverless_tutor.demos.order_pipeline import Step
from serverless_tutor.tui.widgets.fitted_trace_table import FittedTraceTable

COLUMNS = ("#", "step / call", "result", "ms", "resource")


SERVICE_PREFIX = "order-service-"
STAGE_SUFFIX = "-dev"


def short_resource(resource: str | None, service_prefix: str = SERVICE_PREFIX) -> str:
    """order-service-orders-dev -> orders: the service and stage are the same on every row."""
    parts = (resource or "").split("+")
    return "+".join(
        part.removeprefix(service_prefix).removesuffix(STAGE_SUFFIX)
        if part.startswith(service_prefix)
        else part
        for part in parts
    )


def short_code(code: str | None) -> str:
    """ConditionalCheckFailedException -> ConditionalCheckFailed (the table is narrow)."""
    return (code or "error").removesuffix("Exception")


def trace_rows(steps: list[Step]) -> list[tuple[str, str, str, str, str]]:
    """A row for each invocation, then where it came from, its AWS calls, what it published, what it raised."""
    rows = []
    for step in steps:
        start = "cold" if step.cold else "warm"
        if step.outcome != "ok":
            result = f"{start}, failed"
        else:
            result = start if step.changed_state else f"{start}, no change"
        rows.append((str(step.number), step.function, result, f"{step.duration_ms:.1f}", ""))
        trigger = step.trigger.removesuffix(" (duplicate)")
        rows.append(("", f"  ← {trigger}", "duplicate" if step.duplicate else "", "", ""))
        for call in step.calls:
            verdict = (
                "ok" if call.outcome == "ok" else f"{call.outcome}: {short_code(call.error_code)}"
            )
            rows.append(
                (
                    "",
                    f"  {call.service} {call.operation}",
                    verdict,
                    f"{call.latency_ms:.1f}",
                    short_resource(call.resource),
                )
            )
        for publication in step.published:
            receivers = ", ".join(publication.delivered_to) or "nobody"
            rows.append(
                (
                    "",
                    f"  → {publication.event_type}",
                    f"to {receivers}",
                    "",
                    short_resource(publication.topic),
                )
            )
        if step.error_type:
            retry = ", retried" if step.outcome == "retry" else ""
            rows.append(
                ("", f"  raised {step.error_type}", f"attempt {step.attempt}{retry}", "", "")
            )
    return rows


class PipelineTraceTable(FittedTraceTable):
    """At 80 columns the resource goes under the call and the text wraps; wider, one line a row."""

    DEFAULT_CSS = """
    PipelineTraceTable {
        height: auto;
        max-height: 12;
    }
    """

    HEADERS = COLUMNS

    def show(self, steps: list[Step]) -> None:
        self.show_rows(trace_rows(steps))
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)
