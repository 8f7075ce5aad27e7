"""Properties of the bill that must hold for every workload (hypothesis)."""

from decimal import Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_tutor.pricing import Workload, monthly_bill

requests = st.integers(min_value=0, max_value=10**11)
durations = st.decimals(min_value=Decimal("0.1"), max_value=Decimal(900_000), places=1)
memories = st.integers(min_value=128, max_value=10_240)
arches = st.sampled_from(["x86_64", "arm64"])
ephemeral = st.integers(min_value=512, max_value=10_240)


def total(**fields) -> Decimal:
    return monthly_bill(Workload(**fields)).total


@settings(max_examples=150, deadline=None)
@given(
    requests,
    st.integers(min_value=0, max_value=10**10),
    durations,
    memories,
    arches,
    st.booleans(),
    ephemeral,
)
def test_cost_never_decreases_when_requests_grow(n, extra, duration, memory, arch, free, eph):
    fields = dict(
        duration_ms=duration, memory_mb=memory, architecture=arch, free_tier=free, ephemeral_mb=eph
    )
    assert total(requests=n + extra, **fields) >= total(requests=n, **fields)


@settings(max_examples=150, deadline=None)
@given(
    requests,
    durations,
    st.decimals(min_value=0, max_value=Decimal(100_000), places=1),
    memories,
    arches,
    st.booleans(),
)
def test_cost_never_decreases_when_duration_grows(n, duration, extra, memory, arch, free):
    longer = min(duration + extra, Decimal(900_000))
    fields = dict(requests=n, memory_mb=memory, architecture=arch, free_tier=free)
    assert total(duration_ms=longer, **fields) >= total(duration_ms=duration, **fields)


@settings(max_examples=150, deadline=None)
@given(requests, durations, memories, st.booleans(), ephemeral)
def test_arm64_never_costs_more_than_x86_64_for_the_same_gb_seconds(n, duration, memory, free, eph):
    fields = dict(
        requests=n, duration_ms=duration, memory_mb=memory, free_tier=free, ephemeral_mb=eph
    )
    arm = monthly_bill(Workload(architecture="arm64", **fields))
    x86 = monthly_bill(Workload(architecture="x86_64", **fields))
    assert arm.gb_seconds == x86.gb_seconds
    assert arm.total <= x86.total
    assert arm.compute_cost <= x86.compute_cost


@settings(max_examples=100, deadline=None)
@given(
    requests,
    durations,
    memories,
    arches,
    st.integers(min_value=0, max_value=50),
    st.decimals(min_value=0, max_value=Decimal(744), places=2),
    ephemeral,
)
def test_provisioned_and_on_demand_time_add_up_to_all_invocation_time(
    n, duration, memory, arch, envs, hours, eph
):
    fields = dict(
        requests=n, duration_ms=duration, memory_mb=memory, architecture=arch, ephemeral_mb=eph
    )
    with_pc = monthly_bill(
        Workload(provisioned_concurrency=envs, provisioned_hours=hours, **fields)
    )
    assert with_pc.total >= 0
    assert with_pc.provisioned_gb_seconds + with_pc.on_demand_gb_seconds == with_pc.gb_seconds


@settings(max_examples=200, deadline=None)
@given(requests, durations, memories, arches, ephemeral)
def test_the_free_tier_never_makes_a_line_negative(n, duration, memory, arch, eph):
    result = monthly_bill(
        Workload(
            requests=n,
            duration_ms=duration,
            memory_mb=memory,
            architecture=arch,
            ephemeral_mb=eph,
            free_tier=True,
        )
    )
    amounts = {line.key: line.amount for line in result.lines}
    assert amounts["requests"] + amounts["free_tier_requests"] >= 0
    assert amounts["compute"] + amounts["free_tier_compute"] >= 0
    for field in (
        "request_cost",
        "compute_cost",
        "provisioned_cost",
        "ephemeral_cost",
        "free_tier_credit",
        "total",
    ):
        assert getattr(result, field) >= 0, field
    assert result.free_tier_credit <= result.request_cost + result.compute_cost
    with localcontext(prec=80):  # the default 28 digits would round the sum, not the bill
        assert sum(amounts.values()) == result.total
