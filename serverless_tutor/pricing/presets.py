"""The chapter's cost examples as presets, each checked against the price table.

A preset records the figure the chapter prints and which part of the bill it quotes
(the whole bill, or compute only); the engine recomputes it, and a slip explains any
difference. The chapter's text is not quoted here, only its numbers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from serverless_tutor.pricing.bill import Bill, Workload, monthly_bill
from serverless_tutor.pricing.money import cents
from serverless_tutor.pricing.prices import PriceTable

CHAPTER_SERVER_MONTHLY = Decimal(50)  # the always-on server the chapter compares against


class Preset(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    where: str
    workload: Workload
    quotes: Literal["total", "compute"]
    chapter_says: Decimal
    slip: str | None = None


class PresetCheck(BaseModel):
    model_config = ConfigDict(frozen=True)

    preset: Preset
    bill: Bill
    computed: Decimal  # exact
    matches_chapter: bool  # equal once rounded to cents


def _w(requests: int, duration_ms: int, memory_mb: int) -> Workload:
    return Workload(requests=requests, duration_ms=Decimal(duration_ms), memory_mb=memory_mb)


PRESETS: list[Preset] = [
    Preset(
        id="worked-example",
        title="Worked example: 10 M × 200 ms × 512 MB",
        where="section 9, Example Calculation",
        workload=_w(10_000_000, 200, 512),
        quotes="total",
        chapter_says=Decimal("18.67"),
    ),
    Preset(
        id="pay-per-use",
        title="Pay per use: 1 M × 200 ms × 512 MB",
        where="section 10, Pay Per Use",
        workload=_w(1_000_000, 200, 512),
        quotes="total",
        chapter_says=Decimal("18.67"),
        slip=(
            "The chapter reuses the 10 M-request total. 1 M × 0.2 s × 0.5 GB = 100,000 GB-s: "
            "$0.20 + $1.67 = $1.87 (and $0 inside the free tier)."
        ),
    ),
    Preset(
        id="right-size-512",
        title="Right-sizing: 512 MB at 200 ms (compute only)",
        where="section 9, Right-Size Memory",
        workload=_w(10_000_000, 200, 512),
        quotes="compute",
        chapter_says=Decimal("16.67"),
    ),
    Preset(
        id="right-size-1024",
        title="Right-sizing: 1024 MB at 100 ms (compute only)",
        where="section 9, Right-Size Memory",
        workload=_w(10_000_000, 100, 1024),
        quotes="compute",
        chapter_says=Decimal("16.67"),
    ),
    Preset(
        id="right-size-3008",
        title="Right-sizing: 3008 MB at 50 ms (compute only)",
        where="section 9, Right-Size Memory",
        workload=_w(10_000_000, 50, 3008),
        quotes="compute",
        chapter_says=Decimal("25.01"),
        slip=(
            "3008 MB is 2.9375 GB, not 3 GB: 10 M × 0.05 s × 2.9375 GB = 1,468,750 GB-s × $0.0000166667 = $24.48. "
            "The chapter's $25.01 is 1,500,000 GB-s (3 GB) at its rounded rate $0.00001667. "
            "(3008 MB was also the old memory maximum; it is 10,240 MB now.) These figures leave out the $2.00 request fee."
        ),
    ),
]


def preset(preset_id: str) -> Preset:
    for candidate in PRESETS:
        if candidate.id == preset_id:
            return candidate
    raise KeyError(f"no preset {preset_id!r}; known: {', '.join(p.id for p in PRESETS)}")


def check_presets(prices: PriceTable | None = None) -> list[PresetCheck]:
    checks = []
    for item in PRESETS:
        bill = monthly_bill(item.workload, prices)
        computed = bill.total if item.quotes == "total" else bill.compute_cost
        checks.append(
            PresetCheck(
                preset=item,
                bill=bill,
                computed=computed,
                matches_chapter=cents(computed) == item.chapter_says,
            )
        )
    return checks
