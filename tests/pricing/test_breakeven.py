"""Break-even against an always-on server, solved on the exact (tiered) bill."""

from decimal import Decimal as D

import pytest

from serverless_tutor.pricing import Workload, break_even, monthly_bill


def cost(requests: int, **fields) -> D:
    return monthly_bill(Workload(requests=requests, **fields)).total


def test_chapter_server_against_200ms_512mb():
    result = break_even(D(50), duration_ms=D(200), memory_mb=512)
    # each request: $0.0000002 + 0.1 GB-s x $0.0000166667 = $0.00000186667 -> 50 / that = 26,785,666.45...
    assert result.exact_requests == D("26785666.4542")
    assert result.requests == 26_785_667
    assert (
        cost(26_785_666, duration_ms=D(200), memory_mb=512)
        < 50
        <= cost(26_785_667, duration_ms=D(200), memory_mb=512)
    )
    assert result.curve[0].lambda_cost == 0 and result.curve[-1].lambda_cost > 50


def test_free_tier_moves_break_even_up_by_the_free_allowance():
    plain = break_even(D(50), duration_ms=D(200), memory_mb=512)
    free = break_even(D(50), duration_ms=D(200), memory_mb=512, free_tier=True)
    fields = dict(duration_ms=D(200), memory_mb=512, free_tier=True)
    assert cost(free.requests - 1, **fields) < 50 <= cost(free.requests, **fields)
    assert free.requests > plain.requests


def test_break_even_beyond_the_first_tier_matches_the_tiered_bill():
    # 10 s at 10 GB is 100 GB-s per request: the first tier ends at 60 M requests ($100,000.20 + $12).
    result = break_even(D(200_000), duration_ms=D(10_000), memory_mb=10_240)
    fields = dict(duration_ms=D(10_000), memory_mb=10_240)
    assert result.requests > 60_000_000
    assert cost(result.requests - 1, **fields) < 200_000 <= cost(result.requests, **fields)
    # by hand: 6e9 x 0.0000166667 = 100,000.2; the rest at 0.000015 per GB-s + 0.0000002 per request
    by_hand = D(60_000_000) + (D(200_000) - D("100000.2") - D(60_000_000) * D("0.0000002")) / (
        D(100) * D("0.000015") + D("0.0000002")
    )
    assert abs(result.exact_requests - by_hand) < D("0.001")


def test_server_price_must_be_positive():
    with pytest.raises(ValueError):
        break_even(D(0), duration_ms=D(100), memory_mb=128)
