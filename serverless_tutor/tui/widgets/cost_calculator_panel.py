"""The cost calculator panel: a live Lambda bill, memory sizing chart, break-even, chapter presets.

Every figure comes from serverless_tutor.pricing (the same engine as `serverless-tutor cost`).
A full recompute (bill, ten tuning points, the break-even bisection) takes a few
milliseconds, so it runs on each keystroke in the UI thread rather than in a worker.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Checkbox, Select, Static, TabbedContent, TabPane

from serverless_tutor.pricing import (
    CHAPTER_SERVER_MONTHLY,
    PRESETS,
    Bill,
    BreakEven,
    DurationModel,
    TuningResult,
    Workload,
    break_even,
    check_presets,
    monthly_bill,
    tune,
)
from serverless_tutor.pricing.money import usd
from serverless_tutor.pricing.prices import Architecture
from serverless_tutor.pricing.tuning import DEFAULT_MEMORY_SIZES
from serverless_tutor.tui.widgets.lesson_panel import LessonPanel
from serverless_tutor.tui.widgets.number_input import (
    DURATION_MS,
    MEMORY_MB,
    MONTHLY_REQUESTS,
    SERVER_MONTHLY_USD,
    NumberInput,
    NumberRange,
)
from serverless_tutor.tui.widgets.tutor_select import TutorSelect

BAR_WIDTH = 6
BREAKEVEN_BAR_WIDTH = 22
FIELD_LABELS = {
    "requests": "requests",
    "duration_ms": "duration",
    "memory_mb": "memory",
    "architecture": "arch",
}
PARTIAL_BLOCKS = " ▏▎▍▌▋▊▉"
TENTH = Decimal("0.1")
CPU_PERCENT = NumberRange(Decimal(0), Decimal(100), "%")
ARCHITECTURES: dict[str, Architecture] = {"x86_64": "x86_64", "arm64": "arm64"}


def bar(value: Decimal, largest: Decimal, width: int) -> str:
    """A left-aligned bar of width cells, filled in eighths, for value out of largest."""
    if largest <= 0 or value <= 0:
        return " " * width
    eighths = int(value / largest * width * 8)
    full, rest = divmod(max(eighths, 1), 8)
    text = "█" * full + (PARTIAL_BLOCKS[rest] if rest and full < width else "")
    return text.ljust(width)[:width]


def compact(requests: int) -> str:
    """26785667 -> '26.8M'."""
    for size, suffix in ((10**9, "B"), (10**6, "M"), (10**3, "k")):
        if requests >= size:
            return f"{requests / size:.1f}{suffix}"
    return str(requests)


class CostCalculatorPanel(LessonPanel):
    """Type a workload, see the itemized bill, the cost per memory size and the break-even."""

    DEFAULT_CSS = """
    CostCalculatorPanel Horizontal {
        height: auto;
    }
    CostCalculatorPanel .cost-inputs Input {
        width: 1fr;
    }
    CostCalculatorPanel #cost-arch {
        width: 14;
    }
    CostCalculatorPanel #cost-free-tier {
        width: auto;
    }
    CostCalculatorPanel #cost-cpu {
        width: 18;
    }
    CostCalculatorPanel #cost-server {
        width: 20;  /* its title, "server $/month", whole */
    }
    CostCalculatorPanel .cost-summary {
        width: 1fr;
        padding: 0 1;
        height: auto;
    }
    CostCalculatorPanel #cost-slip {
        height: auto;
        color: $warning;
    }
    CostCalculatorPanel #cost-slip.right {
        color: $success;
    }
    CostCalculatorPanel #cost-error {
        height: auto;
        color: $error;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bill: Bill | None = None
        self.tuning: TuningResult | None = None
        self.breakeven: BreakEven | None = None
        self.error: str | None = None
        self._checks = {check.preset.id: check for check in check_presets()}

    def compose(self) -> ComposeResult:
        self.border_title = "Cost calculator"
        with Horizontal(classes="cost-inputs"):
            yield NumberInput(
                "10000000",
                number_range=MONTHLY_REQUESTS,
                title="requests",
                id="cost-requests",
            )
            yield NumberInput(
                "200",
                number_range=DURATION_MS,
                label="duration",
                title="time ms",  # "duration ms" is cut at 80 columns
                id="cost-duration",
            )
            yield NumberInput(
                "512", number_range=MEMORY_MB, label="memory", title="memory MB", id="cost-memory"
            )
        with Horizontal():
            yield TutorSelect(
                [("x86_64", "x86_64"), ("arm64", "arm64")],
                value="x86_64",
                allow_blank=False,
                id="cost-arch",
            )
            yield Checkbox("free tier", id="cost-free-tier")
        yield TutorSelect(
            [(p.title, p.id) for p in PRESETS], prompt="chapter example…", id="cost-preset"
        )
        yield Static(id="cost-error")
        yield Static(id="cost-slip")
        with TabbedContent(id="cost-tabs"):
            with TabPane("Bill", id="cost-tab-bill"):
                yield Static(id="cost-bill")
            with TabPane("Memory", id="cost-tab-memory"):
                with Horizontal():
                    yield NumberInput(
                        "100",
                        number_range=CPU_PERCENT,
                        title="CPU-bound %",
                        id="cost-cpu",
                    )
                    yield Static(id="cost-tune-summary", classes="cost-summary")
                yield Static(id="cost-memory-chart")
            with TabPane("Break-even", id="cost-tab-breakeven"):
                with Horizontal():
                    yield NumberInput(
                        str(CHAPTER_SERVER_MONTHLY),
                        number_range=SERVER_MONTHLY_USD,
                        title="server $/month",
                        id="cost-server",
                    )
                    yield Static(id="cost-breakeven-summary", classes="cost-summary")
                yield Static(id="cost-breakeven-chart")

    def on_mount(self) -> None:
        self.recompute()

    # ------------------------------------------------------------ events

    @on(NumberInput.Valid)
    @on(NumberInput.Invalid)
    @on(Checkbox.Changed)
    @on(Select.Changed, "#cost-arch")
    def _inputs_changed(self) -> None:
        self.recompute()

    @on(Select.Changed, "#cost-preset")
    def _preset_chosen(self, event: Select.Changed) -> None:
        if event.value == Select.NULL:
            self.recompute()
            return
        workload = self._checks[str(event.value)].preset.workload
        with self.prevent(NumberInput.Changed, Select.Changed, Checkbox.Changed):
            self._field("cost-requests").value = str(workload.requests)
            self._field("cost-duration").value = str(workload.duration_ms)
            self._field("cost-memory").value = str(workload.memory_mb)
            self.query_one("#cost-arch", Select).value = workload.architecture
            self.query_one("#cost-free-tier", Checkbox).value = workload.free_tier
        self.recompute()

    # ------------------------------------------------------------ model

    def _field(self, widget_id: str) -> NumberInput:
        return self.query_one(f"#{widget_id}", NumberInput)

    def current_workload(self) -> Workload:
        """The workload the inputs describe; raises InvalidNumber or ValidationError if they are not valid."""
        return Workload(
            requests=self._field("cost-requests").read_whole(),
            duration_ms=self._field("cost-duration").read(),
            memory_mb=self._field("cost-memory").read_whole(),
            architecture=ARCHITECTURES[str(self.query_one("#cost-arch", Select).value)],
            free_tier=self.query_one("#cost-free-tier", Checkbox).value,
        )

    def recompute(self) -> None:
        try:
            workload = self.current_workload()
            cpu_fraction = self._field("cost-cpu").read() / 100
            server = self._field("cost-server").read()
            self.bill = monthly_bill(workload)
            model = DurationModel.from_measurement(
                workload.duration_ms, workload.memory_mb, cpu_fraction
            )
            sizes = tuple(sorted(set(DEFAULT_MEMORY_SIZES) | {workload.memory_mb}))
            self.tuning = tune(
                model=model,
                memory_sizes=sizes,
                architecture=workload.architecture,
                requests=workload.requests,
                free_tier=workload.free_tier,
            )
            self.breakeven = break_even(
                server,
                duration_ms=workload.duration_ms,
                memory_mb=workload.memory_mb,
                architecture=workload.architecture,
                free_tier=workload.free_tier,
            )
            self.error = None
        except ValidationError as exc:
            first = exc.errors()[0]
            field = FIELD_LABELS.get(str(first["loc"][0]) if first["loc"] else "", "input")
            self.error = f"{field}: {first['msg'].removeprefix('Value error, ')}"
        except ValueError as exc:  # InvalidNumber, PricingInputError and the engines' own checks
            self.error = str(exc)
        self._render_all(workload_ok=self.error is None)

    # ------------------------------------------------------------ views

    def _render_all(self, *, workload_ok: bool) -> None:
        error = self.query_one("#cost-error", Static)
        error.update(f"⚠ {self.error}" if self.error else "")
        error.display = bool(self.error)
        bill, tuning, breakeven = self.bill, self.tuning, self.breakeven
        if not workload_ok or bill is None or tuning is None or breakeven is None:
            return  # keep showing the last good figures under the error
        self._render_slip()
        self.query_one("#cost-bill", Static).update(self._bill_table(bill))
        self.query_one("#cost-memory-chart", Static).update(self._memory_chart(tuning, bill))
        self.query_one("#cost-tune-summary", Static).update(self._tune_summary(tuning))
        self.query_one("#cost-breakeven-summary", Static).update(self._breakeven_summary(breakeven))
        self.query_one("#cost-breakeven-chart", Static).update(self._breakeven_chart(breakeven))

    def _render_slip(self) -> None:
        slip = self.query_one("#cost-slip", Static)
        chosen = self.query_one("#cost-preset", Select).value
        check = self._checks.get(str(chosen)) if chosen != Select.NULL else None
        if check is None or self.current_workload() != check.preset.workload:
            slip.update("")
            slip.display = False
            return
        preset = check.preset
        part = "the whole bill" if preset.quotes == "total" else "compute only (no request fee)"
        if check.matches_chapter:
            text = f"✓ Chapter ({preset.where}) says {usd(preset.chapter_says)} for {part}: right."
        else:
            text = f"✗ Chapter ({preset.where}) says {usd(preset.chapter_says)}; correct: {usd(check.computed)}. {preset.slip}"
        slip.update(text)
        slip.set_class(check.matches_chapter, "right")
        slip.display = True

    @staticmethod
    def _bill_table(bill: Bill) -> Table:
        """Each line's label and amount on one row, its formula indented beneath.

        A label never wraps away from its amount (at 80 columns a three-column table
        left "Free tier:" and "requests" on separate rows), and the formula gets the width.
        """
        table = Table(
            expand=True,
            show_edge=False,
            pad_edge=False,
            box=None,
            show_header=True,
            header_style="bold",
        )
        table.add_column("item", ratio=1, overflow="fold")
        table.add_column("amount", justify="right", no_wrap=True)
        for line in bill.lines:
            table.add_row(line.label, usd(line.amount))
            table.add_row(Padding(Text(line.formula, style="dim"), (0, 0, 0, 2)), "")
        table.add_row("[bold]Total[/bold]", f"[bold]{usd(bill.total)}[/bold]")
        for note in bill.notes:
            table.add_row(f"[italic]{note}[/italic]", "")
        return table

    @staticmethod
    def _memory_chart(tuning: TuningResult, bill: Bill) -> str:
        max_cost = max(p.monthly_cost for p in tuning.points)
        max_time = max(p.duration_ms for p in tuning.points)
        rows = [
            f"[bold]{'memory':>8} {'cost/month':<{BAR_WIDTH + 9}} {'duration':<{BAR_WIDTH + 8}}[/bold]"
        ]
        for point in tuning.points:
            marks = "".join(
                letter
                for letter, name in (("C", "cheapest"), ("F", "fastest"), ("B", "balanced"))
                if getattr(tuning, name) == point.memory_mb
            )
            mine = point.memory_mb == bill.memory_mb
            label = f"{point.memory_mb:>5} MB"  # 8 cells
            rows.append(
                (f"[reverse]{label}[/reverse]" if mine else label)
                + f" [$accent]{bar(point.monthly_cost, max_cost, BAR_WIDTH)}[/] {usd(point.monthly_cost):>8}"
                + f" [$secondary]{bar(point.duration_ms, max_time, BAR_WIDTH)}[/] {point.duration_ms.quantize(TENTH):>5}ms"
                + f" [bold]{marks}[/bold]"
            )
        rows.append(
            "[dim]C cheapest · F fastest · B balanced (weight 0.5) · reversed: yours. Model: CPU-bound time "
            "shrinks with memory up to 1 vCPU at 1,769 MB (single-threaded); I/O time does not.[/dim]"
        )
        return "\n".join(rows)

    @staticmethod
    def _tune_summary(tuning: TuningResult) -> str:
        cheapest, fastest = tuning.pick("cheapest"), tuning.pick("fastest")
        return (
            f"Cheapest: {cheapest.memory_mb} MB ({usd(cheapest.monthly_cost)}/month, {cheapest.duration_ms.quantize(TENTH)} ms). "
            f"Fastest: {fastest.memory_mb} MB ({fastest.duration_ms.quantize(TENTH)} ms)."
        )

    @staticmethod
    def _breakeven_summary(result: BreakEven) -> str:
        return (
            f"Lambda costs as much as a {usd(result.server_monthly_usd)}/month server at "
            f"[bold]{result.requests:,}[/bold] requests/month (≈{result.requests_per_second:.2f}/s). "
            "Fewer requests: Lambda is cheaper."
        )

    @staticmethod
    def _breakeven_chart(result: BreakEven) -> str:
        largest = max(max(p.lambda_cost for p in result.curve), result.server_monthly_usd)
        server_column = min(
            BREAKEVEN_BAR_WIDTH - 1, int(result.server_monthly_usd / largest * BREAKEVEN_BAR_WIDTH)
        )
        rows = [f"[bold]{'requests':>8} {'Lambda cost (│ = server)':<{BREAKEVEN_BAR_WIDTH}}[/bold]"]
        for point in result.curve:
            cells = list(bar(point.lambda_cost, largest, BREAKEVEN_BAR_WIDTH))
            if cells[server_column] == " ":
                cells[server_column] = "│"
            colour = "$success" if point.lambda_cost <= point.server_cost else "$error"
            rows.append(
                f"{compact(point.requests):>8} [{colour}]{''.join(cells)}[/] {usd(point.lambda_cost):>9}"
            )
        return "\n".join(rows)
