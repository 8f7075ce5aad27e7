"""One SVG snapshot per screen, at 80x24 and 120x40. Update with --snapshot-update after a deliberate change."""

import pytest

from serverless_tutor.progress import ProgressStore
from serverless_tutor.tui.app import TutorApp

SIZES = [(80, 24), (120, 40)]


def app_at(tmp_path) -> TutorApp:
    return TutorApp(store=ProgressStore(tmp_path / "home"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_learn_screen(snap_compare, tmp_path, size):
    assert snap_compare(app_at(tmp_path), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, tmp_path, size):
    assert snap_compare(app_at(tmp_path), terminal_size=size, press=["question_mark"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_exercises_screen(snap_compare, tmp_path, size):
    assert snap_compare(app_at(tmp_path), terminal_size=size, press=["e"])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_quiz_screen(snap_compare, tmp_path, size):
    assert snap_compare(app_at(tmp_path), terminal_size=size, press=["q"])
