"""The monthly bill against figures worked out by hand from prices.yaml (docs/facts.md)."""

from decimal import Decimal as D

import pytest
from pydantic import ValidationError

from serverless_tutor.pricing import PricingInputError, Workload, load_prices, monthly_bill
from serverless_tutor.pricing.money import cents


def bill(**fields):
    fields.setdefault("duration_ms", D(200))
    fields.setdefault("memory_mb", 512)
    return monthly_bill(Workload(**fields))


def test_chapter_worked_example_10m_200ms_512mb():
    result = bill(requests=10_000_000)
    assert result.gb_seconds == D(1_000_000)
    assert result.request_cost == D("2.00")
    assert result.compute_cost == D("16.6667")  # 1,000,000 GB-s x $0.0000166667, exactly
    assert result.total == D("18.6667")
    assert cents(result.total) == D("18.67")
    assert sum(line.amount for line in result.lines) == result.total
    assert "10,000,000 × 0.2 s × 0.5 GB = 1,000,000 GB-s" in result.lines[1].formula


def test_pay_per_use_is_1_87_not_18_67():
    result = bill(requests=1_000_000)
    assert cents(result.total) == D("1.87")


def test_crossing_the_first_x86_tier():
    # 1,000,000,000 invocations x 10 s x 1 GB = 10 B GB-s: 6 B in the first band, 4 B in the second.
    result = bill(requests=1_000_000_000, duration_ms=D(10_000), memory_mb=1024)
    assert result.gb_seconds == D(10_000_000_000)
    by_hand = 6_000_000_000 * D("0.0000166667") + 4_000_000_000 * D("0.000015")
    assert by_hand == D("160000.2")  # 100,000.2 + 60,000
    assert result.compute_cost == by_hand
    assert result.request_cost == D(200)
    assert (
        "6,000,000,000 GB-s × $0.0000166667 + 4,000,000,000 GB-s × $0.000015"
        in result.lines[1].formula
    )


def test_all_three_arm_tiers():
    # 2 B invocations x 10 s x 1 GB = 20 B GB-s: 7.5 B + 11.25 B + 1.25 B.
    result = bill(
        requests=2_000_000_000, duration_ms=D(10_000), memory_mb=1024, architecture="arm64"
    )
    by_hand = (
        7_500_000_000 * D("0.0000133334")
        + 11_250_000_000 * D("0.0000120001")
        + 1_250_000_000 * D("0.0000106667")
    )
    assert result.compute_cost == by_hand


def test_arm64_first_tier_rate():
    result = bill(requests=10_000_000, architecture="arm64")
    assert result.compute_cost == 1_000_000 * D("0.0000133334")
    assert result.request_cost == D(2)


def test_duration_is_billed_rounded_up_to_the_millisecond():
    result = bill(requests=1000, duration_ms=D("100.2"), memory_mb=1024)
    assert result.billed_duration_ms == 101
    assert result.gb_seconds == D("101")  # 1000 x 0.101 s x 1 GB
    assert any("billed as 101 ms" in note for note in result.notes)


def test_memory_gb_is_mb_over_1024():
    result = bill(requests=10_000_000, duration_ms=D(50), memory_mb=3008)
    assert result.gb_seconds == D("1468750")  # 2.9375 GB, not 3
    assert cents(result.compute_cost) == D("24.48")


def test_free_tier_credits_first_million_requests_and_400k_gb_seconds():
    result = bill(requests=10_000_000, free_tier=True)
    assert result.free_tier_credit == D("0.20") + 400_000 * D("0.0000166667")
    assert result.total == D("18.6667") - D("0.2") - D("6.66668")
    assert [line.key for line in result.lines][-2:] == ["free_tier_requests", "free_tier_compute"]


def test_free_tier_covers_a_small_workload_entirely():
    result = bill(requests=1_000_000, duration_ms=D(100), memory_mb=128, free_tier=True)
    assert result.total == 0


def test_free_tier_is_off_unless_asked():
    assert bill(requests=1_000_000).free_tier_credit == 0


def test_provisioned_capacity_and_duration():
    # 2 environments x 1 h x 1 GB = 7,200 GB-s of capacity; 10,000 x 0.1 s x 1 GB = 1,000 GB-s of invocations, all served.
    result = bill(
        requests=10_000,
        duration_ms=D(100),
        memory_mb=1024,
        provisioned_concurrency=2,
        provisioned_hours=D(1),
    )
    assert result.provisioned_gb_seconds == D(1000)
    assert result.on_demand_gb_seconds == 0
    assert result.compute_cost == 0
    assert result.provisioned_cost == 7200 * D("0.0000041667") + 1000 * D("0.0000097222")
    assert result.request_cost == 10_000 * D("0.0000002")


def test_provisioned_time_is_rounded_up_to_five_minutes():
    result = bill(
        requests=0, memory_mb=1024, provisioned_concurrency=1, provisioned_hours=D("0.01")
    )  # 36 s -> 300 s
    assert result.provisioned_cost == 300 * D("0.0000041667")


def test_invocations_beyond_provisioned_capacity_spill_over_to_on_demand():
    # capacity 1 env x 300 s x 1 GB = 300 GB-s; invocations 5,000 x 0.1 s x 1 GB = 500 GB-s.
    result = bill(
        requests=5000,
        duration_ms=D(100),
        memory_mb=1024,
        provisioned_concurrency=1,
        provisioned_hours=D("0.05"),
    )
    assert result.provisioned_gb_seconds == 300
    assert result.on_demand_gb_seconds == 200
    assert result.compute_cost == 200 * D("0.0000166667")


def test_provisioned_share_sets_the_split_and_cannot_exceed_capacity():
    result = bill(
        requests=10_000,
        duration_ms=D(100),
        memory_mb=1024,
        provisioned_concurrency=2,
        provisioned_hours=D(1),
        provisioned_share=D("0.25"),
    )
    assert result.provisioned_gb_seconds == 250
    assert result.on_demand_gb_seconds == 750
    with pytest.raises(PricingInputError, match="provisioned_share"):
        bill(
            requests=10_000_000,
            duration_ms=D(100),
            memory_mb=1024,
            provisioned_concurrency=1,
            provisioned_hours=D(1),
            provisioned_share=D(1),
        )


def test_free_tier_never_applies_to_a_function_with_provisioned_concurrency():
    result = bill(
        requests=10_000, provisioned_concurrency=1, provisioned_hours=D(1), free_tier=True
    )
    assert result.free_tier_credit == 0
    assert any("provisioned concurrency" in note for note in result.notes)


def test_ephemeral_storage_above_512_mb():
    # 1,000,000 x 0.2 s x (2048 - 512) / 1024 GB = 300,000 GB-s
    result = bill(requests=1_000_000, ephemeral_mb=2048)
    assert result.ephemeral_cost == 300_000 * D("0.0000000309")
    assert bill(requests=1_000_000, ephemeral_mb=512).ephemeral_cost == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"requests": -1},
        {"requests": 1, "memory_mb": 127},
        {"requests": 1, "memory_mb": 10_241},
        {"requests": 1, "architecture": "sparc"},
        {"requests": 1, "ephemeral_mb": 511},
        {"requests": 1, "ephemeral_mb": 10_241},
        {"requests": 1, "duration_ms": D(0)},
        {"requests": 1, "provisioned_share": D("0.5")},
    ],
)
def test_bad_workloads_are_refused(fields):
    with pytest.raises(ValidationError):
        bill(**fields)


def test_money_stays_exact_in_a_narrow_decimal_context():
    import decimal

    with decimal.localcontext(prec=6):
        result = bill(requests=123_456_789, duration_ms=D("123.4"), memory_mb=1769)
    assert result.total == bill(requests=123_456_789, duration_ms=D("123.4"), memory_mb=1769).total
    assert len(result.total.as_tuple().digits) > 6


def test_prices_come_from_the_data_file():
    table = load_prices()
    assert str(table.source).startswith("https://aws.amazon.com/lambda/pricing")
    assert table.for_architecture("x86_64").duration_tiers[0].up_to_gb_seconds == 6_000_000_000
    assert table.for_architecture("arm64").duration_tiers[1].up_to_gb_seconds == 18_750_000_000
