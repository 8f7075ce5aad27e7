"""One exercise's score distribution as a horizontal bar chart: students per score range."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from serverless_tutor.grading.gradebook import number
from serverless_tutor.grading.graded_folder import ScoreDistribution
from serverless_tutor.terminal_text import one_line

BAR = "█"


class ScoreChart(Widget):
    DEFAULT_CSS = """
    ScoreChart {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.distribution: ScoreDistribution | None = None

    def show(self, distribution: ScoreDistribution | None) -> None:
        self.distribution = distribution
        self.refresh(layout=True)

    def render(self) -> Text:
        shown = self.distribution
        if shown is None:
            return Text("Move the cursor to an exercise's column to see its scores.", style="dim")
        text = Text.assemble(
            (f"{one_line(shown.title)}", "bold"),
            f" ({one_line(shown.exercise)}), out of {number(shown.max_points)}\n",
        )
        labels = [f"{number(b.low)}–{number(b.high)}" for b in shown.bins]
        label_width = max(len(label) for label in labels)
        counts_width = max(len(str(b.count)) for b in shown.bins)
        room = max(1, self.content_size.width - label_width - counts_width - 3)
        most = max(b.count for b in shown.bins) or 1
        for label, score_bin in zip(labels, shown.bins, strict=True):
            length = round(room * score_bin.count / most)
            text.append(f"{label:>{label_width}} ")
            text.append(BAR * length, style="green")
            text.append(f" {score_bin.count}\n", style="bold" if score_bin.count else "dim")
        mean = "-" if shown.mean is None else number(shown.mean)
        median = "-" if shown.median is None else number(shown.median)
        text.append(f"mean {mean} · median {median} · {shown.scored} scored", style="")
        if shown.ungraded:
            text.append(f" · {shown.ungraded} ungraded", style="magenta")
        if shown.missing:
            text.append(f" · {shown.missing} missing", style="dim")
        if shown.late:
            text.append(f" · {shown.late} late", style="italic")
        return text
