"""`?`: every key that works where the learner is, plus the ones that work everywhere."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

ALWAYS = [
    ("↑ ↓ / j k", "move in a list"),
    ("enter", "open the highlighted item"),
    ("tab / shift+tab", "move focus between panes"),
    ("ctrl+p", "command palette: find a lesson by name"),
    ("?", "this help"),
    ("escape", "close this help"),
    ("ctrl+q", "quit"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="close-help"),
        Binding("question_mark", "dismiss", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static("[b]Keys[/b]  [dim](escape closes)[/dim]", id="help-title")
            yield DataTable(id="help-keys", cursor_type="none", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("key", "what it does")
        rows = dict(ALWAYS)
        beneath = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        if beneath is not None:
            for active in beneath.active_bindings.values():
                binding = active.binding
                label = binding.key_display or self.app.get_key_display(binding)
                # Shown bindings are the area's own keys; list and scroll keys are covered by ALWAYS.
                if binding.show and binding.description and label not in rows:
                    rows[label] = binding.description.lower()
        for key, description in rows.items():
            table.add_row(key, description)
