"""Keyboard paths through the exercises, at 80x24 and 120x40 (split from
test_keyboard_paths.py so the two files run on separate workers).

Each test drives the real app with Pilot and waits for conditions, never for a fixed time.
"""

from __future__ import annotations

from textual.widgets import TabbedContent, TextArea

from serverless_tutor.tui.widgets.python_text_area import indentation_after
from tests.tui.test_keyboard_paths import app_at, sizes, until


@sizes
async def test_exercise_keys_tabs_auto_indent_escape_editor_and_next(tmp_path, size, monkeypatch):
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    app = app_at(tmp_path)
    async with app.run_test(size=size) as pilot:
        await pilot.press("e")
        await until(pilot, lambda: app.screen.query("#exercise-tabs"), "the exercises")
        screen = app.screen
        tabs = screen.query_one("#exercise-tabs", TabbedContent)
        first = screen.current  # type: ignore[attr-defined]
        await pilot.press("2")
        editor = screen.query_one("#editor-text", TextArea)
        assert tabs.active == "tab-editor" and app.focused is editor
        editor.load_text("")
        await pilot.press(*"def f(x):", "enter", *"if x:", "enter", *"return 1", "enter", "2")
        assert editor.text == "def f(x):\n    if x:\n        return 1\n        2"
        await pilot.press("escape")
        assert app.focused is screen.query_one("#exercise-list")
        await pilot.press("3")
        assert tabs.active == "tab-results"
        await pilot.press("f6")  # no $EDITOR: says how to set one
        assert any("Set $EDITOR" in str(n.message) for n in app._notifications)

        await pilot.press("question_mark")
        rows = app.screen.rows()  # type: ignore[attr-defined]
        assert ("2", "editor tab", "exercises") in rows
        assert ("f5 / ctrl+r", "run", "exercises") in rows
        assert ("f6", "$EDITOR", "exercises") in rows
        await pilot.press("escape")

        await pilot.press("n")
        assert screen.current is not first  # type: ignore[attr-defined]
        assert tabs.active == "tab-editor" and app.focused is editor


def test_indentation_after_keeps_the_level_and_indents_after_a_colon():
    assert indentation_after("def handler(event, context):") == "    "
    assert indentation_after("    return {") == "    "
    assert indentation_after("        if x:  ") == "            "
    assert indentation_after("") == ""
