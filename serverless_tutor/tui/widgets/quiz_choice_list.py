"""A list of choices that wraps long sentences: ↑↓ move, space or enter picks.

One pick (like radio buttons) or several (a checklist, also used for the rubric).
Textual's RadioButton and SelectionList draw one line per choice and cut longer
text off, and quiz choices are often full sentences that must be read whole at
80 columns; OptionList wraps, so this builds on it.
"""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.widgets import OptionList


class QuizChoiceList(OptionList):
    DEFAULT_CSS = """
    QuizChoiceList {
        height: auto;
        max-height: 100%;
    }
    """

    BINDINGS = [Binding("space", "pick_highlighted", "Choose", show=False)]

    def __init__(self, choices: list[str], *, multiple: bool, id: str | None = None):
        super().__init__(markup=False, id=id)
        self.choices = list(choices)
        self.multiple = multiple
        self._picked: set[int] = set()

    def on_mount(self) -> None:
        self.add_options([self._prompt(index) for index in range(len(self.choices))])
        self.highlighted = 0

    @property
    def picked(self) -> list[int]:
        """Indexes of the chosen items, ascending."""
        return sorted(self._picked)

    def action_pick_highlighted(self) -> None:
        if self.highlighted is not None:
            self.toggle(self.highlighted)

    @on(OptionList.OptionSelected)
    def _enter(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.toggle(event.option_index)

    def toggle(self, index: int) -> None:
        if self.multiple:
            self._picked ^= {index}
        else:
            self._picked = {index}
        for position in range(len(self.choices)):
            self.replace_option_prompt_at_index(position, self._prompt(position))

    def _prompt(self, index: int) -> str:
        chosen = index in self._picked
        mark = ("[x]" if chosen else "[ ]") if self.multiple else ("(•)" if chosen else "( )")
        return f"{mark} {self.choices[index]}"
