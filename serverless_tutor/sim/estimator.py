"""Estimate a cold start's init time from runtime, memory, package size and VPC.

Every figure is a published median quoted in docs/facts.md ("Cold starts (published
measurements, AWS, medians)"). Where no figure exists the estimator says so in its
notes and models no effect rather than inventing one. It estimates the *init* part
of a cold start (what Lambda reports as Init Duration); the handler's own time is
the warm time and comes on top.
"""

from __future__ import annotations

import itertools
import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from serverless_tutor.limits import DEFAULT_MEMORY_MB, MAX_MEMORY_MB, MIN_MEMORY_MB
from serverless_tutor.sim.config import InitSplit
from serverless_tutor.sim.distributions import Constant, LogNormal

Runtime = Literal["python", "nodejs", "go", "java", "dotnet", "container"]

# Median cold starts by runtime, seconds (docs/facts.md: "Python about 0.22 s, Node.js
# 0.26 s, Go 0.31 s, Java 0.37 s, C# 0.52 s at 2 GB, container image 0.79 s").
RUNTIME_MEDIAN_S: dict[str, float] = {
    "python": 0.22,
    "nodejs": 0.26,
    "go": 0.31,
    "java": 0.37,
    "dotnet": 0.52,
    "container": 0.79,
}
RUNTIME_LABELS: dict[str, str] = {
    "python": "Python",
    "nodejs": "Node.js",
    "go": "Go",
    "java": "Java",
    "dotnet": "C# (.NET)",
    "container": "container image",
}

# .NET and memory (docs/facts.md: "3.3 s at 128 MB down to 0.5 s at 2 GB"). We anchor
# the 2 GB end on the runtime median (0.52 s) and interpolate linearly in
# log2(memory) between 128 MB and 2,048 MB; above 2 GB no figure, so flat.
DOTNET_AT_128_MB_S = 3.3
DOTNET_FLAT_FROM_MB = 2048

# Package size (docs/facts.md: "about 0.26 s at 1 KB, 1.7 s at 14 MB, 3.9 s at 35 MB
# (Node)"). Measured on Node.js; we apply the *excess over the 1 KB case* to every
# zip runtime as the "download code" phase (fetching and unpacking the package does
# not depend on the language), piecewise linear between the points and extended
# with the last slope beyond 35 MB.
PACKAGE_POINTS_MB_S: list[tuple[float, float]] = [(0.001, 0.26), (14.0, 1.7), (35.0, 3.9)]
MAX_PACKAGE_MB = 250.0  # Lambda's unzipped deployment package limit


class ColdStartEstimate(BaseModel):
    """An init-time estimate split into the three phases the lifecycle panel draws."""

    model_config = ConfigDict(frozen=True)
    runtime: Runtime
    memory_mb: int
    package_mb: float
    vpc: bool
    download_code_s: float = Field(description="package-size penalty over a 1 KB package")
    init_runtime_s: float = Field(
        description="the runtime's published median (memory-adjusted for .NET)"
    )
    init_function_s: float = Field(
        description="your code outside the handler (imports, clients), as given"
    )
    notes: list[str]

    @property
    def total_s(self) -> float:
        return self.download_code_s + self.init_runtime_s + self.init_function_s

    def init_split(self) -> InitSplit:
        if self.total_s <= 0:
            return InitSplit()
        return InitSplit(
            download_code=self.download_code_s,
            init_runtime=self.init_runtime_s,
            init_function=self.init_function_s,
        )

    def init_distribution(self, sigma: float = 0.0) -> Constant | LogNormal:
        """The init time as a distribution: constant, or log-normal with this median and sigma."""
        if sigma <= 0:
            return Constant(value_s=self.total_s)
        return LogNormal(median_s=self.total_s, sigma=sigma)


def estimate_cold_start(
    runtime: Runtime = "python",
    memory_mb: int = DEFAULT_MEMORY_MB,
    package_mb: float = 0.001,
    vpc: bool = False,
    init_code_s: float = 0.0,
) -> ColdStartEstimate:
    """Estimate the init phases of a cold start (seconds); see the module docstring for sources."""
    if runtime not in RUNTIME_MEDIAN_S:
        raise ValueError(
            f"unknown runtime {runtime!r}; expected one of {', '.join(RUNTIME_MEDIAN_S)}"
        )
    if not MIN_MEMORY_MB <= memory_mb <= MAX_MEMORY_MB:
        raise ValueError(f"memory must be {MIN_MEMORY_MB} to {MAX_MEMORY_MB:,} MB, got {memory_mb}")
    if not 0 <= package_mb <= MAX_PACKAGE_MB:
        raise ValueError(f"package size must be 0 to {MAX_PACKAGE_MB:g} MB, got {package_mb}")
    if init_code_s < 0:
        raise ValueError("init code time must be 0 s or more")
    notes: list[str] = []
    runtime_s = RUNTIME_MEDIAN_S[runtime]
    if runtime == "dotnet":
        runtime_s = dotnet_init_s(memory_mb)
        notes.append(
            ".NET: 3.3 s at 128 MB down to 0.52 s at 2 GB (published medians), log-interpolated."
        )
    elif runtime in ("python", "nodejs"):
        notes.append(
            f"{RUNTIME_LABELS[runtime]}: memory barely changes the cold start (published medians)."
        )
    else:
        notes.append(
            f"{RUNTIME_LABELS[runtime]}: no published memory effect; the median is used at every size."
        )

    download_s = 0.0
    if runtime == "container":
        notes.append(
            "Container image: the 0.79 s median is for an image; package size is not modelled."
        )
    else:
        download_s = package_penalty_s(package_mb)
        if package_mb > 1:
            notes.append(
                "Package size: +1.44 s at 14 MB, +3.64 s at 35 MB over a 1 KB package (measured on Node.js)."
            )
    if vpc:
        notes.append(
            "VPC: no extra time. Since 2019 Lambda sets up the VPC network interface (Hyperplane ENI) when "
            "the function is created or updated, not on each cold start; the chapter's +10 s is the old behaviour."
        )
    return ColdStartEstimate(
        runtime=runtime,
        memory_mb=memory_mb,
        package_mb=package_mb,
        vpc=vpc,
        download_code_s=download_s,
        init_runtime_s=runtime_s,
        init_function_s=init_code_s,
        notes=notes,
    )


def dotnet_init_s(memory_mb: int) -> float:
    if memory_mb >= DOTNET_FLAT_FROM_MB:
        return RUNTIME_MEDIAN_S["dotnet"]
    position = math.log2(memory_mb / 128) / math.log2(DOTNET_FLAT_FROM_MB / 128)
    low, high = math.log(DOTNET_AT_128_MB_S), math.log(RUNTIME_MEDIAN_S["dotnet"])
    return math.exp(low + (high - low) * position)


def package_penalty_s(package_mb: float) -> float:
    """Extra init seconds for a package of this size over a 1 KB one."""
    points = PACKAGE_POINTS_MB_S
    base = points[0][1]
    if package_mb <= points[0][0]:
        return 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if package_mb <= x1:
            return y0 + (y1 - y0) * (package_mb - x0) / (x1 - x0) - base
    (x0, y0), (x1, y1) = points[-2], points[-1]
    return y1 + (y1 - y0) / (x1 - x0) * (package_mb - x1) - base
