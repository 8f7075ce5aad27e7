"""The knobs of the cold-start lifecycle panel, and how they become a simulation.

Kept engine-side (pure) so the panel's mapping from controls to model is tested
without a UI, and the panel's experiment runs exactly what the animation shows.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from serverless_tutor.limits import DEFAULT_MEMORY_MB, MAX_MEMORY_MB, MIN_MEMORY_MB
from serverless_tutor.sim.arrivals import PoissonArrivals
from serverless_tutor.sim.config import FunctionProfile, Policy, SimConfig
from serverless_tutor.sim.distributions import LogNormal
from serverless_tutor.sim.estimator import (
    MAX_PACKAGE_MB,
    ColdStartEstimate,
    Runtime,
    estimate_cold_start,
)

# Handler times vary from call to call; a log-normal with this sigma around the
# chosen median gives a visible spread (p95 about 1.5x the median). An assumption
# for the demo, not a measured figure.
HANDLER_SIGMA = 0.25
# Experiments aim at about this many requests per point, within one day simulated.
EXPERIMENT_REQUESTS = 40_000
EXPERIMENT_MAX_HORIZON_S = 86_400.0
# With no background traffic the experiment needs some load to measure.
EXPERIMENT_DEFAULT_RATE = 0.05


class LifecycleSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    runtime: Runtime = "python"
    memory_mb: int = Field(default=DEFAULT_MEMORY_MB, ge=MIN_MEMORY_MB, le=MAX_MEMORY_MB)
    package_mb: float = Field(default=0.001, ge=0, le=MAX_PACKAGE_MB)
    init_code_ms: float = Field(default=100.0, ge=0, description="your code outside the handler")
    handler_ms: float = Field(
        default=100.0, gt=0, description="median handler time of a warm request"
    )
    keep_alive_s: float = Field(default=600.0, ge=0)
    provisioned: int = Field(default=0, ge=0, le=100)
    warmup_every_s: float | None = Field(default=None, gt=0)
    traffic_per_s: float = Field(
        default=0.1, ge=0, description="background Poisson traffic; 0 for none"
    )

    def estimate(self) -> ColdStartEstimate:
        return estimate_cold_start(
            self.runtime, self.memory_mb, self.package_mb, init_code_s=self.init_code_ms / 1000
        )

    def profile(self) -> FunctionProfile:
        estimate = self.estimate()
        return FunctionProfile(
            warm=LogNormal(median_s=self.handler_ms / 1000, sigma=HANDLER_SIGMA),
            init=estimate.init_distribution(),
            cold_mode="init_plus_warm",
            init_split=estimate.init_split(),
            memory_mb=self.memory_mb,
        )

    def arrivals(self) -> PoissonArrivals | None:
        return PoissonArrivals(rate_per_s=self.traffic_per_s) if self.traffic_per_s > 0 else None

    def policy(self) -> Policy:
        return Policy(
            keep_alive_s=self.keep_alive_s,
            provisioned=self.provisioned,
            warmup_every_s=self.warmup_every_s,
        )

    def live_config(self, seed: int = 1) -> SimConfig:
        """The animation's model: open-ended, traffic from set_arrivals (the caller sets it)."""
        return SimConfig(
            arrivals=PoissonArrivals(rate_per_s=self.traffic_per_s or EXPERIMENT_DEFAULT_RATE),
            profile=self.profile(),
            policy=self.policy(),
            horizon_s=1e9,
            seed=seed,
        )

    def experiment_config(self, seed: int = 1) -> SimConfig:
        """The same function and policy as a batch run long enough to measure."""
        rate = self.traffic_per_s or EXPERIMENT_DEFAULT_RATE
        horizon = min(EXPERIMENT_MAX_HORIZON_S, EXPERIMENT_REQUESTS / rate)
        return SimConfig(
            arrivals=PoissonArrivals(rate_per_s=rate),
            profile=self.profile(),
            policy=self.policy(),
            horizon_s=horizon,
            seed=seed,
        )
