"""Textual's Select, safe to take down before it has finished mounting."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Select


class TutorSelect(Select[Any]):
    """A learner paging on with n, or the app quitting, can remove a panel between a
    Select composing its option overlay and handling Mount. Select's own Mount handler
    then looks for the overlay that is already gone and raises NoMatches, which ends
    the app. With its children gone there is nothing to set up: skip it."""

    def _on_mount(self, event: events.Mount) -> None:
        if not self.children:
            event.prevent_default()
