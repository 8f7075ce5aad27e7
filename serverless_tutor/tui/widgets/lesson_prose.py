"""A lesson's Markdown drawn as one rich renderable, with chapter corrections as callouts.

One widget instead of Textual's widget-per-block Markdown keeps a long lesson cheap to
lay out (start-up and lesson switches), and lets the corrections stand out as panels.
"""

from __future__ import annotations

import re

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment
from textual.widgets import Static

CORRECTION_MARK = "**Chapter correction.**"
# A blockquote paragraph: consecutive lines starting with ">".
_BLOCKQUOTE = re.compile(r"(?m)^(?:>[^\n]*(?:\n|$))+")


class LessonProse(Static):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._markdown = ""

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._redraw_for_theme)

    def show_markdown(self, markdown: str) -> None:
        self._markdown = markdown
        self.update(_RenderedOnce(self._build(markdown)))

    def _redraw_for_theme(self, _theme) -> None:
        if self._markdown:
            self.update(_RenderedOnce(self._build(self._markdown)))

    def _build(self, markdown: str) -> RenderableType:
        # Imported on first use, after the first screen: rich.markdown brings markdown-it
        # and pygments, which that screen does not need.
        from rich.markdown import Markdown
        from rich.panel import Panel

        warning = self.app.theme_variables.get("warning", "yellow")
        parts: list[RenderableType] = []
        position = 0
        for match in _BLOCKQUOTE.finditer(markdown):
            quote = re.sub(r"(?m)^> ?", "", match.group(0)).strip()
            if not quote.startswith(CORRECTION_MARK):
                continue
            parts.append(
                Markdown(markdown[position : match.start()], code_theme=self._code_theme())
            )
            text = quote[len(CORRECTION_MARK) :].strip()
            parts.append(
                Panel(
                    Markdown(text),
                    title="Chapter correction",
                    title_align="left",
                    border_style=warning,
                )
            )
            position = match.end()
        parts.append(Markdown(markdown[position:], code_theme=self._code_theme()))
        return Group(*parts)

    def _code_theme(self) -> str:
        return "monokai" if self.app.current_theme.dark else "default"


class _RenderedOnce:
    """Renders its contents once per width; Textual asks twice (height, then lines)."""

    def __init__(self, renderable: RenderableType):
        self._renderable = renderable
        self._lines: dict[int, list[list[Segment]]] = {}

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        if width not in self._lines:
            self._lines[width] = console.render_lines(
                self._renderable, options.update(height=None), pad=False
            )
        newline = Segment.line()
        for line in self._lines[width]:
            yield from line
            yield newline
