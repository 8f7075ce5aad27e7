"""The fit check panel (lessons 10, 11): is serverless a fit for this workload?

A view over serverless_tutor.fit (the same engine as `serverless-tutor fit`). One
assessment (a bill and a closed form) takes about a millisecond, so it runs on each
change in the UI thread rather than in a worker.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid
from textual.content import Content
from textual.widgets import Label, Select, Static, Switch

from serverless_tutor.fit import PRESETS, Assessment, FitWorkload, assess
from serverless_tutor.limits import HOURS_PER_MONTH
from serverless_tutor.pricing.money import usd
from serverless_tutor.tui.widgets.fit_reason_list import FitReasonList
from serverless_tutor.tui.widgets.lesson_panel import LessonPanel
from serverless_tutor.tui.widgets.number_input import (
    MEMORY_MB,
    MONTHLY_REQUESTS,
    InvalidNumber,
    NumberInput,
    NumberRange,
)
from serverless_tutor.tui.widgets.tutor_select import TutorSelect

START_PRESET = "rest-api"
MONTH_S = Decimal(HOURS_PER_MONTH * 3600)
JOB_SECONDS = NumberRange(
    Decimal(0), MONTH_S, "s", minimum_allowed=False
)  # a job may outlast 900 s
P99_MS = NumberRange(Decimal(0), MONTH_S * 1000, "ms", minimum_allowed=False)
PAYLOAD_MB = NumberRange(Decimal(0), Decimal(1024), "MB")  # far past the 6 MB a request may carry
INPUTS = {  # widget id -> (label, FitWorkload field, accepted numbers)
    "fit-duration": ("typical s", "typical_duration_s", JOB_SECONDS),
    "fit-longest": ("longest job s", "longest_duration_s", JOB_SECONDS),
    "fit-requests": ("requests/month", "requests_per_month", MONTHLY_REQUESTS),
    "fit-p99": ("p99 ms (blank=none)", "p99_budget_ms", P99_MS),
    "fit-memory": ("memory MB", "memory_mb", MEMORY_MB),
    "fit-payload": ("payload MB", "payload_mb", PAYLOAD_MB),
}
BLANK_MEANS_NONE = {"p99_budget_ms"}
SELECTS = {
    "fit-traffic": ("traffic", "traffic", ("steady", "spiky", "mostly-idle", "scheduled")),
    "fit-invocation": ("invocation", "invocation", ("sync", "async")),
    "fit-ops": ("team ops capacity", "ops_capacity", ("low", "medium", "high")),
}
SWITCHES = {
    "fit-connections": ("long-lived conns", "long_lived_connections"),
    "fit-state": ("state in memory", "in_memory_state"),
    "fit-gpu": ("GPU or >10,240 MB", "needs_gpu_or_big_memory"),
}
LABELS = {
    field: label for label, field, *_ in (*INPUTS.values(), *SELECTS.values(), *SWITCHES.values())
}
VERDICT_CLASS = {"good fit": "-good", "fit with care": "-care", "poor fit": "-poor"}


class FitCheckPanel(LessonPanel):
    """Pick a chapter use case or describe a workload; see the verdict and why."""

    DEFAULT_CSS = """
    FitCheckPanel #fit-verdict {
        height: auto;
        text-style: bold;
        margin: 1 0 0 0;
    }
    FitCheckPanel #fit-verdict.-good { color: $success; }
    FitCheckPanel #fit-verdict.-care { color: $warning; }
    FitCheckPanel #fit-verdict.-poor { color: $error; }
    FitCheckPanel #fit-form {
        height: auto;
        grid-size: 2;
        grid-columns: 21 1fr;
        grid-rows: 1;
        margin: 1 0 0 0;
    }
    FitCheckPanel #fit-form Label {
        color: $text-muted;
    }
    FitCheckPanel #fit-form Switch {
        border: none;
        padding: 0;
        height: 1;
        width: 6;
    }
    FitCheckPanel #fit-form Switch:focus {
        background: $accent 30%;
    }
    FitCheckPanel #fit-error {
        height: auto;
        color: $error;
    }
    FitCheckPanel FitReasonList {
        margin: 1 0 0 0;
    }
    FitCheckPanel #fit-figures {
        height: auto;
        color: $text-muted;
        margin: 1 0 0 0;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.assessment: Assessment | None = None
        self.error: str | None = None
        self._presets = {p.id: p for p in PRESETS}

    def compose(self) -> ComposeResult:
        self.border_title = "Is serverless a fit?"
        yield TutorSelect(
            [(p.title, p.id) for p in PRESETS],
            value=START_PRESET,
            prompt="chapter use case…",
            compact=True,
            id="fit-preset",
        )
        yield Static(id="fit-verdict")
        with Grid(id="fit-form"):
            for widget_id, (label, field, number_range) in INPUTS.items():
                yield Label(label)
                yield NumberInput(
                    number_range=number_range,
                    label=label,
                    blank_allowed=field in BLANK_MEANS_NONE,
                    id=widget_id,
                    compact=True,
                )
            for widget_id, (label, _, choices) in SELECTS.items():
                yield Label(label)
                yield TutorSelect(
                    [(c, c) for c in choices], allow_blank=False, compact=True, id=widget_id
                )
            for widget_id, (label, _) in SWITCHES.items():
                yield Label(label)
                yield Switch(id=widget_id, animate=False, tooltip=label)
        yield Static(id="fit-error")
        yield FitReasonList(id="fit-reasons")
        yield Static(id="fit-figures")

    def on_mount(self) -> None:
        # After the first refresh: rows mounted earlier keep a text colour cached before the app's CSS applied.
        self.call_after_refresh(self.fill, self._presets[START_PRESET].workload)

    # ------------------------------------------------------------ events

    @on(NumberInput.Valid)
    @on(NumberInput.Invalid)
    @on(Switch.Changed)
    @on(Select.Changed, "#fit-form Select")
    def _inputs_changed(self) -> None:
        self.recompute()

    @on(Select.Changed, "#fit-preset")
    def _preset_chosen(self, event: Select.Changed) -> None:
        if event.value != Select.NULL and self._presets[str(event.value)].workload != self._shown():
            self.fill(self._presets[str(event.value)].workload)

    # ------------------------------------------------------------ model

    def fill(self, workload: FitWorkload) -> None:
        """Show `workload` in the inputs and assess it."""
        with self.prevent(NumberInput.Changed, Select.Changed, Switch.Changed):
            for widget_id, (_, field, _) in INPUTS.items():
                value = getattr(workload, field)
                self.query_one(f"#{widget_id}", NumberInput).value = number_text(value)
            for widget_id, (_, field, _) in SELECTS.items():
                self.query_one(f"#{widget_id}", Select).value = getattr(workload, field)
            for widget_id, (_, field) in SWITCHES.items():
                self.query_one(f"#{widget_id}", Switch).value = getattr(workload, field)
        self.recompute()

    def _shown(self) -> FitWorkload | None:
        return (
            self.assessment.workload if self.assessment is not None and self.error is None else None
        )

    def current_workload(self) -> FitWorkload:
        """What the inputs describe; raises InvalidNumber or ValidationError if they do not describe a workload."""
        fields: dict[str, object] = {}
        for widget_id, (_, field, number_range) in INPUTS.items():
            number_input = self.query_one(f"#{widget_id}", NumberInput)
            if field in BLANK_MEANS_NONE and number_input.is_blank:
                fields[field] = None
            elif number_range.whole:
                fields[field] = number_input.read_whole()
            else:
                fields[field] = float(number_input.read())
        for widget_id, (_, field, _) in SELECTS.items():
            fields[field] = self.query_one(f"#{widget_id}", Select).value
        for widget_id, (_, field) in SWITCHES.items():
            fields[field] = self.query_one(f"#{widget_id}", Switch).value
        return FitWorkload.model_validate(fields)

    def recompute(self) -> None:
        try:
            self.assessment = assess(self.current_workload())
            self.error = None
        except ValidationError as exc:
            first = exc.errors()[0]
            field = LABELS.get(str(first["loc"][0]) if first["loc"] else "", "workload")
            self.error = f"{field}: {first['msg'].removeprefix('Value error, ')}"
        except InvalidNumber as exc:
            self.error = str(exc)
        self._show()

    # ------------------------------------------------------------ views

    def _show(self) -> None:
        error = self.query_one("#fit-error", Static)
        error.update(Content(f"⚠ {self.error}") if self.error else Content(""))
        error.display = bool(self.error)
        result = self.assessment
        if result is None:
            return  # keep showing the last good verdict under the error
        verdict = self.query_one("#fit-verdict", Static)
        counts = ", ".join(
            f"{len(result.keys(stance))} {stance}" for stance in ("against", "care", "for")
        )
        verdict.update(Content(f"● {result.verdict.capitalize()} ({counts})"))
        for name in VERDICT_CLASS.values():
            verdict.remove_class(name)
        verdict.add_class(VERDICT_CLASS[result.verdict])
        self.query_one(FitReasonList).show(result.reasons)
        self.query_one("#fit-figures", Static).update(Content(figures_text(result)))


def number_text(value: float | None) -> str:
    """1000.0 -> '1000', 0.2 -> '0.2', None -> '' (what a learner would type)."""
    if value is None:
        return ""
    text = repr(value)
    return text.removesuffix(".0")


def figures_text(result: Assessment) -> str:
    parts = []
    if result.monthly_cost_usd is not None:
        parts.append(f"Lambda bill {usd(result.monthly_cost_usd)}/month before the free tier.")
    if result.cold_share is not None:
        parts.append(f"Cold share {result.cold_share:.1%}.")
    parts.append("Assumed: " + "; ".join(result.assumptions) + ".")
    return " ".join(parts)
