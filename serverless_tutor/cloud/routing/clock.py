"""The router's idea of now: a monotonic clock (real or stepped) anchored to a wall-clock start.

Schedules, batching windows and (with a stepped clock) SQS visibility timeouts are
measured on it. Real time uses the runtime's SystemClock; tests pass a ManualClock
and step it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from serverless_tutor.runtime.clock import Clock, SystemClock


class RouterClock:
    def __init__(self, clock: Clock | None = None, start_time: datetime | None = None):
        self.clock: Clock = clock or SystemClock()
        # A stepped clock does not move moto's own timers, so the router stands in for them.
        self.stepped = clock is not None and not isinstance(clock, SystemClock)
        self._wall_start = start_time or datetime.now(UTC)
        self._clock_start = self.clock.now()

    def now(self) -> float:
        """Seconds on the clock (monotonic; only differences mean anything)."""
        return self.clock.now()

    def wall_time(self) -> datetime:
        """Real time, or the start time plus how far the stepped clock has moved."""
        return self._wall_start + timedelta(seconds=self.clock.now() - self._clock_start)
