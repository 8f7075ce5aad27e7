from textual.widget import Widget

from serverless_tutor.content.lessons import shipped_lessons
from serverless_tutor.content.panels import PANELS
from serverless_tutor.tui.panels import PANEL_WIDGETS, panel_widget


def test_every_panel_id_has_a_widget_and_a_description():
    assert set(PANELS) == set(PANEL_WIDGETS)
    for panel_id in PANEL_WIDGETS:
        assert issubclass(panel_widget(panel_id), Widget)


def test_lessons_list_only_existing_panels():
    for lesson in shipped_lessons():
        assert set(lesson.panels) <= set(PANEL_WIDGETS), lesson.id
