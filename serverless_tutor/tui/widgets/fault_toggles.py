"""The two dropdowns the order pipeline (lesson 5) and the patterns lab (lesson 8) share:
which fault the next run injects, and whether it runs the chapter's code as written or
the fixed code (the lab's pipes-and-filters tab has the fault only: the chapter has no code
for it). The panel's keys i and w cycle them."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal

from serverless_tutor.demos.fault_toggles import FAULT_LABELS, Code, FaultName
from serverless_tutor.tui.widgets.tutor_select import TutorSelect

NO_FAULT = "none"
FAULT_CHOICES: list[tuple[str, str]] = [("fault: none", NO_FAULT)] + [
    (f"fault: {name}", name) for name in FAULT_LABELS
]
CODE_CHOICES: list[tuple[str, Code]] = [
    ("code: fixed", "fixed"),
    ("code: as written", "as-written"),
]


class FaultToggles(Horizontal):
    DEFAULT_CSS = """
    FaultToggles {
        height: auto;
        margin: 1 0 0 0;
    }
    FaultToggles Select {
        width: 1fr;
    }
    """

    def __init__(self, prefix: str, *, with_code: bool = True, **kwargs: Any):
        """`prefix`: the dropdowns' ids are `<prefix>-fault` and `<prefix>-code`.
        `with_code=False`: the fault dropdown only (a demo with no code as written)."""
        super().__init__(**kwargs)
        self._prefix = prefix
        self._with_code = with_code

    def compose(self) -> ComposeResult:
        yield TutorSelect(
            FAULT_CHOICES,
            value=NO_FAULT,
            allow_blank=False,
            compact=True,
            id=f"{self._prefix}-fault",
        )
        if self._with_code:
            yield TutorSelect(
                CODE_CHOICES,
                value="fixed",
                allow_blank=False,
                compact=True,
                id=f"{self._prefix}-code",
            )

    def _select(self, kind: str) -> TutorSelect:
        return self.query_one(f"#{self._prefix}-{kind}", TutorSelect)

    @property
    def fault(self) -> FaultName | None:
        value = self._select("fault").value
        return next((name for name in FAULT_LABELS if name == value), None)

    @property
    def code(self) -> Code:
        if not self._with_code:
            return "fixed"
        return "as-written" if self._select("code").value == "as-written" else "fixed"

    def next_fault(self) -> None:
        values = [value for _, value in FAULT_CHOICES]
        select = self._select("fault")
        select.value = values[(values.index(str(select.value)) + 1) % len(values)]

    def toggle_code(self) -> None:
        if self._with_code:
            self._select("code").value = "fixed" if self.code == "as-written" else "as-written"
