"""What the simulator returns: run metrics, live snapshots of environments, events."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

if TYPE_CHECKING:
    from serverless_tutor.sim.config import FunctionProfile
    from serverless_tutor.sim.distributions import Distribution

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


class ServiceTimes(_CamelModel):
    """The service-time distributions a run drew from: latencies depend on them as much
    as on the means (exponential warm times of mean 100 ms put the p99 near 460 ms)."""

    distribution: Literal["exp", "const", "lognormal", "mixed"] = Field(
        description="the family of the warm and cold times; 'mixed' when they differ"
    )
    warm: str = Field(description="the warm time, e.g. 'exponential, mean 100 ms'")
    cold: str = Field(description="the cold time (init included), or how it is made up")

    @classmethod
    def of(cls, profile: FunctionProfile) -> ServiceTimes:
        if profile.cold_mode == "init_plus_warm" and profile.init is not None:
            kinds = {profile.warm.kind, profile.init.kind}
            cold = f"init ({_describe(profile.init)}) + a warm draw"
        else:
            assert profile.cold is not None  # the profile validates that cold_draw has one
            kinds = {profile.warm.kind, profile.cold.kind}
            cold = _describe(profile.cold)
        return cls(
            distribution=profile.warm.kind if len(kinds) == 1 else "mixed",
            warm=_describe(profile.warm),
            cold=cold,
        )

    def label(self) -> str:
        return f"service times: warm {self.warm}; cold {self.cold}"


def _describe(times: Distribution) -> str:
    """'exponential, mean 100 ms'. A log-normal names its median and its mean: the
    lifecycle panel's settings give the median, `simulate` the mean, and either must be
    found as given."""
    mean_ms = f"{times.mean * 1000:.4g}"
    if times.kind == "const":
        return f"constant {mean_ms} ms"
    if times.kind == "lognormal":
        median_ms = f"{times.median_s * 1000:.4g}"
        return f"log-normal, median {median_ms} ms, mean {mean_ms} ms, sigma {times.sigma:g}"
    return f"exponential, mean {mean_ms} ms"


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
    service_times: ServiceTimes | None = Field(
        default=None, description="the distributions drawn from (None: not recorded)"
    )
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
