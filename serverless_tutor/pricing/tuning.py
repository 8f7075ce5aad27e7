"""Power tuning: cost and duration per memory size, and the pick by strategy.

The strategies are AWS Lambda Power Tuning's (github.com/alexcasalboni/aws-lambda-power-tuning,
lambda/analyzer.js):
- cheapest ("cost"): lowest cost per invocation; on a tie, the faster one.
- fastest ("speed"): lowest duration; on a tie, the cheaper one.
- balanced: lowest  w x cost/max(cost) + (1 - w) x duration/max(duration), where the
  maxima are over the sizes tried. w = 0.5 by default (0 is the same as fastest,
  1 as cheapest). Ties go to the smaller memory size.
As in Power Tuning, the cost per invocation is the duration charge only (billed ms x
memory at the first-tier rate): the request fee is the same at every size. The monthly
bill at the chosen request volume is reported next to it.

Durations come either from measurements (memory size -> ms, e.g. from the runtime's
REPORT lines) or from a simple model: I/O time does not depend on memory, CPU-bound
time shrinks with the CPU share, which is proportional to memory (1,769 MB buys one
full vCPU), up to what the code can use: single-threaded code gains nothing past one
vCPU; code with T threads gains up to T vCPUs, and no function has more than 6
(the vCPU count at 10,240 MB).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from serverless_tutor.limits import (
    CHAPTER_MAX_MEMORY_MB,
    MAX_MEMORY_MB,
    MIN_MEMORY_MB,
    ONE_VCPU_MEMORY_MB,
)
from serverless_tutor.pricing.bill import (
    MAX_DURATION_MS,
    MB_PER_GB,
    Workload,
    monthly_bill,
)
from serverless_tutor.pricing.money import ceil_int, exact
from serverless_tutor.pricing.prices import Architecture, PriceTable, load_prices

MAX_VCPUS = 6
DEFAULT_MEMORY_SIZES: tuple[int, ...] = (
    MIN_MEMORY_MB,
    256,
    512,
    1024,
    1536,
    ONE_VCPU_MEMORY_MB,
    2048,
    CHAPTER_MAX_MEMORY_MB,
    4096,
    MAX_MEMORY_MB,
)
DEFAULT_BALANCED_WEIGHT = Decimal("0.5")
MODEL_DURATION_STEP = Decimal("0.01")  # modelled durations are shown to 1/100 ms

Strategy = Literal["cheapest", "fastest", "balanced"]
STRATEGIES: tuple[Strategy, ...] = ("cheapest", "fastest", "balanced")


def cpu_share(memory_mb: int) -> Decimal:
    """vCPU-equivalents of CPU time a function gets: proportional to memory."""
    with exact():
        return Decimal(memory_mb) / ONE_VCPU_MEMORY_MB


def vcpu_count(memory_mb: int) -> int:
    """How many vCPUs can run threads in parallel (1 up to 1,769 MB, ..., 6 at 10,240 MB)."""
    with exact():
        return min(MAX_VCPUS, ceil_int(Decimal(memory_mb) / ONE_VCPU_MEMORY_MB))


class DurationModel(BaseModel):
    """Duration at any memory size from a CPU-bound part and an I/O-bound part."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cpu_ms_at_one_vcpu: Decimal = Field(
        ge=0, allow_inf_nan=False, description="CPU-bound time with one full vCPU (1,769 MB)"
    )
    io_ms: Decimal = Field(
        ge=0,
        allow_inf_nan=False,
        description="waiting time (network, disk): does not shrink with memory",
    )
    threads: int = Field(
        default=1, ge=1, le=64, description="how many threads the CPU-bound part can keep busy"
    )

    @model_validator(mode="after")
    def _some_time(self) -> DurationModel:
        if self.cpu_ms_at_one_vcpu + self.io_ms <= 0:
            raise ValueError("cpu_ms_at_one_vcpu + io_ms must be more than 0 ms")
        return self

    @classmethod
    def from_measurement(
        cls, duration_ms: Decimal, memory_mb: int, cpu_fraction: Decimal, threads: int = 1
    ) -> DurationModel:
        """The model through one measured point, given what fraction of that time was CPU-bound."""
        if not 0 <= cpu_fraction <= 1:
            raise ValueError("cpu_fraction must be between 0 and 1")
        with exact():
            cpu_ms = duration_ms * cpu_fraction
            return cls(
                cpu_ms_at_one_vcpu=cpu_ms * _speed(memory_mb, threads),
                io_ms=duration_ms - cpu_ms,
                threads=threads,
            )

    def duration_ms(self, memory_mb: int) -> Decimal:
        with exact():
            value = self.io_ms + self.cpu_ms_at_one_vcpu / _speed(memory_mb, self.threads)
        return value.quantize(MODEL_DURATION_STEP)


def _speed(memory_mb: int, threads: int) -> Decimal:
    """How many vCPUs' worth of CPU the code actually uses at this memory size."""
    return min(cpu_share(memory_mb), Decimal(min(threads, vcpu_count(memory_mb))))


class TuningPoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    memory_mb: int
    duration_ms: Decimal
    billed_duration_ms: int
    cost_per_invocation: Decimal = Field(
        description="duration charge of one invocation at the first-tier rate (USD)"
    )
    monthly_cost: Decimal = Field(
        description="the whole monthly bill at the result's request volume (USD)"
    )


class TuningResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    architecture: Architecture
    requests: int
    source: Literal["model", "measured"]
    balanced_weight: Decimal
    points: list[TuningPoint]
    cheapest: int = Field(description="memory MB")
    fastest: int
    balanced: int

    def point(self, memory_mb: int) -> TuningPoint:
        return next(p for p in self.points if p.memory_mb == memory_mb)

    def pick(self, strategy: Strategy) -> TuningPoint:
        return self.point(getattr(self, strategy))


def tune(
    *,
    model: DurationModel | None = None,
    measured: dict[int, Decimal] | None = None,
    memory_sizes: tuple[int, ...] | list[int] = DEFAULT_MEMORY_SIZES,
    architecture: Architecture = "x86_64",
    requests: int = 1_000_000,
    balanced_weight: Decimal = DEFAULT_BALANCED_WEIGHT,
    free_tier: bool = False,
    prices: PriceTable | None = None,
) -> TuningResult:
    """Cost and duration per memory size, from a model or from measured durations (exactly one)."""
    if model is not None and measured is None:
        durations = {m: model.duration_ms(m) for m in sorted(set(memory_sizes))}
    elif measured is not None and model is None:
        durations = {int(m): Decimal(d) for m, d in measured.items()}
    else:
        raise ValueError("give either a duration model or measured durations, not both or neither")
    if not 0 <= balanced_weight <= 1:
        raise ValueError("balanced_weight must be between 0 and 1")
    table = prices if prices is not None else load_prices()
    if not durations:
        raise ValueError("need at least one memory size")
    for memory_mb, duration in durations.items():
        if not MIN_MEMORY_MB <= memory_mb <= MAX_MEMORY_MB:
            raise ValueError(f"memory {memory_mb} MB is outside {MIN_MEMORY_MB}..{MAX_MEMORY_MB}")
        if not 0 < duration <= MAX_DURATION_MS:
            raise ValueError(
                f"duration at {memory_mb} MB must be more than 0 and at most {MAX_DURATION_MS} ms (got {duration})"
            )

    first_tier = table.for_architecture(architecture).first_tier_rate
    points = []
    with exact():
        for memory_mb in sorted(durations):
            workload = Workload(
                requests=requests,
                duration_ms=durations[memory_mb],
                memory_mb=memory_mb,
                architecture=architecture,
                free_tier=free_tier,
            )
            billed = workload.billed_duration_ms
            per_invocation = Decimal(billed) / 1000 * Decimal(memory_mb) / MB_PER_GB * first_tier
            points.append(
                TuningPoint(
                    memory_mb=memory_mb,
                    duration_ms=durations[memory_mb],
                    billed_duration_ms=billed,
                    cost_per_invocation=per_invocation,
                    monthly_cost=monthly_bill(workload, table).total,
                )
            )
        cheapest = min(points, key=lambda p: (p.cost_per_invocation, p.duration_ms, p.memory_mb))
        fastest = min(points, key=lambda p: (p.duration_ms, p.cost_per_invocation, p.memory_mb))
        max_cost = max(p.cost_per_invocation for p in points)
        max_duration = max(p.duration_ms for p in points)

        def balanced_value(p: TuningPoint) -> Decimal:
            return (
                balanced_weight * p.cost_per_invocation / max_cost
                + (1 - balanced_weight) * p.duration_ms / max_duration
            )

        balanced = min(points, key=lambda p: (balanced_value(p), p.memory_mb))
    return TuningResult(
        architecture=architecture,
        requests=requests,
        source="model" if model is not None else "measured",
        balanced_weight=balanced_weight,
        points=points,
        cheapest=cheapest.memory_mb,
        fastest=fastest.memory_mb,
        balanced=balanced.memory_mb,
    )
