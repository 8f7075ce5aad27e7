"""The simulator against the closed forms in docs/facts.md."""

import math

import pytest

from serverless_tutor.sim import (
    Constant,
    Exponential,
    FunctionProfile,
    LifecycleModel,
    PoissonArrivals,
    Policy,
    SimConfig,
    erlang_b,
    replicate,
    single_instance_cold_probability,
)


def test_closed_form_values_match_facts():
    assert single_instance_cold_probability(1 / 300, 0.1, 600) == pytest.approx(0.1356, abs=0.0001)
    assert erlang_b(2 * 1.991, 5) == pytest.approx(0.197, abs=0.001)
    assert erlang_b(1.0, 1) == pytest.approx(0.5)
    assert erlang_b(3.0, 0) == 1.0


def test_cold_start_probability_matches_single_instance_closed_form():
    """Poisson 1/300 per s, constant warm 0.1 s, cold 0.6 s, keep-alive 600 s: P(cold) ~ 0.1356.

    Whether a request is cold depends on the gap before it, and gaps are independent,
    so the cold count is (close to) binomial: SE = sqrt(p(1-p)/n), about 0.0011 for
    the ~100,000 requests of a 3e7 s horizon. We allow 4 SE.
    """
    config = SimConfig(
        arrivals=PoissonArrivals(rate_per_s=1 / 300),
        profile=FunctionProfile(warm=Constant(value_s=0.1), cold=Constant(value_s=0.6)),
        policy=Policy(keep_alive_s=600),
        horizon_s=3e7,
        seed=7,
    )
    result = LifecycleModel(config).run()
    expected = single_instance_cold_probability(1 / 300, 0.1, 600)
    standard_error = math.sqrt(expected * (1 - expected) / result.requests)
    assert result.requests > 95_000
    assert abs(result.cold_start_probability - expected) < 4 * standard_error


def test_rejection_probability_is_erlang_b():
    """Max concurrency 5, Poisson 2/s, exponential service mean 1.991 s (warm = cold), no queue:
    an M/M/5/5 loss system, so P(reject) = Erlang B(3.982, 5) ~ 0.1975.

    Rejections cluster in time, so the error is estimated from 10 independent
    replications (SE = sd / sqrt(10)); we allow 4 SE.
    """
    config = SimConfig(
        arrivals=PoissonArrivals(rate_per_s=2.0),
        profile=FunctionProfile(warm=Exponential(mean_s=1.991), cold=Exponential(mean_s=1.991)),
        policy=Policy(max_concurrency=5),
        horizon_s=5_000,
        seed=11,
    )
    summary = replicate(config, 10)
    estimate = summary.estimates["rejection_probability"]
    expected = erlang_b(2 * 1.991, 5)
    standard_error = estimate.stdev / math.sqrt(estimate.runs)
    assert 0 < standard_error < 0.01
    assert abs(estimate.mean - expected) < 4 * standard_error
    assert all(run.avg_running <= 5 for run in summary.runs)
