"""The router's log: one Delivery per action (who got what from where, and how it went)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from serverless_tutor.runtime.results import InvocationResult

DeliveryOutcome = Literal[
    "ok", "error", "filtered", "retry", "destination", "dead-letter", "dropped", "partial"
]
SourceKind = Literal["http", "sns", "sqs", "s3", "stream", "schedule", "destination"]
MAX_DELIVERIES_KEPT = 10_000


class Delivery(BaseModel):
    """One router action, for the trace panels: who got what from where, and how it went."""

    time: datetime
    source: SourceKind
    source_arn: str
    function_name: str
    outcome: DeliveryOutcome
    attempt: int = 1
    request_id: str | None = None
    records: int = 1
    cold: bool | None = None
    duration_ms: float | None = None
    detail: str = ""


def delivery_of(
    result: InvocationResult,
    *,
    time: datetime,
    source: SourceKind,
    source_arn: str,
    function_name: str,
    outcome: DeliveryOutcome,
    attempt: int = 1,
    records: int = 1,
    detail: str = "",
) -> Delivery:
    """The Delivery for one invoke; its detail defaults to the function's error, if any."""
    if result.error is not None and not detail:
        detail = f"{result.error.error_type}: {result.error.error_message}"
    return Delivery(
        time=time,
        source=source,
        source_arn=source_arn,
        function_name=function_name,
        outcome=outcome,
        attempt=attempt,
        request_id=result.request_id,
        records=records,
        cold=result.cold,
        duration_ms=result.report.duration_ms,
        detail=detail,
    )


class DeliveryLog:
    """The last MAX_DELIVERIES_KEPT deliveries, and the callbacks told of each new one."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self._subscribers: list[Callable[[Delivery], None]] = []
        self._lock = threading.Lock()

    def record(self, delivery: Delivery) -> None:
        with self._lock:
            self.deliveries.append(delivery)
            if len(self.deliveries) > MAX_DELIVERIES_KEPT:
                del self.deliveries[: len(self.deliveries) - MAX_DELIVERIES_KEPT]
        for callback in list(self._subscribers):
            callback(delivery)

    def subscribe(self, callback: Callable[[Delivery], None]) -> Callable[[], None]:
        """Call `callback(delivery)` for every new delivery; returns the unsubscribe function."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe
