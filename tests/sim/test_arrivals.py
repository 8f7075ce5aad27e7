"""Arrival processes and the CSV trace loader."""

import itertools
import random

import pytest

from serverless_tutor.problems import ContentError
from serverless_tutor.sim import (
    BurstArrivals,
    ConstantArrivals,
    DailyCurveArrivals,
    PoissonArrivals,
    TraceArrivals,
)


def first(arrivals, count, seed=1):
    return list(itertools.islice(arrivals.times(random.Random(seed)), count))


def test_poisson_rate_and_constant_spacing():
    times = first(PoissonArrivals(rate_per_s=2.0), 20_000)
    assert len(times) / times[-1] == pytest.approx(2.0, rel=0.03)
    assert first(ConstantArrivals(rate_per_s=4.0), 3) == [0.25, 0.5, 0.75]


def test_bursts_land_within_their_spread_on_top_of_background():
    arrivals = BurstArrivals(
        base_rate_per_s=0.01, burst_size=5, every_s=100, spread_s=2.0, first_at_s=10
    )
    times = [t for t in first(arrivals, 200) if t < 1000]
    in_bursts = [t for t in times if (t - 10) % 100 <= 2.0]
    assert len(in_bursts) >= 50  # 10 bursts of 5
    assert times == sorted(times)
    assert arrivals.mean_rate_per_s == pytest.approx(0.06)


def test_daily_curve_is_busier_at_the_peak_than_at_the_trough():
    arrivals = DailyCurveArrivals(mean_rate_per_s=0.2, amplitude=0.9, peak_hour=14)
    times = [t for t in first(arrivals, 200_000) if t < 5 * 86_400]
    hours = [(t / 3600) % 24 for t in times]
    near_peak = sum(1 for h in hours if 13 <= h < 15)
    near_trough = sum(1 for h in hours if h < 1 or h >= 23)  # 02:00 is 12 h from the 14:00 peak
    assert near_peak > 5 * near_trough
    assert len(times) / (5 * 86_400) == pytest.approx(0.2, rel=0.05)


def test_trace_from_csv_with_and_without_header(tmp_path):
    with_header = tmp_path / "trace.csv"
    with_header.write_text("request,time_s\na,0.5\nb,1.25\nc,1.25\n")
    assert TraceArrivals.from_csv(with_header).times_s == [0.5, 1.25, 1.25]
    bare = tmp_path / "bare.csv"
    bare.write_text("0\n2\n\n3.5\n")
    trace = TraceArrivals.from_csv(bare)
    assert list(trace.times(random.Random())) == [0.0, 2.0, 3.5]
    assert trace.source == "bare.csv"


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("when\n1\n", "line 1", "time_s column"),
        ("time_s\n1\nsoon\n", "line 3: time_s", "a number of seconds"),
        ("time_s\n5\n4\n", "line 3: time_s", "ascending"),
        ("time_s\n-1\n", "line 2: time_s", "0 s or more"),
        ("time_s\n", "(file)", "at least one arrival time"),
    ],
)
def test_trace_csv_errors_name_the_line_and_what_was_expected(tmp_path, text, field, expected):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ContentError) as caught:
        TraceArrivals.from_csv(path)
    problem = caught.value.problems[0]
    assert problem.file == str(path)
    assert problem.field == field
    assert expected in problem.expected


def test_inline_trace_must_be_ascending():
    with pytest.raises(ValueError, match="ascending"):
        TraceArrivals(times_s=[2.0, 1.0])
