"""A trace table that fits the width it is given, so no column scrolls out of view.

When the rows are wider than the table, the text columns wrap between words; if that is
not enough, the resource (the last column) moves under the action, on a line of its own.
A word longer than its column breaks where a CamelCase or dotted name joins two words
(ConditionalCheck|Failed, Runtime.|ExitError), never inside a word, unless even one of
those parts is wider than the column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import product
from typing import NamedTuple

from rich.text import Text
from textual import events
from textual.widgets import DataTable

CELL_PADDING = 1  # DataTable's default, on each side of each cell
# Where a long name may break: after a lower-case letter or digit followed by a capital,
# and after . / @ + - (AccessDenied|Exception, Runtime.|ExitError, orders+|inventory).
NAME_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[./@+\-])(?=.)")


class TableLayout(NamedTuple):
    headers: list[str]
    widths: list[int]
    rows: list[list[str]]  # each cell's lines joined by newlines
    # Per row, how many of the action cell's last lines are the resource moved under it.
    resource_lines: list[int]

    def height(self) -> int:
        return sum(max(cell.count("\n") for cell in row) + 1 for row in self.rows)


def words(text: str) -> list[str]:
    """The text's words, an arrow kept with the word after it ("→ OrderCreated")."""
    glued: list[str] = []
    for word in text.split():
        if glued and len(glued[-1]) == 1 and not glued[-1].isalnum():
            glued[-1] += " " + word
        else:
            glued.append(word)
    return glued


def name_parts(word: str) -> list[str]:
    return [part for part in NAME_BREAK.split(word) if part]


def wrap_cell(text: str, width: int, *, break_names: bool) -> list[str]:
    """`text` in lines of at most `width` cells, broken between words (and, if allowed, between
    the parts of a long name); continuation lines keep the text's indent."""
    indent = text[: len(text) - len(text.lstrip(" "))]
    room = max(1, width - len(indent))
    lines: list[str] = []
    line = ""
    for word in words(text):
        pieces = name_parts(word) if break_names and len(word) > room else [word]
        for index, piece in enumerate(pieces):
            joiner = " " if line and index == 0 else ""
            if len(line) + len(joiner) + len(piece) <= room:
                line += joiner + piece
                continue
            if line:
                lines.append(line)
            while len(piece) > room:  # only when even a part of a name is too wide
                lines.append(piece[:room])
                piece = piece[room:]
            line = piece
    lines.append(line)
    return [indent + line for line in lines]


def _min_width(cells: list[str], header: str, *, break_names: bool) -> int:
    """The narrowest the column can be: its longest word (or name part) after its indent."""

    def widest(cell: str) -> int:
        pieces = words(cell)
        if break_names:
            pieces = [part for word in pieces for part in name_parts(word)]
        indent = len(cell) - len(cell.lstrip(" "))
        return indent + max((len(piece) for piece in pieces), default=0)

    return max([len(header), *(widest(cell) for cell in cells)])


def fit_table(
    headers: tuple[str, ...],
    rows: Sequence[tuple[str, ...]],
    width: int,
    *,
    wrapping: tuple[int, ...],
    action: int,
) -> TableLayout:
    """Column widths and wrapped cells for `rows` in `width` cells (0: not laid out yet, natural).

    Columns not in `wrapping` keep their natural width. The layouts tried, in order: every
    column, text wrapped between words; the last column (the resource) under the `action`
    column's text; then the shorter of the two breaking long names too."""
    natural = [
        max([len(header), *(len(row[i]) for row in rows)]) for i, header in enumerate(headers)
    ]
    if width <= 0 or sum(natural) + 2 * CELL_PADDING * len(headers) <= width:
        return TableLayout(list(headers), natural, [list(row) for row in rows], [0] * len(rows))
    stacked = [
        tuple(
            cell
            + (f"\n{_resource_indent(row[action])}{row[-1]}" if i == action and row[-1] else "")
            for i, cell in enumerate(row[:-1])
        )
        for row in rows
    ]
    shapes = [(headers, rows), (headers[:-1], stacked)]
    for names, cells in shapes:
        layout = _wrapped(names, cells, width, wrapping, action, break_names=False)
        if layout is not None:
            return layout
    broken = [
        layout
        for names, cells in shapes
        if (layout := _wrapped(names, cells, width, wrapping, action, break_names=True))
    ]
    if broken:
        return min(broken, key=TableLayout.height)
    # Not even a name's part fits: cut it, and keep every column in view.
    squeezed = _wrapped(
        headers[:-1], stacked, width, wrapping, action, break_names=True, squeeze=True
    )
    assert squeezed is not None
    return squeezed


def _resource_indent(action_text: str) -> str:
    return " " * (len(action_text) - len(action_text.lstrip(" ")) + 2)


def _wrapped(
    headers: tuple[str, ...],
    rows: Sequence[tuple[str, ...]],
    width: int,
    wrapping: tuple[int, ...],
    action: int,
    *,
    break_names: bool,
    squeeze: bool = False,
) -> TableLayout | None:
    """The layout with the fewest lines, or None if the columns' longest words do not fit."""
    columns = [[line for row in rows for line in row[i].split("\n")] for i in range(len(headers))]
    natural = [
        max([len(h), *(len(line) for line in col)]) for h, col in zip(headers, columns, strict=True)
    ]
    least = [
        _min_width(col, h, break_names=break_names) if i in wrapping else natural[i]
        for i, (h, col) in enumerate(zip(headers, columns, strict=True))
    ]
    budget = width - 2 * CELL_PADDING * len(headers)
    spare = budget - sum(least)
    if spare < 0 and not squeeze:
        return None
    breaking = break_names or squeeze
    if spare < 0:  # squeeze the text columns evenly
        widths = list(least)
        for i in wrapping:
            widths[i] = max(1, least[i] + spare // len(wrapping))
    else:
        widths = min(
            _width_choices(least, natural, wrapping, budget),
            key=lambda choice: _layout(rows, choice, wrapping, action, breaking).height,
        )
    cells, resource_lines = _layout(rows, widths, wrapping, action, breaking)[:2]
    return TableLayout(list(headers), widths, cells, resource_lines)


def _width_choices(
    least: list[int], natural: list[int], wrapping: tuple[int, ...], budget: int
) -> Iterator[list[int]]:
    """Every way to share the budget among the text columns (the last takes what is left)."""
    *firsts, last = wrapping
    for sizes in product(*(range(least[i], natural[i] + 1) for i in firsts)):
        widths = list(least)
        for i, size in zip(firsts, sizes, strict=True):
            widths[i] = size
        rest = budget - sum(widths) + least[last]
        if rest >= least[last]:
            widths[last] = min(rest, natural[last])
            yield widths


class _Wrapped(NamedTuple):
    cells: list[list[str]]
    resource_lines: list[int]
    height: int


def _layout(
    rows: Sequence[tuple[str, ...]],
    widths: list[int],
    wrapping: tuple[int, ...],
    action: int,
    break_names: bool,
) -> _Wrapped:
    def lines_of(text: str, i: int) -> list[str]:
        if i not in wrapping:
            return [text]
        return wrap_cell(text, widths[i], break_names=break_names)

    wrapped: list[list[str]] = []
    resource_lines: list[int] = []
    height = 0
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            text, _, resource = cell.partition("\n")  # only the action cell has a resource line
            lines = lines_of(text, i)
            under = lines_of(resource, i) if resource else []
            cells.append("\n".join(lines + under))
            if i == action:
                resource_lines.append(len(under))
        wrapped.append(cells)
        height += max(cell.count("\n") for cell in cells) + 1
    return _Wrapped(wrapped, resource_lines, height)


class FittedTraceTable(DataTable):
    """Rows are given as plain text tuples; the table lays them out for its width, again on resize."""

    HEADERS: tuple[str, ...] = ()
    WRAPPING: tuple[int, ...] = (1, 2)  # the action and its result
    ACTION = 1
    RESOURCE_STYLE = "dim"

    def __init__(self, **kwargs):
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._rows: list[tuple[str, ...]] = []
        self._layout: TableLayout | None = None

    def on_mount(self) -> None:
        self._lay_out(force=True)

    def on_resize(self, _event: events.Resize) -> None:
        self._lay_out()

    def show_rows(self, rows: Sequence[tuple[str, ...]]) -> None:
        self._rows = list(rows)
        self._lay_out(force=True)

    @property
    def layout_shown(self) -> TableLayout | None:
        return self._layout

    def _lay_out(self, *, force: bool = False) -> None:
        layout = fit_table(
            self.HEADERS,
            self._rows,
            # Room kept for the vertical scrollbar, whether it shows or not. (CSS's stable
            # gutter would do it, but makes an auto-height table one line taller.)
            self.size.width - self.styles.scrollbar_size_vertical,
            wrapping=self.WRAPPING,
            action=self.ACTION,
        )
        if layout == self._layout and not force:
            return
        self._layout = layout
        cursor_row = self.cursor_row
        self.clear(columns=True)
        for header, width in zip(layout.headers, layout.widths, strict=True):
            self.add_column(header, width=width)
        for row, resource_lines in zip(layout.rows, layout.resource_lines, strict=True):
            cells = [Text(cell) for cell in row]
            if resource_lines:
                # The resource moved under the action: dim, so it reads as a detail of it.
                lines = row[self.ACTION].split("\n")
                start = len("\n".join(lines[:-resource_lines])) + 1
                cells[self.ACTION].stylize(self.RESOURCE_STYLE, start)
            self.add_row(*cells, height=max(cell.count("\n") for cell in row) + 1)
        if self.row_count and not force:
            self.move_cursor(row=min(cursor_row, self.row_count - 1))
