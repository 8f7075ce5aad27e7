"""Break-even: the monthly request volume at which Lambda costs as much as an always-on server.

Lambda's monthly cost C(r) for r requests of a given duration and memory is piecewise
linear and non-decreasing in r (kinks at the free-tier limits and the duration tiers).
We find the smallest whole r with C(r) >= server price by doubling then bisection on
whole requests, each step pricing the bill exactly with monthly_bill; then the exact
crossing inside the last request is the linear interpolation between r - 1 and r.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from serverless_tutor.limits import DEFAULT_EPHEMERAL_MB
from serverless_tutor.pricing.bill import HOURS_PER_MONTH, Workload, monthly_bill
from serverless_tutor.pricing.money import exact
from serverless_tutor.pricing.prices import Architecture, PriceTable, load_prices

MAX_REQUESTS = 10**18  # far past any real month; only a free server would need more


class CurvePoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    requests: int
    lambda_cost: Decimal
    server_cost: Decimal


class BreakEven(BaseModel):
    model_config = ConfigDict(frozen=True)

    server_monthly_usd: Decimal
    duration_ms: Decimal
    memory_mb: int
    architecture: Architecture
    free_tier: bool
    ephemeral_mb: int
    requests: int = Field(
        description="smallest whole number of requests a month at which Lambda costs at least the server"
    )
    exact_requests: Decimal = Field(
        description="where the two cost lines cross (fractional requests)"
    )
    requests_per_second: Decimal = Field(
        description="exact_requests spread evenly over a 730-hour month"
    )
    lambda_cost_at_requests: Decimal
    cost_per_million: Decimal = Field(
        description="Lambda cost of each further million requests at the crossing"
    )
    curve: list[CurvePoint] = Field(
        description="both costs from 0 to twice the break-even volume, for charts"
    )


def break_even(
    server_monthly_usd: Decimal,
    *,
    duration_ms: Decimal,
    memory_mb: int,
    architecture: Architecture = "x86_64",
    free_tier: bool = False,
    ephemeral_mb: int = DEFAULT_EPHEMERAL_MB,
    curve_points: int = 11,
    prices: PriceTable | None = None,
) -> BreakEven:
    """Solve C(r) = server price for r. Raises ValueError for a server price that is not positive."""
    if not server_monthly_usd > 0:
        raise ValueError("server price per month must be more than $0")
    table = prices if prices is not None else load_prices()

    def workload(requests: int) -> Workload:
        return Workload(
            requests=requests,
            duration_ms=duration_ms,
            memory_mb=memory_mb,
            architecture=architecture,
            free_tier=free_tier,
            ephemeral_mb=ephemeral_mb,
        )

    def cost(requests: int) -> Decimal:
        return monthly_bill(workload(requests), table).total

    with exact():
        low, high = 0, 1
        while cost(high) < server_monthly_usd:
            low, high = high, high * 2
            if high > MAX_REQUESTS:
                raise ValueError(
                    f"Lambda stays cheaper than ${server_monthly_usd} a month past {MAX_REQUESTS:,} requests"
                )
        while high - low > 1:  # invariant: cost(low) < server <= cost(high)
            middle = (low + high) // 2
            if cost(middle) < server_monthly_usd:
                low = middle
            else:
                high = middle
        below, at = cost(high - 1), cost(high)
        # Divisions do not terminate in general: keep 1/10,000 of a request (and of a request per second).
        exact_requests = (Decimal(high - 1) + (server_monthly_usd - below) / (at - below)).quantize(
            Decimal("0.0001")
        )
        per_second = (exact_requests / (HOURS_PER_MONTH * 3600)).quantize(Decimal("0.0001"))
        step = max(1, (2 * high) // max(1, curve_points - 1))
        curve = [
            CurvePoint(requests=r, lambda_cost=cost(r), server_cost=server_monthly_usd)
            for r in range(0, step * (curve_points - 1) + 1, step)
        ]
    return BreakEven(
        server_monthly_usd=server_monthly_usd,
        duration_ms=duration_ms,
        memory_mb=memory_mb,
        architecture=architecture,
        free_tier=free_tier,
        ephemeral_mb=ephemeral_mb,
        requests=high,
        exact_requests=exact_requests,
        requests_per_second=per_second,
        lambda_cost_at_requests=at,
        cost_per_million=(at - below) * 1_000_000,
        curve=curve,
    )
