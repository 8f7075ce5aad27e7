"""Init inside / outside / lazy, the parameter sweep, and the text chart."""

import pytest

from serverless_tutor.sim import PoissonArrivals, SimConfig, compare_init_styles, sweep
from serverless_tutor.sim.chart import bar, bar_chart
from serverless_tutor.sim.sweep import with_parameter


def test_init_styles_move_the_client_setup_between_init_and_every_request():
    rows = {
        row.style: row
        for row in compare_init_styles(
            runtime_init_s=0.22, client_init_s=0.15, handler_s=0.05, needs_client_share=0.4
        )
    }
    assert rows["inside"].warm_request_s == pytest.approx(0.20)
    assert rows["outside"].warm_request_s == pytest.approx(0.05)
    assert rows["outside"].init_s == pytest.approx(0.37)
    assert rows["lazy"].init_s == pytest.approx(0.22)
    assert rows["lazy"].cold_request_s == pytest.approx(0.22 + 0.4 * 0.15 + 0.05)
    assert rows["inside"].cold_request_s == rows["outside"].cold_request_s


def test_init_styles_simulated_on_the_same_traffic():
    workload = SimConfig.simple(
        arrival_rate=0.2, warm_s=0.05, cold_s=0.3, keep_alive_s=300, horizon_s=20_000
    )
    rows = {
        row.style: row
        for row in compare_init_styles(
            runtime_init_s=0.22, client_init_s=0.15, handler_s=0.05, workload=workload
        )
    }
    inside, outside = rows["inside"].simulated, rows["outside"].simulated
    assert inside.requests == outside.requests  # same arrivals
    assert inside.latency_ms.p50 == pytest.approx(200.0)
    assert outside.latency_ms.p50 == pytest.approx(50.0)
    assert inside.cost.compute_cost > outside.cost.compute_cost


def test_sweep_keep_alive_lowers_cold_starts_and_keeps_the_arrivals():
    config = SimConfig.simple(
        arrival_rate=0.01, warm_s=0.1, cold_s=0.6, keep_alive_s=600, horizon_s=200_000
    )
    result = sweep(config, "keep-alive-s", [60, 300, 900])
    probabilities = [point.result.cold_start_probability for point in result.points]
    assert probabilities == sorted(probabilities, reverse=True)
    assert len({point.result.requests for point in result.points}) == 1
    assert result.label == "keep-alive (s)"


def test_sweep_parameters_are_checked():
    config = SimConfig.simple(arrival_rate=1, warm_s=0.1, cold_s=0.6, max_concurrency=5)
    assert with_parameter(config, "warmup-every-s", 0).policy.warmup_every_s is None
    assert with_parameter(config, "arrival-rate", 3).arrivals == PoissonArrivals(rate_per_s=3)
    with pytest.raises(ValueError, match="whole numbers"):
        with_parameter(config, "provisioned", 1.5)
    with pytest.raises(ValueError, match="0 to max concurrency"):
        with_parameter(config, "provisioned", 6)
    with pytest.raises(ValueError, match="unknown parameter"):
        with_parameter(config, "colour", 1)


def test_bar_chart_scales_to_the_largest_value():
    lines = bar_chart([("60", 0.5), ("600", 0.25), ("6000", 0.0)], width=40, value_format="{:.2f}")
    assert all(len(line) == 39 for line in lines)
    assert lines[0].count("█") == 2 * lines[1].count("█")
    assert "█" not in lines[2]
    assert bar(1, 8, 1) == "▏" and bar(0, 8, 5) == ""
