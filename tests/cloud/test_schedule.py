"""EventBridge schedule expressions."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from serverless_tutor.cloud.schedule import Cron, Rate, ScheduleError, parse_schedule

UTC = UTC


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_rate_counts_from_creation():
    rate = parse_schedule("rate(5 minutes)")
    assert isinstance(rate, Rate) and rate.seconds == 300
    created = at("2026-01-15T10:00:30")
    assert rate.next_after(created, created) == at("2026-01-15T10:05:30")
    assert rate.next_after(at("2026-01-15T10:05:30"), created) == at("2026-01-15T10:10:30")


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(0 12 * * ? *)", "2026-01-15T12:00:00", "2026-01-16T12:00:00"),
        (
            "cron(15 10 ? * 6L 2026)",
            "2026-01-01T00:00:00",
            "2026-01-30T10:15:00",
        ),  # last Friday of January 2026
        (
            "cron(0 18 ? * MON-FRI *)",
            "2026-01-16T18:00:00",
            "2026-01-19T18:00:00",
        ),  # Friday evening -> Monday
        ("cron(0 8 1 * ? *)", "2026-01-15T00:00:00", "2026-02-01T08:00:00"),
        ("cron(0/15 * * * ? *)", "2026-01-15T10:07:00", "2026-01-15T10:15:00"),
        (
            "cron(0 9 ? * 2#1 *)",
            "2026-01-15T00:00:00",
            "2026-02-02T09:00:00",
        ),  # first Monday of February
        ("cron(0 0 L * ? *)", "2026-02-01T00:00:00", "2026-02-28T00:00:00"),
        (
            "cron(0 0 15W * ? *)",
            "2026-02-01T00:00:00",
            "2026-02-16T00:00:00",
        ),  # the 15th is a Sunday
        (
            "cron(30 1 ? * SUN *)",
            "2026-01-15T00:00:00",
            "2026-01-18T01:30:00",
        ),  # SUN is 1, not 0 as in Unix cron
    ],
)
def test_cron_next_fire(expression, after, expected):
    schedule = parse_schedule(expression)
    assert isinstance(schedule, Cron)
    assert schedule.next_after(at(after)) == at(expected)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("rate(0 minutes)", "positive"),
        ("rate(1 minutes)", "singular"),
        ("rate(2 hour)", "plural"),
        ("rate(5 weeks)", "rate("),
        ("cron(0 12 * * *)", "6 fields"),
        ("cron(0 12 * * * *)", "'?'"),
        ("cron(0 12 ? * ? *)", "'?'"),
        ("cron(61 12 * * ? *)", "0-59"),
        ("cron(0 12 ? * FUNDAY *)", "not valid"),
        ("every day", "rate(...) or cron(...)"),
    ],
)
def test_bad_expressions(expression, message):
    with pytest.raises(
        ScheduleError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")
    ):
        parse_schedule(expression)


@given(
    minute=st.integers(0, 59),
    hour=st.integers(0, 23),
    start=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),
)
def test_daily_cron_fires_once_a_day_at_its_time(minute, hour, start):
    cron = parse_schedule(f"cron({minute} {hour} * * ? *)")
    assert isinstance(cron, Cron)
    start = start.replace(tzinfo=UTC)
    first = cron.next_after(start)
    assert (first.hour, first.minute) == (hour, minute)
    assert timedelta(0) < first - start <= timedelta(days=1)
    assert cron.next_after(first) - first == timedelta(days=1)
