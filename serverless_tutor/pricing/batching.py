"""Batching: N items processed one per invocation versus in batches of B.

Each invocation costs a fixed overhead (handler start, connections, logging) plus a
time per item. One item per invoke pays the overhead and the request fee N times;
batches of B pay them ceil(N / B) times. The items inside a batch are taken to run one
after another, so per_item_ms is what each extra item adds to the invocation's duration
(if items run concurrently, as with asyncio.gather, measure that and pass it). A batch
must still finish within Lambda's 900 s timeout.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from serverless_tutor.limits import MAX_MEMORY_MB, MIN_MEMORY_MB
from serverless_tutor.pricing.bill import (
    MAX_DURATION_MS,
    MB_PER_GB,
    PricingInputError,
    free_tier_credits,
    tiered_cost,
)
from serverless_tutor.pricing.money import ceil_int, exact
from serverless_tutor.pricing.prices import Architecture, PriceTable, load_prices


class BatchPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    batch_size: int
    invocations: int
    full_batch_duration_ms: Decimal = Field(
        description="duration of one invocation with a full batch"
    )
    gb_seconds: Decimal
    request_cost: Decimal
    compute_cost: Decimal
    free_tier_credit: Decimal
    total: Decimal
    formula: str


class BatchComparison(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: int
    overhead_ms: Decimal
    per_item_ms: Decimal
    memory_mb: int
    architecture: Architecture
    one_per_invoke: BatchPlan
    batched: BatchPlan
    savings: Decimal = Field(description="one_per_invoke.total - batched.total (USD)")


def plan(
    items: int,
    batch_size: int,
    overhead_ms: Decimal,
    per_item_ms: Decimal,
    memory_mb: int,
    architecture: Architecture = "x86_64",
    free_tier: bool = False,
    prices: PriceTable | None = None,
) -> BatchPlan:
    """The monthly cost of processing items in batches of batch_size (1 = one per invoke)."""
    if items < 0:
        raise PricingInputError("items", "must be 0 or more")
    if batch_size < 1:
        raise PricingInputError("batch_size", "must be 1 or more")
    if overhead_ms < 0 or per_item_ms < 0 or overhead_ms + per_item_ms <= 0:
        raise PricingInputError(
            "overhead_ms", "overhead and per-item time must be 0 or more, and not both 0"
        )
    if not MIN_MEMORY_MB <= memory_mb <= MAX_MEMORY_MB:
        raise PricingInputError("memory_mb", f"must be between {MIN_MEMORY_MB} and {MAX_MEMORY_MB}")
    table = prices if prices is not None else load_prices()
    arch = table.for_architecture(architecture)
    with exact():
        full_duration = overhead_ms + batch_size * per_item_ms
        if full_duration > MAX_DURATION_MS:
            raise PricingInputError(
                "batch_size",
                f"a batch of {batch_size} takes {full_duration} ms, over Lambda's {MAX_DURATION_MS:,} ms timeout",
            )
        full_batches, remainder = divmod(items, batch_size)
        billed_ms = full_batches * ceil_int(full_duration)
        if remainder:
            billed_ms += ceil_int(overhead_ms + remainder * per_item_ms)
        invocations = full_batches + (1 if remainder else 0)
        gb_seconds = Decimal(billed_ms) / 1000 * Decimal(memory_mb) / MB_PER_GB
        request_cost = invocations * arch.request_rate
        compute_cost, _ = tiered_cost(gb_seconds, arch.duration_tiers)
        credit = (
            sum(free_tier_credits(invocations, gb_seconds, arch, table), Decimal(0))
            if free_tier
            else Decimal(0)
        )
        total = request_cost + compute_cost - credit
    rest = f" + 1 × ({overhead_ms} + {remainder} × {per_item_ms}) ms" if remainder else ""
    formula = (
        f"{invocations:,} invocations: {full_batches:,} × ({overhead_ms} + {batch_size} × {per_item_ms}) ms{rest}"
        f" = {billed_ms:,} billed ms at {memory_mb} MB"
    )
    return BatchPlan(
        batch_size=batch_size,
        invocations=invocations,
        full_batch_duration_ms=full_duration,
        gb_seconds=gb_seconds,
        request_cost=request_cost,
        compute_cost=compute_cost,
        free_tier_credit=credit,
        total=total,
        formula=formula,
    )


def compare_batching(
    items: int,
    batch_size: int,
    overhead_ms: Decimal,
    per_item_ms: Decimal,
    memory_mb: int,
    architecture: Architecture = "x86_64",
    free_tier: bool = False,
    prices: PriceTable | None = None,
) -> BatchComparison:
    single = plan(items, 1, overhead_ms, per_item_ms, memory_mb, architecture, free_tier, prices)
    batched = plan(
        items, batch_size, overhead_ms, per_item_ms, memory_mb, architecture, free_tier, prices
    )
    return BatchComparison(
        items=items,
        overhead_ms=overhead_ms,
        per_item_ms=per_item_ms,
        memory_mb=memory_mb,
        architecture=architecture,
        one_per_invoke=single,
        batched=batched,
        savings=single.total - batched.total,
    )
