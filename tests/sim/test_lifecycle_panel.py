"""The lifecycle panel in a tiny app that mounts only it: Pilot behaviour and an 80x24 snapshot."""

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Select, Static, TabbedContent

from serverless_tutor.tui.widgets.lifecycle_lanes import LifecycleLanes
from serverless_tutor.tui.widgets.lifecycle_panel import OPENING_T, LifecyclePanel
from serverless_tutor.tui.widgets.sweep_experiment_view import SweepExperimentView

SIZE = (80, 24)


class LifecycleApp(App):
    def __init__(self, animations: bool = True):
        super().__init__()
        if not animations:
            self.animation_level = "none"  # what TEXTUAL_ANIMATIONS=none sets

    def compose(self) -> ComposeResult:
        yield LifecyclePanel()


class ScrolledApp(App):
    """The panel below a screenful of text, as in a lesson."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="page"):
            yield Static("\n".join(f"prose line {n}" for n in range(60)))
            yield LifecyclePanel()


async def wait_for(pilot, condition, attempts: int = 50) -> None:
    """Let the app run until condition() holds (bounded; no timing is asserted)."""
    for _ in range(attempts):
        if condition():
            return
        await pilot.pause(0.1)
    assert condition()


def lanes_text(panel: LifecyclePanel) -> str:
    return str(panel.query_one(LifecycleLanes).render())


def test_snapshot_still_picture_at_80x24(snap_compare):
    assert snap_compare(LifecycleApp(animations=False), terminal_size=SIZE)


async def test_still_picture_is_a_cold_start_in_progress_and_keys_step_it():
    app = LifecycleApp(animations=False)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(LifecyclePanel)
        await pilot.pause(0.3)
        assert not panel.animating
        assert panel.model.now == OPENING_T  # no clock running: a still picture
        view = panel.last_step.snapshot.instances[0]
        assert (
            view.phase == "init_function" and view.cold
        )  # 0.22 s runtime, then 0.1 s of init code
        assert "still (animations off)" in str(
            panel.query_one("#lifecycle-counters", Static).render()
        )
        await pilot.press("full_stop")  # next change: init function ends, execute starts
        assert panel.last_step.snapshot.instances[0].phase == "execute"
        await pilot.press("r")
        assert panel.last_step.snapshot.metrics.requests == 2
        assert (
            panel.last_step.snapshot.metrics.cold_starts == 2
        )  # #1 still busy: a second environment
        await pilot.press("f")
        assert panel.model.now >= OPENING_T + 60
        assert "+1 min" in str(panel.query_one("#lifecycle-log", Static).render())


async def test_clock_runs_when_visible_and_pauses_when_hidden_or_tab_switched():
    app = LifecycleApp(animations=True)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(LifecyclePanel)
        await wait_for(pilot, lambda: panel.model.now > OPENING_T)
        assert panel.animating
        panel.query_one("#lifecycle-tabs", TabbedContent).active = "lifecycle-tab-settings"
        await pilot.pause(0.2)
        assert not panel.animating
        held = panel.model.now
        await pilot.pause(0.3)
        assert panel.model.now == held
        panel.query_one("#lifecycle-tabs", TabbedContent).active = "lifecycle-tab-live"
        await wait_for(pilot, lambda: panel.model.now > held)
        assert panel.animating
        await pilot.press("space")
        assert not panel.animating and panel.paused
        await pilot.press("space")
        assert panel.animating
        panel.display = False
        await pilot.pause(0.2)
        assert not panel.animating


async def test_burst_makes_many_environments_and_settings_reach_the_model():
    app = LifecycleApp(animations=False)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(LifecyclePanel)
        await pilot.click("#lifecycle-burst")
        snapshot = panel.last_step.snapshot
        assert len(snapshot.instances) >= 10
        assert "more environments" in lanes_text(panel)
        panel.query_one("#lifecycle-tabs", TabbedContent).active = "lifecycle-tab-settings"
        await pilot.pause(0.1)
        panel.query_one("#setting-provisioned", Select).value = 2
        panel.query_one("#setting-runtime", Select).value = "dotnet"
        await pilot.pause(0.1)
        assert panel.settings.provisioned == 2 and panel.settings.runtime == "dotnet"
        assert sum(1 for view in panel.last_step.snapshot.instances if view.provisioned) == 2
        estimate = str(panel.query_one("#lifecycle-estimate", Static).render())
        assert "3.30s" in estimate  # .NET at 128 MB
        # The p95 and cold share depend on the handler times' shape: the panel names it.
        assert "handler times: log-normal, median 100 ms, mean 103.2 ms, sigma 0.25" in estimate
        assert ".NET" in str(panel.query_one("#lifecycle-notes", Static).render())


async def test_experiment_runs_in_a_worker_and_charts_the_sweep():
    app = LifecycleApp(animations=False)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(LifecyclePanel)
        panel.query_one("#lifecycle-tabs", TabbedContent).active = "lifecycle-tab-experiment"
        await pilot.pause(0.1)
        panel.query_one("#sweep-parameter", Select).value = "provisioned"
        await pilot.click("#sweep-run")
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        view = panel.query_one(SweepExperimentView)
        assert [point.value for point in view.result.points] == [0, 1, 2, 3, 5]
        text = str(view.query_one("#sweep-result", Static).render())
        assert "cold-start probability" in text and "average environments" in text and "█" in text
        assert "handler times: log-normal, median 100 ms, mean 103.2 ms, sigma 0.25" in text


async def test_init_styles_simulate_only_when_opened():
    app = LifecycleApp(animations=False)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(LifecyclePanel)
        await pilot.pause(0.1)
        assert len(app.workers) == 0
        panel.query_one("#lifecycle-tabs", TabbedContent).active = "lifecycle-tab-init"
        await pilot.pause(0.1)
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
        text = str(panel.query_one("#init-styles-body", Static).render())
        assert (
            "inside the handler" in text and "sim: p95 250 ms" in text and "sim: p95 100 ms" in text
        )
        assert "durations: constant (no spread)" in text  # why the p95 is a round figure


async def test_clock_holds_while_the_panel_is_scrolled_out_of_view():
    app = ScrolledApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(LifecyclePanel)
        await pilot.pause(0.3)
        assert not panel.animating
        assert panel.model.now == OPENING_T
        panel.scroll_visible(animate=False)
        await wait_for(pilot, lambda: panel.model.now > OPENING_T)
        assert panel.animating
        app.query_one("#page", VerticalScroll).scroll_home(animate=False)
        await wait_for(pilot, lambda: not panel.animating)
        held = panel.model.now
        await pilot.pause(0.3)
        assert panel.model.now == held
