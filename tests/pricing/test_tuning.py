"""Power tuning: the duration model, and the strategies as Lambda Power Tuning defines them."""

from decimal import Decimal as D

import pytest

from serverless_tutor.pricing import DurationModel, tune
from serverless_tutor.pricing.tuning import cpu_share, vcpu_count


def test_vcpus_follow_memory():
    assert cpu_share(1769) == 1
    assert vcpu_count(1769) == 1
    assert vcpu_count(1770) == 2
    assert vcpu_count(10_240) == 6


def test_single_threaded_cpu_bound_code_gains_nothing_past_one_vcpu():
    model = DurationModel(cpu_ms_at_one_vcpu=D(100), io_ms=D(0))
    assert model.duration_ms(1769) == D(100)
    assert model.duration_ms(3538) == D(100)
    assert model.duration_ms(10_240) == D(100)
    assert model.duration_ms(128) > model.duration_ms(512) > model.duration_ms(1769)


def test_multithreaded_code_speeds_up_to_its_thread_count():
    model = DurationModel(cpu_ms_at_one_vcpu=D(600), io_ms=D(0), threads=4)
    assert model.duration_ms(3538) == D(300)  # 2 vCPUs
    assert model.duration_ms(7076) == D(150)  # 4 vCPUs
    assert model.duration_ms(10_240) == D(150)  # capped at 4 threads


def test_io_time_does_not_shrink():
    model = DurationModel(cpu_ms_at_one_vcpu=D(0), io_ms=D(80))
    assert {model.duration_ms(m) for m in (128, 1024, 10_240)} == {D(80)}


def test_model_through_a_measurement_reproduces_it():
    model = DurationModel.from_measurement(D(200), 512, D("0.5"))
    assert model.duration_ms(512) == D(200)
    assert model.io_ms == D(100)


def test_cpu_bound_doubling_memory_costs_nothing_and_cheapest_prefers_the_faster():
    result = tune(
        model=DurationModel.from_measurement(D(200), 512, D(1)), memory_sizes=(256, 512, 1024, 2048)
    )
    costs = {p.memory_mb: p.cost_per_invocation for p in result.points}
    assert costs[256] == costs[512] == costs[1024]
    assert costs[2048] > costs[1024]
    assert result.cheapest == 1024  # same cost as 256 and 512, but faster
    assert result.fastest == 2048


def test_io_bound_cheapest_is_the_smallest():
    result = tune(model=DurationModel(cpu_ms_at_one_vcpu=D(1), io_ms=D(300)))
    assert result.cheapest == 128


def test_measured_durations_and_balanced_weight():
    measured = {128: D(1000), 512: D(300), 1024: D(200), 3008: D(150)}
    # cost per invocation is proportional to billed ms x MB: 128000, 153600, 204800, 451200
    cheap = tune(measured=measured, balanced_weight=D(1))
    fast = tune(measured=measured, balanced_weight=D(0))
    assert cheap.cheapest == cheap.balanced == 128
    assert fast.fastest == fast.balanced == 3008
    half = tune(measured=measured)
    # w = 0.5: 128 -> .5*128000/451200 + .5*1000/1000 = 0.642; 512 -> 0.170 + 0.150 = 0.320;
    # 1024 -> 0.227 + 0.100 = 0.327; 3008 -> 0.5 + 0.075 = 0.575
    assert half.balanced == 512
    assert half.source == "measured"


def test_tune_needs_exactly_one_source():
    with pytest.raises(ValueError):
        tune()
    with pytest.raises(ValueError, match="outside"):
        tune(measured={64: D(10)})
