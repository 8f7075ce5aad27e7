"""What a simulation run is made of: a workload, a function profile, a policy, a horizon."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from serverless_tutor.limits import (
    DEFAULT_ACCOUNT_CONCURRENCY,
    DEFAULT_MEMORY_MB,
    MAX_MEMORY_MB,
    MIN_MEMORY_MB,
)
from serverless_tutor.sim.arrivals import Arrivals, PoissonArrivals
from serverless_tutor.sim.distributions import Distribution, distribution

# Lambda's default account concurrency (docs/facts.md); SimFaaS's default maximum is also 1,000.
DEFAULT_MAX_CONCURRENCY = DEFAULT_ACCOUNT_CONCURRENCY


class InitSplit(BaseModel):
    """How a cold start's init time divides into the three phases the animation draws.

    Only the display uses it. Published medians give the total, not the split, so
    the default puts it all in "init runtime"; the estimator gives a real split.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    download_code: float = Field(default=0.0, ge=0)
    init_runtime: float = Field(default=1.0, ge=0)
    init_function: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _not_all_zero(self) -> InitSplit:
        if self.download_code + self.init_runtime + self.init_function <= 0:
            raise ValueError("at least one init phase must have a positive share")
        return self

    def fractions(self) -> tuple[float, float, float]:
        total = self.download_code + self.init_runtime + self.init_function
        return (self.download_code / total, self.init_runtime / total, self.init_function / total)


class FunctionProfile(BaseModel):
    """How long requests take, warm and cold, and what the function is billed as.

    cold_mode "cold_draw" (SimFaaS's default): a cold request takes one draw of
    `cold`, which includes the init. "init_plus_warm": it takes a draw of `init`
    plus a warm draw, so cold and warm share the handler time.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    warm: Distribution
    cold: Distribution | None = None
    init: Distribution | None = None
    cold_mode: Literal["cold_draw", "init_plus_warm"] = "cold_draw"
    init_split: InitSplit = InitSplit()
    memory_mb: int = Field(default=DEFAULT_MEMORY_MB, ge=MIN_MEMORY_MB, le=MAX_MEMORY_MB)
    architecture: Literal["x86_64", "arm64"] = "x86_64"

    @model_validator(mode="after")
    def _has_cold_time(self) -> FunctionProfile:
        if self.cold_mode == "cold_draw" and self.cold is None:
            raise ValueError("cold_mode 'cold_draw' needs a cold distribution")
        if self.cold_mode == "init_plus_warm" and self.init is None:
            raise ValueError("cold_mode 'init_plus_warm' needs an init distribution")
        return self

    @property
    def mean_cold_s(self) -> float:
        if self.cold_mode == "cold_draw" and self.cold is not None:
            return self.cold.mean
        if self.cold_mode == "init_plus_warm" and self.init is not None:
            return self.init.mean + self.warm.mean
        raise ValueError(f"cold_mode {self.cold_mode!r} has no distribution to draw from")


class Policy(BaseModel):
    """What the platform (and the owner) do about idle environments and bursts."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    keep_alive_s: float = Field(
        default=600.0, ge=0, description="idle time before an environment is reclaimed"
    )
    max_concurrency: int = Field(
        default=DEFAULT_MAX_CONCURRENCY,
        ge=1,
        description="requests beyond this many running are rejected",
    )
    provisioned: int = Field(
        default=0, ge=0, description="environments kept initialized all the time (billed)"
    )
    warmup_every_s: float | None = Field(
        default=None, gt=0, description="a scheduled ping this often"
    )
    warmup_concurrency: int = Field(
        default=1, ge=1, description="pings sent at once on each schedule tick"
    )
    warmup_ping_s: float = Field(
        default=0.001, ge=0, description="handler time of a ping (it returns at once)"
    )

    @model_validator(mode="after")
    def _provisioned_fits(self) -> Policy:
        if self.provisioned > self.max_concurrency:
            raise ValueError(
                f"provisioned ({self.provisioned}) cannot exceed max_concurrency ({self.max_concurrency})"
            )
        return self


class SimConfig(BaseModel):
    """One simulation: arrivals + profile + policy over horizon_s seconds, with a seed."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    arrivals: Arrivals
    profile: FunctionProfile
    policy: Policy = Policy()
    horizon_s: float = Field(default=86_400.0, gt=0)
    seed: int = 1

    @classmethod
    def simple(
        cls,
        *,
        arrival_rate: float,
        warm_s: float,
        cold_s: float,
        keep_alive_s: float = 600.0,
        horizon_s: float = 86_400.0,
        service_dist: str = "exp",
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        provisioned: int = 0,
        warmup_every_s: float | None = None,
        seed: int = 1,
        memory_mb: int = DEFAULT_MEMORY_MB,
    ) -> SimConfig:
        """The CLI's shape: Poisson arrivals, warm and cold times of one distribution family."""
        return cls(
            arrivals=PoissonArrivals(rate_per_s=arrival_rate),
            profile=FunctionProfile(
                warm=distribution(service_dist, warm_s),
                cold=distribution(service_dist, cold_s),
                memory_mb=memory_mb,
            ),
            policy=Policy(
                keep_alive_s=keep_alive_s,
                max_concurrency=max_concurrency,
                provisioned=provisioned,
                warmup_every_s=warmup_every_s,
            ),
            horizon_s=horizon_s,
            seed=seed,
        )
