"""Lambda cost engine: the monthly bill, power tuning, break-even against a server, batching.

Pure Python; returns pydantic models; never prints. Prices come from prices.yaml.
"""

from serverless_tutor.pricing.batching import BatchComparison, BatchPlan, compare_batching, plan
from serverless_tutor.pricing.bill import Bill, BillLine, PricingInputError, Workload, monthly_bill
from serverless_tutor.pricing.breakeven import BreakEven, CurvePoint, break_even
from serverless_tutor.pricing.presets import (
    CHAPTER_SERVER_MONTHLY,
    PRESETS,
    Preset,
    PresetCheck,
    check_presets,
    preset,
)
from serverless_tutor.pricing.prices import ArchitecturePrices, PriceTable, load_prices
from serverless_tutor.pricing.tuning import DurationModel, TuningPoint, TuningResult, tune

__all__ = [
    "CHAPTER_SERVER_MONTHLY",
    "PRESETS",
    "ArchitecturePrices",
    "BatchComparison",
    "BatchPlan",
    "Bill",
    "BillLine",
    "BreakEven",
    "CurvePoint",
    "DurationModel",
    "Preset",
    "PresetCheck",
    "PriceTable",
    "PricingInputError",
    "TuningPoint",
    "TuningResult",
    "Workload",
    "break_even",
    "check_presets",
    "compare_batching",
    "load_prices",
    "monthly_bill",
    "plan",
    "preset",
    "tune",
]
