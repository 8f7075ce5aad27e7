"""Put steps in order with the keyboard: arrows pick a step, shift+arrows (or K / J) move it."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList


class QuizOrderingInput(OptionList):
    DEFAULT_CSS = """
    QuizOrderingInput {
        height: auto;
        max-height: 12;
    }
    """

    # Off the footer, which cannot hold them at 80 columns: the question's instruction line
    # names them, and `?` lists them.
    BINDINGS = [
        Binding("shift+up,K", "move_up", "Move step up", show=False, id="quiz-move-up"),
        Binding("shift+down,J", "move_down", "Move step down", show=False, id="quiz-move-down"),
    ]

    def __init__(self, items: list[str], *, id: str | None = None):
        super().__init__(markup=False, id=id)
        self._items = list(items)
        self._order = list(range(len(items)))

    def on_mount(self) -> None:
        self._rebuild(0)

    @property
    def order(self) -> list[int]:
        """Item indexes (into the items given) from first to last, as currently arranged."""
        return list(self._order)

    def action_move_up(self) -> None:
        self._move(-1)

    def action_move_down(self) -> None:
        self._move(+1)

    def _move(self, offset: int) -> None:
        position = self.highlighted
        if position is None:
            return
        target = position + offset
        if not 0 <= target < len(self._order):
            return
        self._order[position], self._order[target] = self._order[target], self._order[position]
        self._rebuild(target)

    def _rebuild(self, highlight: int) -> None:
        self.clear_options()
        self.add_options(
            [
                f"{position}. {self._items[index]}"
                for position, index in enumerate(self._order, start=1)
            ]
        )
        self.highlighted = highlight
