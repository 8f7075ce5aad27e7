"""Textual's Select, with its value readable from the start and safe to take down
before it has finished mounting."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual import events
from textual.widgets import Select

# Select's `value` reactive (mypy: reached through the generic class, it is ambiguous).
_VALUE = Select.value  # type: ignore[misc]


class TutorSelect(Select[Any]):
    """Select sets its value only when it handles Mount; until then `value` is NULL even
    when the constructor was given one. A panel that computes from its inputs while it
    mounts (or while a learner paging on with n takes it down) would read NULL and fail
    to look it up. Here the value is there from the constructor on.

    Taken down between composing its option overlay and handling Mount, Select's own
    Mount handler would look for the overlay that is already gone and raise NoMatches,
    which ends the app. With its children gone there is nothing to set up: skip it."""

    def __init__(
        self,
        options: Iterable[tuple[Any, Any]],
        *,
        value: Any = Select.NULL,
        allow_blank: bool = True,
        **kwargs: Any,
    ):
        options = list(options)
        super().__init__(options, value=value, allow_blank=allow_blank, **kwargs)
        if value is Select.NULL and not allow_blank and options:
            value = options[0][1]  # what Select itself chooses on Mount
        self.set_reactive(_VALUE, value)

    def _on_mount(self, event: events.Mount) -> None:
        if not self.children:
            event.prevent_default()
            return
        # Select's own Mount handler sets the value again, which shows its label: it must
        # see a change, from blank.
        self.set_reactive(_VALUE, Select.NULL)
