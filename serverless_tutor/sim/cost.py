"""The cost of simulated traffic, through the pricing engine (kept thin on purpose).

The pricing engine bills a month of `requests` invocations at one average duration
(rounded up to 1 ms). The simulator rounds every invocation up to 1 ms itself and
passes the average of those billed durations, so the only approximation left is
that the bill rounds that average up once more (under 1 ms per invocation).
Init time of cold starts is inside the simulated duration, as it is billed on
Lambda since August 2025 (docs/facts.md).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING

from serverless_tutor import limits
from serverless_tutor.sim.results import SimCost

if TYPE_CHECKING:
    from serverless_tutor.pricing.prices import Architecture

SECONDS_PER_HOUR = Decimal(3600)
HOURS_PER_MONTH = Decimal(limits.HOURS_PER_MONTH)  # as the pricing engine and AWS's examples use
MAX_BILLED_HOURS = Decimal(744)  # the pricing engine's longest month
MAX_DURATION_MS = limits.MAX_TIMEOUT_S * 1000  # Lambda's 15-minute timeout


def simulation_cost(
    *,
    invocations: int,
    billed_ms: int,
    simulated_s: float,
    memory_mb: int,
    architecture: Architecture,
    provisioned: int,
    provisioned_share: Decimal,
    period: str = "simulated",
) -> SimCost | None:
    """Bill the simulated period (period="simulated"), or the same traffic over a 730-hour month.

    Returns None for a simulated period longer than a month (use period="month").
    """
    from serverless_tutor.pricing import Workload, monthly_bill

    hours = Decimal(repr(simulated_s)) / SECONDS_PER_HOUR
    if period == "month":
        scale = HOURS_PER_MONTH / hours if hours > 0 else Decimal(0)
        requests = int((invocations * scale).to_integral_value())
        hours = HOURS_PER_MONTH
    else:
        if hours > MAX_BILLED_HOURS:
            return None
        requests = invocations
    avg_billed_ms = Decimal(billed_ms) / invocations if invocations else Decimal(1)
    if avg_billed_ms > MAX_DURATION_MS:
        return None
    share = None
    if provisioned:
        # The bill rounds the average up, which can push a fully used provisioned
        # fleet a hair past its capacity; cap the share at what the capacity holds.
        billed_s = Decimal(math.ceil(avg_billed_ms)) / 1000
        capacity_share = (
            provisioned * hours * SECONDS_PER_HOUR / (requests * billed_s)
            if requests
            else Decimal(1)
        )
        share = min(Decimal(1), max(Decimal(0), provisioned_share), capacity_share)
    bill = monthly_bill(
        Workload(
            requests=requests,
            duration_ms=avg_billed_ms,
            memory_mb=memory_mb,
            architecture=architecture,
            provisioned_concurrency=provisioned,
            provisioned_hours=hours if provisioned else Decimal(0),
            provisioned_share=share,
        )
    )
    return SimCost(
        period="month" if period == "month" else "simulated",
        invocations=requests,
        avg_billed_ms=avg_billed_ms if invocations else Decimal(0),
        request_cost=bill.request_cost,
        compute_cost=bill.compute_cost,
        provisioned_cost=bill.provisioned_cost,
        total=bill.total,
    )
