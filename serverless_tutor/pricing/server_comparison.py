"""What does idle cost? One function's monthly Lambda bill next to an always-on server.

Every price comes from monthly_bill and break_even; this module only picks the
workloads to price and says what the comparison shows. The traffic shape does not
change either bill (Lambda bills requests and their duration, the server bills the
month), but it changes how much capacity the server needs: with the month's traffic
packed into spikes, the server must be sized for the spike and waits the rest of the day.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from serverless_tutor.pricing.bill import HOURS_PER_MONTH, Bill, Workload, monthly_bill
from serverless_tutor.pricing.breakeven import BreakEven, break_even
from serverless_tutor.pricing.money import exact, usd
from serverless_tutor.pricing.prices import PriceTable, load_prices

TrafficShape = Literal["steady", "spiky"]
Cheaper = Literal["lambda", "server", "same"]

SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
SPIKY_BUSY_HOURS_PER_DAY = (
    1  # "mostly idle with spikes": the whole day's traffic arrives within one hour
)
FOUR_PLACES = Decimal("0.0001")  # rates and shares are rounded here; they are not money
CHART_VOLUMES = tuple(
    10**power for power in range(3, 10)
)  # 1k .. 1B requests a month, one row per decade


class TrafficPreset(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    label: str
    requests: int


class ServerPreset(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    label: str
    monthly_usd: Decimal


TRAFFIC_PRESETS = (
    TrafficPreset(id="hobby", label="hobby API 100k", requests=100_000),
    TrafficPreset(id="busy", label="busy API 30M", requests=30_000_000),
    TrafficPreset(id="nightly", label="nightly batch 30", requests=30),
)
SERVER_PRESETS = (
    ServerPreset(id="small", label="small VM $15", monthly_usd=Decimal(15)),
    ServerPreset(id="medium", label="VM $50", monthly_usd=Decimal(50)),
    ServerPreset(id="large", label="big VM $200", monthly_usd=Decimal(200)),
)


class ChartRow(BaseModel):
    """Both monthly costs at one request volume."""

    model_config = ConfigDict(frozen=True)

    requests: int
    lambda_cost: Decimal
    server_cost: Decimal
    cheaper: Cheaper


class ServerComparison(BaseModel):
    model_config = ConfigDict(frozen=True)

    requests: int
    duration_ms: Decimal
    memory_mb: int
    free_tier: bool
    shape: TrafficShape
    server_monthly_usd: Decimal
    bill: Bill = Field(description="the itemized Lambda bill at `requests`")
    cheaper: Cheaper
    saving: Decimal = Field(
        description="how much less the cheaper option costs a month (0 when the same)"
    )
    break_even: BreakEven
    average_per_second: Decimal = Field(
        description="requests per second averaged over a 730-hour month"
    )
    peak_per_second: Decimal = Field(description="the rate during the busiest hour")
    peak_in_flight: Decimal = Field(
        description="requests running at once at the peak (rate x duration)"
    )
    server_busy_share: Decimal = Field(
        description="share of the month one worker would spend handling requests"
    )
    rows: list[ChartRow] = Field(description="both costs at 10^3 .. 10^9 requests a month")
    notice: str = Field(description="what the learner should notice, one sentence")


def money_text(amount: Decimal) -> str:
    """usd(), except that a charge too small to show in cents reads '<$0.01' instead of '$0.00'."""
    if 0 < amount < Decimal("0.005"):
        return "<$0.01"
    return usd(amount)


def _cheaper(lambda_cost: Decimal, server_cost: Decimal) -> Cheaper:
    if lambda_cost < server_cost:
        return "lambda"
    if lambda_cost > server_cost:
        return "server"
    return "same"


def compare_with_server(
    *,
    requests: int,
    duration_ms: Decimal,
    memory_mb: int,
    server_monthly_usd: Decimal,
    free_tier: bool = False,
    shape: TrafficShape = "steady",
    prices: PriceTable | None = None,
) -> ServerComparison:
    """Price the month both ways. Raises pydantic ValidationError for a bad workload and
    ValueError for a server price that is not positive."""
    table = prices if prices is not None else load_prices()

    def bill_for(volume: int) -> Bill:
        return monthly_bill(
            Workload(
                requests=volume, duration_ms=duration_ms, memory_mb=memory_mb, free_tier=free_tier
            ),
            table,
        )

    bill = bill_for(requests)  # validates the workload before break_even runs
    crossing = break_even(
        server_monthly_usd,
        duration_ms=duration_ms,
        memory_mb=memory_mb,
        free_tier=free_tier,
        curve_points=2,
        prices=table,
    )
    rows = [
        ChartRow(
            requests=volume,
            lambda_cost=cost,
            server_cost=server_monthly_usd,
            cheaper=_cheaper(cost, server_monthly_usd),
        )
        for volume in CHART_VOLUMES
        for cost in [bill_for(volume).total]
    ]
    with exact():
        average = Decimal(requests) / SECONDS_PER_MONTH
        peak = average * (24 // SPIKY_BUSY_HOURS_PER_DAY) if shape == "spiky" else average
        busy_share = (Decimal(requests) * duration_ms / 1000 / SECONDS_PER_MONTH).quantize(
            FOUR_PLACES
        )
        peak_in_flight = (peak * duration_ms / 1000).quantize(FOUR_PLACES)
        average, peak = average.quantize(FOUR_PLACES), peak.quantize(FOUR_PLACES)
    cheaper = _cheaper(bill.total, server_monthly_usd)
    return ServerComparison(
        requests=requests,
        duration_ms=duration_ms,
        memory_mb=memory_mb,
        free_tier=free_tier,
        shape=shape,
        server_monthly_usd=server_monthly_usd,
        bill=bill,
        cheaper=cheaper,
        saving=abs(bill.total - server_monthly_usd),
        break_even=crossing,
        average_per_second=average,
        peak_per_second=peak,
        peak_in_flight=peak_in_flight,
        server_busy_share=busy_share,
        rows=rows,
        notice=_notice(requests, bill.total, server_monthly_usd, crossing.requests, shape, peak),
    )


def _notice(
    requests: int,
    lambda_cost: Decimal,
    server: Decimal,
    crossing: int,
    shape: TrafficShape,
    peak: Decimal,
) -> str:
    if shape == "spiky":
        return (
            f"Same requests, same Lambda bill; but the server must be sized for the spike "
            f"({peak:.2f}/s, all of a day's traffic in {SPIKY_BUSY_HOURS_PER_DAY} hour) and waits, "
            f"paid, for the other {24 - SPIKY_BUSY_HOURS_PER_DAY} hours."
        )
    if lambda_cost < server:
        return (
            f"Scale to zero: {requests:,} requests cost {money_text(lambda_cost)} on Lambda while the server bills "
            f"{usd(server)} busy or idle; only past {crossing:,} requests a month does the server win."
        )
    return (
        f"Past {crossing:,} requests a month the flat {usd(server)} server wins, as long as it has the "
        f"capacity for your peaks; Lambda keeps charging for every request."
    )
