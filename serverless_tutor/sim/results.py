"""What the simulator returns: run metrics, live snapshots of environments, events."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

Phase = Literal["download_code", "init_runtime", "init_function", "execute", "idle"]
PHASE_LABELS: dict[str, str] = {
    "download_code": "download code",
    "init_runtime": "init runtime",
    "init_function": "init function",
    "execute": "execute",
    "idle": "idle (warm)",
}
INIT_PHASES: tuple[Phase, Phase, Phase] = ("download_code", "init_runtime", "init_function")

EventKind = Literal[
    "cold_start", "warm_start", "rejected", "done", "reclaimed", "provisioning", "provisioned_ready"
]


class _CamelModel(BaseModel):
    model_config = ConfigDict(frozen=True, alias_generator=to_camel, populate_by_name=True)


class LatencyPercentiles(_CamelModel):
    """Response-time percentiles of the requests completed, in milliseconds (None when none were)."""

    p50: float | None = None
    p95: float | None = None
    p99: float | None = None


class SimCost(_CamelModel):
    """The bill for the simulated traffic, from the pricing engine (USD)."""

    period: Literal["simulated", "month"] = Field(
        description="'simulated': the period simulated; 'month': scaled to 730 hours"
    )
    invocations: int
    avg_billed_ms: Decimal
    request_cost: Decimal
    compute_cost: Decimal
    provisioned_cost: Decimal
    total: Decimal


class SimResult(_CamelModel):
    """Metrics of one run, named as SimFaaS names them (see docs/facts.md).

    Requests are user requests (warm-up pings are counted apart). Probabilities are
    over all user requests, rejected ones included, as SimFaaS computes them.
    Averages are time-weighted over the simulated time.
    """

    requests: int
    cold_starts: int
    warm_starts: int
    rejections: int
    cold_start_probability: float
    rejection_probability: float
    avg_instances: float
    avg_running: float
    avg_idle: float
    avg_lifespan_s: float | None = Field(
        description="mean creation-to-reclaim time of reclaimed environments"
    )
    latency_ms: LatencyPercentiles
    instances_created: int
    instances_reclaimed: int
    pings: int = 0
    ping_cold_starts: int = 0
    billed_ms: int = Field(
        description="billed milliseconds of every completed invocation, pings included, each rounded up to 1 ms"
    )
    provisioned_busy_share: float = Field(
        description="fraction of busy time spent on provisioned environments"
    )
    simulated_s: float
    seed: int
    cost: SimCost | None = None


class PhaseSpan(_CamelModel):
    phase: Phase
    start_s: float
    duration_s: float


class InstanceView(_CamelModel):
    """One execution environment at the snapshot time."""

    id: int
    provisioned: bool
    phase: Phase
    time_in_phase_s: float
    phase_duration_s: float | None = Field(
        description="length of the current phase; None while idle"
    )
    expires_in_s: float | None = Field(
        description="time until reclaimed if no request comes; None for provisioned or busy"
    )
    cold: bool = Field(
        description="the current request (or provisioning) started with a cold start"
    )
    ping: bool = Field(description="the current request is a warm-up ping")
    requests_served: int
    created_s: float
    spans: list[PhaseSpan] = Field(
        description="the phases of the current request or provisioning, in order"
    )


class SimEvent(_CamelModel):
    time_s: float
    kind: EventKind
    instance_id: int | None = None
    request_id: int | None = None
    ping: bool = False
    latency_s: float | None = None


class Snapshot(_CamelModel):
    time_s: float
    instances: list[InstanceView]
    metrics: SimResult


class Step(_CamelModel):
    """What `advance_to` returns: the state at the new time and the events since the last step."""

    snapshot: Snapshot
    events: list[SimEvent]
