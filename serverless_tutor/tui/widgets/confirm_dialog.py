"""A yes/no question over the screen: the safe answer is focused and Escape gives it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmDialog(ModalScreen[bool]):
    """Dismisses with True only when the learner picks the confirming button."""

    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
    }
    ConfirmDialog #confirm-box {
        width: 60;
        max-width: 95%;
        height: auto;
        border: round $warning;
        background: $surface;
        padding: 0 1;
    }
    ConfirmDialog #confirm-buttons {
        height: auto;
        align-horizontal: right;
    }
    """
    BINDINGS = [Binding("escape", "dismiss(False)", "Cancel", id="confirm-cancel")]

    def __init__(self, question: str, *, cancel: str, confirm: str, confirm_id: str):
        super().__init__()
        self._question = question
        self._cancel = cancel
        self._confirm = confirm
        self._confirm_id = confirm_id

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self._question, markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(self._cancel, id="confirm-cancel", variant="primary")
                yield Button(self._confirm, id=self._confirm_id, variant="warning")

    def on_mount(self) -> None:
        self.query_one("#confirm-cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == self._confirm_id)
