"""The lifecycle panel's controls: traffic, policy and the function's cold-start factors."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid
from textual.message import Message
from textual.widgets import Label, Select

from serverless_tutor.limits import MAX_MEMORY_MB, MIN_MEMORY_MB
from serverless_tutor.sim.estimator import RUNTIME_LABELS
from serverless_tutor.sim.lifecycle_settings import LifecycleSettings
from serverless_tutor.tui.widgets.tutor_select import TutorSelect

OFF = 0.0
CHOICES: dict[str, tuple[str, list[tuple[str, object]]]] = {
    "traffic_per_s": (
        "traffic",
        [
            ("none", 0.0),
            ("1 per min", 1 / 60),
            ("1 per 10 s", 0.1),
            ("1 per s", 1.0),
            ("3 per s", 3.0),
        ],
    ),
    "keep_alive_s": (
        "keep-alive",
        [("30 s", 30.0), ("1 min", 60.0), ("5 min", 300.0), ("10 min", 600.0), ("15 min", 900.0)],
    ),
    "provisioned": ("provisioned", [(str(n), n) for n in (0, 1, 2, 3, 5)]),
    "warmup_every_s": (
        "warm-up ping",
        [("off", OFF), ("every 1 min", 60.0), ("every 5 min", 300.0), ("every 15 min", 900.0)],
    ),
    "runtime": ("runtime", [(label, key) for key, label in RUNTIME_LABELS.items()]),
    "memory_mb": (
        "memory",
        [(f"{mb} MB", mb) for mb in (MIN_MEMORY_MB, 512, 1024, 2048, 4096, MAX_MEMORY_MB)],
    ),
    "package_mb": (
        "package",
        [("1 KB", 0.001), ("1 MB", 1.0), ("5 MB", 5.0), ("14 MB", 14.0), ("35 MB", 35.0)],
    ),
    "init_code_ms": (
        "init code",
        [("0 ms", 0.0), ("100 ms", 100.0), ("300 ms", 300.0), ("1 s", 1000.0)],
    ),
    "handler_ms": (
        "handler",
        [("20 ms", 20.0), ("100 ms", 100.0), ("300 ms", 300.0), ("1 s", 1000.0)],
    ),
}


class LifecycleSettingsForm(Grid):
    """A grid of compact selects; posts Changed with the new settings on every change."""

    DEFAULT_CSS = """
    LifecycleSettingsForm {
        grid-size: 4;
        grid-columns: 13 1fr 13 1fr;
        grid-gutter: 0 1;
        height: auto;
    }
    LifecycleSettingsForm Label {
        width: 100%;
        text-align: right;
        color: $text-muted;
    }
    """

    class Changed(Message):
        def __init__(self, settings: LifecycleSettings):
            super().__init__()
            self.settings = settings

    def __init__(self, settings: LifecycleSettings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings

    def compose(self) -> ComposeResult:
        current = self.settings.model_dump()
        for field, (label, options) in CHOICES.items():
            value = current[field]
            if field == "warmup_every_s" and value is None:
                value = OFF
            if value not in [option for _, option in options]:
                options = [*options, (str(value), value)]
            yield Label(label)
            yield TutorSelect(
                options,
                value=value,
                allow_blank=False,
                compact=True,
                id=f"setting-{field.replace('_', '-')}",
            )

    @on(Select.Changed)
    def _changed(self, event: Select.Changed) -> None:
        event.stop()
        field = (event.select.id or "").removeprefix("setting-").replace("-", "_")
        value: object = event.value
        if field == "warmup_every_s" and value == OFF:
            value = None
        updated = self.settings.model_copy(update={field: value})
        if updated == self.settings:
            return
        self.settings = LifecycleSettings.model_validate(updated.model_dump())
        self.post_message(self.Changed(self.settings))
