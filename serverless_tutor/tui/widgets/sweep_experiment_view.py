"""The experiment view: sweep one parameter of the panel's function and chart the result."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Select, Static

from serverless_tutor.sim.chart import bar_chart
from serverless_tutor.sim.lifecycle_settings import LifecycleSettings
from serverless_tutor.sim.sweep import SweepResult, sweep
from serverless_tutor.tui.widgets.service_times_note import service_times_note
from serverless_tutor.tui.widgets.tutor_select import TutorSelect

EXPERIMENTS: dict[str, tuple[str, list[float]]] = {
    "keep-alive-s": ("keep-alive (s)", [60, 300, 600, 900, 1800]),
    "provisioned": ("provisioned environments", [0, 1, 2, 3, 5]),
    "warmup-every-s": ("warm-up every (s), 0 = off", [0, 60, 300, 900]),
    "arrival-rate": ("traffic (requests/s)", [0.01, 0.05, 0.2, 1.0, 3.0]),
}
DEFAULT_WIDTH = 74


class SweepExperimentView(Vertical):
    """Pick a parameter, run the sweep in a worker, see P(cold) and instances per value."""

    DEFAULT_CSS = """
    SweepExperimentView {
        height: auto;
    }
    SweepExperimentView Horizontal {
        height: auto;
    }
    SweepExperimentView Select {
        width: 1fr;
    }
    SweepExperimentView #sweep-result {
        height: auto;
    }
    """

    class Finished(Message):
        """Posted from the worker thread when a sweep is done."""

        def __init__(self, result: SweepResult, horizon_s: float):
            super().__init__()
            self.result = result
            self.horizon_s = horizon_s

    def __init__(self, settings: LifecycleSettings, **kwargs):
        super().__init__(**kwargs)
        self.settings = settings
        self.result: SweepResult | None = None

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield TutorSelect(
                [(label, key) for key, (label, _) in EXPERIMENTS.items()],
                value="keep-alive-s",
                allow_blank=False,
                compact=True,
                id="sweep-parameter",
            )
            yield Button("Run experiment", id="sweep-run", compact=True, variant="primary")
        yield Static(
            "Runs your function and policy (Settings tab) once per value, same seed each time, "
            "and charts the cold-start probability and the average number of environments.",
            id="sweep-result",
        )

    def update_settings(self, settings: LifecycleSettings) -> None:
        self.settings = settings

    @on(Button.Pressed, "#sweep-run")
    def _run_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.run_experiment()

    def run_experiment(self) -> None:
        parameter = str(self.query_one("#sweep-parameter", Select).value)
        config = self.settings.experiment_config()
        self.query_one("#sweep-result", Static).update(
            f"Running {len(EXPERIMENTS[parameter][1])} simulations of {config.horizon_s:,.0f} s each…"
        )
        self._sweep(config, parameter, EXPERIMENTS[parameter][1])

    @work(thread=True, exclusive=True, group="lifecycle-sweep")
    def _sweep(self, config, parameter: str, values: list[float]) -> None:
        result = sweep(config, parameter, values)
        self.post_message(self.Finished(result, config.horizon_s))

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        message.stop()
        self.result = message.result
        self.query_one("#sweep-result", Static).update(
            self.render_result(message.result, message.horizon_s)
        )

    def render_result(self, result: SweepResult, horizon_s: float) -> Content:
        width = self.query_one("#sweep-result", Static).content_size.width or DEFAULT_WIDTH
        label = EXPERIMENTS[result.parameter][0]
        lines: list[Content] = [Content.from_markup(f"[b]cold-start probability[/b] by {label}")]
        rows = [(f"{p.value:g}", p.result.cold_start_probability) for p in result.points]
        lines.extend(Content.styled(line, "$warning") for line in bar_chart(rows, width, "{:.4f}"))
        lines.append(Content.from_markup("[b]average environments[/b] (time-weighted)"))
        rows = [(f"{p.value:g}", p.result.avg_instances) for p in result.points]
        lines.extend(Content.styled(line, "$primary") for line in bar_chart(rows, width, "{:.3f}"))
        p95 = ", ".join(
            f"{p.value:g}: {p.result.latency_ms.p95:,.0f}"
            if p.result.latency_ms.p95 is not None
            else f"{p.value:g}: -"
            for p in result.points
        )
        lines.append(
            Content.styled(
                f"p95 ms: {p95}. Each run {horizon_s:,.0f} s simulated, seed 1.", "$text-muted"
            )
        )
        # Every point draws from the same shape; only the swept parameter changes.
        times = result.points[0].result.service_times if result.points else None
        lines.append(Content.styled(service_times_note(times), "$text-muted"))
        return Content("\n").join(lines)
