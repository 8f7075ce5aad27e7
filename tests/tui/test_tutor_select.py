"""A panel taken down before its dropdowns have mounted (a learner paging on with n, or
the app quitting mid-mount) must not end the app."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.containers import Vertical

from serverless_tutor.tui.widgets.tutor_select import TutorSelect


class Holder(App):
    def compose(self) -> ComposeResult:
        yield Vertical(id="holder")


async def test_a_select_removed_before_it_mounted_leaves_the_app_running():
    app = Holder()
    async with app.run_test() as pilot:
        holder = app.query_one("#holder")
        holder.mount(TutorSelect([("a", 1), ("b", 2)], prompt="pick"))
        await holder.remove_children()
        await pilot.pause()
        assert app.is_running and not holder.children


async def test_a_mounted_select_still_sets_up_its_options():
    app = Holder()
    async with app.run_test() as pilot:
        select = TutorSelect([("a", 1), ("b", 2)], allow_blank=False)
        await app.query_one("#holder").mount(select)
        await pilot.pause()
        assert select.value == 1


def test_the_value_is_readable_before_mount_and_shown_after():
    select = TutorSelect([("A", "a"), ("B", "b")], value="b", allow_blank=False)
    assert select.value == "b"
    assert TutorSelect([("A", "a"), ("B", "b")], allow_blank=False).value == "a"
    assert TutorSelect([("A", "a")], prompt="pick").value is TutorSelect.NULL


async def test_a_select_taken_down_before_mount_keeps_its_value():
    app = Holder()
    async with app.run_test() as pilot:
        holder = app.query_one("#holder")
        select = TutorSelect([("A", "a"), ("B", "b")], value="b", allow_blank=False)
        holder.mount(select)
        await holder.remove_children()
        await pilot.pause()
        assert select.value == "b"


async def test_a_mounted_select_shows_the_label_of_its_value():
    app = Holder()
    async with app.run_test() as pilot:
        select = TutorSelect([("Apple", "a"), ("Banana", "b")], value="b", allow_blank=False)
        await app.query_one("#holder").mount(select)
        await pilot.pause()
        assert select.value == "b"
        assert "Banana" in str(select.query_one("SelectCurrent Static").render())
