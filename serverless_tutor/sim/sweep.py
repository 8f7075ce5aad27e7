"""Vary one parameter and run the same workload (same seed) at each value."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from serverless_tutor.sim.arrivals import ConstantArrivals, PoissonArrivals
from serverless_tutor.sim.config import SimConfig
from serverless_tutor.sim.model import LifecycleModel
from serverless_tutor.sim.results import SimResult

SWEEP_PARAMETERS: dict[str, str] = {
    "keep-alive-s": "keep-alive (s)",
    "provisioned": "provisioned environments",
    "warmup-every-s": "warm-up ping every (s), 0 = off",
    "max-concurrency": "max concurrency",
    "arrival-rate": "arrivals per second",
}
_INTEGER_PARAMETERS = {"provisioned", "max-concurrency"}


class SweepPoint(BaseModel):
    model_config = ConfigDict(frozen=True)
    value: float
    result: SimResult


class SweepResult(BaseModel):
    model_config = ConfigDict(frozen=True)
    parameter: str
    label: str
    points: list[SweepPoint]


def with_parameter(config: SimConfig, parameter: str, value: float) -> SimConfig:
    """A copy of config with one parameter set; ValueError says what is wrong with the value."""
    if parameter not in SWEEP_PARAMETERS:
        raise ValueError(
            f"unknown parameter {parameter!r}; expected one of {', '.join(SWEEP_PARAMETERS)}"
        )
    if parameter in _INTEGER_PARAMETERS and value != int(value):
        raise ValueError(f"{parameter} takes whole numbers, got {value:g}")
    policy = config.policy
    if parameter == "keep-alive-s":
        if value < 0:
            raise ValueError(f"keep-alive-s must be 0 or more, got {value:g}")
        policy = policy.model_copy(update={"keep_alive_s": value})
    elif parameter == "provisioned":
        if value < 0 or value > policy.max_concurrency:
            raise ValueError(
                f"provisioned must be 0 to max concurrency ({policy.max_concurrency}), got {value:g}"
            )
        policy = policy.model_copy(update={"provisioned": int(value)})
    elif parameter == "warmup-every-s":
        if value < 0:
            raise ValueError(f"warmup-every-s must be 0 (off) or more, got {value:g}")
        policy = policy.model_copy(update={"warmup_every_s": value or None})
    elif parameter == "max-concurrency":
        if value < max(1, policy.provisioned):
            raise ValueError(
                f"max-concurrency must be at least {max(1, policy.provisioned)}, got {value:g}"
            )
        policy = policy.model_copy(update={"max_concurrency": int(value)})
    elif parameter == "arrival-rate":
        if value <= 0:
            raise ValueError(f"arrival-rate must be more than 0, got {value:g}")
        if isinstance(config.arrivals, PoissonArrivals | ConstantArrivals):
            arrivals = config.arrivals.model_copy(update={"rate_per_s": value})
            return config.model_copy(update={"arrivals": arrivals})
        raise ValueError(
            f"arrival-rate can be swept only for Poisson or constant arrivals, not {config.arrivals.kind}"
        )
    return config.model_copy(update={"policy": policy})


def sweep(
    config: SimConfig,
    parameter: str,
    values: list[float],
    progress: Callable[[float], None] | None = None,
    cost_period: str = "simulated",
) -> SweepResult:
    """One run per value, all with config's seed (common random numbers: differences are the parameter's)."""
    if not values:
        raise ValueError("give at least one value to sweep")
    configs = [with_parameter(config, parameter, value) for value in values]
    points = []
    for index, (value, point_config) in enumerate(zip(values, configs, strict=False)):
        result = LifecycleModel(point_config).run(cost_period=cost_period)
        points.append(SweepPoint(value=value, result=result))
        if progress is not None:
            progress((index + 1) / len(values))
    return SweepResult(parameter=parameter, label=SWEEP_PARAMETERS[parameter], points=points)
