"""The environment lanes of the lifecycle panel: the pure frame, in theme colours."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from serverless_tutor.sim.frame import FrameLine, legend, lifecycle_frame
from serverless_tutor.sim.results import Snapshot

PHASE_COLOURS = {
    "download_code": "$secondary",
    "init_runtime": "$warning",
    "init_function": "$accent",
    "execute": "$success",
    "idle": "$primary",
    "provisioned": "$primary",
}
DEFAULT_WIDTH = 74


def segment_style(key: str) -> str:
    """Theme style for a frame style key: solid for time spent, muted for time to come."""
    if key == "label":
        return ""
    if key == "muted":
        return "$text-muted"
    phase, _, todo = key.partition(":")
    colour = PHASE_COLOURS[phase]
    if todo:
        return f"{colour} on {colour}-muted"
    return f"bold $background on {colour}"


def to_content(line: FrameLine) -> Content:
    return Content.assemble(
        *[(segment.text, segment_style(segment.style)) for segment in line.segments]
    )


class LifecycleLanes(Static):
    """One lane per live environment, plus the legend."""

    DEFAULT_CSS = """
    LifecycleLanes {
        height: auto;
    }
    """

    def __init__(self, max_lanes: int = 6, **kwargs):
        super().__init__(**kwargs)
        self.max_lanes = max_lanes
        # A fixed height (legend + lanes) keeps the panel from jumping as environments come and go.
        self.styles.height = max_lanes + 1

    def show(self, snapshot: Snapshot) -> None:
        width = self.content_size.width or DEFAULT_WIDTH
        lines = [legend(width), *lifecycle_frame(snapshot, width, max_lanes=self.max_lanes)]
        self.update(Content("\n").join(to_content(line) for line in lines))
