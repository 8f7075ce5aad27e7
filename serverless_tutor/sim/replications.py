"""Independent replications of one configuration, and 95% confidence intervals."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from serverless_tutor.sim.config import SimConfig
from serverless_tutor.sim.model import LifecycleModel
from serverless_tutor.sim.results import SimResult

# Student t, 97.5th percentile, by degrees of freedom (two-sided 95%); 1.96 beyond 30.
_T_975 = [
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
    2.120,
    2.110,
    2.101,
    2.093,
    2.086,
    2.080,
    2.074,
    2.069,
    2.064,
    2.060,
    2.056,
    2.052,
    2.048,
    2.045,
    2.042,
]

ESTIMATED_METRICS = (
    "cold_start_probability",
    "rejection_probability",
    "avg_instances",
    "avg_running",
    "avg_idle",
    "avg_lifespan_s",
)


def t_quantile_975(degrees_of_freedom: int) -> float:
    if degrees_of_freedom < 1:
        raise ValueError("need at least 2 replications for a confidence interval")
    return _T_975[degrees_of_freedom - 1] if degrees_of_freedom <= len(_T_975) else 1.96


class Estimate(BaseModel):
    """Mean of a metric over replications with a 95% confidence interval (Student t)."""

    model_config = ConfigDict(frozen=True)
    mean: float
    stdev: float
    half_width: float
    low: float
    high: float
    runs: int

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


def estimate(values: list[float]) -> Estimate:
    if len(values) < 2:
        raise ValueError("need at least 2 values for a confidence interval")
    mean = statistics.fmean(values)
    stdev = statistics.stdev(values)
    half = t_quantile_975(len(values) - 1) * stdev / math.sqrt(len(values))
    return Estimate(
        mean=mean, stdev=stdev, half_width=half, low=mean - half, high=mean + half, runs=len(values)
    )


class ReplicationSummary(BaseModel):
    model_config = ConfigDict(frozen=True)
    runs: list[SimResult]
    estimates: dict[str, Estimate]


def replicate(
    config: SimConfig, replications: int, progress: Callable[[float], None] | None = None
) -> ReplicationSummary:
    """Run `replications` copies with seeds seed, seed+1, ...; estimate each metric with a 95% CI."""
    if replications < 2:
        raise ValueError("replications must be at least 2 for a confidence interval")
    runs = []
    for index in range(replications):
        model = LifecycleModel(config.model_copy(update={"seed": config.seed + index}))
        within = (
            None
            if progress is None
            else (lambda done, i=index: progress((i + done) / replications))
        )
        runs.append(model.run(progress=within))
    estimates = {}
    for name in ESTIMATED_METRICS:
        values = [getattr(run, name) for run in runs]
        if all(v is not None for v in values):
            estimates[name] = estimate(values)
    return ReplicationSummary(runs=runs, estimates=estimates)
