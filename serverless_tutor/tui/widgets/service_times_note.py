"""The short line that names the durations a simulated figure was drawn from.

Latency percentiles and the share of cold starts depend on the shape of the service
times as much as on their means, so a panel showing them says which shape it drew.
"""

from __future__ import annotations

from serverless_tutor.sim.results import ServiceTimes


def service_times_note(times: ServiceTimes | None) -> str:
    """'handler times: log-normal, median 100 ms, mean 103.2 ms, sigma 0.25', from the run's own record."""
    if times is None:
        return "handler times: not recorded"
    if times.distribution == "const":
        return "durations: constant (no spread)"
    return f"handler times: {times.warm}"
