"""The patterns lab's two pictures, drawn from a run: the fan-out and the pipeline, each within 45 columns.

`fan_out_lines` and `pipes_lines` are pure (lines of (text, role)); the widget maps
roles to theme colours.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from serverless_tutor.demos.patterns_lab import (
    FAILING_SUBSCRIBER,
    SUBSCRIBERS,
    Invocation,
    PatternsRun,
)

ROLE_STYLES = {
    "": "",
    "dim": "$foreground-muted",
    "ok": "$success",
    "error": "$error",
    "warn": "$warning",
}
Segment = tuple[str, str]


def _verdict(mine: list[Invocation]) -> Segment:
    if not mine:
        return "", "dim"
    last = mine[-1]
    if last.outcome == "ok":
        return f"✓ {'cold' if last.cold else 'warm'}", "ok"
    return f"✗ {len(mine)} tries → DLQ", "error"


def fan_out_lines(run: PatternsRun | None, failing: bool) -> list[list[Segment]]:
    state = run.fan_out if run is not None else None  # set only on a fan-out run
    event = run.action.removeprefix("publish ") if run is not None and state else "event"
    lines: list[list[Segment]] = [
        [(f" publish {event} ─▶ SNS alerts", "dim" if state is None else "ok")]
    ]
    for index, name in enumerate(SUBSCRIBERS):
        branch = "└─▶" if index == len(SUBSCRIBERS) - 1 else "├─▶"
        label = name + (" [OrderPlaced]" if name == "sms" else "")
        line: list[Segment] = [(f"   {branch} {label.ljust(18)}", "")]
        verdict: Segment = ("", "dim")
        if run is not None and state is not None:
            verdict = (
                ("filtered out", "warn")
                if name in state.filtered_out
                else _verdict([i for i in run.invocations if i.function == name])
            )
        line.append(verdict)
        if failing and name == FAILING_SUBSCRIBER and verdict[1] not in ("error", "warn"):
            line.append((" (failing)", "error"))
        lines.append(line)
    return lines


def pipes_lines(run: PatternsRun | None) -> list[list[Segment]]:
    state = run.pipes if run is not None else None  # set only on a pipes run
    role = "dim" if state is None else "ok"
    depths = state.queue_depths if state is not None else {}
    rejects = f" ({depths['rejects']})" if state is not None else ""
    items = f" ({len(state.items)} items)" if state is not None else ""
    invocations = run.invocations if run is not None and state is not None else None
    transform: Segment = ("", "dim")
    loader: Segment = ("", "dim")
    if invocations is not None:
        transform = _verdict([i for i in invocations if i.function == "transform"])
        loader = _verdict([i for i in invocations if i.function == "loader"])
    return [
        [(" orders.csv ─▶ S3 uploads ─▶ SQS raw", role)],
        [("   ─▶ transform ", role), transform],
        [("      ├─▶ SQS clean ─▶ loader ", role), loader],
        [("      │      ─▶ DynamoDB orders" + items, role)],
        [("      └─▶ SQS rejects" + rejects, "warn" if depths.get("rejects") else role)],
    ]


def to_content(lines: list[list[Segment]]) -> Content:
    parts: list[tuple[str, str] | str] = []
    for number, line in enumerate(lines):
        if number:
            parts.append("\n")
        parts.extend(
            (text, ROLE_STYLES[role]) if ROLE_STYLES[role] else text for text, role in line
        )
    return Content.assemble(*parts)


def plain(lines: list[list[Segment]]) -> str:
    return "\n".join("".join(text for text, _ in line) for line in lines)


class PatternsDiagram(Static):
    """Shows one of the two pictures; the panel redraws it after every run."""

    DEFAULT_CSS = """
    PatternsDiagram {
        height: auto;
        width: 1fr;
    }
    """

    def show(self, lines: list[list[Segment]]) -> None:
        self.update(to_content(lines))
