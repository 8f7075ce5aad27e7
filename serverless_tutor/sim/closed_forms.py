"""Closed forms the simulator is checked against (docs/facts.md, "Simulation semantics")."""

from __future__ import annotations

import math


def single_instance_cold_probability(
    rate_per_s: float, warm_s: float, keep_alive_s: float
) -> float:
    """P(cold) with Poisson arrivals, a fixed warm time and mostly one environment at a time.

    A request is cold if the gap since the previous one exceeds warm + keep-alive
    (the environment was reclaimed), or is shorter than the warm time (the only
    environment is still busy): exp(-L(T + w)) + (1 - exp(-L w)).
    """
    return math.exp(-rate_per_s * (keep_alive_s + warm_s)) + (1 - math.exp(-rate_per_s * warm_s))


def erlang_b(offered_load: float, servers: int) -> float:
    """Blocking probability of an M/G/N/N system (no queue) with offered load L x S.

    Uses the stable recurrence B(E, 0) = 1, B(E, n) = E B(E, n-1) / (n + E B(E, n-1)).
    """
    if servers < 0 or offered_load < 0:
        raise ValueError("servers and offered load must be 0 or more")
    blocking = 1.0
    for n in range(1, servers + 1):
        blocking = offered_load * blocking / (n + offered_load * blocking)
    return blocking
