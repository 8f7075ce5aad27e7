"""The fit check's reasons: one row each, a stance mark and a hanging-indented text with its lesson."""

from __future__ import annotations

from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from serverless_tutor.fit import Reason

STANCE_MARK = {"against": "✗", "care": "!", "for": "✓", "note": "·"}


def pointer_text(reason: Reason) -> str:
    """What the reason rests on and the lesson that covers it."""
    return f"↳ {reason.rests_on} · L{reason.lesson} {reason.section}"


class FitReasonList(Vertical):
    """Rebuilt on each assessment; at most a dozen rows."""

    DEFAULT_CSS = """
    FitReasonList {
        height: auto;
    }
    FitReasonList Horizontal {
        height: auto;
    }
    FitReasonList .fit-mark {
        width: 2;
        text-style: bold;
    }
    FitReasonList .fit-mark.-against { color: $error; }
    FitReasonList .fit-mark.-care { color: $warning; }
    FitReasonList .fit-mark.-for { color: $success; }
    FitReasonList .fit-mark.-note { color: $text-muted; }
    FitReasonList .fit-body {
        width: 1fr;
        height: auto;
    }
    FitReasonList .fit-pointer {
        color: $text-muted;
    }
    """

    def show(self, reasons: list[Reason]) -> None:
        self.remove_children()
        self.mount_all(
            [
                Horizontal(
                    Static(STANCE_MARK[reason.stance], classes=f"fit-mark -{reason.stance}"),
                    Vertical(
                        Static(Content(reason.text), classes="fit-reason"),
                        Static(Content(pointer_text(reason)), classes="fit-pointer"),
                        classes="fit-body",
                    ),
                    classes=f"fit-row fit-{reason.key}",
                )
                for reason in reasons
            ]
        )
