from decimal import Decimal as D

import pytest

from serverless_tutor.pricing import PricingInputError, compare_batching, plan


def test_batches_pay_overhead_and_request_fee_once_per_batch():
    result = compare_batching(1_000_000, 100, D(20), D(5), 512)
    assert result.one_per_invoke.invocations == 1_000_000
    assert result.batched.invocations == 10_000
    # one per invoke: 1 M x 25 ms x 0.5 GB = 12,500 GB-s; batched: 10,000 x 520 ms x 0.5 GB = 2,600 GB-s
    assert result.one_per_invoke.gb_seconds == D(12_500)
    assert result.batched.gb_seconds == D(2_600)
    assert result.one_per_invoke.total == D("0.2") + 12_500 * D("0.0000166667")
    assert result.batched.total == D("0.002") + 2_600 * D("0.0000166667")
    assert result.savings == result.one_per_invoke.total - result.batched.total


def test_a_partial_last_batch_is_billed_for_its_own_duration():
    result = plan(250, 100, D(10), D("1.5"), 1024)
    assert result.invocations == 3
    # 2 x ceil(10 + 150) + ceil(10 + 75) = 320 + 85 = 405 ms at 1 GB
    assert result.gb_seconds == D("0.405")


def test_a_batch_must_fit_in_the_timeout():
    with pytest.raises(PricingInputError, match="timeout"):
        plan(10, 1000, D(0), D(1000), 512)
