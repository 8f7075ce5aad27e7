"""Keyboard paths through the lesson panels, at 80x24 and 120x40 (the exercises' are in
test_keyboard_paths_exercises.py, a file of their own so the two run on separate workers).

Each test drives the real app with Pilot and waits for conditions, never for a fixed time.
"""

from __future__ import annotations

import pytest
from textual.widget import Widget
from textual.widgets import Button, Input, TabbedContent, TextArea

from serverless_tutor.content.lessons import shipped_lessons
from serverless_tutor.progress import ProgressStore
from serverless_tutor.tui.app import TutorApp
from serverless_tutor.tui.widgets.lesson_panel import LessonPanel

SIZES = [(80, 24), (120, 40)]
LESSON_IDS = [lesson.id for lesson in shipped_lessons()]
sizes = pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")


def app_at(tmp_path) -> TutorApp:
    return TutorApp(store=ProgressStore(tmp_path / "home"))


async def until(pilot, condition, what: str) -> None:
    """Let the app run until `condition()` holds (a generous deadline: the machine is shared)."""
    for _ in range(600):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def open_panel(app: TutorApp, pilot, lesson_id: str) -> LessonPanel:
    await app.open_lesson(lesson_id)
    await until(pilot, lambda: app.screen.query(LessonPanel), f"the panel of {lesson_id}")
    panel = app.screen.query_one(LessonPanel)
    await until(pilot, lambda: panel.is_mounted and panel.children, "the panel's controls")
    return panel


def inside(widget: Widget | None, panel: Widget) -> bool:
    return widget is not None and (widget is panel or panel in widget.ancestors)


@sizes
async def test_lesson_panels_escape_keep_focus_and_leave_lesson_keys_working(tmp_path, size):
    """Lessons 7 and 8: Escape leaves a field then the panel; ctrl+s keeps the focus; p is Previous."""
    app = app_at(tmp_path)
    async with app.run_test(size=size) as pilot:
        panel = await open_panel(app, pilot, "implementation-examples")
        body = panel.query_one("#api-body", TextArea)
        body.focus()
        await pilot.press("escape")
        assert inside(app.focused, panel) and not isinstance(app.focused, TextArea)

        send = panel.query_one("#api-send", Button)
        send.focus()
        await pilot.press("ctrl+s")
        assert inside(app.focused, panel)
        assert "ctrl+s" in app.screen.active_bindings  # the footer keeps the panel's keys
        await until(pilot, lambda: not panel.busy, "the request to finish")  # type: ignore[attr-defined]
        await pilot.pause()
        assert app.focused is send

        path = panel.query_one("#api-path", Input)
        path.focus()
        await pilot.press("n")
        assert path.value.endswith("n")  # in the field, n is a letter
        await pilot.press("escape")
        assert inside(app.focused, panel) and not isinstance(app.focused, (Input, TextArea))
        await pilot.press("escape")
        assert not inside(app.focused, panel)
        await pilot.press("n")
        assert app.screen.current_lesson_id == "patterns"

        lab = await open_panel(app, pilot, "patterns")
        lab.focus()
        await pilot.press("question_mark")
        rows = app.screen.rows()  # type: ignore[attr-defined]
        assert ("a", "publish", "in Patterns lab") in rows
        assert ("escape", "leave field, then panel", "in Patterns lab") in rows
        assert ("p", "previous", "lessons") in rows
        assert ("ctrl+q", "quit", "everywhere") in rows
        assert not any(row[0] == "p" and row[2] == "in Patterns lab" for row in rows)
        await pilot.press("escape")
        assert app.focused is lab
        await pilot.press("p")  # with the lab focused, p is still Previous lesson
        assert app.screen.current_lesson_id == "implementation-examples"
        await until(pilot, lambda: app.screen.query("#api-method"), "lesson 7's panel")


@sizes
async def test_lifecycle_tab_digits_and_the_playground_keeps_focus_after_i(tmp_path, size):
    app = app_at(tmp_path)
    async with app.run_test(size=size) as pilot:
        panel = await open_panel(app, pilot, "cold-starts")
        panel.focus()
        tabs = panel.query_one("#lifecycle-tabs", TabbedContent)
        assert str(tabs.get_tab("lifecycle-tab-settings").label) == "2 Settings"
        for key, tab_id in [
            ("2", "lifecycle-tab-settings"),
            ("4", "lifecycle-tab-experiment"),
            ("3", "lifecycle-tab-init"),
            ("1", "lifecycle-tab-live"),
        ]:
            await pilot.press(key)
            assert tabs.active == tab_id
            assert inside(app.focused, panel)

        playground = await open_panel(app, pilot, "faas")
        invoke = playground.query_one("#playground-buttons Button", Button)
        for attempt in range(2):
            invoke.focus()
            await pilot.press("i")
            assert inside(app.focused, playground), f"try {attempt}: focus left during the invoke"
            await until(pilot, lambda: not playground.busy, "the invoke")  # type: ignore[attr-defined]
            await pilot.pause()
            assert app.focused is invoke, f"try {attempt}: focus not given back"
        tabs = playground.query_one("#playground-tabs", TabbedContent)
        await pilot.press("2")
        assert tabs.active == "playground-tab-logs" and app.focused is playground
        await pilot.press("5")
        assert tabs.active == "playground-tab-history"
