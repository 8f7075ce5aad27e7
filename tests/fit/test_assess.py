"""The fit engine: every chapter use case gets the chapter's verdict for the right reason, with figures."""

import math
from decimal import Decimal

import pytest
from pydantic import ValidationError

from serverless_tutor.fit import PRESETS, FitWorkload, assess, preset
from serverless_tutor.pricing import Workload, monthly_bill
from serverless_tutor.pricing.money import cents
from serverless_tutor.sim.closed_forms import single_instance_cold_probability

EXPECTED = {  # preset id -> (verdict, key reason)
    "rest-api": ("good fit", "traffic"),
    "image-upload": ("good fit", "traffic"),
    "scheduled-cleanup": ("good fit", "traffic"),
    "webhooks": ("good fit", "traffic"),
    "game-server": ("poor fit", "in-memory-state"),
    "video-transcode": ("poor fit", "timeout"),
    "ml-training": ("poor fit", "gpu-memory"),
    "steady-api": ("poor fit", "steady-cost"),
}


def test_every_preset_is_checked():
    assert {p.id for p in PRESETS} == set(EXPECTED)


@pytest.mark.parametrize("preset_id", list(EXPECTED))
def test_preset_verdict_and_key_reason(preset_id):
    verdict, key = EXPECTED[preset_id]
    chosen = preset(preset_id)
    result = assess(chosen.workload)
    assert result.verdict == verdict
    assert result.key_reason.key == key
    assert (verdict == "good fit") == (chosen.chapter_says == "good")
    for reason in result.reasons:
        assert reason.rests_on and reason.section
        assert reason.lesson in {6, 10, 11}


def test_game_server_also_breaks_the_time_limit_and_needs_care_with_connections():
    result = assess(preset("game-server").workload)
    assert set(result.keys("against")) == {"in-memory-state", "timeout"}
    assert result.keys("care") == ["connections"]
    assert result.monthly_cost_usd is None  # it cannot run on Lambda as it is


def test_transcode_names_the_900_s_cap():
    reason = assess(preset("video-transcode").workload).key_reason
    assert "900 s" in reason.rests_on and "8.0x" in reason.text
    assert reason.lesson == 11


def test_ml_training_names_gpus_and_the_memory_limit():
    reason = assess(preset("ml-training").workload).key_reason
    assert "no GPU" in reason.rests_on and "10,240 MB" in reason.rests_on


def test_rest_api_bill_is_the_chapter_pay_per_use_example():
    result = assess(preset("rest-api").workload)
    expected = monthly_bill(
        Workload(requests=1_000_000, duration_ms=Decimal(200), memory_mb=512)
    ).total
    assert result.monthly_cost_usd == expected
    assert cents(expected) == Decimal("1.87")  # docs/facts.md: 1 M x 0.2 s x 0.5 GB = $0.20 + $1.67
    assert "$1.87" in next(r.text for r in result.reasons if r.key == "cost")


def test_rest_api_cold_share_comes_from_the_closed_form_with_assumed_keep_alive():
    result = assess(preset("rest-api").workload)
    # A 730-hour month is 730 x 3,600 = 2,628,000 s, so 1 M requests arrive at
    # 1,000,000 / 2,628,000 = 0.38052 per second.
    rate = 1_000_000 / 2_628_000
    assert rate == pytest.approx(0.38052, abs=1e-5)
    assert result.cold_share == pytest.approx(single_instance_cold_probability(rate, 0.2, 600))
    assert result.cold_share == pytest.approx(math.exp(-rate * 600.2) + 1 - math.exp(-rate * 0.2))
    # exp(-0.38052 x 600.2) is about e^-228 (nothing); 1 - exp(-0.38052 x 0.2) = 1 - 0.92672 = 0.07328
    assert round(result.cold_share, 3) == 0.073
    assert "730-hour month (2,628,000 s)" in result.assumptions
    assert any("keep-alive 600 s (assumed" in a for a in result.assumptions)


def test_tighter_latency_budget_turns_the_rest_api_into_a_fit_with_care():
    workload = preset("rest-api").workload.model_copy(update={"p99_budget_ms": 300})
    result = assess(workload)
    assert result.verdict == "fit with care"
    assert result.key_reason.key == "cold-starts"
    # 0.07328 of requests are cold (see above); a cold one takes 220 + 200 = 420 ms
    assert "7.3%" in result.key_reason.text and "420 ms" in result.key_reason.text


def test_cold_starts_below_one_percent_stay_out_of_the_p99():
    workload = preset("webhooks").workload.model_copy(update={"p99_budget_ms": 200})
    result = assess(workload)
    assert result.cold_share < 0.01
    assert "cold-starts" in result.keys("for")


def test_steady_api_costs_hundreds_of_chapter_servers():
    result = assess(preset("steady-api").workload)
    assert result.average_concurrency == pytest.approx(500)
    assert result.servers_worth > 100
    assert "concurrency" in result.keys("for")  # 500 is within the default 1,000


def test_limits_that_need_care():
    base = preset("rest-api").workload
    payload = assess(base.model_copy(update={"payload_mb": 7}))
    assert payload.verdict == "fit with care" and payload.keys("care") == ["payload"]
    assert assess(base.model_copy(update={"payload_mb": 2, "invocation": "async"})).keys(
        "care"
    ) == ["payload"]
    assert (
        assess(base.model_copy(update={"payload_mb": 2})).keys("care") == []
    )  # under the 6 MB sync limit
    busy = assess(
        base.model_copy(update={"requests_per_month": 2_000_000_000, "p99_budget_ms": None})
    )
    # 2,000,000,000 / 2,628,000 s = 761 requests/s x 0.2 s = 152 at once; x10 at peak = 1,522 > 1,000
    assert busy.keys("care") == ["concurrency"]


def test_hard_latency_floor_is_a_poor_fit():
    result = assess(preset("rest-api").workload.model_copy(update={"p99_budget_ms": 5}))
    assert result.verdict == "poor fit" and result.key_reason.key == "latency-floor"


def test_bad_workloads_are_refused():
    with pytest.raises(ValidationError, match="longest_duration_s must be at least"):
        FitWorkload(typical_duration_s=10, longest_duration_s=1, requests_per_month=1)
    with pytest.raises(ValidationError, match="memory_mb"):
        FitWorkload(
            typical_duration_s=1, longest_duration_s=1, requests_per_month=1, memory_mb=20_000
        )
    with pytest.raises(KeyError, match="rest-api"):
        preset("nope")
