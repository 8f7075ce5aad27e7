"""The cold-start lifecycle panel (lesson 6): watch environments be born, serve, idle and go.

A view over serverless_tutor.sim: one LifecycleModel stepped on a real-time clock
(10 ticks a second, speed adjustable, pausable). Every figure on screen comes from
the model's snapshot; the panel computes nothing itself. The tick timer runs only
while the Lifecycle tab is on screen and the app animates: it pauses when the
panel is hidden, its tab is switched, or it is scrolled out of view (Textual
sends no Hide for scrolling, so the panel watches its scrolling ancestors). With
TEXTUAL_ANIMATIONS=none it never runs and the picture stays still; the keys still
step the model ("." to the next change, f one minute on). Keys n and p stay with
the lesson screen (next/previous lesson).
"""

from __future__ import annotations

import time
from collections import deque

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Button, Static, TabbedContent, TabPane

from serverless_tutor.sim.frame import fmt_clock, fmt_seconds
from serverless_tutor.sim.lifecycle_settings import LifecycleSettings
from serverless_tutor.sim.model import LifecycleModel
from serverless_tutor.sim.results import ServiceTimes, SimEvent, Step
from serverless_tutor.tui.tab_keys import tab_bindings, tab_label
from serverless_tutor.tui.widgets.init_styles_view import InitStylesView
from serverless_tutor.tui.widgets.lesson_panel import LessonPanel
from serverless_tutor.tui.widgets.lifecycle_lanes import LifecycleLanes
from serverless_tutor.tui.widgets.lifecycle_settings_form import LifecycleSettingsForm
from serverless_tutor.tui.widgets.service_times_note import service_times_note
from serverless_tutor.tui.widgets.sweep_experiment_view import SweepExperimentView

TICK_S = 0.1
MAX_TICK_S = 0.5  # a stalled UI does not make simulated time jump
SPEEDS = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 60.0)
BURST = 10
OPENING_T = 0.3  # the first picture: one request caught in the middle of its cold start
LOG_LINES = 3
NARROW_BELOW = 70  # panel width (cells) under which controls wrap into a grid
PROFILE_FIELDS = ("runtime", "memory_mb", "package_mb", "init_code_ms", "handler_ms")
EVENT_TEXT = {
    "cold_start": "cold start",
    "warm_start": "warm start (reused)",
    "rejected": "rejected: at max concurrency",
    "done": "done",
    "reclaimed": "reclaimed after keep-alive",
    "provisioning": "provisioning (initializing)",
    "provisioned_ready": "provisioned and warm",
}


def describe(event: SimEvent) -> str:
    who = f"#{event.instance_id}" if event.instance_id is not None else "  "
    text = EVENT_TEXT[event.kind]
    if event.ping and event.kind in ("cold_start", "warm_start", "done", "rejected"):
        text = f"ping: {text}"
    if event.kind == "done" and event.latency_s is not None:
        text = f"{text} in {fmt_seconds(event.latency_s)}"
    return f"{fmt_clock(event.time_s)} {who} {text}"


# Tab id -> title; each tab's number (shown in its label) is its key while the panel has focus.
LIFECYCLE_TABS = {
    "lifecycle-tab-live": "Live",
    "lifecycle-tab-settings": "Settings",
    "lifecycle-tab-init": "Init",
    "lifecycle-tab-experiment": "Experiment",
}


class LifecyclePanel(LessonPanel):
    """Cold and warm starts, live: lanes per environment, controls, counters, experiments."""

    can_focus = True

    # The footer shows the keys that fit at 80 columns, most important first; `?` lists all.
    BINDINGS = [
        Binding("r", "send_request", "Request", tooltip="send one request now"),
        Binding("b", "burst", "Burst", tooltip=f"send {BURST} requests at once"),
        Binding("F", "fast_forward(600)", "+10 min", tooltip="let ten simulated minutes pass"),
        Binding(
            "f", "fast_forward(60)", "+1 min", show=False, tooltip="let one simulated minute pass"
        ),
        Binding(
            "full_stop",
            "next_change",
            "Step",
            key_display=".",
            show=False,
            tooltip="jump to the next change (event or phase)",
        ),
        Binding("space", "toggle_pause", "Pause", show=False, tooltip="pause or resume the clock"),
        Binding("s", "cycle_speed", "Speed", show=False, tooltip="cycle the clock speed"),
        *tab_bindings(LIFECYCLE_TABS),
    ]

    DEFAULT_CSS = """
    LifecyclePanel TabPane {
        padding: 0;
        height: auto;
    }
    LifecyclePanel #lifecycle-counters, LifecyclePanel #lifecycle-estimate, LifecyclePanel #lifecycle-log {
        height: auto;
    }
    LifecyclePanel #lifecycle-estimate, LifecyclePanel #lifecycle-log, LifecyclePanel #lifecycle-notes {
        color: $text-muted;
    }
    LifecyclePanel #lifecycle-log {
        min-height: 3;
    }
    LifecyclePanel #lifecycle-buttons {
        height: auto;
    }
    LifecyclePanel #lifecycle-buttons Button {
        width: auto;
        min-width: 0;
        margin-right: 1;
    }
    LifecyclePanel #lifecycle-notes {
        height: auto;
        margin-top: 1;
    }
    LifecyclePanel.-narrow #lifecycle-buttons {
        layout: grid;
        grid-size: 4;
        grid-gutter: 0 1;
    }
    LifecyclePanel.-narrow #lifecycle-buttons Button {
        width: 100%;
        margin-right: 0;
    }
    LifecyclePanel.-narrow LifecycleSettingsForm {
        grid-size: 2;
        grid-columns: 13 1fr;
    }
    LifecyclePanel.-narrow InitStylesView Horizontal {
        layout: grid;
        grid-size: 2;
        grid-columns: 20 1fr;
    }
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.settings = LifecycleSettings()
        self.model = self._new_model(self.settings)
        self.speed = 1.0
        self.paused = False
        self.last_step: Step | None = None
        self._on_screen = False
        self._lifecycle_tab_active = True
        self._last_wall: float | None = None
        self._log: deque[str] = deque(maxlen=LOG_LINES)
        self._timer = None

    @staticmethod
    def _new_model(settings: LifecycleSettings) -> LifecycleModel:
        model = LifecycleModel(settings.live_config(), record_events=True)
        model.set_arrivals(settings.arrivals())
        return model

    def compose(self) -> ComposeResult:
        self.border_title = "Cold-start lifecycle"
        with TabbedContent(id="lifecycle-tabs"):
            with TabPane(tab_label(LIFECYCLE_TABS, "lifecycle-tab-live"), id="lifecycle-tab-live"):
                yield Static(id="lifecycle-counters")
                yield Static(id="lifecycle-estimate")
                yield LifecycleLanes(id="lifecycle-lanes")
                yield Static(id="lifecycle-log")
                with Horizontal(id="lifecycle-buttons"):
                    # Keys (r b f F . space s) show in the footer while the panel has focus.
                    yield Button("Request", id="lifecycle-send", compact=True, variant="primary")
                    yield Button(f"Burst ×{BURST}", id="lifecycle-burst", compact=True)
                    yield Button("+1 min", id="lifecycle-forward", compact=True)
                    yield Button("+10 min", id="lifecycle-forward-10", compact=True)
                    yield Button("Step", id="lifecycle-next", compact=True)
                    yield Button("Pause", id="lifecycle-pause", compact=True)
                    yield Button("Speed 1x", id="lifecycle-speed", compact=True)
            with TabPane(
                tab_label(LIFECYCLE_TABS, "lifecycle-tab-settings"), id="lifecycle-tab-settings"
            ):
                yield LifecycleSettingsForm(self.settings, id="lifecycle-settings")
                yield Static(id="lifecycle-notes")
                yield Button("Restart the simulation", id="lifecycle-restart", compact=True)
            with TabPane(tab_label(LIFECYCLE_TABS, "lifecycle-tab-init"), id="lifecycle-tab-init"):
                yield InitStylesView(self.settings, id="lifecycle-init-styles")
            with TabPane(
                tab_label(LIFECYCLE_TABS, "lifecycle-tab-experiment"), id="lifecycle-tab-experiment"
            ):
                yield SweepExperimentView(self.settings, id="lifecycle-experiment")

    def on_mount(self) -> None:
        self.model.send(1)
        self._show(self.model.advance_to(OPENING_T))
        self._show_settings_notes()
        self._timer = self.set_interval(TICK_S, self._tick, pause=True)
        self._watch_scrolling_ancestors()
        self._sync_timer()

    # ----------------------------------------------------------- the clock

    @property
    def animating(self) -> bool:
        """Whether the real-time clock should be running now."""
        return (
            self._on_screen
            and self._lifecycle_tab_active
            and not self.paused
            and self.app.animation_level != "none"
            and self._in_viewport()
        )

    def _in_viewport(self) -> bool:
        """Whether some of the panel shows through every scrolling ancestor's window."""
        region = self.region
        if not region:
            return False
        scrollers = [a for a in self.ancestors if isinstance(a, Widget) and a.is_scrollable]
        return all(region.overlaps(scroller.region) for scroller in scrollers)

    def _sync_timer(self) -> None:
        # Also reached from call_after_refresh, which may land after the panel was removed
        # (the learner moved to the next lesson).
        if self._timer is None or not self.is_attached:
            return
        if not self.display:  # also False while the panel is being removed, its children first
            self._timer.pause()
            return
        if self.animating:
            self._last_wall = time.monotonic()
            self._timer.resume()
        else:
            self._timer.pause()
        self._show_counters()

    def on_show(self) -> None:
        self._on_screen = True
        self.call_after_refresh(self._sync_timer)

    def on_hide(self) -> None:
        self._on_screen = False
        self._sync_timer()

    def _watch_scrolling_ancestors(self) -> None:
        for ancestor in self.ancestors:
            if isinstance(ancestor, Widget) and ancestor.is_scrollable:
                self.watch(ancestor, "scroll_y", self._ancestor_scrolled, init=False)

    def _ancestor_scrolled(self) -> None:
        # Visibility is known after the next screen update.
        self.call_after_refresh(self._sync_timer)

    def action_show_tab(self, tab_id: str) -> None:
        self.query_one("#lifecycle-tabs", TabbedContent).active = tab_id
        # Focus may have been in the tab just hidden; the panel keeps it (and its keys).
        self.focus(scroll_visible=False)

    @on(TabbedContent.TabActivated, "#lifecycle-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        self._lifecycle_tab_active = event.pane.id == "lifecycle-tab-live"
        self._sync_timer()

    def _tick(self) -> None:
        if not self.is_attached or not self.display:
            return
        if not self.screen.is_active:  # another screen is on top: hold the clock
            self._last_wall = None
            return
        now = time.monotonic()
        elapsed = 0.0 if self._last_wall is None else min(MAX_TICK_S, now - self._last_wall)
        self._last_wall = now
        self._show(self.model.step(elapsed * self.speed))

    # ------------------------------------------------------------ controls

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        actions = {
            "lifecycle-send": self.action_send_request,
            "lifecycle-burst": self.action_burst,
            "lifecycle-forward": lambda: self.action_fast_forward(60),
            "lifecycle-forward-10": lambda: self.action_fast_forward(600),
            "lifecycle-next": self.action_next_change,
            "lifecycle-pause": self.action_toggle_pause,
            "lifecycle-speed": self.action_cycle_speed,
            "lifecycle-restart": self.action_restart,
        }
        action = actions.get(event.button.id or "")
        if action is not None:
            event.stop()
            action()

    def action_send_request(self) -> None:
        self.model.send(1)
        self._show(self.model.step(0.0))

    def action_burst(self) -> None:
        self.model.send(BURST)
        self._show(self.model.step(0.0))

    def action_fast_forward(self, seconds: float) -> None:
        before = self.model.result(with_cost=False)
        step = self.model.step(seconds)
        after = step.snapshot.metrics
        self._show(step, log_events=False)
        self._log.append(
            f"{fmt_clock(step.snapshot.time_s)}    +{seconds / 60:g} min: {after.requests - before.requests} requests, "
            f"{after.cold_starts - before.cold_starts} cold, {after.instances_reclaimed - before.instances_reclaimed} reclaimed"
        )
        self._show_log()

    def action_next_change(self) -> None:
        at = self.model.next_change_s()
        if at is None:
            self._log.append(f"{fmt_clock(self.model.now)}    nothing scheduled: send a request")
            self._show_log()
            return
        self._show(self.model.advance_to(at + 1e-6))

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self.query_one("#lifecycle-pause", Button).label = "Resume" if self.paused else "Pause"
        self._sync_timer()

    def action_cycle_speed(self) -> None:
        index = SPEEDS.index(self.speed) if self.speed in SPEEDS else 0
        self.speed = SPEEDS[(index + 1) % len(SPEEDS)]
        self.query_one("#lifecycle-speed", Button).label = f"Speed {self.speed:g}x"
        self._show_counters()

    def action_restart(self) -> None:
        self.model = self._new_model(self.settings)
        self._log.clear()
        self._show(self.model.step(0.0))

    @on(LifecycleSettingsForm.Changed)
    def _settings_changed(self, message: LifecycleSettingsForm.Changed) -> None:
        message.stop()
        old, new = self.settings, message.settings
        self.settings = new
        if any(getattr(old, name) != getattr(new, name) for name in PROFILE_FIELDS):
            self.model.set_profile(new.profile())
        if old.keep_alive_s != new.keep_alive_s:
            self.model.set_keep_alive(new.keep_alive_s)
        if old.provisioned != new.provisioned:
            self.model.set_provisioned(new.provisioned)
        if old.warmup_every_s != new.warmup_every_s:
            self.model.set_warmup(new.warmup_every_s)
        if old.traffic_per_s != new.traffic_per_s:
            self.model.set_arrivals(new.arrivals())
        self.query_one(InitStylesView).update_settings(new)
        self.query_one(SweepExperimentView).update_settings(new)
        self._show_settings_notes()
        self._show(self.model.step(0.0))

    # ------------------------------------------------------------- drawing

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW_BELOW, "-narrow")
        self.call_after_refresh(self._sync_timer)
        if self.last_step is not None:
            self.query_one(LifecycleLanes).show(self.last_step.snapshot)

    def _show(self, step: Step, log_events: bool = True) -> None:
        self.last_step = step
        if log_events:
            for event in step.events[-LOG_LINES:]:
                self._log.append(describe(event))
        self.query_one(LifecycleLanes).show(step.snapshot)
        self._show_counters()
        self._show_log()
        self._show_estimate(step.snapshot.metrics.service_times)

    def _show_counters(self) -> None:
        if self.last_step is None or not self.is_mounted:
            return
        snapshot = self.last_step.snapshot
        metrics = snapshot.metrics
        if self.app.animation_level == "none":
            state = "still (animations off): . steps, f adds 1 min"
        elif self.paused:
            state = "paused"
        elif self.animating:
            state = f"running at {self.speed:g}x"
        else:
            state = f"held while hidden ({self.speed:g}x)"
        p95 = "-" if metrics.latency_ms.p95 is None else f"{metrics.latency_ms.p95:,.0f} ms"
        cost = "-" if metrics.cost is None else f"${metrics.cost.total:.6f}"
        self.query_one("#lifecycle-counters", Static).update(
            f"[b]{fmt_clock(snapshot.time_s)}[/b] {state}\n"
            f"requests {metrics.requests} · cold {metrics.cold_starts} ({metrics.cold_start_probability:.0%}) · "
            f"p95 {p95} · envs {len(snapshot.instances)} · cost {cost}"
        )

    def _show_estimate(self, service_times: ServiceTimes | None) -> None:
        estimate = self.settings.estimate()
        # The handler's time as the model draws it: the p95 and the cold share above depend on it.
        self.query_one("#lifecycle-estimate", Static).update(
            f"cold start: code {fmt_seconds(estimate.download_code_s)} + runtime {fmt_seconds(estimate.init_runtime_s)}"
            f" + init fn {fmt_seconds(estimate.init_function_s)}; {service_times_note(service_times)}"
        )

    def _show_log(self) -> None:
        self.query_one("#lifecycle-log", Static).update("\n".join(self._log))

    def _show_settings_notes(self) -> None:
        estimate = self.settings.estimate()
        notes = [
            f"Init estimate {fmt_seconds(estimate.total_s)}: runtime and package from published medians, plus your init code.",
            *estimate.notes,
        ]
        notes.append(
            "Keep-alive is the platform's choice on Lambda, not a setting: idle environments are reclaimed "
            "after minutes (AWS has reported 5-15 min, not promised)."
        )
        if self.settings.warmup_every_s is not None:
            notes.append(
                "A ping keeps one environment warm; requests that overlap it still cold-start."
            )
        notes.append(
            "Changes apply from now on; a new keep-alive also applies to environments idle now."
        )
        self.query_one("#lifecycle-notes", Static).update("\n".join(notes))
