"""The learner's handler in a Python code editor that saves to their workspace file."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from serverless_tutor.tui.widgets.python_text_area import PythonTextArea


class ExerciseEditor(Vertical):
    DEFAULT_CSS = """
    ExerciseEditor #editor-status {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        color: $text-muted;
        padding: 0 1;
    }
    ExerciseEditor TextArea {
        height: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.path: Path | None = None
        self._saved_text = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="editor-status", markup=False)
        yield PythonTextArea.code_editor("", language="python", id="editor-text")

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#editor-text", TextArea)

    @property
    def modified(self) -> bool:
        return self.text_area.text != self._saved_text

    def load(self, path: Path) -> None:
        self.path = path
        self._saved_text = path.read_text(encoding="utf-8")
        self.text_area.load_text(self._saved_text)
        self._show_status()

    def save(self) -> Path | None:
        """Write the editor's text to the workspace file (atomically); None if nothing is loaded."""
        if self.path is None:
            return None
        text = self.text_area.text
        temporary = self.path.with_name(f".{self.path.name}.saving")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(self.path)
        self._saved_text = text
        self._show_status()
        return self.path

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._show_status()

    def _show_status(self) -> None:
        # The state first and the path last, so a narrow terminal cuts the path, not the keys.
        state = "● modified: ctrl+s save, F5 run" if self.modified else "saved"
        self.query_one("#editor-status", Static).update(
            f"[{state}]  {self.path.name} in {self.path.parent}" if self.path else ""
        )
