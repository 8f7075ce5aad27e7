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
    runs = run is not None and run.pattern == "fan-out"
    event = run.action.removeprefix("publish ") if runs else "event"
    lines: list[list[Segment]] = [[(f" publish {event} ─▶ SNS alerts", "ok" if runs else "dim")]]
    for index, name in enumerate(SUBSCRIBERS):
        branch = "└─▶" if index == len(SUBSCRIBERS) - 1 else "├─▶"
        label = name + (" [OrderPlaced]" if name == "sms" else "")
        line: list[Segment] = [(f"   {branch} {label.ljust(18)}", "")]
        verdict: Segment = ("", "dim")
        if runs and name in run.fan_out.filtered_out:
            verdict = ("filtered out", "warn")
        elif runs:
            verdict = _verdict([i for i in run.invocations if i.function == name])
        line.append(verdict)
        if failing and name == FAILING_SUBSCRIBER and verdict[1] not in ("error", "warn"):
            line.append((" (failing)", "error"))
        lines.append(line)
    return lines


def pipes_lines(run: PatternsRun | None) -> list[list[Segment]]:
    runs = run is not None and run.pipes is not None
    role = "ok" if runs else "dim"
    depths = run.pipes.queue_depths if runs else {}
    rejects = f" ({depths['rejects']})" if runs else ""
    items = f" ({len(run.pipes.items)} items)" if runs else ""
    transform = (
        _verdict([i for i in run.invocations if i.function == "transform"]) if runs else ("", "dim")
    )
    loader = (
        _verdict([i for i in run.invocations if i.function == "loader"]) if runs else ("", "dim")
    )
    return [
        [(" orders.csv ─▶ S3 uploads ─▶ SQS raw", role)],
        [("   ─▶ transform ", role), transform],
        [("      ├─▶ SQS clean ─▶ loader ", role), loader],
        [("      │      ─▶ DynamoDB orders" + items, role)],
        [("      └─▶ SQS rejects" + rejects, "warn" if runs and depths.get("rejects") else role)],
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
