"""The frame every live panel in a lesson shares, and how the keyboard leaves it."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, TextArea

TEXT_FIELDS = (Input, TextArea)


class LessonPanel(Vertical):
    """A rounded border with the panel's title, in the accent colour while a control inside has focus.

    Escape leaves a text field for the panel's next control, and from a control leaves
    the panel for the lesson text, so the lesson keys (n, p) work again.
    """

    BINDINGS = [
        Binding("escape", "leave", "Leave field, then panel", show=False, id="panel-leave"),
        # The other areas' keys still work in a panel but leave the footer to the panel's
        # keys (80 columns hold no more). No description: `?` lists them once, as app keys.
        Binding("q", "app.switch_mode('quiz')", show=False),
        Binding("e", "app.switch_mode('exercises')", show=False),
    ]

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

    def action_leave(self) -> None:
        focused = self.screen.focused
        if isinstance(focused, TEXT_FIELDS):
            control = self._control_after(focused)
            if control is not None:
                control.focus(scroll_visible=False)
                return
        for ancestor in self.ancestors:
            if isinstance(ancestor, Widget) and ancestor.focusable:
                ancestor.focus(scroll_visible=False)
                return
        self.screen.set_focus(None)

    def _control_after(self, field: Widget) -> Widget | None:
        """The panel's first focusable non-text control after `field` (else before it), or the panel."""
        mine = [
            widget
            for widget in self.screen.focus_chain
            if widget is self or self in widget.ancestors
        ]
        controls = [widget for widget in mine if not isinstance(widget, TEXT_FIELDS)]
        if field in mine:
            after = mine[mine.index(field) + 1 :]
            for widget in after:
                if not isinstance(widget, TEXT_FIELDS):
                    return widget
        return controls[0] if controls else None
