"""The monthly Lambda bill for one function's workload, itemized with filled-in formulas.

How the pieces are billed (us-east-1, see prices.yaml):
- Requests: every invocation, on-demand or provisioned, pays the request rate.
- Duration: GB-seconds = invocations x billed seconds x memory GB, where billed
  seconds are the duration rounded up to 1 ms and GB = MB / 1024. On-demand
  GB-seconds are tiered by monthly volume (this workload is taken as the
  account's only usage of that architecture).
- Provisioned concurrency: capacity is billed for every configured environment for
  the whole time it is configured (rounded up to 5 minutes), whether used or not.
  Invocations that run on a provisioned environment pay the (lower, untiered)
  provisioned duration rate *instead of* the on-demand duration rate. Which
  invocations those are depends on traffic shape, so the workload says it with
  `provisioned_share` (the fraction of invocation time served by provisioned
  environments). Left unset, the provisioned environments are assumed to be
  used first and fully: provisioned GB-s = min(all invocation GB-s, provisioned
  capacity GB-s), the rest spills over to on-demand. With no provisioned
  concurrency every invocation is on-demand.
- Ephemeral storage above 512 MB: extra GB x invocation seconds.
- Free tier (only when asked): 1 M requests and 400,000 GB-s of on-demand duration
  a month, taken as a credit so the gross lines stay recomputable. It never covers
  provisioned concurrency or ephemeral storage, and AWS does not apply it at all
  to a function with provisioned concurrency enabled.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from serverless_tutor import limits
from serverless_tutor.limits import MAX_EPHEMERAL_MB, MAX_MEMORY_MB, MIN_EPHEMERAL_MB, MIN_MEMORY_MB
from serverless_tutor.pricing.money import ceil_int, decimal_exponent, exact, plain, rate, usd
from serverless_tutor.pricing.prices import (
    Architecture,
    ArchitecturePrices,
    DurationTier,
    PriceTable,
    load_prices,
)

MAX_DURATION_MS = limits.MAX_TIMEOUT_S * 1000
HOURS_PER_MONTH = Decimal(limits.HOURS_PER_MONTH)  # AWS's pricing examples use 730 hours a month
MB_PER_GB = 1024


class PricingInputError(ValueError):
    """A workload that validates field by field but is inconsistent as a whole."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


class Workload(BaseModel):
    """One function's monthly usage."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requests: int = Field(ge=0, description="invocations per month")
    duration_ms: Decimal = Field(
        gt=0,
        le=MAX_DURATION_MS,
        allow_inf_nan=False,
        description="average duration of one invocation",
    )
    memory_mb: int = Field(ge=MIN_MEMORY_MB, le=MAX_MEMORY_MB)
    architecture: Architecture = "x86_64"
    free_tier: bool = False
    provisioned_concurrency: int = Field(
        default=0, ge=0, description="provisioned environments configured"
    )
    provisioned_hours: Decimal = Field(
        default=Decimal(0),
        ge=0,
        le=744,
        allow_inf_nan=False,
        description="hours a month they are configured",
    )
    ephemeral_mb: int = Field(
        default=limits.DEFAULT_EPHEMERAL_MB, ge=MIN_EPHEMERAL_MB, le=MAX_EPHEMERAL_MB
    )
    provisioned_share: Decimal | None = Field(
        default=None,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="fraction of invocation time served by provisioned environments; None: as much as their capacity allows",
    )

    @model_validator(mode="after")
    def _share_needs_provisioned(self) -> Workload:
        if self.provisioned_share and self.provisioned_concurrency == 0:
            raise ValueError("provisioned_share > 0 needs provisioned_concurrency > 0")
        return self

    @property
    def memory_gb(self) -> Decimal:
        with exact():
            return Decimal(self.memory_mb) / MB_PER_GB

    @property
    def billed_duration_ms(self) -> int:
        """Billing granularity is 1 ms: the duration rounded up."""
        return ceil_int(self.duration_ms)


class BillLine(BaseModel):
    """One line of the bill: what it is, the arithmetic with the numbers filled in, the amount."""

    model_config = ConfigDict(frozen=True)

    key: Literal[
        "requests",
        "compute",
        "provisioned_capacity",
        "provisioned_duration",
        "ephemeral",
        "free_tier_requests",
        "free_tier_compute",
    ]
    label: str
    formula: str
    amount: Decimal = Field(description="USD, exact; credits are negative")


class Bill(BaseModel):
    """A monthly bill in USD. Amounts are exact Decimals; round only to display."""

    model_config = ConfigDict(frozen=True)

    requests: int
    gb_seconds: Decimal = Field(
        description="all invocation GB-seconds (on-demand + on provisioned environments)"
    )
    request_cost: Decimal
    compute_cost: Decimal = Field(description="on-demand duration, tiered")
    provisioned_cost: Decimal = Field(
        description="provisioned capacity + duration on provisioned environments"
    )
    ephemeral_cost: Decimal
    free_tier_credit: Decimal = Field(
        description="subtracted from the sum of the lines above; never more than they are"
    )
    total: Decimal
    lines: list[BillLine]
    architecture: Architecture
    memory_mb: int
    billed_duration_ms: int
    on_demand_gb_seconds: Decimal
    provisioned_gb_seconds: Decimal = Field(
        description="invocation GB-seconds served by provisioned environments"
    )
    notes: list[str] = Field(default_factory=list)

    def to_json(self) -> dict[str, Decimal | int]:
        """The CLI's --json object (numbers in USD, full precision)."""
        return {
            "requests": self.requests,
            "gbSeconds": self.gb_seconds,
            "requestCost": self.request_cost,
            "computeCost": self.compute_cost,
            "provisionedCost": self.provisioned_cost,
            "ephemeralCost": self.ephemeral_cost,
            "freeTierCredit": self.free_tier_credit,
            "total": self.total,
        }


def gb_text(memory_mb: int) -> str:
    """Memory in GB as a learner would write it: '0.5 GB', '2.9375 GB', '1769/1024 GB'."""
    with exact():
        gb = Decimal(memory_mb) / MB_PER_GB
    if -decimal_exponent(gb.normalize()) <= 4:
        return f"{plain(gb)} GB"
    return f"{memory_mb}/1024 GB"


def seconds_text(billed_ms: int) -> str:
    with exact():
        return f"{plain(Decimal(billed_ms) / 1000)} s"


def tiered_cost(
    gb_seconds: Decimal, tiers: list[DurationTier]
) -> tuple[Decimal, list[tuple[Decimal, Decimal]]]:
    """Cost of a month's GB-seconds across the volume tiers, and the (GB-s, rate) in each band used."""
    with exact():
        cost = Decimal(0)
        parts: list[tuple[Decimal, Decimal]] = []
        lower = Decimal(0)
        for tier in tiers:
            upper = Decimal(tier.up_to_gb_seconds) if tier.up_to_gb_seconds is not None else None
            in_band = gb_seconds - lower if upper is None else min(gb_seconds, upper) - lower
            if in_band <= 0:
                break
            cost += in_band * tier.per_gb_second
            parts.append((in_band, tier.per_gb_second))
            if upper is None:
                break
            lower = upper
        return cost, parts


def free_tier_credits(
    requests: int, on_demand_gbs: Decimal, arch: ArchitecturePrices, table: PriceTable
) -> tuple[Decimal, Decimal]:
    """(request credit, compute credit): the first free requests and GB-seconds at the rates they would have cost.

    Each credit is at most the charge it offsets, so no line goes below zero.
    """
    with exact():
        request_credit = min(requests, table.free_tier.requests) * arch.request_rate
        compute_credit, _ = tiered_cost(
            min(on_demand_gbs, Decimal(table.free_tier.gb_seconds)), arch.duration_tiers
        )
        return request_credit, compute_credit


def _tier_text(parts: list[tuple[Decimal, Decimal]]) -> str:
    if not parts:
        return "0 GB-s"
    return " + ".join(f"{plain(gbs)} GB-s × {rate(r)}" for gbs, r in parts)


def monthly_bill(workload: Workload, prices: PriceTable | None = None) -> Bill:
    """Itemize the month's cost of workload. Raises PricingInputError for inconsistent input."""
    table = prices if prices is not None else load_prices()
    arch = table.for_architecture(workload.architecture)
    with exact():
        return _bill(workload, table, arch)


def _bill(w: Workload, table: PriceTable, arch: ArchitecturePrices) -> Bill:
    lines: list[BillLine] = []
    notes: list[str] = []
    billed_ms = w.billed_duration_ms
    billed_s = Decimal(billed_ms) / 1000
    gb = w.memory_gb
    invocation_seconds = w.requests * billed_s
    gb_seconds = invocation_seconds * gb
    usage_text = f"{plain(w.requests)} × {seconds_text(billed_ms)} × {gb_text(w.memory_mb)}"
    if Decimal(billed_ms) != w.duration_ms:
        notes.append(f"{plain(w.duration_ms)} ms is billed as {billed_ms} ms (rounded up to 1 ms).")

    # Provisioned concurrency: capacity, and which invocation time runs on it.
    provisioned_seconds = Decimal(0)
    capacity_gbs = Decimal(0)
    if w.provisioned_concurrency:
        step = table.provisioned_rounding_seconds
        raw_seconds = w.provisioned_hours * 3600
        provisioned_seconds = Decimal(ceil_int(raw_seconds / step) * step)
        if provisioned_seconds != raw_seconds:
            notes.append(
                f"Provisioned time {plain(w.provisioned_hours)} h is billed as {plain(provisioned_seconds)} s "
                f"(rounded up to {step // 60} minutes)."
            )
        capacity_gbs = w.provisioned_concurrency * provisioned_seconds * gb
    if w.provisioned_share is None:
        provisioned_gbs = min(gb_seconds, capacity_gbs)
    else:
        provisioned_gbs = gb_seconds * w.provisioned_share
        if provisioned_gbs > capacity_gbs:
            raise PricingInputError(
                "provisioned_share",
                f"{plain(w.provisioned_share)} of the invocation time is {plain(provisioned_gbs)} GB-s, more than the "
                f"{plain(capacity_gbs)} GB-s that {w.provisioned_concurrency} provisioned environment(s) for "
                f"{plain(w.provisioned_hours)} h can serve",
            )
    on_demand_gbs = gb_seconds - provisioned_gbs

    request_cost = w.requests * arch.request_rate
    lines.append(
        BillLine(
            key="requests",
            label="Requests",
            formula=f"{plain(w.requests)} × {rate(arch.request_per_million)} / 1M = {usd(request_cost)}",
            amount=request_cost,
        )
    )

    compute_cost, parts = tiered_cost(on_demand_gbs, arch.duration_tiers)
    if provisioned_gbs:
        od_text = f"{plain(on_demand_gbs)} GB-s on-demand (of {plain(gb_seconds)} = {usage_text})"
    else:
        od_text = f"{usage_text} = {plain(gb_seconds)} GB-s"
    lines.append(
        BillLine(
            key="compute",
            label="Compute" + (" (tiered)" if len(parts) > 1 else ""),
            formula=f"{od_text}; {_tier_text(parts)} = {usd(compute_cost)}",
            amount=compute_cost,
        )
    )

    provisioned_cost = Decimal(0)
    if w.provisioned_concurrency:
        capacity_cost = capacity_gbs * arch.provisioned_capacity_per_gb_second
        lines.append(
            BillLine(
                key="provisioned_capacity",
                label="Provisioned capacity",
                formula=(
                    f"{w.provisioned_concurrency} env × {plain(provisioned_seconds)} s × {gb_text(w.memory_mb)} = "
                    f"{plain(capacity_gbs)} GB-s × {rate(arch.provisioned_capacity_per_gb_second)} = {usd(capacity_cost)}"
                ),
                amount=capacity_cost,
            )
        )
        duration_cost = provisioned_gbs * arch.provisioned_duration_per_gb_second
        share = Decimal(0) if not gb_seconds else provisioned_gbs / gb_seconds
        how = "set share" if w.provisioned_share is not None else "capacity used first"
        lines.append(
            BillLine(
                key="provisioned_duration",
                label="Duration on provisioned",
                formula=(
                    f"{plain(provisioned_gbs)} GB-s ({plain((share * 100).quantize(Decimal('0.01')))}% of invocation time, {how}) × "
                    f"{rate(arch.provisioned_duration_per_gb_second)} = {usd(duration_cost)}"
                ),
                amount=duration_cost,
            )
        )
        provisioned_cost = capacity_cost + duration_cost

    ephemeral_cost = Decimal(0)
    extra_mb = w.ephemeral_mb - table.ephemeral_included_mb
    if extra_mb > 0:
        ephemeral_gbs = invocation_seconds * Decimal(extra_mb) / MB_PER_GB
        ephemeral_cost = ephemeral_gbs * arch.ephemeral_per_gb_second
        lines.append(
            BillLine(
                key="ephemeral",
                label=f"Ephemeral /tmp above {table.ephemeral_included_mb} MB",
                formula=(
                    f"{plain(w.requests)} × {seconds_text(billed_ms)} × {gb_text(extra_mb)} = {plain(ephemeral_gbs)} GB-s × "
                    f"{rate(arch.ephemeral_per_gb_second)} = {usd(ephemeral_cost)}"
                ),
                amount=ephemeral_cost,
            )
        )

    credit = Decimal(0)
    if w.free_tier and w.provisioned_concurrency:
        notes.append(
            "Free tier not applied: AWS does not apply it to functions with provisioned concurrency enabled."
        )
    elif w.free_tier:
        free = table.free_tier
        request_credit, compute_credit = free_tier_credits(w.requests, on_demand_gbs, arch, table)
        lines.append(
            BillLine(
                key="free_tier_requests",
                label="Free tier: requests",
                formula=f"-min({plain(w.requests)}, {plain(free.requests)}) × {rate(arch.request_per_million)} / 1M = {usd(-request_credit)}",
                amount=-request_credit,
            )
        )
        _, free_parts = tiered_cost(
            min(on_demand_gbs, Decimal(free.gb_seconds)), arch.duration_tiers
        )
        lines.append(
            BillLine(
                key="free_tier_compute",
                label="Free tier: compute",
                formula=f"-min({plain(on_demand_gbs)}, {plain(free.gb_seconds)}) GB-s; {_tier_text(free_parts)} = {usd(-compute_credit)}",
                amount=-compute_credit,
            )
        )
        credit = request_credit + compute_credit

    total = request_cost + compute_cost + provisioned_cost + ephemeral_cost - credit
    return Bill(
        requests=w.requests,
        gb_seconds=gb_seconds,
        request_cost=request_cost,
        compute_cost=compute_cost,
        provisioned_cost=provisioned_cost,
        ephemeral_cost=ephemeral_cost,
        free_tier_credit=credit,
        total=total,
        lines=lines,
        architecture=w.architecture,
        memory_mb=w.memory_mb,
        billed_duration_ms=billed_ms,
        on_demand_gb_seconds=on_demand_gbs,
        provisioned_gb_seconds=provisioned_gbs,
        notes=notes,
    )
