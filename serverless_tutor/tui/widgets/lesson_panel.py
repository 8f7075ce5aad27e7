"""The frame every live panel in a lesson shares."""

from __future__ import annotations

from textual.containers import Vertical


class LessonPanel(Vertical):
    """A rounded border with the panel's title, in the accent colour while a control inside has focus."""

    DEFAULT_CSS = """
    LessonPanel {
        height: auto;
        border: round $primary;
        border-title-color: $primary;
        padding: 0 1;
    }
    LessonPanel:focus-within {
        border: round $accent;
    }
    """
