"""The interview drill panel (lesson 12) in a tiny app that mounts only it: a keyboard-only Pilot
test and an 80x24 snapshot of the first question."""

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Button, Static, TextArea

from serverless_tutor.content.lessons import shipped_lessons
from serverless_tutor.content.panels import PANELS
from serverless_tutor.progress import ProgressStore
from serverless_tutor.quiz.bank import shipped_bank
from serverless_tutor.tui.app import TutorApp
from serverless_tutor.tui.panels import panel_widget
from serverless_tutor.tui.widgets.interview_drill_panel import (
    QUIZ_POINTER,
    SCORE_LABEL,
    ZERO_WARNING,
    InterviewDrillPanel,
    interview_questions,
)
from serverless_tutor.tui.widgets.quiz_choice_list import QuizChoiceList

SIZE = (80, 24)


class DrillApp(App):
    # As wide as the lesson pane of an 80-column terminal, where lesson 12 shows the panel.
    CSS = "InterviewDrillPanel { width: 49; }"

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield InterviewDrillPanel()


async def button_ready(pilot, button: Button) -> None:
    """Wait (bounded) for a button's press effect to end: it ignores enter until then."""
    for _ in range(100):
        if not button.has_class("-active"):
            return
        await pilot.pause(0.05)
    raise AssertionError("the button stayed pressed")


def text(app: App, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


def test_registered_under_its_id_and_listed_by_lesson_12():
    assert panel_widget("interview-drill") is InterviewDrillPanel
    assert "interview-drill" in PANELS
    assert {
        lesson.number for lesson in shipped_lessons() if "interview-drill" in lesson.panels
    } == {12}


def test_questions_are_the_open_questions_of_section_12_common_first():
    questions = interview_questions()
    bank_open = [q for q in shipped_bank().in_section(12) if q.type == "open"]
    assert [q.id for q in questions] == [q.id for q in bank_open]
    assert questions[0].id == "interview-what-is-serverless"
    common = [q.common for q in bank_open]
    assert common[:5] == [True] * 5 and not any(common[5:])


def test_snapshot_first_question_at_80x24(snap_compare):
    assert snap_compare(DrillApp(), terminal_size=SIZE)


async def test_answer_reveal_tick_score_and_next_by_keyboard():
    app = DrillApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(InterviewDrillPanel)
        first, second = panel.questions[0], panel.questions[1]
        answer_box = app.query_one("#drill-answer", TextArea)
        answer_box.focus()
        await pilot.pause()
        assert text(app, "#drill-prompt") == first.prompt
        assert text(app, "#drill-heading").startswith(f"Question 1 of {len(panel.questions)}")
        assert text(app, "#drill-pointer") == QUIZ_POINTER
        assert not app.query_one("#drill-reveal-box").display  # hidden: not rendered
        assert app.query_one("#drill-answer", TextArea).language is None

        # Revealing with nothing typed asks for an answer first.
        await pilot.press("tab", "enter")
        assert not panel.revealed
        assert text(app, "#drill-error") == "Type an answer first, even a short one."
        assert app.query_one("#drill-error").display

        answer_box.focus()
        await pilot.press(*"pay per use")
        assert answer_box.text == "pay per use"
        await pilot.press("tab", "enter")  # Show model answer
        await pilot.pause()
        assert panel.revealed and answer_box.read_only
        assert not app.query_one("#drill-error").display
        assert app.query_one("#drill-reveal-box").display
        assert text(app, "#drill-model-answer") == first.model_answer
        points = len(first.rubric)
        rubric = app.query_one("#drill-rubric", QuizChoiceList)
        score_button = app.query_one("#drill-reveal", Button)
        # Focus stays on the button (now "Score my answer"), not the rubric: a stray key
        # neither ticks a point nor records a score; 0% takes a second press.
        assert app.focused is score_button and str(score_button.label) == SCORE_LABEL
        assert text(app, "#drill-score") == ""
        await pilot.press("space")
        await pilot.pause()
        assert rubric.picked == [] and not panel.scored
        await button_ready(pilot, score_button)
        await pilot.press("enter")
        await pilot.pause()
        assert not panel.scored and text(app, "#drill-error") == ZERO_WARNING
        assert text(app, "#drill-score") == ""

        await pilot.press("tab", "tab")  # past Next question, into the points
        assert app.focused is rubric
        await pilot.press("down", "space")  # tick the second point
        await pilot.pause()
        assert rubric.picked == [1] and text(app, "#drill-score") == ""
        score_button.focus()
        await button_ready(pilot, score_button)
        await pilot.press("enter")
        await pilot.pause()
        assert panel.scored and not app.query_one("#drill-error").display
        assert (
            text(app, "#drill-score")
            == f"Self-score: 1 of {points} ({1 / points:.0%}) · pass mark 70%"
        )
        rubric.focus()

        for key in ("up", "space", "down", "down", "space", "down", "space"):
            await pilot.press(key)
        await pilot.pause()
        assert rubric.picked == [0, 1, 2, 3]
        score = app.query_one("#drill-score", Static)
        assert text(app, "#drill-score") == f"Self-score: 4 of {points} ({4 / points:.0%}) · pass"
        assert score.has_class("-pass")

        await pilot.press("space")  # untick the fourth point again
        await pilot.pause()
        assert rubric.picked == [0, 1, 2]
        assert not score.has_class("-pass")

        app.query_one("#drill-next").focus()
        await pilot.press("enter")  # Next question
        await pilot.pause()
        assert panel.index == 1 and not panel.revealed
        assert text(app, "#drill-prompt") == second.prompt
        assert text(app, "#drill-heading").startswith("Question 2 of")
        fresh = app.query_one("#drill-answer", TextArea)
        assert fresh.text == "" and not fresh.read_only and app.focused is fresh
        assert not app.query_one("#drill-reveal-box").display
        assert app.query_one("#drill-rubric", QuizChoiceList).choices == second.rubric
        assert not panel.scored and str(app.query_one("#drill-reveal", Button).label) != SCORE_LABEL

        await pilot.press("x", "tab", "enter")  # answer, reveal
        button = app.query_one("#drill-reveal", Button)
        for _ in range(2):  # nothing ticked: 0% on the second press
            await button_ready(pilot, button)
            await pilot.press("enter")
            await pilot.pause()
        assert panel.scored
        assert text(app, "#drill-score").startswith(f"Self-score: 0 of {len(second.rubric)} (0%)")


async def test_lesson_12_shows_the_panel_in_its_pane_and_q_types_into_the_answer(tmp_path):
    # Opened directly (what n calls): paging through all twelve lessons is the reader's own
    # test (tests/tui/test_learn.py), and mounting every panel on the way cost most of this one.
    app = TutorApp(store=ProgressStore(tmp_path / "home"))
    async with app.run_test(size=SIZE) as pilot:
        await app.open_lesson("summary")
        assert app.screen.current_lesson_id == "summary"
        for _ in range(100):  # panels mount and are laid out a frame after the lesson text
            await pilot.pause(0.05)
            mounted = app.screen.query(InterviewDrillPanel)
            if mounted and mounted.first().region.width:
                break
        panel = app.screen.query_one(InterviewDrillPanel)
        assert panel.region.width == 49 and panel.region.right <= SIZE[0]
        answer_box = panel.query_one("#drill-answer", TextArea)
        answer_box.focus()
        await pilot.pause()
        await pilot.press(*"quiz")
        assert answer_box.text == "quiz" and app.current_mode == "learn"
