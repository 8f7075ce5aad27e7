"""The exercise editor's text area: Python highlighting and the indentation a Python editor keeps."""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea

INDENT = "    "


def indentation_after(line_before_cursor: str) -> str:
    """What a new line starts with after Enter: the line's own indentation, one level more after ':'."""
    indent = line_before_cursor[: len(line_before_cursor) - len(line_before_cursor.lstrip())]
    if line_before_cursor.rstrip().endswith(":"):
        indent += INDENT
    return indent


class PythonTextArea(TextArea):
    """Enter keeps the current indentation and indents one level after a line ending with ':'."""

    def on_key(self, event: events.Key) -> None:
        if event.key != "enter" or self.read_only:
            return
        # Stop TextArea's own Enter (a bare newline) from running after this one.
        event.stop()
        event.prevent_default()
        start, end = self.selection
        first = min(start, end)
        row, column = first
        indent = indentation_after(self.document.get_line(row)[:column])
        self.replace("\n" + indent, start, end, maintain_selection_offset=False)
