"""The server-vs-serverless engine: figures recomputed by hand from the us-east-1 x86_64 rates
($0.20 per million requests, $0.0000166667 per GB-s in the first tier; free tier 1 M requests, 400,000 GB-s)."""

from decimal import Decimal as D

import pytest
from pydantic import ValidationError

from serverless_tutor.pricing import Workload, break_even, monthly_bill
from serverless_tutor.pricing.server_comparison import (
    CHART_VOLUMES,
    SERVER_PRESETS,
    TRAFFIC_PRESETS,
    compare_with_server,
    money_text,
)

REQUEST = D("0.0000002")  # $0.20 / 1M
GB_SECOND = D("0.0000166667")
SECONDS_PER_MONTH = 730 * 3600


def compare(requests=1_000_000, server=D(15), **kwargs):
    return compare_with_server(
        requests=requests, duration_ms=D(200), memory_mb=512, server_monthly_usd=server, **kwargs
    )


def test_one_million_requests_of_200_ms_at_512_mb_against_a_15_dollar_server():
    result = compare()
    by_hand = 1_000_000 * REQUEST + 1_000_000 * D("0.2") * D("0.5") * GB_SECOND  # $0.20 + $1.66667
    assert result.bill.total == by_hand == D("1.86667")
    assert [(line.key, line.amount) for line in result.bill.lines] == [
        ("requests", D("0.2")),
        ("compute", D("1.66667")),
    ]
    assert result.cheaper == "lambda"
    assert result.saving == D(15) - by_hand


def test_break_even_is_the_engines_and_matches_the_hand_figure():
    result = compare()
    reference = break_even(D(15), duration_ms=D(200), memory_mb=512)
    assert result.break_even.requests == reference.requests
    assert result.break_even.exact_requests == reference.exact_requests
    # 15 / (0.0000002 + 0.1 GB-s x 0.0000166667) = 8,035,699.94 requests: the first whole one is 8,035,700
    per_request = REQUEST + D("0.1") * GB_SECOND
    assert result.break_even.requests == 8_035_700
    assert (
        (result.break_even.requests - 1) * per_request
        < 15
        <= result.break_even.requests * per_request
    )


def test_free_tier_moves_the_break_even_past_the_free_allowance():
    result = compare(free_tier=True)
    # past 4 M requests both allowances are used up: (r - 1 M) x request + (r - 4 M) x 0.1 GB-s x rate = 15
    per_request = REQUEST + D("0.1") * GB_SECOND
    free_value = 1_000_000 * REQUEST + 400_000 * GB_SECOND
    r = result.break_even.requests
    assert r == 11_714_272
    assert r * per_request - free_value >= 15 > (r - 1) * per_request - free_value
    assert result.bill.total == 0 and result.cheaper == "lambda"


def test_chart_rows_cover_1k_to_1b_and_flip_once_at_the_break_even():
    result = compare()
    assert (
        [row.requests for row in result.rows]
        == [10**p for p in range(3, 10)]
        == list(CHART_VOLUMES)
    )
    for row in result.rows:
        # even 1 B x 0.1 GB-s = 100 M GB-s stays inside the first 6 B GB-s tier
        assert row.lambda_cost == row.requests * (REQUEST + D("0.1") * GB_SECOND)
        assert (
            row.lambda_cost
            == monthly_bill(
                Workload(requests=row.requests, duration_ms=D(200), memory_mb=512)
            ).total
        )
        assert row.server_cost == 15
        assert row.cheaper == ("lambda" if row.requests < result.break_even.requests else "server")
    assert result.rows[4].lambda_cost == D("18.66670")  # the chapter's 10 M example: $2.00 + $16.67


@pytest.mark.parametrize(
    ("preset", "lambda_cost"),
    [
        ("hobby", D("0.186667")),  # 100k: $0.02 + 10,000 GB-s x rate
        ("busy", D("56.000100")),  # 30 M: $6.00 + 3,000,000 GB-s x rate
        ("nightly", D("0.0000560001")),  # 30:   30 x $0.0000002 + 3 GB-s x rate
    ],
)
def test_traffic_presets(preset, lambda_cost):
    requests = {p.id: p.requests for p in TRAFFIC_PRESETS}[preset]
    for server in SERVER_PRESETS:
        result = compare(requests, server.monthly_usd)
        assert result.bill.total == lambda_cost
        assert result.cheaper == ("server" if lambda_cost > server.monthly_usd else "lambda")
    assert [p.monthly_usd for p in SERVER_PRESETS] == [15, 50, 200]


def test_verdicts_and_what_to_notice():
    hobby = compare(100_000)
    assert hobby.notice.startswith("Scale to zero: 100,000 requests cost $0.19 on Lambda")
    assert "past 8,035,700 requests a month" in hobby.notice
    busy = compare(30_000_000)
    assert busy.cheaper == "server" and busy.saving == D("41.0001")
    assert busy.notice.startswith("Past 8,035,700 requests a month the flat $15.00 server wins")
    assert "<$0.01" in compare(30).notice  # a charge too small for cents is not "$0.00"


def test_traffic_shape_changes_the_peak_not_the_bill():
    steady, spiky = compare(100_000), compare(100_000, shape="spiky")
    assert steady.bill == spiky.bill and steady.break_even == spiky.break_even
    assert (
        steady.average_per_second == spiky.average_per_second == D("0.0381")
    )  # 100,000 / 2,628,000 s
    assert steady.peak_per_second == D("0.0381")
    assert spiky.peak_per_second == D("0.9132")  # a day's traffic in one hour: 24 x the average
    assert spiky.peak_in_flight == D("0.1826")  # 0.913 per second x 0.2 s
    assert steady.server_busy_share == D("0.0076")  # 100,000 x 0.2 s of 2,628,000 s
    assert "sized for the spike" in spiky.notice and "Scale to zero" in steady.notice


def test_money_text_shows_sub_cent_charges():
    assert money_text(D("0.0000560001")) == "<$0.01"
    assert money_text(D(0)) == "$0.00"
    assert money_text(D("1.86667")) == "$1.87"
    assert money_text(D("-0.2")) == "-$0.20"


def test_bad_input_is_refused():
    with pytest.raises(ValidationError, match="memory_mb"):
        compare_with_server(requests=10, duration_ms=D(200), memory_mb=64, server_monthly_usd=D(15))
    with pytest.raises(ValidationError, match="requests"):
        compare_with_server(
            requests=-1, duration_ms=D(200), memory_mb=512, server_monthly_usd=D(15)
        )
    with pytest.raises(ValueError, match="more than \\$0"):
        compare(server=D(0))
