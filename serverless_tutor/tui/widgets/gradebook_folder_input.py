"""The path of a graded output folder (what `grade --out` wrote); enter opens it."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Input


class GradebookFolderInput(Input):
    class FolderChosen(Message):
        def __init__(self, folder: str):
            super().__init__()
            self.folder = folder

    def __init__(self, value: str = "", **kwargs) -> None:
        super().__init__(
            value=value,
            placeholder="a folder `serverless-tutor grade --out` wrote; enter opens it",
            **kwargs,
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        folder = event.value.strip()
        if folder:
            self.post_message(self.FolderChosen(folder))
