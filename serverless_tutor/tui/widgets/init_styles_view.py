"""Init inside the handler, outside it, or lazily: timelines side by side, simulated on the panel's traffic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Label, Select, Static

from serverless_tutor.sim.config import SimConfig
from serverless_tutor.sim.frame import fmt_seconds
from serverless_tutor.sim.init_styles import InitStyleRow, compare_init_styles
from serverless_tutor.sim.lifecycle_settings import LifecycleSettings
from serverless_tutor.tui.widgets.service_times_note import service_times_note
from serverless_tutor.tui.widgets.tutor_select import TutorSelect

PART_STYLES = {
    "runtime": "bold $background on $warning",
    "client (INIT)": "bold $background on $accent",
    "client": "bold $background on $error",
    "handler": "bold $background on $success",
}
LABEL_WIDTH = 9
DEFAULT_WIDTH = 74


@dataclass(frozen=True)
class InitInputs:
    """The durations the comparison is made of, in seconds, and how many requests use the client."""

    runtime_init_s: float
    client_init_s: float
    handler_s: float
    needs_client_share: float

    def compare(self, workload: SimConfig | None = None) -> list[InitStyleRow]:
        return compare_init_styles(
            runtime_init_s=self.runtime_init_s,
            client_init_s=self.client_init_s,
            handler_s=self.handler_s,
            needs_client_share=self.needs_client_share,
            workload=workload,
        )


class InitStylesView(Vertical):
    """Where the SDK client is created changes which requests pay for it."""

    DEFAULT_CSS = """
    InitStylesView {
        height: auto;
    }
    InitStylesView Horizontal {
        height: auto;
    }
    InitStylesView Label {
        color: $text-muted;
        padding: 0 1;
    }
    InitStylesView Select {
        width: 1fr;
    }
    InitStylesView #init-styles-body {
        height: auto;
    }
    """

    class Computed(Message):
        """Posted from the worker thread with the rows (simulated)."""

        def __init__(self, rows: list[InitStyleRow]):
            super().__init__()
            self.rows = rows

    def __init__(self, settings: LifecycleSettings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.rows: list[InitStyleRow] = []
        self._on_screen = False
        self._stale = True  # the simulated figures need a run for the current settings

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label("client set-up")
            yield TutorSelect(
                [("50 ms", 50.0), ("150 ms", 150.0), ("500 ms", 500.0)],
                value=150.0,
                allow_blank=False,
                compact=True,
                id="init-client-ms",
            )
            yield Label("requests using it")
            yield TutorSelect(
                [("all", 1.0), ("half", 0.5), ("1 in 10", 0.1)],
                value=1.0,
                allow_blank=False,
                compact=True,
                id="init-share",
            )
        yield Static(id="init-styles-body")

    def on_mount(self) -> None:
        inputs = self._inputs()
        self.rows = inputs.compare()
        self._show(inputs)

    def on_show(self) -> None:
        # Simulate only when someone looks: the tab may never be opened.
        self._on_screen = True
        if self._stale:
            self.recompute()

    def on_hide(self) -> None:
        self._on_screen = False

    def update_settings(self, settings: LifecycleSettings) -> None:
        self.settings = settings
        self._stale = True
        if self._on_screen:
            self.recompute()

    @on(Select.Changed)
    def _changed(self, event: Select.Changed) -> None:
        event.stop()
        self.recompute()

    def _inputs(self) -> InitInputs:
        estimate = self.settings.estimate()
        return InitInputs(
            runtime_init_s=estimate.download_code_s + estimate.init_runtime_s,
            client_init_s=self._chosen("#init-client-ms") / 1000,
            handler_s=self.settings.handler_ms / 1000,
            needs_client_share=self._chosen("#init-share"),
        )

    def _chosen(self, selector: str) -> float:
        value = self.query_one(selector, Select).value
        assert isinstance(value, float), "these selects have no blank"
        return value

    def recompute(self) -> None:
        """Durations now (cheap); the simulated latency and cost follow from a worker."""
        self._stale = False
        inputs = self._inputs()
        self.rows = inputs.compare()
        self._show(inputs)
        self._simulate(inputs, self.settings.experiment_config())

    @work(thread=True, exclusive=True, group="lifecycle-init-styles")
    def _simulate(self, inputs: InitInputs, workload: SimConfig) -> None:
        self.post_message(self.Computed(inputs.compare(workload)))

    @on(Computed)
    def _computed(self, message: Computed) -> None:
        message.stop()
        self.rows = message.rows
        self._show(self._inputs())

    def _show(self, inputs: InitInputs) -> None:
        body = self.query_one("#init-styles-body", Static)
        body.update(self.render_rows(self.rows, inputs, body.content_size.width or DEFAULT_WIDTH))

    def on_resize(self) -> None:
        if self.rows:
            self._show(self._inputs())

    @staticmethod
    def render_rows(
        rows: list[InitStyleRow], inputs: InitInputs, width: int = DEFAULT_WIDTH
    ) -> Content:
        bar_width = max(10, width - LABEL_WIDTH - 8)
        longest = max(row.cold_request_s for row in rows) or 1.0
        runtime, client, handler = inputs.runtime_init_s, inputs.client_init_s, inputs.handler_s
        lazy_client = inputs.needs_client_share * client
        parts = {
            "inside": (
                [("runtime", runtime), ("client", client), ("handler", handler)],
                [("client", client), ("handler", handler)],
            ),
            "outside": (
                [("runtime", runtime), ("client (INIT)", client), ("handler", handler)],
                [("handler", handler)],
            ),
            "lazy": (
                [("runtime", runtime), ("client", lazy_client), ("handler", handler)],
                [("handler", handler)],
            ),
        }
        lines = [
            Content.assemble(
                ("key: ", "$text-muted"),
                *[(f" {name} ", style) for name, style in PART_STYLES.items()],
            )
        ]
        for row in rows:
            cold, warm = parts[row.style]
            lines.append(Content.from_markup(f"[b]{row.label}[/b]: [dim]{row.note}[/dim]"))
            lines.append(_timeline("cold", cold, longest, row.cold_request_s, bar_width))
            lines.append(_timeline("warm", warm, longest, row.warm_request_s, bar_width))
            if row.simulated is not None:
                sim = row.simulated
                p95 = "-" if sim.latency_ms.p95 is None else f"{sim.latency_ms.p95:,.0f} ms"
                cost = "-" if sim.cost is None else f"${sim.cost.compute_cost:.6f}"
                lines.append(
                    Content.styled(
                        f"{'':>{LABEL_WIDTH}}sim: p95 {p95}, compute {cost}", "$text-muted"
                    )
                )
        simulated = [row.simulated for row in rows if row.simulated is not None]
        if simulated:
            lines.append(
                Content.styled(
                    f"sim: the same {simulated[0].requests:,} requests of your traffic for each style "
                    f"({simulated[0].simulated_s / 3600:g} h, same seed); compute cost of that period.",
                    "$text-muted",
                )
            )
            lines.append(
                Content.styled(service_times_note(simulated[0].service_times), "$text-muted")
            )
        else:
            lines.append(Content.styled("simulating your traffic for each style…", "$text-muted"))
        return Content("\n").join(lines)


def _timeline(
    label: str, parts: list[tuple[str, float]], longest: float, total: float, bar_width: int
) -> Content:
    pieces: list[tuple[str, str]] = [(f"{label:>{LABEL_WIDTH - 1}} ", "$text-muted")]
    for name, seconds in parts:
        cells = round(seconds / longest * bar_width)
        if seconds > 0:
            pieces.append((" " * max(1, cells), PART_STYLES[name]))
    pieces.append((f" {fmt_seconds(total)}", ""))
    return Content.assemble(*pieces)
