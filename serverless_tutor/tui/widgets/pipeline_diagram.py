"""The order pipeline drawn as boxes and arrows, top to bottom, with each step's outcome beside it.

    POST /dev/orders                  → 201
   ┌─▼───────────────────┐
   │ createOrder         │ ✓ cold 31 ms
   └─┬───────────────────┘ 2 AWS calls
   ╞═▼═ OrderCreated ════╡ → processPayment
   ...

Functions are boxes; each SNS message on the shared topic is a band between two
boxes, labelled with its eventType (the filter policy of the next function lets
only that type through). `diagram_lines` is pure: it draws a run with its first
`revealed` steps done, so the panel animates by raising `revealed` and tests can
check any frame. 23 columns of drawing plus about 21 of notes fit the lesson pane.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from serverless_tutor.demos.order_pipeline import CHAIN, PipelineRun, Step

BOX_WIDTH = 23
# Roles of the drawn parts; the widget maps them to theme colours.
ROLE_STYLES = {
    "": "",
    "dim": "$foreground-muted",
    "ok": "$success",
    "warn": "$warning",
    "error": "$error",
    "current": "bold $accent",
}

Segment = tuple[str, str]  # (text, role)


def diagram_lines(
    run: PipelineRun | None, revealed: int, *, current: bool = False
) -> list[list[Segment]]:
    """The picture after the first `revealed` steps of `run`; `current` marks the last of them as running now."""
    steps = run.steps[: max(0, revealed)] if run is not None else []
    now = steps[-1].function if current and steps else None
    lines: list[list[Segment]] = []
    http = next((s for s in steps if s.trigger.startswith("POST")), None)
    http_note = (
        f"→ {run.http_status}" if http is not None and run is not None and run.http_status else ""
    )
    lines.append(
        [
            (f" {CHAIN[0][1]}".ljust(BOX_WIDTH), "dim" if http is None else "ok"),
            (" " + http_note, _http_role(run, http)),
        ]
    )
    for index, (function, _trigger, publishes) in enumerate(CHAIN):
        mine = [s for s in steps if s.function == function]
        role = "current" if function == now else _role(mine)
        annotation, annotation_role = _status(mine)
        below, below_role = _below(run, mine)
        lines.append([("┌─▼" + "─" * (BOX_WIDTH - 4) + "┐", role)])
        lines.append(
            [
                ("│ " + function.ljust(BOX_WIDTH - 4) + " │", role),
                (" " + annotation, annotation_role),
            ]
        )
        lines.append([("└─┬" + "─" * (BOX_WIDTH - 4) + "┘", role), (" " + below, below_role)])
        band, band_note, band_role = _band(
            steps, function, publishes, run, last=index == len(CHAIN) - 1
        )
        lines.append([(band, band_role), (" " + band_note, band_role)])
    return [
        [(text.rstrip() if i == len(line) - 1 else text, r) for i, (text, r) in enumerate(line)]
        for line in lines
    ]


def _http_role(run: PipelineRun | None, http: Step | None) -> str:
    if http is None or run is None or run.http_status is None:
        return "dim"
    return "ok" if run.http_status < 300 else "error"


def _role(mine: list[Step]) -> str:
    if not mine:
        return "dim"
    last = mine[-1]
    if last.outcome != "ok":
        return "error"
    return "ok" if last.changed_state else "warn"


def _status(mine: list[Step]) -> Segment:
    if not mine:
        return "", "dim"
    last = mine[-1]
    if last.outcome == "retry":
        return f"✗ attempt {last.attempt} failed", "error"
    if last.outcome == "error":
        return (f"✗ failed, {last.attempt} attempts" if last.attempt > 1 else "✗ failed"), "error"
    if not last.changed_state:
        return ("↺ duplicate: skipped" if last.duplicate else "✓ ran, no change"), "warn"
    return f"✓ {'cold' if last.cold else 'warm'} {last.duration_ms:.0f} ms", "ok"


def _below(run: PipelineRun | None, mine: list[Step]) -> Segment:
    if not mine:
        return "", "dim"
    last = mine[-1]
    if (
        last.outcome == "error"
        and run is not None
        and any(a.function == last.function for a in run.after_retries)
    ):
        return "└▶ on-failure queue", "error"
    calls = len(last.calls)
    failed = sum(1 for c in last.calls if c.outcome != "ok")
    text = f"{calls} AWS call{'' if calls == 1 else 's'}" + (f", {failed} failed" if failed else "")
    return text, "dim"


def _band(
    steps: list[Step], function: str, publishes: str, run: PipelineRun | None, *, last: bool
) -> tuple[str, str, str]:
    label = f" {publishes} "
    band = "╞═▼═" + label + "═" * max(0, BOX_WIDTH - 5 - len(label)) + "╡"
    mine = [s for s in steps if s.function == function]
    if last:
        sent = any(c.label == "ses:SendEmail" and c.outcome == "ok" for s in mine for c in s.calls)
        to = ", ".join(run.end_state.email_to) if run is not None and sent else ""
        return band, (f"✉ {to}" if sent else ""), ("ok" if sent else "dim")
    published = [p for s in mine for p in s.published if p.event_type == publishes]
    if not published:
        return band, "", "dim"
    receivers = published[-1].delivered_to
    return band, ("→ " + ", ".join(receivers) if receivers else "→ no subscriber"), "ok"


def diagram_content(run: PipelineRun | None, revealed: int, *, current: bool = False) -> Content:
    parts: list[tuple[str, str] | str] = []
    for number, line in enumerate(diagram_lines(run, revealed, current=current)):
        if number:
            parts.append("\n")
        parts.extend(
            (text, ROLE_STYLES[role]) if ROLE_STYLES[role] else text for text, role in line
        )
    return Content.assemble(*parts)


class PipelineDiagram(Static):
    """Shows `diagram_lines` for a run, redrawn whenever the panel reveals another step."""

    DEFAULT_CSS = """
    PipelineDiagram {
        height: auto;
        width: 1fr;
    }
    """

    def show(self, run: PipelineRun | None, revealed: int, *, current: bool = False) -> None:
        self.update(diagram_content(run, revealed, current=current))
