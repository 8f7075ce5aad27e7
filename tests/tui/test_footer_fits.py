"""At 80x24 the footer cuts no label: in each area, with focus in every lesson panel that has
keys, and on an ordering question (its move keys are in `?` instead)."""

from __future__ import annotations

from textual.app import App
from textual.widgets import DataTable, Footer
from textual.widgets._footer import FooterKey

from serverless_tutor.progress import ProgressStore
from serverless_tutor.quiz.bank import shipped_bank
from serverless_tutor.quiz.instances import instantiate
from serverless_tutor.tui.app import TutorApp
from serverless_tutor.tui.screens.help_screen import HelpScreen
from serverless_tutor.tui.widgets.lesson_panel import TEXT_FIELDS, LessonPanel
from serverless_tutor.tui.widgets.quiz_ordering_input import QuizOrderingInput
from serverless_tutor.tui.widgets.quiz_question_view import QuizQuestionView

# One lesson per panel with keys (lesson 4 has lesson 2's playground).
PANEL_LESSONS = [
    "faas",
    "baas",
    "event-driven",
    "cold-starts",
    "implementation-examples",
    "patterns",
]


async def until(pilot, condition, what: str) -> None:
    for _ in range(600):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def shown_bindings(app: TutorApp) -> list[str]:
    """What the footer should show now: one label per action, as Textual's Footer picks them."""
    labels: dict[str, str] = {}
    for active in app.screen.active_bindings.values():
        binding = active.binding
        if binding.show and binding.action not in labels and binding.action != "command_palette":
            labels[binding.action] = f"{app.get_key_display(binding)} {binding.description}"
    return list(labels.values())


def footer_keys(app: App) -> list[FooterKey]:
    return [
        key
        for key in app.screen.query_one(Footer).query(FooterKey)
        if not key.has_class("-command-palette")
    ]


async def footer_labels_whole(app: TutorApp, pilot, where: str) -> list[str]:
    """The footer's labels once it shows the current bindings; each must end before the palette key."""

    def labels() -> list[str]:
        return [f"{key.key_display} {key.description}" for key in footer_keys(app)]

    await until(pilot, lambda: labels() == shown_bindings(app), f"the footer in {where}")
    await pilot.pause()  # laid out
    palette = app.screen.query_one(Footer).query_one(".-command-palette", FooterKey)
    cut = [
        f"{key.key_display} {key.description}"
        for key in footer_keys(app)
        if key.region.right > palette.region.x
    ]
    assert not cut, f"{where}: cut {cut} in {labels()}"
    return labels()


async def test_no_footer_label_is_cut_at_80x24(tmp_path):
    app = TutorApp(store=ProgressStore(tmp_path / "home"))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.models_loaded, "the lessons")
        learn = await footer_labels_whole(app, pilot, "learn")
        assert "l Learn" not in learn and {"q Quiz", "e Exercises", "? Help"} <= set(learn)

        for lesson_id in PANEL_LESSONS:
            await app.open_lesson(lesson_id)
            await until(pilot, lambda: app.screen.query(LessonPanel), f"the panel of {lesson_id}")
            panel = app.screen.query_one(LessonPanel)
            await until(pilot, lambda panel=panel: panel.children, "the panel's controls")
            # A control, not a text field (that takes the letter keys off the footer).
            next(
                widget
                for widget in app.screen.focus_chain
                if panel in widget.ancestors_with_self and not isinstance(widget, TEXT_FIELDS)
            ).focus()
            labels = await footer_labels_whole(app, pilot, lesson_id)
            # The panel's first key, the lesson keys and help; the other areas' keys make room.
            assert {"n Next", "p Previous", "^q Quit", "? Help"} <= set(labels), lesson_id
            assert len(labels) > 4 and "q Quiz" not in labels, lesson_id
        await pilot.press("q")  # still works from inside a panel
        assert app.current_mode == "quiz"
        assert "q Quiz" not in await footer_labels_whole(app, pilot, "quiz")

        await app.switch_mode("exercises")
        exercises = await footer_labels_whole(app, pilot, "exercises")
        assert exercises[:3] == ["f5 Run", "^s Save", "f2 Hint"] and "e Exercises" not in exercises

        await app.switch_mode("instructor")
        app.screen.query_one(DataTable).focus()  # the folder path field takes the letter keys
        instructor = await footer_labels_whole(app, pilot, "instructor")
        assert instructor[:2] == ["s Sort", "r Re-grade"] and "q Quiz" in instructor


class OrderingQuestionHost(App):
    def compose(self):
        yield QuizQuestionView(instantiate(shipped_bank().get("cold-start-steps"), seed=5), "1/1")
        yield Footer()

    def on_mount(self):
        self.query_one(QuizOrderingInput).focus()


async def test_an_ordering_question_keeps_its_move_keys_in_help_not_the_footer():
    app = OrderingQuestionHost()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: "ctrl+s" in app.screen.active_bindings, "the question")
        await pilot.pause()
        assert "^s Submit" in [f"{key.key_display} {key.description}" for key in footer_keys(app)]
        assert not any("Move" in key.description for key in footer_keys(app))
        app.push_screen(HelpScreen())
        await pilot.pause()
        rows = app.screen.rows()  # type: ignore[attr-defined]
        assert ("shift+up / K", "move step up", "Screen (here)") in rows
