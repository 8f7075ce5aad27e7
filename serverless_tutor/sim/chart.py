"""A horizontal bar chart in plain text, shared by `simulate sweep` and the experiment view."""

from __future__ import annotations

_EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"


def bar(value: float, maximum: float, width: int) -> str:
    """A bar of `width` cells at most, in eighths of a cell, for value out of maximum."""
    if width <= 0 or maximum <= 0 or value <= 0:
        return ""
    eighths = round(min(value, maximum) / maximum * width * 8)
    full, rest = divmod(eighths, 8)
    return FULL * full + (_EIGHTHS[rest] if rest else "")


def bar_chart(rows: list[tuple[str, float]], width: int, value_format: str = "{:.4f}") -> list[str]:
    """One line per row: label, bar, value; the longest bar fills what is left of width."""
    if not rows:
        return []
    labels = [label for label, _ in rows]
    values = [value_format.format(value) for _, value in rows]
    label_width = max(len(label) for label in labels)
    value_width = max(len(value) for value in values)
    bar_width = max(1, width - label_width - value_width - 4)
    maximum = max(value for _, value in rows)
    lines = []
    for (label, value), text in zip(rows, values, strict=False):
        drawn = bar(value, maximum, bar_width)
        lines.append(f"{label:>{label_width}} │{drawn:<{bar_width}} {text:>{value_width}}")
    return lines
