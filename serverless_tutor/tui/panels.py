"""Live panel widgets by id. Keep in step with serverless_tutor.content.panels.PANELS."""

from __future__ import annotations

from textual.widget import Widget

PANEL_WIDGETS: dict[str, type[Widget]] = {}
