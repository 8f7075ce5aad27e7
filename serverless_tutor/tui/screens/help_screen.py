"""`?`: every key of the area the learner is in, with where it works, plus the ones that work everywhere.

Besides the keys active at the moment, it lists the keys of every panel in the open
lesson (they work while focus is inside that panel) and the area's hidden keys (tab
digits, escape), so no key has to be discovered by accident.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from serverless_tutor.tui.widgets.lesson_panel import LessonPanel

EVERYWHERE = "everywhere"
ALWAYS = [
    ("↑ ↓ / j k", "move in a list", EVERYWHERE),
    ("enter", "open the highlighted item", EVERYWHERE),
    ("tab / shift+tab", "move focus between panes", EVERYWHERE),
    ("ctrl+p", "find a lesson by name", EVERYWHERE),
    ("g", "instructor area", EVERYWHERE),
    ("?", "this help", EVERYWHERE),
    ("escape", "close this help", "this help"),
    ("ctrl+q", "quit", EVERYWHERE),
]
# The single keys the rows above name as working everywhere ("↑ ↓ / j k" names j and k).
LISTED_KEYS = {
    key
    for keys, _what, where in ALWAYS
    if where == EVERYWHERE
    for key in keys.split()
    if key != "/"
}
# The area names a learner sees, by screen class.
AREAS = {
    "LearnScreen": "lessons",
    "ExercisesScreen": "exercises",
    "QuizScreen": "quiz",
    "InstructorScreen": "instructor",
}


def own_bindings(node: DOMNode) -> list[Binding]:
    """The bindings the tutor's own classes of a node declare (not Textual's), one per key."""
    declared: list[Binding] = []
    for cls in reversed(type(node).__mro__):
        if not cls.__module__.startswith("serverless_tutor."):
            continue
        for item in cls.__dict__.get("BINDINGS", []):
            declared.append(item if isinstance(item, Binding) else Binding(*item))
    return list(Binding.make_bindings(declared))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="close-help"),
        Binding("question_mark", "dismiss", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static("[b]Keys[/b]  [dim](escape closes)[/dim]", id="help-title")
            yield Static(id="help-keys")

    def on_mount(self) -> None:
        self.query_one("#help-keys", Static).update(self.keys_table())

    def keys_table(self) -> Table:
        """The rows as a table whose columns wrap to the box, so a long panel title stays whole."""
        table = Table(box=None, expand=True, pad_edge=False, header_style="bold")
        table.add_column("key", no_wrap=True)
        table.add_column("what it does", ratio=1)
        table.add_column("where")  # as wide as its longest scope if it fits; the description wraps
        for key, description, where in self.rows():
            table.add_row(key, description, where)
        return table

    def rows(self) -> list[tuple[str, str, str]]:
        rows: dict[tuple[str, str], tuple[str, str, str]] = {}

        def add(bindings: Iterable[Binding], where: str, *, hidden_too: bool) -> None:
            for binding in bindings:
                if not binding.description or not (binding.show or hidden_too):
                    continue
                label = binding.key_display or binding.key
                if any(row[0] == label and row[2] == where for row in rows.values()):
                    continue  # e.g. the app's `?` is already "this help"
                description = binding.description[0].lower() + binding.description[1:]
                same = rows.get((description, where))
                if same is not None and label not in same[0].split(" / "):
                    label = f"{same[0]} / {label}"  # one row for f5 / ctrl+r
                rows[(description, where)] = (label, description, where)

        for key, description, where in ALWAYS:
            rows[(description, where)] = (key, description, where)
        # Hidden too: keys kept off the footer to fit 80 columns (theme, instructor) are listed here.
        add(own_bindings(self.app), EVERYWHERE, hidden_too=True)
        beneath = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        if isinstance(beneath, Screen):
            area = AREAS.get(type(beneath).__name__, type(beneath).__name__)
            add(own_bindings(beneath), area, hidden_too=True)
            for panel in beneath.query(LessonPanel):
                where = f"in {panel.border_title or 'the panel'}"
                add(own_bindings(panel), where, hidden_too=True)
            # What else is active right now (e.g. a question's ctrl+s submit), with the
            # tutor's own keys kept off the footer (e.g. moving a step in an ordering question).
            for active in beneath.active_bindings.values():
                if active.node not in (beneath, self.app) and not isinstance(
                    active.node, LessonPanel
                ):
                    own = active.binding in own_bindings(active.node)
                    if own and active.binding.key in LISTED_KEYS:
                        continue  # e.g. the lesson list's j and k: "move in a list" above
                    add([active.binding], f"{area} (here)", hidden_too=own)
        return list(rows.values())
