"""The panel's settings as a simulation, and the thin cost adapter over the pricing engine."""

from decimal import Decimal

import pytest

from serverless_tutor.pricing import Workload, monthly_bill
from serverless_tutor.sim import LifecycleModel, SimConfig, TraceArrivals
from serverless_tutor.sim.cost import simulation_cost
from serverless_tutor.sim.lifecycle_settings import LifecycleSettings


def test_settings_become_the_model_the_panel_animates():
    settings = LifecycleSettings(
        runtime="nodejs",
        package_mb=14,
        init_code_ms=200,
        handler_ms=50,
        keep_alive_s=300,
        provisioned=1,
        warmup_every_s=60,
        traffic_per_s=0,
    )
    profile = settings.profile()
    assert profile.cold_mode == "init_plus_warm"
    assert profile.init.mean == pytest.approx(1.7 + 0.2)  # 14 MB on Node.js, plus the init code
    assert profile.init_split.fractions()[0] == pytest.approx(1.44 / 1.9)
    assert settings.arrivals() is None
    policy = settings.policy()
    assert (policy.keep_alive_s, policy.provisioned, policy.warmup_every_s) == (300, 1, 60)
    experiment = settings.experiment_config()
    assert experiment.arrivals.rate_per_s == pytest.approx(
        0.05
    )  # some load even with no traffic set
    assert experiment.horizon_s == pytest.approx(86_400)


def test_cost_matches_the_pricing_engine_for_the_simulated_invocations():
    config = SimConfig(
        arrivals=TraceArrivals(times_s=[0.0, 10.0, 20.0]),
        profile={
            "warm": {"kind": "const", "value_s": 0.2},
            "cold": {"kind": "const", "value_s": 1.0},
            "memory_mb": 512,
        },
        horizon_s=3600.0,
    )
    result = LifecycleModel(config).run()
    assert result.billed_ms == 1000 + 200 + 200
    expected = monthly_bill(Workload(requests=3, duration_ms=Decimal(1400) / 3, memory_mb=512))
    assert result.cost.total == expected.total
    assert result.cost.period == "simulated"


def test_month_scaling_and_periods_beyond_a_month():
    month = simulation_cost(
        invocations=100,
        billed_ms=10_000,
        simulated_s=3600.0,
        memory_mb=128,
        architecture="x86_64",
        provisioned=0,
        provisioned_share=Decimal(0),
        period="month",
    )
    assert month.invocations == 73_000 and month.period == "month"
    assert (
        simulation_cost(
            invocations=1,
            billed_ms=1,
            simulated_s=800 * 3600.0,
            memory_mb=128,
            architecture="x86_64",
            provisioned=0,
            provisioned_share=Decimal(0),
        )
        is None
    )


def test_a_fully_busy_provisioned_fleet_stays_within_its_capacity():
    # 1 environment busy all hour in 7 calls: the bill rounds 514,285.7 ms up, a hair over capacity.
    cost = simulation_cost(
        invocations=7,
        billed_ms=3_600_000,
        simulated_s=3600.0,
        memory_mb=1024,
        architecture="x86_64",
        provisioned=1,
        provisioned_share=Decimal(1),
    )
    assert cost.provisioned_cost > 0 and cost.compute_cost < Decimal(
        "0.000001"
    )  # only the rounding spills over
