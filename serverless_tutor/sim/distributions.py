"""Service-time distributions: how long a request keeps an environment busy.

Each one is a pydantic model (so a config round-trips through JSON) with a
`sampler(rng)` that returns a zero-argument function drawing one value in
seconds. The simulator calls that function once per request, so it is a bound
method of `random.Random` where possible (no Python frame of our own per draw).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from functools import partial
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class Exponential(BaseModel):
    """Exponential with the given mean (SimFaaS's default for warm and cold times)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: Literal["exp"] = "exp"
    mean_s: float = Field(gt=0, description="mean service time in seconds")

    @property
    def mean(self) -> float:
        return self.mean_s

    def sampler(self, rng: random.Random) -> Callable[[], float]:
        return partial(rng.expovariate, 1.0 / self.mean_s)

    def label(self) -> str:
        return f"exponential, mean {self.mean_s * 1000:g} ms"


class Constant(BaseModel):
    """Always the same time (the closed forms in the tests assume this)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: Literal["const"] = "const"
    value_s: float = Field(ge=0, description="the service time in seconds")

    @property
    def mean(self) -> float:
        return self.value_s

    def sampler(self, rng: random.Random) -> Callable[[], float]:
        value = self.value_s
        return lambda: value

    def label(self) -> str:
        return f"constant {self.value_s * 1000:g} ms"


class LogNormal(BaseModel):
    """Log-normal given its median and the standard deviation of log(time).

    Measured latencies are right-skewed, which a log-normal captures: the median
    is exp(mu), the mean exp(mu + sigma^2 / 2).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: Literal["lognormal"] = "lognormal"
    median_s: float = Field(gt=0, description="median service time in seconds")
    sigma: float = Field(ge=0, le=5, description="standard deviation of ln(time)")

    @property
    def mean(self) -> float:
        return self.median_s * math.exp(self.sigma**2 / 2)

    def sampler(self, rng: random.Random) -> Callable[[], float]:
        return partial(rng.lognormvariate, math.log(self.median_s), self.sigma)

    def label(self) -> str:
        return f"log-normal, median {self.median_s * 1000:g} ms, sigma {self.sigma:g}"


Distribution = Annotated[Exponential | Constant | LogNormal, Field(discriminator="kind")]


def distribution(
    kind: str, mean_s: float, sigma: float = 0.5
) -> Exponential | Constant | LogNormal:
    """Build a distribution with the given mean from a short name: exp, const or lognormal."""
    if kind == "exp":
        return Exponential(mean_s=mean_s)
    if kind == "const":
        return Constant(value_s=mean_s)
    if kind == "lognormal":
        return LogNormal(median_s=mean_s / math.exp(sigma**2 / 2), sigma=sigma)
    raise ValueError(f"unknown service distribution {kind!r}; expected exp, const or lognormal")
