"""The call trace: every AWS call made against a local account, in order.

Visualizers subscribe to it; tests read `entries`. Recording is thread-safe and
subscribers are called outside the lock, in the thread that made the call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Outcome = Literal["ok", "error", "denied"]


class TraceEntry(BaseModel):
    time: datetime
    function_name: str | None = None  # None for calls made by the tutor itself (deploy, tests)
    request_id: str | None = None
    service: str
    operation: str
    params: dict[str, Any] = Field(default_factory=dict)  # key parameters, large values shortened
    outcome: Outcome
    error_code: str | None = None
    latency_ms: float
    # Additions beyond the agreed interface (extend, never rename):
    resource: str | None = None  # the ARN the call acted on, when one can be named
    http_status: int = 200

    def line(self) -> str:
        who = self.function_name or "tutor"
        result = self.outcome if self.outcome == "ok" else f"{self.outcome} {self.error_code}"
        return f"{who} {self.service}:{self.operation} {result} {self.latency_ms:.1f} ms"


TraceCallback = Callable[[TraceEntry], None]


class Trace:
    """An append-only list of TraceEntry with subscribers."""

    def __init__(self, max_entries: int = 100_000):
        self._entries: list[TraceEntry] = []
        self._subscribers: list[TraceCallback] = []
        self._lock = threading.Lock()
        self._max_entries = max_entries

    @property
    def entries(self) -> list[TraceEntry]:
        with self._lock:
            return list(self._entries)

    def subscribe(self, callback: TraceCallback) -> Callable[[], None]:
        """Call `callback(entry)` for every new entry; returns an unsubscribe function."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def record(self, entry: TraceEntry) -> None:
        with self._lock:
            self._entries.append(entry)
            if len(self._entries) > self._max_entries:
                del self._entries[: len(self._entries) - self._max_entries]
            subscribers = list(self._subscribers)
        for callback in subscribers:
            callback(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def for_function(self, function_name: str) -> list[TraceEntry]:
        return [e for e in self.entries if e.function_name == function_name]

    def operations(self) -> list[str]:
        """`service:Operation` of every entry, in order (handy in tests and the CLI)."""
        return [f"{e.service}:{e.operation}" for e in self.entries]
